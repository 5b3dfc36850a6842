using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.Attestation;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Testing;

namespace Citrine.Chain.Tests.Attestation;

public sealed class CollateralRegistryTests
{
    private static readonly TestPkiKeys Keys = TestPkiKeys.FromSeed("citrine-registry-tests"u8);
    private static readonly DcapSimulator Simulator = new(Keys);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(TestChain.GenesisTime.Seconds);

    private static SimulatedDcapEvidence Evidence(DcapFault fault = DcapFault.None, TimeSpan? later = null, int evaluationNumber = 17, DcapSimulator? simulator = null) =>
        (simulator ?? Simulator).Generate(new SimulatedQuoteRequest { Now = Now + (later ?? TimeSpan.Zero), Fault = fault, TcbEvaluationDataNumber = evaluationNumber });

    private static GenesisAttestation SimulatedRoot()
    {
        using var root = X509CertificateLoader.LoadCertificate(Evidence().RootCertificateDer);
        var p = root.GetECDsaPublicKey()!.ExportParameters(false);
        return GenesisAttestation.Simulated([.. p.Q.X!, .. p.Q.Y!]);
    }

    private static string Pem(params byte[][] ders) => string.Concat(ders.Select(d => PemEncoding.WriteString("CERTIFICATE", d) + "\n"));

    private sealed class Registry : IDisposable
    {
        private ulong _sequence;

        public Registry(GenesisAttestation? attestation = null, IStateStore? state = null)
        {
            Chain = new TestChain(attestation: attestation ?? SimulatedRoot(), state: state);
        }

        public TestChain Chain { get; }

        public TxResult Upload(CollateralKind kind, byte[] document, string issuerChain)
        {
            var tx = Tx.Create([new MsgRegistryUpdate(Chain.Address(0), (uint)kind, document, System.Text.Encoding.ASCII.GetBytes(issuerChain))], "", Chain.AccountKeys[0], _sequence++, 2_000_000, Chain.Genesis.ChainId, 0);
            var check = Chain.Node.SubmitTx(tx.Encode()).Result;
            Assert.True(check.IsOk, check.Log);
            var block = Chain.Produce();
            return Chain.Node.GetResults(block.Block.Header.Height)!.TxResults[0];
        }

        public TxResult RootCrl(SimulatedDcapEvidence e) => Upload(CollateralKind.RootCaCrl, e.RootCrlDer, Pem(e.RootCertificateDer));

        public TxResult TcbInfo(SimulatedDcapEvidence e) => Upload(CollateralKind.TcbInfo, System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), e.TcbSigningChainPem);

        public TxResult QeIdentity(SimulatedDcapEvidence e) => Upload(CollateralKind.QeIdentity, System.Text.Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), e.QeIdentitySigningChainPem);

        public TxResult PckCrl(SimulatedDcapEvidence e, CollateralKind kind = CollateralKind.ProcessorCrl) => Upload(kind, e.PckCrlDer, e.PckCrlIssuerChainPem);

        /// <summary>Moves the clock; a block's time is its previous commit's vote time (CometBFT BFT time), so one block carries it.</summary>
        public void Advance(TimeSpan by)
        {
            Chain.Clock.Advance(by);
            Chain.Produce();
        }

        public JsonDocument Show(byte[]? fmspc = null) =>
            JsonDocument.Parse(Chain.Node.ReadCommitted(s => CollateralRegistry.ShowJson(s, Chain.Genesis.Attestation, fmspc)).Result);

        public void Dispose() => Chain.Dispose();
    }

    private static void Ok(TxResult result) => Assert.True(result.IsOk, result.Log);

    private static void Refused(RegistryCode code, TxResult result)
    {
        Assert.Equal("attestation", result.Codespace);
        Assert.True((uint)code == result.Code, $"expected {code} ({(uint)code}), got {result.Code}: {result.Log}");
    }

    [Fact]
    public void Simulated_collateral_is_accepted_and_shown()
    {
        using var registry = new Registry();
        var e = Evidence();
        Ok(registry.RootCrl(e));
        Ok(registry.TcbInfo(e));
        Ok(registry.QeIdentity(e));
        Ok(registry.PckCrl(e));
        using var shown = registry.Show();
        Assert.Equal("simulated", shown.RootElement.GetProperty("root").GetString());
        Assert.True(shown.RootElement.TryGetProperty("warning", out _));
        var tcb = Assert.Single(shown.RootElement.GetProperty("tcb_info").EnumerateArray());
        Assert.Equal(Convert.ToHexStringLower(e.Fmspc), tcb.GetProperty("fmspc").GetString());
        Assert.Equal(17, tcb.GetProperty("tcb_evaluation_data_number").GetInt32());
        Assert.Equal(3, shown.RootElement.GetProperty("entries").GetArrayLength());
        using var filtered = registry.Show([1, 2, 3, 4, 5, 6]);
        Assert.Empty(filtered.RootElement.GetProperty("tcb_info").EnumerateArray());
    }

    [Fact]
    public void Upload_charges_the_fixed_verification_gas()
    {
        using var registry = new Registry();
        var e = Evidence();
        var root = registry.RootCrl(e);
        Ok(root);
        var tcb = registry.TcbInfo(e);
        Ok(tcb);
        Assert.True(tcb.GasUsed > CollateralRegistry.VerificationGas(CollateralKind.TcbInfo));
        Assert.Equal(7000, CollateralRegistry.VerificationGas(CollateralKind.TcbInfo));
        Assert.Equal(3000, CollateralRegistry.VerificationGas(CollateralKind.RootCaCrl));
    }

    [SkippableFact]
    public void Real_intel_collateral_is_accepted_at_a_block_time_inside_its_validity()
    {
        var assets = Vectors.Require("dcap/automata-dcap-attestation/evm-assets-0825");
        var certs = Vectors.Require("dcap/automata-dcap-attestation/solana-tests-data");
        using var registry = new Registry(GenesisAttestation.Intel);
        // 2025-08-20: inside TCB Info / QE Identity / PCK CRL (2025-08-15..09-14) and the root CRL (2025-03-20..2026-04-03).
        var target = new DateTimeOffset(2025, 8, 20, 0, 0, 0, TimeSpan.Zero);
        registry.Advance(target - Now);
        var root = File.ReadAllBytes(Path.Combine(certs, "root.der"));
        var signingChain = Pem(File.ReadAllBytes(Path.Combine(certs, "signing.der")), root);
        Ok(registry.Upload(CollateralKind.RootCaCrl, File.ReadAllBytes(Path.Combine(certs, "intel_root_ca_crl.der")), Pem(root)));
        Ok(registry.Upload(CollateralKind.TcbInfo, File.ReadAllBytes(Path.Combine(assets, "sgx_tcbinfov3_00606a000000.json")), signingChain));
        Ok(registry.Upload(CollateralKind.QeIdentity, File.ReadAllBytes(Path.Combine(assets, "sgx_qeidentity_v4.json")), signingChain));
        Ok(registry.Upload(CollateralKind.TcbEvaluationNumbers, File.ReadAllBytes(Path.Combine(assets, "sgxtcbeval.json")), signingChain));
        Ok(registry.Upload(CollateralKind.PlatformCrl, File.ReadAllBytes(Path.Combine(assets, "platform_crl.der")), Pem(File.ReadAllBytes(Path.Combine(certs, "platform.der")), root)));
        using var shown = registry.Show(Convert.FromHexString("00606a000000"));
        Assert.Equal("intel", shown.RootElement.GetProperty("root").GetString());
        Assert.Single(shown.RootElement.GetProperty("tcb_info").EnumerateArray());
        // The same TCB Info under the simulated root is another root's document.
        using var simulated = new Registry();
        simulated.Advance(target - Now);
        Refused(RegistryCode.UntrustedRoot, simulated.Upload(CollateralKind.RootCaCrl, File.ReadAllBytes(Path.Combine(certs, "intel_root_ca_crl.der")), Pem(root)));
    }

    [Fact]
    public void Refuses_a_root_crl_of_another_root()
    {
        using var registry = new Registry();
        var other = Evidence(simulator: new DcapSimulator(TestPkiKeys.FromSeed("another-root"u8)));
        Refused(RegistryCode.UntrustedRoot, registry.RootCrl(other));
    }

    [Fact]
    public void Refuses_a_tcb_info_signed_under_another_root()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        var other = Evidence(simulator: new DcapSimulator(TestPkiKeys.FromSeed("another-root"u8)));
        Refused(RegistryCode.UntrustedRoot, registry.TcbInfo(other));
    }

    [Fact]
    public void Refuses_a_document_before_the_root_crl_is_registered()
    {
        using var registry = new Registry();
        Refused(RegistryCode.RootCrlMissing, registry.TcbInfo(Evidence()));
    }

    [Fact]
    public void Refuses_a_document_when_the_registered_root_crl_expired_at_block_time()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        registry.Advance(TimeSpan.FromDays(31));
        Refused(RegistryCode.RootCrlExpired, registry.TcbInfo(Evidence(later: TimeSpan.FromDays(31))));
    }

    [Fact]
    public void Refuses_a_tcb_info_expired_at_block_time()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        Refused(RegistryCode.Expired, registry.TcbInfo(Evidence(DcapFault.TcbInfoExpired)));
    }

    [Fact]
    public void Refuses_a_tcb_info_not_yet_valid_at_block_time()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        Refused(RegistryCode.NotYetValid, registry.TcbInfo(Evidence(DcapFault.TcbInfoNotYetValid)));
    }

    [Fact]
    public void Refuses_an_expired_root_crl()
    {
        using var registry = new Registry();
        Refused(RegistryCode.Expired, registry.RootCrl(Evidence(DcapFault.RootCrlExpired)));
    }

    [Fact]
    public void Refuses_a_signer_chain_of_a_pck_key()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        Refused(RegistryCode.SignerHasPckExtension, registry.TcbInfo(Evidence(DcapFault.TcbSignerWithPckExtension)));
        Refused(RegistryCode.SignerChainLengthInvalid, registry.TcbInfo(Evidence(DcapFault.TcbSignerIsPckLeaf)));
        Refused(RegistryCode.SignerNameInvalid, registry.TcbInfo(Evidence(DcapFault.TcbSignerIsPckCa)));
    }

    [Fact]
    public void Refuses_a_signer_revoked_by_the_registered_root_crl()
    {
        using var registry = new Registry();
        var e = Evidence(DcapFault.TcbSigningCertRevoked);
        Ok(registry.RootCrl(e));
        Refused(RegistryCode.SignerRevoked, registry.TcbInfo(e));
    }

    [Fact]
    public void Refuses_a_tcb_info_whose_signature_does_not_verify()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        Refused(RegistryCode.SignatureInvalid, registry.TcbInfo(Evidence(DcapFault.TcbInfoBadSignature)));
    }

    [Fact]
    public void Accepts_a_newer_tcb_info_and_refuses_an_older_issue_date()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        registry.Advance(TimeSpan.FromDays(2));
        Ok(registry.TcbInfo(Evidence(later: TimeSpan.FromDays(1))));
        Ok(registry.TcbInfo(Evidence(later: TimeSpan.FromDays(2))));
        Refused(RegistryCode.IssueDateNotNewer, registry.TcbInfo(Evidence(later: TimeSpan.FromDays(1))));
    }

    [Fact]
    public void Refuses_a_tcb_info_with_a_lower_evaluation_number()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        registry.Advance(TimeSpan.FromDays(1));
        Ok(registry.TcbInfo(Evidence()));
        // Issued later, but on an older evaluation: a downgrade.
        Refused(RegistryCode.TcbEvaluationNumberDowngrade, registry.TcbInfo(Evidence(later: TimeSpan.FromDays(1), evaluationNumber: 16)));
    }

    [Fact]
    public void Refuses_an_identical_update_as_unchanged()
    {
        using var registry = new Registry();
        var e = Evidence();
        Ok(registry.RootCrl(e));
        Ok(registry.QeIdentity(e));
        Refused(RegistryCode.Unchanged, registry.QeIdentity(e));
    }

    [Fact]
    public void Refuses_an_older_crl()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        registry.Advance(TimeSpan.FromDays(1));
        Ok(registry.PckCrl(Evidence(later: TimeSpan.FromDays(1))));
        Refused(RegistryCode.CrlThisUpdateNotNewer, registry.PckCrl(Evidence()));
    }

    [Fact]
    public void Refuses_a_crl_with_a_lower_crl_number()
    {
        using var registry = new Registry();
        var e = Evidence();
        Ok(registry.RootCrl(e));
        registry.Advance(TimeSpan.FromHours(2));
        Ok(registry.Upload(CollateralKind.ProcessorCrl, PckCrl(e, 5, Now), e.PckCrlIssuerChainPem));
        Refused(RegistryCode.CrlNumberDowngrade, registry.Upload(CollateralKind.ProcessorCrl, PckCrl(e, 4, Now.AddHours(1)), e.PckCrlIssuerChainPem));
    }

    [Fact]
    public void Refuses_a_crl_of_another_issuer()
    {
        using var registry = new Registry();
        var e = Evidence();
        Ok(registry.RootCrl(e));
        // A Processor CA CRL uploaded as the Platform CA's.
        Refused(RegistryCode.CrlIssuerInvalid, registry.PckCrl(e, CollateralKind.PlatformCrl));
        // A CRL whose issuer name is not the PCK CA of its chain.
        Refused(RegistryCode.CrlIssuerInvalid, registry.PckCrl(Evidence(DcapFault.PckCrlWrongIssuer)));
    }

    [Fact]
    public void Refuses_a_crl_without_crl_number()
    {
        using var registry = new Registry();
        Ok(registry.RootCrl(Evidence()));
        Refused(RegistryCode.CrlNumberMissing, registry.PckCrl(Evidence(DcapFault.PckCrlWithoutCrlNumber)));
    }

    [Fact]
    public void Refuses_a_malformed_document()
    {
        using var registry = new Registry();
        var e = Evidence();
        Ok(registry.RootCrl(e));
        Refused(RegistryCode.Malformed, registry.Upload(CollateralKind.TcbInfo, "{\"tcbInfo\":[1,2"u8.ToArray(), e.TcbSigningChainPem));
        Refused(RegistryCode.Malformed, registry.Upload(CollateralKind.PlatformCrl, [0x30, 0x03, 0x01], e.PckCrlIssuerChainPem));
    }

    [Fact]
    public void Refuses_an_unknown_kind()
    {
        using var registry = new Registry();
        var e = Evidence();
        Refused(RegistryCode.UnknownKind, registry.Upload((CollateralKind)99, e.RootCrlDer, Pem(e.RootCertificateDer)));
    }

    [Fact]
    public void Refuses_a_document_above_the_size_limit()
    {
        using var registry = new Registry();
        Refused(RegistryCode.DocumentTooLarge, registry.Upload(CollateralKind.TcbInfo, new byte[CollateralRegistry.MaxDocumentBytes + 1], ""));
    }

    [Fact]
    public void Every_verifier_refusal_has_a_registry_code()
    {
        foreach (var reason in Enum.GetValues<CollateralUpdateReason>().Where(r => r is not (CollateralUpdateReason.Unset or CollateralUpdateReason.Verified)))
        {
            Assert.True(Enum.IsDefined(CollateralRegistry.CodeOf(reason)), reason.ToString());
        }
        Assert.Equal(Enum.GetValues<RegistryCode>().Length, Enum.GetValues<RegistryCode>().Distinct().Count());
    }

    [Fact]
    public void Two_nodes_fed_the_same_uploads_agree_on_the_app_hash_and_it_covers_the_registry()
    {
        using var a = new Registry();
        using var b = new Registry();
        using var c = new Registry();
        var e = Evidence();
        foreach (var r in new[] { a, b })
        {
            Ok(r.RootCrl(e));
            Ok(r.TcbInfo(e));
        }
        Ok(c.RootCrl(e));
        Ok(c.QeIdentity(e));
        // A header carries the app hash of the state after the previous block.
        foreach (var r in new[] { a, b, c })
        {
            r.Chain.Produce();
        }
        Assert.Equal(a.Chain.Node.GetBlock(3)!.Block.Header.AppHash, b.Chain.Node.GetBlock(3)!.Block.Header.AppHash);
        Assert.Equal(a.Chain.Node.GetBlock(2)!.Block.Header.AppHash, c.Chain.Node.GetBlock(2)!.Block.Header.AppHash);
        Assert.NotEqual(a.Chain.Node.GetBlock(3)!.Block.Header.AppHash, c.Chain.Node.GetBlock(3)!.Block.Header.AppHash);
    }

    [Fact]
    public void Registry_state_survives_a_restart_on_rocksdb_and_is_provable()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-registry-" + Guid.NewGuid().ToString("N"));
        try
        {
            var e = Evidence();
            var key = CollateralRegistry.KeyOf(CollateralKind.TcbInfo, "SGX", e.Fmspc);
            byte[] stored;
            using (var registry = new Registry(state: MultiStoreState.OpenRocks(Path.Combine(dir, "state"), Citrine.Chain.App.ChainApp.StoreNames)))
            {
                Ok(registry.RootCrl(e));
                Ok(registry.TcbInfo(e));
                stored = registry.Chain.Node.QueryState(CollateralRegistry.StoreName, key, 0, false).Value!;
            }
            using var reopened = MultiStoreState.OpenRocks(Path.Combine(dir, "state"), Citrine.Chain.App.ChainApp.StoreNames);
            var result = reopened.Query(CollateralRegistry.StoreName, key, 0, prove: true);
            Assert.Equal(stored, result.Value);
            Assert.NotNull(result.ProofOps);
            Assert.Equal(2, result.ProofOps!.Count);
            var entry = RegistryEntry.Decode(result.Value!);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), entry.Document);
            Assert.Equal(17, entry.TcbEvaluationDataNumber);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Genesis_json_names_the_pinned_root()
    {
        var genesis = new TestChain(attestation: SimulatedRoot());
        using (genesis)
        {
            var parsed = GenesisDoc.Parse(genesis.Genesis.ToJson());
            Assert.True(parsed.Attestation.IsSimulated);
            Assert.Equal(genesis.Genesis.Attestation.RootPublicKey, parsed.Attestation.RootPublicKey);
        }
        var json = System.Text.Encoding.UTF8.GetString(new TestChain().Genesis.ToJson()).Replace("\"root\": \"intel\"", "\"root\": \"intel\"", StringComparison.Ordinal);
        Assert.Contains("\"attestation\"", json, StringComparison.Ordinal);
        var forged = json.Replace(Convert.ToHexStringLower(TrustAnchor.IntelSgxRootCa.PublicKey), Convert.ToHexStringLower(SimulatedRoot().RootPublicKey), StringComparison.Ordinal);
        Assert.Throws<GenesisException>(() => GenesisDoc.Parse(System.Text.Encoding.UTF8.GetBytes(forged)));
    }

    /// <summary>A Processor CA CRL with a chosen cRLNumber and thisUpdate, signed by the simulated PCK CA key.</summary>
    private static byte[] PckCrl(SimulatedDcapEvidence e, int number, DateTimeOffset thisUpdate)
    {
        using var ca = X509CertificateLoader.LoadCertificate(e.PckCaCertificateDer);
        var builder = new CertificateRevocationListBuilder();
        return builder.Build(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(Keys.PckCa), new BigInteger(number), thisUpdate.AddDays(30), HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false), thisUpdate);
    }
}

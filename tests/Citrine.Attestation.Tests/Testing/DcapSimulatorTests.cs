using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Testing;

namespace Citrine.Attestation.Tests.Testing;

/// <summary>
/// The simulator's output checked piece by piece with the library's parsers and plain ECDSA:
/// structure, every signature and binding, and that each fault breaks only its own piece.
/// </summary>
public sealed class DcapSimulatorTests
{
    public static TheoryData<SimulatedTee, int, SimulatedTdReport> Shapes => new()
    {
        { SimulatedTee.Sgx, 3, SimulatedTdReport.Td10 },
        { SimulatedTee.Sgx, 4, SimulatedTdReport.Td10 },
        { SimulatedTee.Sgx, 5, SimulatedTdReport.Td10 },
        { SimulatedTee.Tdx, 4, SimulatedTdReport.Td10 },
        { SimulatedTee.Tdx, 5, SimulatedTdReport.Td10 },
        { SimulatedTee.Tdx, 5, SimulatedTdReport.Td15 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Generated_quote_parses_and_every_signature_and_binding_holds(SimulatedTee tee, int version, SimulatedTdReport body)
    {
        var reportData = SimulatedPki.ReportData(0xAB);
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = version, TdReport = body, ReportData = reportData,
        });

        var quote = QuoteParser.Parse(evidence.Quote);
        Assert.Equal(version, quote.Version);
        Assert.Equal(tee == SimulatedTee.Sgx ? TeeType.Sgx : TeeType.Tdx, quote.TeeType);
        Assert.Equal(reportData, quote.ReportData);
        Assert.Equal(0, quote.TrailingByteCount);

        // Quote signature by the attestation key over exactly the signed region.
        Assert.True(EcdsaP256.VerifyRaw(quote.AttestationKey, quote.SignedBytes, quote.Signature));
        Assert.Equal(RawKey(SimulatedPki.Keys.Attestation), quote.AttestationKey);

        // QE report: signed by the PCK leaf; report_data = SHA-256(att key || auth data) || 0^32.
        var chain = PemCertificates(quote.PckChainPem);
        Assert.Equal(3, chain.Count);
        var leaf = DcapCertificate.Parse(chain[0].RawData);
        Assert.True(EcdsaP256.VerifyRaw(leaf.PublicKey, quote.QeReportBytes, quote.QeReportSignature));
        var expected = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthenticationData]);
        Assert.Equal(expected, quote.QeReport.ReportData.AsSpan(0, 32).ToArray());
        Assert.True(quote.QeReport.ReportData.AsSpan(32).IndexOfAnyExcept((byte)0) < 0);

        // Chain: leaf <- PCK CA <- root, root self-signed and equal to the trusted root.
        var ca = DcapCertificate.Parse(chain[1].RawData);
        var root = DcapCertificate.Parse(chain[2].RawData);
        Assert.True(leaf.IsSignedBy(ca.PublicKey));
        Assert.True(ca.IsSignedBy(root.PublicKey));
        Assert.True(root.IsSignedBy(root.PublicKey));
        Assert.Equal(evidence.TrustedRootDer, chain[2].RawData);
        Assert.All([leaf, ca, root], c => Assert.True(c.IsValidAt(SimulatedPki.Now)));

        // PCK extension: FMSPC, PCE-ID, CPUSVN, PCESVN as requested.
        var ext = PckExtensions.FromCertificate(leaf);
        var request = new SimulatedQuoteRequest { Now = SimulatedPki.Now };
        Assert.Equal(request.Fmspc.ToArray(), ext.Fmspc);
        Assert.Equal(request.PceId.ToArray(), ext.PceId);
        Assert.Equal(request.CpuSvn.ToArray(), ext.CpuSvn);
        Assert.Equal(request.CpuSvn.ToArray(), ext.TcbComponents);
        Assert.Equal(request.PceSvn, ext.PceSvn);
        Assert.Equal(PckCaType.Processor, PckExtensions.CaTypeOf(leaf));

        // Collateral loads with the QuoteCollateralV3 loader; the documents verify under the TCB signing key.
        var collateral = QuoteCollateral.FromQvlJson(Encoding.UTF8.GetBytes(evidence.CollateralJson));
        var signer = DcapCertificate.Parse(collateral.TcbInfoIssuerChain[0]);
        Assert.True(signer.IsSignedBy(root.PublicKey));
        Assert.True(EcdsaP256.VerifyRaw(signer.PublicKey, collateral.TcbInfo.Body, collateral.TcbInfo.Signature));
        Assert.True(EcdsaP256.VerifyRaw(signer.PublicKey, collateral.QeIdentity.Body, collateral.QeIdentity.Signature));
        var tcbInfo = TcbInfo.Parse(collateral.TcbInfo.Body);
        Assert.Equal(tee == SimulatedTee.Sgx ? "SGX" : "TDX", tcbInfo.Id);
        Assert.Equal(3, tcbInfo.Version);
        Assert.Equal(ext.Fmspc, tcbInfo.Fmspc);
        Assert.True(tcbInfo.IssueDate <= SimulatedPki.Now && SimulatedPki.Now < tcbInfo.NextUpdate);
        var qeIdentity = EnclaveIdentity.Parse(collateral.QeIdentity.Body);
        Assert.Equal(tee == SimulatedTee.Sgx ? "QE" : "TD_QE", qeIdentity.Id);
        Assert.Equal(quote.QeReport.MrSigner, qeIdentity.MrSigner);
        Assert.Equal(quote.QeReport.IsvProdId, qeIdentity.IsvProdId);

        // CRLs: issued and signed by root / PCK CA, current, revoking nothing in the chain.
        var rootCrl = Crl.Parse(collateral.RootCaCrl);
        var pckCrl = Crl.Parse(collateral.PckCrl);
        Assert.True(EcdsaP256.VerifyDer(root.PublicKey, rootCrl.TbsBytes, rootCrl.Signature));
        Assert.True(EcdsaP256.VerifyDer(ca.PublicKey, pckCrl.TbsBytes, pckCrl.Signature));
        Assert.Equal(root.Subject, rootCrl.IssuerName);
        Assert.Equal(ca.Subject, pckCrl.IssuerName);
        Assert.False(rootCrl.IsRevoked(ca.SerialNumber));
        Assert.False(pckCrl.IsRevoked(leaf.SerialNumber));
        Assert.Equal(1, pckCrl.RevokedCount);
    }

    [Fact]
    public void Platform_ca_leaf_carries_the_platform_ca_issuer_and_optional_fields()
    {
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, PckCa = SimulatedPckCaKind.Platform });
        var leaf = DcapCertificate.Parse(evidence.PckLeafCertificateDer);
        Assert.Equal(PckCaType.Platform, PckExtensions.CaTypeOf(leaf));
        Assert.Equal(SgxType.Scalable, PckExtensions.FromCertificate(leaf).SgxType);
    }

    [Fact]
    public void Same_seed_gives_the_same_keys_and_different_seeds_differ()
    {
        using var a = TestPkiKeys.FromSeed("seed-1"u8);
        using var b = TestPkiKeys.FromSeed("seed-1"u8);
        using var c = TestPkiKeys.FromSeed("seed-2"u8);
        Assert.Equal(RawKey(a.Root), RawKey(b.Root));
        Assert.Equal(RawKey(a.Attestation), RawKey(b.Attestation));
        Assert.NotEqual(RawKey(a.Root), RawKey(c.Root));
        Assert.NotEqual(RawKey(a.Root), RawKey(a.PckCa));
    }

    [Fact]
    public void Report_body_override_is_quoted_verbatim()
    {
        var body = new byte[384];
        body[320] = 0x42;
        body[64] = 0x99;
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, ReportBodyOverride = body });
        var quote = QuoteParser.Parse(evidence.Quote);
        Assert.Equal(body, quote.SignedBytes.AsSpan(48).ToArray());
    }

    [Theory]
    [InlineData(SimulatedTee.Tdx, 3, SimulatedTdReport.Td10)]
    [InlineData(SimulatedTee.Tdx, 4, SimulatedTdReport.Td15)]
    [InlineData(SimulatedTee.Sgx, 2, SimulatedTdReport.Td10)]
    public void Impossible_shapes_are_refused(SimulatedTee tee, int version, SimulatedTdReport body) =>
        Assert.Throws<ArgumentException>(() => SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now, Tee = tee, QuoteVersion = version, TdReport = body,
        }));

    [Fact]
    public void Report_data_of_the_wrong_length_is_refused() =>
        Assert.Throws<ArgumentException>(() => SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, ReportData = new byte[63] }));

    [Fact]
    public void Quote_signature_fault_breaks_only_the_quote_signature()
    {
        var quote = QuoteParser.Parse(SimulatedPki.Sgx(DcapFault.QuoteSignatureInvalid).Quote);
        Assert.False(EcdsaP256.VerifyRaw(quote.AttestationKey, quote.SignedBytes, quote.Signature));
        var leaf = DcapCertificate.Parse(PemCertificates(quote.PckChainPem)[0].RawData);
        Assert.True(EcdsaP256.VerifyRaw(leaf.PublicKey, quote.QeReportBytes, quote.QeReportSignature));
    }

    [Fact]
    public void Qe_report_data_fault_keeps_the_qe_report_validly_signed()
    {
        var quote = QuoteParser.Parse(SimulatedPki.Sgx(DcapFault.QeReportDataMismatch).Quote);
        var leaf = DcapCertificate.Parse(PemCertificates(quote.PckChainPem)[0].RawData);
        Assert.True(EcdsaP256.VerifyRaw(leaf.PublicKey, quote.QeReportBytes, quote.QeReportSignature));
        var expected = SHA256.HashData([.. quote.AttestationKey, .. quote.QeAuthenticationData]);
        Assert.NotEqual(expected, quote.QeReport.ReportData.AsSpan(0, 32).ToArray());
    }

    [Fact]
    public void Revocation_faults_list_exactly_the_named_certificate()
    {
        var leafRevoked = SimulatedPki.Sgx(DcapFault.PckLeafRevoked);
        Assert.True(Crl.Parse(leafRevoked.PckCrlDer).IsRevoked(DcapCertificate.Parse(leafRevoked.PckLeafCertificateDer).SerialNumber));
        Assert.False(Crl.Parse(leafRevoked.RootCrlDer).IsRevoked(DcapCertificate.Parse(leafRevoked.PckCaCertificateDer).SerialNumber));

        var caRevoked = SimulatedPki.Sgx(DcapFault.PckCaRevoked);
        Assert.True(Crl.Parse(caRevoked.RootCrlDer).IsRevoked(DcapCertificate.Parse(caRevoked.PckCaCertificateDer).SerialNumber));
        Assert.False(Crl.Parse(caRevoked.PckCrlDer).IsRevoked(DcapCertificate.Parse(caRevoked.PckLeafCertificateDer).SerialNumber));
    }

    [Theory]
    [InlineData(DcapFault.RootExpired, "root")]
    [InlineData(DcapFault.PckCaNotYetValid, "ca")]
    [InlineData(DcapFault.PckLeafExpired, "leaf")]
    [InlineData(DcapFault.TcbSigningCertNotYetValid, "tcb")]
    public void Validity_faults_move_only_the_named_certificate_outside_now(DcapFault fault, string which)
    {
        var e = SimulatedPki.Sgx(fault);
        var certs = new Dictionary<string, byte[]>
        {
            ["root"] = e.RootCertificateDer, ["ca"] = e.PckCaCertificateDer, ["leaf"] = e.PckLeafCertificateDer, ["tcb"] = e.TcbSigningCertificateDer,
        };
        foreach (var (name, der) in certs)
        {
            Assert.Equal(name != which, DcapCertificate.Parse(der).IsValidAt(e.Now));
        }
    }

    [Fact]
    public void Wrong_root_fault_hands_out_a_root_with_a_different_key()
    {
        var e = SimulatedPki.Sgx(DcapFault.WrongRoot);
        Assert.NotEqual(DcapCertificate.Parse(e.RootCertificateDer).PublicKey, DcapCertificate.Parse(e.TrustedRootDer).PublicKey);
    }

    [Fact]
    public void Pcs_response_bodies_hold_the_exact_signed_bytes()
    {
        var e = SimulatedPki.Tdx();
        Assert.Equal(Encoding.UTF8.GetBytes(e.TcbInfoJson), SignedDocument.FromPcsResponse(Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), "tcbInfo").Body);
        Assert.Equal(Encoding.UTF8.GetBytes(e.QeIdentityJson), SignedDocument.FromPcsResponse(Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), "enclaveIdentity").Body);
    }

    internal static byte[] RawKey(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return [.. p.Q.X!, .. p.Q.Y!];
    }

    internal static List<X509Certificate2> PemCertificates(byte[] pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(Encoding.ASCII.GetString(pem));
        return [.. collection];
    }
}

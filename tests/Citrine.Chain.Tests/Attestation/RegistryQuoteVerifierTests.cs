using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.App;
using Citrine.Chain.Attestation;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;

namespace Citrine.Chain.Tests.Attestation;

/// <summary>
/// Contracts' quote verification against the registry: collateral is uploaded with the simulated
/// DCAP PKI through <see cref="CollateralRegistry.Apply"/> (as a tx would), then quotes are verified
/// at a block time. Each refusal test breaks one thing and asserts the exact reason.
/// </summary>
public sealed class RegistryQuoteVerifierTests
{
    private static readonly TestPkiKeys Keys = TestPkiKeys.FromSeed("citrine-registry-quote-tests"u8);
    private static readonly DcapSimulator Simulator = new(Keys);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(TestChain.GenesisTime.Seconds);
    private static readonly byte[] ReportData = [.. Enumerable.Range(0, 64).Select(i => (byte)(i * 3))];
    private static readonly GenesisAttestation Root = RootOf(Keys);

    private static GenesisAttestation RootOf(TestPkiKeys keys)
    {
        var q = keys.Root.ExportParameters(false).Q;
        return GenesisAttestation.Simulated([.. q.X!, .. q.Y!]);
    }

    private static SimulatedQuoteRequest Request(DcapFault fault = DcapFault.None, DateTimeOffset? now = null) =>
        new() { Now = now ?? T0, Fault = fault, ReportData = ReportData };

    private static SimulatedDcapEvidence Evidence(DcapFault fault = DcapFault.None) => Simulator.Generate(Request(fault));

    private static SimulatedDcapEvidence Tdx(int version = 4, DateTimeOffset? now = null) => Simulator.Generate(new SimulatedQuoteRequest
    {
        Now = now ?? T0,
        Tee = SimulatedTee.Tdx,
        QuoteVersion = version,
        TdReport = version == 5 ? SimulatedTdReport.Td15 : SimulatedTdReport.Td10,
        ReportData = ReportData,
        Rtmrs = Enumerable.Range(0, 192).Select(i => (byte)i).ToArray(),
    });

    private static Timestamp At(DateTimeOffset time) => new(time.ToUnixTimeSeconds(), 0);

    /// <summary>The attestation store of a chain: uploads go through the registry's own Apply at <see cref="Time"/>.</summary>
    private sealed class Registry : IDisposable
    {
        private long _height = 1;

        public Registry(GenesisAttestation? root = null)
        {
            RootAttestation = root ?? Root;
            var branch = new StateBranch(State, new GasMeter(long.MaxValue));
            CollateralRegistry.InitGenesis(branch, RootAttestation);
            branch.Write();
        }

        public MultiStoreState State { get; } = MultiStoreState.InMemory(ChainApp.StoreNames);

        public GenesisAttestation RootAttestation { get; }

        public DateTimeOffset Time { get; set; } = T0;

        public BlockContext Block => new(_height, At(Time), "citrine-test");

        public void Upload(CollateralKind kind, byte[] document, string issuerChain)
        {
            var branch = new StateBranch(State, new GasMeter(long.MaxValue));
            CollateralRegistry.Apply(branch, RootAttestation, new MsgRegistryUpdate(new byte[20], (uint)kind, document, System.Text.Encoding.ASCII.GetBytes(issuerChain)), Block, []);
            branch.Write();
            _height++;
        }

        public Registry RootCrl(SimulatedDcapEvidence e)
        {
            Upload(CollateralKind.RootCaCrl, e.RootCrlDer, System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", e.RootCertificateDer));
            return this;
        }

        public Registry TcbInfo(SimulatedDcapEvidence e)
        {
            Upload(CollateralKind.TcbInfo, System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), e.TcbSigningChainPem);
            return this;
        }

        public Registry QeIdentity(SimulatedDcapEvidence e)
        {
            Upload(CollateralKind.QeIdentity, System.Text.Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), e.QeIdentitySigningChainPem);
            return this;
        }

        public Registry PckCrl(SimulatedDcapEvidence e, CollateralKind kind = CollateralKind.ProcessorCrl)
        {
            Upload(kind, e.PckCrlDer, e.PckCrlIssuerChainPem);
            return this;
        }

        public Registry All(SimulatedDcapEvidence e) => RootCrl(e).TcbInfo(e).QeIdentity(e).PckCrl(e);

        /// <summary>Verifies at <see cref="Time"/> on a fresh branch; <paramref name="gas"/> is what the call consumed.</summary>
        public QuoteVerification Verify(byte[] quote, QuotePolicy policy, out long gas)
        {
            var meter = new GasMeter(10_000_000);
            var verdict = new RegistryQuoteVerifier(new StateBranch(State, meter), RootAttestation, Block).VerifyQuote(quote, policy);
            gas = meter.Consumed;
            return verdict;
        }

        public QuoteVerification Verify(byte[] quote, QuotePolicy? policy = null) => Verify(quote, policy ?? new QuotePolicy(), out _);

        public void Dispose() => State.Dispose();
    }

    private static Registry With(SimulatedDcapEvidence e) => new Registry().All(e);

    private static void Refused(string reason, QuoteVerification verdict)
    {
        Assert.False(verdict.Accepted, $"accepted, expected {reason}");
        Assert.True(reason == verdict.Reason, $"expected {reason}, got {verdict.Reason}: {verdict.Detail}");
    }

    private static void Accepted(QuoteVerification verdict)
    {
        Assert.True(verdict.Accepted, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal("None", verdict.Reason);
    }

    private static ContractTime ContractTimeOf(DateTimeOffset time) => new(time.ToUnixTimeSeconds(), 0);

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Accepts_an_sgx_quote_with_its_facts(int version)
    {
        var e = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, QuoteVersion = version, ReportData = ReportData, IsvProdId = 7, IsvSvn = 3 });
        using var registry = With(e);
        var verdict = registry.Verify(e.Quote);
        Accepted(verdict);
        Assert.Equal(QuoteTee.Sgx, verdict.Tee);
        Assert.Equal(ReportData, verdict.ReportData);
        Assert.Equal(Enumerable.Repeat((byte)0xE1, 32), verdict.MrEnclave!);
        Assert.Equal(Enumerable.Repeat((byte)0x51, 32), verdict.MrSigner!);
        Assert.Equal(7, verdict.IsvProdId);
        Assert.Equal(3, verdict.IsvSvn);
        Assert.Null(verdict.MrTd);
        Assert.Equal("UpToDate", verdict.TcbStatus);
        Assert.Empty(verdict.Advisories);
        Assert.Equal(ContractTimeOf(T0.AddDays(30)), verdict.CollateralNextUpdate);
        Assert.Equal("simulated", verdict.Root);
        Assert.True(verdict.Insecure);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Accepts_a_tdx_quote_with_its_facts(int version)
    {
        var sgx = Evidence();
        var tdx = Tdx(version);
        // One registry holds both: root and PCK CRLs once, TCB Info and QE identity per TEE.
        using var registry = With(sgx).TcbInfo(tdx).QeIdentity(tdx);
        var verdict = registry.Verify(tdx.Quote);
        Accepted(verdict);
        Assert.Equal(QuoteTee.Tdx, verdict.Tee);
        Assert.Equal(ReportData, verdict.ReportData);
        Assert.Equal(Enumerable.Repeat((byte)0x7D, 48), verdict.MrTd!);
        Assert.Equal(4, verdict.Rtmrs!.Count);
        Assert.Equal(Enumerable.Range(48, 48).Select(i => (byte)i), verdict.Rtmrs[1]);
        Assert.Null(verdict.MrEnclave);
        Assert.Equal("UpToDate", verdict.TcbStatus);
        Assert.Equal(ContractTimeOf(T0.AddDays(30)), verdict.CollateralNextUpdate);
        // The SGX quote still verifies against its own TCB Info and QE identity.
        Accepted(registry.Verify(sgx.Quote));
    }

    /// <summary>
    /// TCB Info from T0 (nextUpdate T0+30d), everything else from T0+10d (nextUpdate T0+40d): the
    /// verdict names the TCB Info's nextUpdate, and at T0+31d only the TCB Info is out of date.
    /// </summary>
    private static (Registry Registry, SimulatedDcapEvidence Quote) TcbInfoOlderThanTheRest()
    {
        var older = Evidence();
        var newer = Simulator.Generate(Request(now: T0.AddDays(10)));
        var registry = new Registry().RootCrl(older).TcbInfo(older);
        registry.Time = T0.AddDays(10);
        registry.RootCrl(newer).QeIdentity(newer).PckCrl(newer);
        return (registry, newer);
    }

    [Fact]
    public void Collateral_next_update_is_the_earliest_of_the_collateral_used()
    {
        var (registry, e) = TcbInfoOlderThanTheRest();
        using (registry)
        {
            var verdict = registry.Verify(e.Quote);
            Accepted(verdict);
            Assert.Equal(ContractTimeOf(T0.AddDays(30)), verdict.CollateralNextUpdate);
        }
    }

    [Fact]
    public void Refuses_a_quote_when_the_tcb_info_expired_at_block_time()
    {
        var (registry, e) = TcbInfoOlderThanTheRest();
        using (registry)
        {
            registry.Time = T0.AddDays(30).AddSeconds(1);
            Refused("TcbInfoNotValidAtNow", registry.Verify(e.Quote));
            registry.Time = T0.AddDays(30);
            Accepted(registry.Verify(e.Quote));
        }
    }

    [Fact]
    public void Refuses_a_debug_enclave_unless_the_policy_allows_debug()
    {
        var e = Evidence(DcapFault.DebugEnclave);
        using var registry = With(e);
        Refused("DebugEnclave", registry.Verify(e.Quote));
        Accepted(registry.Verify(e.Quote, new QuotePolicy { AllowDebug = true }));
    }

    [Fact]
    public void Refuses_a_tcb_status_the_policy_does_not_accept()
    {
        var e = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, ReportData = ReportData, PlatformTcbStatus = "OutOfDate" });
        using var registry = With(e);
        var refused = registry.Verify(e.Quote);
        Refused("TcbStatusNotAccepted", refused);
        Assert.Equal("OutOfDate", refused.TcbStatus);
        var accepted = registry.Verify(e.Quote, new QuotePolicy { AcceptedTcbStatuses = ["UpToDate", "OutOfDate"] });
        Accepted(accepted);
        Assert.Equal("OutOfDate", accepted.TcbStatus);
    }

    [Fact]
    public void Refuses_an_advisory_the_policy_does_not_allow()
    {
        var e = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, ReportData = ReportData, PlatformTcbStatus = "SWHardeningNeeded", PlatformAdvisories = ["INTEL-SA-00615", "INTEL-SA-00657"] });
        using var registry = With(e);
        var accepted = registry.Verify(e.Quote);
        Accepted(accepted);
        Assert.Equal("SWHardeningNeeded", accepted.TcbStatus);
        Assert.Equal(["INTEL-SA-00615", "INTEL-SA-00657"], accepted.Advisories);
        Refused("AdvisoryNotAllowed", registry.Verify(e.Quote, new QuotePolicy { AllowedAdvisoryIds = ["INTEL-SA-00615"] }));
        Accepted(registry.Verify(e.Quote, new QuotePolicy { AllowedAdvisoryIds = ["INTEL-SA-00615", "INTEL-SA-00657"] }));
    }

    [Fact]
    public void Refuses_collateral_below_the_policy_tcb_evaluation_number()
    {
        var e = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, ReportData = ReportData, TcbEvaluationDataNumber = 17 });
        using var registry = With(e);
        Refused("TcbEvaluationDataNumberTooLow", registry.Verify(e.Quote, new QuotePolicy { MinTcbEvaluationDataNumber = 18 }));
        Accepted(registry.Verify(e.Quote, new QuotePolicy { MinTcbEvaluationDataNumber = 17 }));
    }

    [Fact]
    public void Refuses_a_pck_certificate_listed_in_the_stored_pck_crl()
    {
        var e = Evidence(DcapFault.PckLeafRevoked);
        using var registry = With(e);
        Refused("PckCertificateRevoked", registry.Verify(e.Quote));
    }

    [Fact]
    public void Refuses_a_quote_whose_fmspc_has_no_tcb_info()
    {
        var stored = Evidence();
        var other = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, ReportData = ReportData, Fmspc = new byte[] { 0x00, 0x90, 0x6E, 0xA1, 0x00, 0x00 } });
        using var registry = With(stored);
        var verdict = registry.Verify(other.Quote);
        Refused("TcbInfoMissing", verdict);
        Assert.Contains("00906ea10000", verdict.Detail, StringComparison.OrdinalIgnoreCase);
        Accepted(registry.Verify(stored.Quote));
    }

    [Fact]
    public void Refuses_a_quote_without_a_stored_qe_identity()
    {
        var e = Evidence();
        using var registry = new Registry().RootCrl(e).TcbInfo(e).PckCrl(e);
        Refused("QeIdentityMissing", registry.Verify(e.Quote));
    }

    [Fact]
    public void Refuses_a_tdx_quote_when_only_the_sgx_qe_identity_is_stored()
    {
        var tdx = Tdx();
        using var registry = With(Evidence()).TcbInfo(tdx);
        Refused("QeIdentityMissing", registry.Verify(tdx.Quote));
    }

    [Fact]
    public void Refuses_a_quote_whose_pck_ca_crl_is_not_stored()
    {
        var processor = Evidence();
        var platform = Simulator.Generate(new SimulatedQuoteRequest { Now = T0, ReportData = ReportData, PckCa = SimulatedPckCaKind.Platform });
        using var registry = With(processor);
        Refused("PckCrlMissing", registry.Verify(platform.Quote));
        registry.PckCrl(platform, CollateralKind.PlatformCrl);
        Accepted(registry.Verify(platform.Quote));
    }

    [Fact]
    public void Refuses_a_quote_when_the_root_crl_is_not_stored()
    {
        var e = Evidence();
        using var registry = With(e);
        // Uploads cannot reach this state (documents need the root CRL first): remove it under them.
        registry.State.Remove(CollateralRegistry.StoreName, CollateralRegistry.KeyOf(CollateralKind.RootCaCrl, "", []));
        Refused("RootCrlMissing", registry.Verify(e.Quote));
    }

    [Fact]
    public void Refuses_mock_evidence_unless_the_policy_accepts_it_and_then_says_insecure()
    {
        using var registry = With(Evidence());
        var measurement = Enumerable.Repeat((byte)0x4D, 32).ToArray();
        var mock = MockEvidence.Encode(measurement, ReportData);
        var refused = registry.Verify(mock);
        Refused("MockNotAccepted", refused);
        Assert.Equal(QuoteTee.Mock, refused.Tee);
        var accepted = registry.Verify(mock, new QuotePolicy { AcceptMock = true });
        Accepted(accepted);
        Assert.True(accepted.Insecure);
        Assert.Equal(QuoteTee.Mock, accepted.Tee);
        Assert.Equal(measurement, accepted.MrEnclave);
        Assert.Equal(ReportData, accepted.ReportData);
        Assert.Null(accepted.CollateralNextUpdate);
        Assert.Equal("", accepted.TcbStatus);
    }

    [Fact]
    public void Mock_evidence_is_insecure_under_the_intel_root_too()
    {
        using var registry = new Registry(GenesisAttestation.Intel);
        var verdict = registry.Verify(MockEvidence.Encode(new byte[32], ReportData), new QuotePolicy { AcceptMock = true });
        Accepted(verdict);
        Assert.Equal("intel", verdict.Root);
        Assert.True(verdict.Insecure);
    }

    [Fact]
    public void Refuses_mock_evidence_of_the_wrong_length()
    {
        using var registry = With(Evidence());
        byte[] truncated = [.. MockEvidence.Encode(new byte[32], ReportData).AsSpan(0, MockEvidence.Size - 1)];
        Refused("MockMalformed", registry.Verify(truncated, new QuotePolicy { AcceptMock = true }));
    }

    [Fact]
    public void Refuses_a_malformed_quote()
    {
        var e = Evidence();
        using var registry = With(e);
        Refused("QuoteMalformed", registry.Verify(e.Quote[..^1]));
        Refused("QuoteMalformed", registry.Verify([]));
    }

    [Fact]
    public void Refuses_a_quote_signed_under_another_root()
    {
        using var otherKeys = TestPkiKeys.FromSeed("another-root"u8);
        var other = new DcapSimulator(otherKeys).Generate(Request());
        using var registry = With(Evidence());
        Refused("UntrustedRoot", registry.Verify(other.Quote));
    }

    [Theory]
    [InlineData("UpToDat")]
    [InlineData("uptodate")]
    public void Refuses_a_policy_naming_an_unknown_tcb_status(string status)
    {
        var e = Evidence();
        using var registry = With(e);
        var verdict = registry.Verify(e.Quote, new QuotePolicy { AcceptedTcbStatuses = ["UpToDate", status] });
        Refused("PolicyMalformed", verdict);
        Assert.Contains(status, verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_negative_tcb_evaluation_floor_and_a_missing_policy()
    {
        var e = Evidence();
        using var registry = With(e);
        Refused("PolicyMalformed", registry.Verify(e.Quote, new QuotePolicy { MinTcbEvaluationDataNumber = -1 }));
        Refused("PolicyMalformed", registry.Verify(e.Quote, null!, out _));
    }

    [Fact]
    public void Charges_the_same_fixed_gas_for_an_accepted_and_a_refused_quote()
    {
        // The same bytes each time: quote lengths vary by a byte or two between generations (DER signatures in the PEM chain).
        var debug = Evidence(DcapFault.DebugEnclave);
        using var registry = With(debug);
        var refused = registry.Verify(debug.Quote, new QuotePolicy(), out var refusedGas);
        Refused("DebugEnclave", refused);
        var accepted = registry.Verify(debug.Quote, new QuotePolicy { AllowDebug = true }, out var acceptedGas);
        Accepted(accepted);
        Assert.Equal(acceptedGas, refusedGas);
        Assert.Equal(RegistryQuoteVerifier.Gas(debug.Quote.Length), acceptedGas);
        Assert.Equal(GasCosts.QuoteVerifyFlat + GasCosts.QuoteVerifySignatures + (GasCosts.QuoteVerifyPerByte * debug.Quote.Length), acceptedGas);
        // A refusal before any registry read (nothing stored) costs the same.
        using var empty = new Registry();
        Refused("TcbInfoMissing", empty.Verify(debug.Quote, new QuotePolicy(), out var missingGas));
        Assert.Equal(acceptedGas, missingGas);
        Refused("PolicyMalformed", empty.Verify(debug.Quote, new QuotePolicy { AcceptedTcbStatuses = ["Fine"] }, out var policyGas));
        Assert.Equal(acceptedGas, policyGas);
        empty.Verify(new byte[10], new QuotePolicy(), out var shortGas);
        Assert.Equal(RegistryQuoteVerifier.Gas(10), shortGas);
    }

    [Fact]
    public void Charges_before_verifying_so_too_little_gas_runs_out_first()
    {
        var e = Evidence();
        using var registry = With(e);
        var meter = new GasMeter(RegistryQuoteVerifier.Gas(e.Quote.Length) - 1);
        var verifier = new RegistryQuoteVerifier(new StateBranch(registry.State, meter), Root, registry.Block);
        Assert.Throws<OutOfGasException>(() => verifier.VerifyQuote(e.Quote, new QuotePolicy()));
    }

    [Fact]
    public void Never_throws_and_never_accepts_truncated_or_random_bytes()
    {
        var sgx = Evidence();
        var tdx = Tdx(5);
        using var registry = With(sgx).TcbInfo(tdx).QeIdentity(tdx);
        var random = new Random(20250611);
        foreach (var quote in new[] { sgx.Quote, tdx.Quote })
        {
            for (var length = 0; length < quote.Length; length += 1 + (length / 16))
            {
                Assert.False(registry.Verify(quote[..length]).Accepted);
            }
            for (var i = 0; i < 200; i++)
            {
                var bytes = quote.ToArray();
                // Random bytes over a random stretch of a valid quote: headers, bodies, PEM, signatures.
                var start = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(start, Math.Min(1 + random.Next(64), bytes.Length - start)));
                var verdict = registry.Verify(bytes, new QuotePolicy { AcceptMock = true, AllowDebug = true });
                Assert.False(string.IsNullOrEmpty(verdict.Reason));
            }
        }
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(2048)];
            random.NextBytes(bytes);
            Assert.False(registry.Verify(bytes, new QuotePolicy { AllowDebug = true }).Accepted);
        }
    }

    [Fact]
    public void Every_registry_reason_has_a_test()
    {
        var tested = typeof(RegistryQuoteVerifierTests).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), true).Length > 0)
            .Select(m => m.Name)
            .ToList();
        var expectedTests = new Dictionary<RegistryQuoteReason, string>
        {
            [RegistryQuoteReason.PolicyMalformed] = nameof(Refuses_a_policy_naming_an_unknown_tcb_status),
            [RegistryQuoteReason.MockNotAccepted] = nameof(Refuses_mock_evidence_unless_the_policy_accepts_it_and_then_says_insecure),
            [RegistryQuoteReason.MockMalformed] = nameof(Refuses_mock_evidence_of_the_wrong_length),
            [RegistryQuoteReason.TcbInfoMissing] = nameof(Refuses_a_quote_whose_fmspc_has_no_tcb_info),
            [RegistryQuoteReason.QeIdentityMissing] = nameof(Refuses_a_quote_without_a_stored_qe_identity),
            [RegistryQuoteReason.PckCrlMissing] = nameof(Refuses_a_quote_whose_pck_ca_crl_is_not_stored),
            [RegistryQuoteReason.RootCrlMissing] = nameof(Refuses_a_quote_when_the_root_crl_is_not_stored),
        };
        foreach (var reason in Enum.GetValues<RegistryQuoteReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test) && tested.Contains(test), $"reason {reason} has no test");
        }
    }

    [Fact]
    public void Block_time_is_read_as_the_registry_reads_it()
    {
        var time = new Timestamp(1_750_000_123, 987_654_321);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_750_000_123).AddTicks(9_876_543), CollateralRegistry.BlockTime(time));
        Assert.Equal(new ContractTime(1_750_000_123, 987_654_300), RegistryQuoteVerifier.ToContractTime(CollateralRegistry.BlockTime(time)));
    }

    /// <summary>A test contract: verifies the message as a quote under the default policy; returns the reason and the collateral's next update.</summary>
    private sealed class QuoteCheckingContract : IContract
    {
        public void Instantiate(IContractContext context, byte[] message)
        {
        }

        public byte[] Execute(IContractContext context, byte[] message)
        {
            var verdict = context.Attestation.VerifyQuote(message, new QuotePolicy());
            context.Emit("reason", verdict.Reason);
            return System.Text.Encoding.UTF8.GetBytes($"{verdict.Reason}|{verdict.CollateralNextUpdate?.Seconds}");
        }

        public byte[] Query(IContractQueryContext context, byte[] message) => [];
    }

    [Fact]
    public void A_contract_verifies_a_quote_at_the_block_time_of_the_chain()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("quote-check", new byte[32], () => new QuoteCheckingContract()));
        using var chain = new TestChain(contracts: host, attestation: Root);
        ulong sequence = 0;
        Blocks.TxResult Send(Msg msg)
        {
            var tx = Tx.Create([msg], "", chain.AccountKeys[0], sequence++, 2_000_000, chain.Genesis.ChainId, 0);
            var check = chain.Node.SubmitTx(tx.Encode()).Result;
            Assert.True(check.IsOk, check.Log);
            chain.Produce();
            var result = chain.Node.GetResults(chain.Node.Height)!.TxResults[0];
            Assert.True(result.IsOk, result.Log);
            return result;
        }
        void Upload(CollateralKind kind, byte[] document, string chainPem) =>
            Send(new MsgRegistryUpdate(chain.Address(0), (uint)kind, document, System.Text.Encoding.ASCII.GetBytes(chainPem)));
        void Advance(TimeSpan by)
        {
            chain.Clock.Advance(by);
            chain.Produce();
        }

        // TCB Info from genesis time (nextUpdate T0+30d); the rest ten days later (nextUpdate T0+40d).
        var older = Evidence();
        Upload(CollateralKind.RootCaCrl, older.RootCrlDer, System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", older.RootCertificateDer));
        Upload(CollateralKind.TcbInfo, System.Text.Encoding.UTF8.GetBytes(older.TcbInfoPcsJson), older.TcbSigningChainPem);
        Advance(TimeSpan.FromDays(10));
        var newer = Simulator.Generate(Request(now: T0.AddDays(10)));
        Upload(CollateralKind.RootCaCrl, newer.RootCrlDer, System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", newer.RootCertificateDer));
        Upload(CollateralKind.QeIdentity, System.Text.Encoding.UTF8.GetBytes(newer.QeIdentityPcsJson), newer.QeIdentitySigningChainPem);
        Upload(CollateralKind.ProcessorCrl, newer.PckCrlDer, newer.PckCrlIssuerChainPem);
        var contract = Send(new MsgInstantiate(chain.Address(0), "quote-check", [], 0, "q")).Data;

        var accepted = Send(new MsgExecute(chain.Address(0), contract, newer.Quote, 0));
        Assert.Equal($"None|{T0.AddDays(30).ToUnixTimeSeconds()}", System.Text.Encoding.UTF8.GetString(accepted.Data));

        // Past the TCB Info's nextUpdate, by the chain's own clock; everything else still current.
        Advance(TimeSpan.FromDays(21));
        var refused = Send(new MsgExecute(chain.Address(0), contract, newer.Quote, 0));
        Assert.Equal($"TcbInfoNotValidAtNow|{T0.AddDays(30).ToUnixTimeSeconds()}", System.Text.Encoding.UTF8.GetString(refused.Data));
        Assert.Contains(refused.Events, e => e.Type == "wasm" && e.Attributes.Any(a => a.Key == "reason" && a.Value == "TcbInfoNotValidAtNow"));
        // The same tx shape costs the same gas whether the quote is accepted or refused.
        Assert.Equal(accepted.GasUsed, refused.GasUsed);
    }
}

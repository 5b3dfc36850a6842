using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Attestors;

public sealed class SimulatedDcapAttestorTests
{
    private static EvidenceVerifierOptions TestRoot(SimulatedDcapEvidence reference) =>
        new() { Verifier = new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(reference.TrustedRootDer) } };

    [Theory]
    [InlineData(TeeKind.Sgx)]
    [InlineData(TeeKind.Tdx)]
    public async Task Simulated_evidence_passes_the_real_verifier_under_the_test_root(TeeKind kind)
    {
        var attestor = new SimulatedDcapAttestor(SimulatedPki.Simulator, kind, () => SimulatedPki.Now);
        var data = SimulatedPki.ReportData(0x77);
        var evidence = await attestor.AttestAsync(data);
        Assert.Equal(kind, evidence.Kind);
        Assert.False(evidence.IsInsecure);
        Assert.NotNull(evidence.CollateralJson);

        var verdict = EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now, TestRoot(SimulatedPki.Sgx()));
        Assert.True(verdict.IsAccepted, verdict.Detail);
        Assert.Equal(EvidenceReason.ReportDataMismatch, EvidenceVerifier.Verify(evidence, SimulatedPki.ReportData(0x78), SimulatedPki.Now, TestRoot(SimulatedPki.Sgx())).Reason);
    }

    [Fact]
    public async Task Simulated_evidence_is_refused_under_the_default_intel_root()
    {
        var attestor = new SimulatedDcapAttestor(SimulatedPki.Simulator, TeeKind.Sgx, () => SimulatedPki.Now);
        var data = SimulatedPki.ReportData(0x77);
        var verdict = EvidenceVerifier.Verify(await attestor.AttestAsync(data), data, SimulatedPki.Now, new EvidenceVerifierOptions());
        Assert.Equal(EvidenceReason.DcapNotVerified, verdict.Reason);
        Assert.Equal(VerificationReason.UntrustedRoot, verdict.Dcap!.Verification.Reason);
    }

    [Fact]
    public async Task Collateral_validity_follows_the_supplied_clock()
    {
        var attestor = new SimulatedDcapAttestor(SimulatedPki.Simulator, TeeKind.Sgx, () => SimulatedPki.Now);
        var data = SimulatedPki.ReportData(0x77);
        var evidence = await attestor.AttestAsync(data);
        var verdict = EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now.AddDays(60), TestRoot(SimulatedPki.Sgx()));
        Assert.Equal(EvidenceReason.DcapNotVerified, verdict.Reason);
        Assert.Equal(VerificationReason.TcbInfoNotValidAtNow, verdict.Dcap!.Verification.Reason);
    }

    [Fact]
    public async Task Debug_enclave_from_the_template_is_refused_by_the_verifier()
    {
        var attestor = new SimulatedDcapAttestor(SimulatedPki.Simulator, TeeKind.Sgx, () => SimulatedPki.Now,
            (data, now) => new SimulatedQuoteRequest { Now = now, ReportData = data, Fault = DcapFault.DebugEnclave });
        var data = SimulatedPki.ReportData(0x77);
        var verdict = EvidenceVerifier.Verify(await attestor.AttestAsync(data), data, SimulatedPki.Now, TestRoot(SimulatedPki.Sgx()));
        Assert.Equal(EvidenceReason.DcapNotVerified, verdict.Reason);
        Assert.Equal(VerificationReason.DebugEnclave, verdict.Dcap!.Verification.Reason);
    }

    [Fact]
    public async Task Template_that_binds_other_report_data_is_caught()
    {
        var attestor = new SimulatedDcapAttestor(SimulatedPki.Simulator, TeeKind.Sgx, () => SimulatedPki.Now,
            (_, now) => new SimulatedQuoteRequest { Now = now });
        var e = await Assert.ThrowsAsync<AttestorException>(() => attestor.AttestAsync(SimulatedPki.ReportData(0x77)));
        Assert.Equal(AttestorError.ReportDataMismatch, e.Error);
    }

    [Fact]
    public void Dcap_evidence_without_collateral_is_refused()
    {
        var evidence = new AttestationEvidence { Kind = TeeKind.Sgx, Quote = SimulatedPki.Sgx().Quote, ReportData = new byte[64], Source = "test" };
        Assert.Equal(EvidenceReason.CollateralMissing, EvidenceVerifier.Verify(evidence, new byte[64], SimulatedPki.Now, new EvidenceVerifierOptions()).Reason);
    }
}

using Citrine.Attestation.Attestors;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Attestors;

public sealed class MockAttestorTests
{
    private static readonly byte[] Measurement = Enumerable.Repeat((byte)0x4D, 32).ToArray();

    [Fact]
    public async Task Mock_evidence_is_marker_measurement_and_report_data()
    {
        var data = SimulatedPki.ReportData(0x11);
        var evidence = await new MockAttestor(Measurement).AttestAsync(data);
        Assert.Equal(TeeKind.Mock, evidence.Kind);
        Assert.True(evidence.IsInsecure);
        Assert.Equal(MockEvidence.Size, evidence.Quote.Length);
        Assert.True(evidence.Quote.AsSpan().StartsWith("CITRINE-MOCK-ATTESTATION-INSECURE-V1"u8));
        Assert.Equal(Measurement, evidence.Quote.AsSpan(36, 32).ToArray());
        Assert.Equal(data, evidence.Quote.AsSpan(68).ToArray());
    }

    [Fact]
    public async Task Verifier_refuses_mock_evidence_by_default()
    {
        var data = SimulatedPki.ReportData(0x11);
        var evidence = await new MockAttestor(Measurement).AttestAsync(data);
        var verdict = EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now, new EvidenceVerifierOptions());
        Assert.Equal(EvidenceReason.MockNotAccepted, verdict.Reason);
    }

    [Fact]
    public async Task Verifier_refuses_mock_bytes_even_when_labelled_as_a_dcap_quote()
    {
        var data = SimulatedPki.ReportData(0x11);
        var mock = await new MockAttestor(Measurement).AttestAsync(data);
        var disguised = new AttestationEvidence { Kind = TeeKind.Sgx, Quote = mock.Quote, ReportData = data, Source = "liar" };
        Assert.Equal(EvidenceReason.MockNotAccepted, EvidenceVerifier.Verify(disguised, data, SimulatedPki.Now, new EvidenceVerifierOptions()).Reason);
    }

    [Fact]
    public async Task Verifier_accepts_mock_evidence_only_when_configured_and_matching()
    {
        var data = SimulatedPki.ReportData(0x11);
        var evidence = await new MockAttestor(Measurement).AttestAsync(data);
        var options = new EvidenceVerifierOptions { AcceptInsecureMock = true, ExpectedMockMeasurement = Measurement };
        Assert.Equal(EvidenceReason.None, EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now, options).Reason);
        Assert.Equal(EvidenceReason.ReportDataMismatch, EvidenceVerifier.Verify(evidence, SimulatedPki.ReportData(0x12), SimulatedPki.Now, options).Reason);
        Assert.Equal(EvidenceReason.MockMeasurementMismatch, EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now, options with { ExpectedMockMeasurement = new byte[32] }).Reason);
        Assert.Equal(EvidenceReason.MockMeasurementMismatch, EvidenceVerifier.Verify(evidence, data, SimulatedPki.Now, options with { ExpectedMockMeasurement = null }).Reason);
        var cut = new AttestationEvidence { Kind = TeeKind.Mock, Quote = evidence.Quote[..^1], ReportData = data, Source = "mock" };
        Assert.Equal(EvidenceReason.MockMalformed, EvidenceVerifier.Verify(cut, data, SimulatedPki.Now, options).Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public async Task Report_data_that_is_not_64_bytes_is_refused(int length)
    {
        var e = await Assert.ThrowsAsync<AttestorException>(() => new MockAttestor(Measurement).AttestAsync(new byte[length]));
        Assert.Equal(AttestorError.InvalidReportData, e.Error);
    }
}

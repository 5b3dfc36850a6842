using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Verification;
using FsCheck.Xunit;

namespace Citrine.Attestation.Tests.Testing;

/// <summary>Invariants over arbitrary inputs: what the simulator signs always verifies and carries what was asked.</summary>
public sealed class DcapSimulatorProperties
{
    private static byte[] Sized(byte[]? bytes, int size)
    {
        var result = new byte[size];
        (bytes ?? []).AsSpan(0, Math.Min(size, bytes?.Length ?? 0)).CopyTo(result);
        return result;
    }

    [Property(MaxTest = 25)]
    public bool Any_report_data_platform_and_qe_svn_verifies_and_round_trips(byte[] reportData, byte[] cpuSvn, ushort pceSvn, byte qeSvn, bool tdx, bool v5)
    {
        // Component values stay below 255 so the simulator can place a higher level above them.
        var components = Sized(cpuSvn, 16).Select(b => (byte)(b % 200)).ToArray();
        var data = Sized(reportData, 64);
        var evidence = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest
        {
            Now = SimulatedPki.Now,
            Tee = tdx ? SimulatedTee.Tdx : SimulatedTee.Sgx,
            QuoteVersion = v5 ? 5 : tdx ? 4 : 3,
            ReportData = data,
            CpuSvn = components,
            PceSvn = (ushort)(pceSvn % 1000),
            QeIsvSvn = (ushort)(qeSvn % 200),
        });
        var verdict = SimulatedVerification.Verify(evidence);
        return verdict.IsVerified && verdict.ReportData!.AsSpan().SequenceEqual(data) && QuoteParser.Parse(evidence.Quote).Version == (v5 ? 5 : tdx ? 4 : 3);
    }

    [Property(MaxTest = 200)]
    public bool Mock_evidence_round_trips_and_rejects_any_other_report_data(byte[] measurement, byte[] reportData, byte flip)
    {
        var m = Sized(measurement, 32);
        var data = Sized(reportData, 64);
        var evidence = MockEvidence.Encode(m, data);
        var other = (byte[])data.Clone();
        other[flip % 64] ^= 0x01;
        return MockEvidence.Verify(evidence, true, m, data) == MockEvidenceReason.None
            && MockEvidence.Verify(evidence, true, m, other) == MockEvidenceReason.ReportDataMismatch
            && MockEvidence.Verify(evidence, false, m, data) == MockEvidenceReason.MockNotAccepted;
    }
}

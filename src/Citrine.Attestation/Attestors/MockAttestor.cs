using System.Security.Cryptography;

namespace Citrine.Attestation.Attestors;

/// <summary>
/// INSECURE — development only. Produces "evidence" that is nothing but the report data and a
/// claimed measurement under a fixed marker: anyone can forge it. Verifiers refuse it unless
/// explicitly configured to accept mock evidence (<see cref="MockEvidence.Verify"/>).
/// </summary>
public sealed class MockAttestor : IAttestor
{
    private readonly byte[] _measurement;

    /// <param name="measurement">The 32-byte mock measurement the evidence claims.</param>
    public MockAttestor(ReadOnlySpan<byte> measurement)
    {
        if (measurement.Length != MockEvidence.MeasurementSize)
        {
            throw new ArgumentException($"the mock measurement must be {MockEvidence.MeasurementSize} bytes", nameof(measurement));
        }
        _measurement = measurement.ToArray();
    }

    public TeeKind Kind => TeeKind.Mock;

    public Task<AttestationEvidence> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var data = QuoteChecks.RequireReportData(reportData);
        return Task.FromResult(new AttestationEvidence
        {
            Kind = TeeKind.Mock,
            Quote = MockEvidence.Encode(_measurement, data),
            ReportData = data,
            Source = "mock",
        });
    }
}

/// <summary>Why mock evidence was refused.</summary>
public enum MockEvidenceReason
{
    None,

    /// <summary>The verifier was not configured to accept insecure mock evidence.</summary>
    MockNotAccepted,

    /// <summary>The bytes are not mock evidence (wrong marker or length).</summary>
    Malformed,

    /// <summary>The claimed mock measurement is not the expected one.</summary>
    MeasurementMismatch,

    /// <summary>The evidence binds different report data than expected.</summary>
    ReportDataMismatch,
}

/// <summary>
/// The mock evidence format: the ASCII marker <c>CITRINE-MOCK-ATTESTATION-INSECURE-V1</c>
/// (36 bytes), the 32-byte measurement, the 64-byte report data. 132 bytes, no signature.
/// </summary>
public static class MockEvidence
{
    public const int MeasurementSize = 32;
    public const int Size = 36 + MeasurementSize + QuoteChecks.ReportDataSize;

    public static ReadOnlySpan<byte> Marker => "CITRINE-MOCK-ATTESTATION-INSECURE-V1"u8;

    public static byte[] Encode(ReadOnlySpan<byte> measurement, ReadOnlySpan<byte> reportData)
    {
        if (measurement.Length != MeasurementSize || reportData.Length != QuoteChecks.ReportDataSize)
        {
            throw new ArgumentException("mock evidence needs a 32-byte measurement and 64-byte report data");
        }
        var bytes = new byte[Size];
        Marker.CopyTo(bytes);
        measurement.CopyTo(bytes.AsSpan(Marker.Length));
        reportData.CopyTo(bytes.AsSpan(Marker.Length + MeasurementSize));
        return bytes;
    }

    /// <summary>True when <paramref name="evidence"/> carries the mock marker (whatever its length).</summary>
    public static bool IsMock(ReadOnlySpan<byte> evidence) => evidence.StartsWith(Marker);

    /// <summary>
    /// Checks mock evidence. Refuses it with <see cref="MockEvidenceReason.MockNotAccepted"/>
    /// unless <paramref name="acceptInsecureMock"/> is true: mock evidence proves nothing, so
    /// accepting it must be an explicit, visible decision.
    /// </summary>
    public static MockEvidenceReason Verify(
        ReadOnlySpan<byte> evidence, bool acceptInsecureMock, ReadOnlySpan<byte> expectedMeasurement, ReadOnlySpan<byte> expectedReportData)
    {
        if (!acceptInsecureMock)
        {
            return MockEvidenceReason.MockNotAccepted;
        }
        if (evidence.Length != Size || !evidence.StartsWith(Marker))
        {
            return MockEvidenceReason.Malformed;
        }
        if (!CryptographicOperations.FixedTimeEquals(evidence.Slice(Marker.Length, MeasurementSize), expectedMeasurement))
        {
            return MockEvidenceReason.MeasurementMismatch;
        }
        if (!CryptographicOperations.FixedTimeEquals(evidence.Slice(Marker.Length + MeasurementSize), expectedReportData))
        {
            return MockEvidenceReason.ReportDataMismatch;
        }
        return MockEvidenceReason.None;
    }
}

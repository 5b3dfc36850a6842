using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;

namespace Citrine.Attestation.Attestors;

/// <summary>Why evidence was refused before or around DCAP verification.</summary>
public enum EvidenceReason
{
    None,

    /// <summary>Mock evidence, and the options do not accept insecure mock evidence.</summary>
    MockNotAccepted,
    MockMalformed,
    MockMeasurementMismatch,

    /// <summary>The evidence binds different report data than the verifier expects.</summary>
    ReportDataMismatch,

    /// <summary>A DCAP quote without collateral (neither passed nor carried).</summary>
    CollateralMissing,

    /// <summary>The carried collateral does not load.</summary>
    CollateralMalformed,

    /// <summary>DCAP verification failed; <see cref="EvidenceVerdict.Dcap"/> holds the reason.</summary>
    DcapNotVerified,

    /// <summary>DCAP verification passed but the policy refused; see <see cref="EvidenceVerdict.Dcap"/>.</summary>
    PolicyRefused,
}

public sealed record EvidenceVerdict(EvidenceReason Reason, string? Detail, AttestationResult? Dcap)
{
    public bool IsAccepted => Reason == EvidenceReason.None;
}

/// <summary>How <see cref="EvidenceVerifier"/> treats evidence.</summary>
public sealed record EvidenceVerifierOptions
{
    /// <summary>Accept INSECURE mock evidence. Off by default; turn on only for local development.</summary>
    public bool AcceptInsecureMock { get; init; }

    /// <summary>The mock measurement to require when mock evidence is accepted (32 bytes).</summary>
    public byte[]? ExpectedMockMeasurement { get; init; }

    /// <summary>DCAP verifier options: the trust anchor defaults to Intel's root.</summary>
    public VerifierOptions Verifier { get; init; } = VerifierOptions.Default;

    public AttestationPolicy Policy { get; init; } = AttestationPolicy.SecurityDefaults;
}

/// <summary>
/// Verifies <see cref="AttestationEvidence"/> of any kind: mock evidence is refused unless the
/// options accept it; DCAP quotes go through the real verifier and the policy. Pure: time is a parameter.
/// </summary>
public static class EvidenceVerifier
{
    public static EvidenceVerdict Verify(
        AttestationEvidence evidence, ReadOnlySpan<byte> expectedReportData, DateTimeOffset now, EvidenceVerifierOptions options, QuoteCollateral? collateral = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(options);
        if (evidence.Kind == TeeKind.Mock || MockEvidence.IsMock(evidence.Quote))
        {
            var reason = MockEvidence.Verify(evidence.Quote, options.AcceptInsecureMock, options.ExpectedMockMeasurement ?? [], expectedReportData);
            return reason switch
            {
                MockEvidenceReason.None => new EvidenceVerdict(EvidenceReason.None, "INSECURE mock evidence accepted by configuration", null),
                MockEvidenceReason.MockNotAccepted => new EvidenceVerdict(EvidenceReason.MockNotAccepted, "mock evidence proves nothing and is not accepted", null),
                MockEvidenceReason.Malformed => new EvidenceVerdict(EvidenceReason.MockMalformed, "not mock evidence", null),
                MockEvidenceReason.MeasurementMismatch => new EvidenceVerdict(EvidenceReason.MockMeasurementMismatch, "unexpected mock measurement", null),
                _ => new EvidenceVerdict(EvidenceReason.ReportDataMismatch, "mock evidence binds other report data", null),
            };
        }
        if (collateral is null)
        {
            if (evidence.CollateralJson is null)
            {
                return new EvidenceVerdict(EvidenceReason.CollateralMissing, "a DCAP quote needs collateral", null);
            }
            try
            {
                collateral = QuoteCollateral.FromQvlJson(Encoding.UTF8.GetBytes(evidence.CollateralJson));
            }
            catch (CollateralFormatException e)
            {
                return new EvidenceVerdict(EvidenceReason.CollateralMalformed, e.Message, null);
            }
        }
        var result = PolicyEvaluator.VerifyAndEvaluate(evidence.Quote, collateral, now, options.Verifier, options.Policy);
        if (!result.Verification.IsVerified)
        {
            return new EvidenceVerdict(EvidenceReason.DcapNotVerified, $"{result.Verification.Reason}: {result.Verification.Detail}", result);
        }
        if (!result.Policy.IsAccepted)
        {
            return new EvidenceVerdict(EvidenceReason.PolicyRefused, $"{result.Policy.Reason}: {result.Policy.Detail}", result);
        }
        // Report data is compared after verification: only then is it known to come from the TEE.
        if (result.Verification.ReportData is not { } bound || !CryptographicOperations.FixedTimeEquals(bound, expectedReportData))
        {
            return new EvidenceVerdict(EvidenceReason.ReportDataMismatch, "the verified quote binds other report data", result);
        }
        return new EvidenceVerdict(EvidenceReason.None, null, result);
    }
}

using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Policy;

/// <summary>Why a verified attestation was refused by policy.</summary>
public enum PolicyReason
{
    None = 0,
    NotVerified,
    DebugEnclave,
    DebugTd,
    MrServiceTdNotZero,
    TdAttributesNotAllowed,
    TcbStatusNotAccepted,
    AdvisoryNotAllowed,
    TcbEvaluationDataNumberTooLow,
    /// <summary>The policy sets a TCB recovery grace period but no verified TCB Evaluation Data Numbers document (for the quote's TEE) was given.</summary>
    TcbEvaluationDataNumbersMissing,
    /// <summary>A TCB recovery event's grace period is over and the collateral predates it.</summary>
    TcbRecoveryRequired,
    TeeTypeNotExpected,
    MrEnclaveMismatch,
    MrSignerMismatch,
    IsvProdIdMismatch,
    IsvSvnTooLow,
    MrTdMismatch,
    RtmrMismatch,
    MrConfigIdMismatch,
    MrSeamMismatch,
}

public sealed record PolicyResult(PolicyReason Reason, string? Detail)
{
    public bool IsAccepted => Reason == PolicyReason.None;
}

/// <summary>Cryptographic verdict and policy decision together.</summary>
public sealed record AttestationResult(DcapVerdict Verification, PolicyResult Policy)
{
    public bool IsAccepted => Verification.IsVerified && Policy.IsAccepted;
}

/// <summary>
/// Applies an <see cref="AttestationPolicy"/> to a verified verdict. Separate from cryptographic
/// verification, with its own reasons. Pure.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>TD_ATTRIBUTES.SEPT_VE_DISABLE, bit 28 (TDX module ABI, TD attributes).</summary>
    public const ulong SeptVeDisable = 1UL << 28;

    /// <summary>TD_ATTRIBUTES.DEBUG, bit 0.</summary>
    public const ulong TdDebug = 1UL;

    /// <summary>Bits 1..7 of the TUD group are reserved and must be zero.</summary>
    public const ulong TudReserved = 0xFEUL;

    /// <summary>TD_ATTRIBUTES.PKS (bit 30), KL (bit 31) and PERFMON (bit 63): defined features a TD may enable.</summary>
    public const ulong TdDefinedFeatures = (1UL << 30) | (1UL << 31) | (1UL << 63);

    /// <summary>
    /// Every TD_ATTRIBUTES bit that is reserved in the TUD (0..7), SEC (8..31) and OTHER (32..63)
    /// groups of the TDX module ABI: all but DEBUG, SEPT_VE_DISABLE, PKS, KL and PERFMON. Bit 29
    /// (MIGRATABLE) counts as reserved here, as in dcap-qvl: a migratable TD's keys can leave it.
    /// </summary>
    public const ulong TdReserved = ~(TdDebug | SeptVeDisable | TdDefinedFeatures);

    /// <summary>Verifies then evaluates; the policy defaults to the security defaults.</summary>
    public static AttestationResult VerifyAndEvaluate(ReadOnlySpan<byte> quote, Dcap.Collateral.QuoteCollateral collateral, DateTimeOffset now, VerifierOptions? options = null, AttestationPolicy? policy = null)
    {
        policy ??= AttestationPolicy.SecurityDefaults;
        options ??= VerifierOptions.Default;
        // The verifier refuses debug enclaves itself; a policy opts in by its allow_debug field.
        var verdict = Verifier.Verify(quote, collateral, now, policy.AllowDebug && !options.AllowDebug ? options with { AllowDebug = true } : options);
        return new AttestationResult(verdict, Evaluate(verdict, policy));
    }

    public static PolicyResult Evaluate(DcapVerdict verdict, AttestationPolicy policy) => Evaluate(verdict, policy, null, default);

    /// <summary>
    /// Evaluates with Intel's TCB Evaluation Data Numbers document, verified by
    /// <see cref="TcbEvaluationNumbersVerifier"/> at <paramref name="now"/>: needed when the policy
    /// sets <see cref="AttestationPolicy.TcbRecoveryGracePeriod"/>.
    /// </summary>
    public static PolicyResult Evaluate(DcapVerdict verdict, AttestationPolicy policy, TcbEvaluationNumbersVerdict? evaluationNumbers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(policy);
        if (!verdict.IsVerified || verdict.Quote is null)
        {
            return new PolicyResult(PolicyReason.NotVerified, $"verification failed: {verdict.Reason}");
        }
        var quote = verdict.Quote;

        // Tier 1: security defaults.
        if (quote.SgxBody is { } sgx && sgx.IsDebug && !policy.AllowDebug)
        {
            return new PolicyResult(PolicyReason.DebugEnclave, "the enclave is a debug enclave (ATTRIBUTES.DEBUG set)");
        }
        if (quote.TdBody is { } td)
        {
            var attrs = td.TdAttributesValue;
            if ((attrs & TdDebug) != 0 && !policy.AllowDebug)
            {
                return new PolicyResult(PolicyReason.DebugTd, "the TD is a debug TD (TD_ATTRIBUTES.DEBUG set)");
            }
            if (td.MrServiceTd is { } service && service.AsSpan().ContainsAnyExcept((byte)0) && !policy.AllowNonZeroMrServiceTd)
            {
                return new PolicyResult(PolicyReason.MrServiceTdNotZero, "MR_SERVICETD is not zero (a service TD is bound)");
            }
            if (!policy.AllowAnyTdAttributes && ((attrs & TdReserved) != 0 || (attrs & SeptVeDisable) == 0))
            {
                return new PolicyResult(PolicyReason.TdAttributesNotAllowed, $"TD_ATTRIBUTES 0x{attrs:x16}: SEPT_VE_DISABLE must be set and reserved bits (0x{attrs & TdReserved:x16}) clear");
            }
        }

        // Tier 2: what the policy asks for.
        if (policy.AcceptedTcbStatuses is { } statuses && !statuses.Contains(verdict.TcbStatus!.Value))
        {
            return new PolicyResult(PolicyReason.TcbStatusNotAccepted, $"TCB status {verdict.TcbStatus} is not accepted");
        }
        if (policy.AllowedAdvisoryIds is { } allowed)
        {
            var bad = verdict.AdvisoryIds.Where(a => !allowed.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            if (bad.Count > 0)
            {
                return new PolicyResult(PolicyReason.AdvisoryNotAllowed, $"advisories not allowed: {string.Join(", ", bad)}");
            }
        }
        if (policy.MinTcbEvaluationDataNumber is { } min)
        {
            var have = Math.Min(verdict.TcbEvaluationDataNumber ?? 0, verdict.QeTcbEvaluationDataNumber ?? 0);
            if (have < min)
            {
                return new PolicyResult(PolicyReason.TcbEvaluationDataNumberTooLow, $"TCB evaluation data number {have} is below {min}");
            }
        }
        if (policy.TcbRecoveryGracePeriod is { } grace)
        {
            var tee = quote.Header.TeeType == TeeType.Tdx ? "TDX" : "SGX";
            if (evaluationNumbers is not { IsVerified: true } numbers)
            {
                return new PolicyResult(PolicyReason.TcbEvaluationDataNumbersMissing, "the policy sets a TCB recovery grace period; a verified TCB Evaluation Data Numbers document is required");
            }
            if (!string.Equals(numbers.Document!.Id, tee, StringComparison.Ordinal))
            {
                return new PolicyResult(PolicyReason.TcbEvaluationDataNumbersMissing, $"the TCB Evaluation Data Numbers document is for {numbers.Document.Id}, the quote is {tee}");
            }
            var required = numbers.Document.RequiredAfterGrace(now, grace);
            var have = Math.Min(verdict.TcbEvaluationDataNumber ?? 0, verdict.QeTcbEvaluationDataNumber ?? 0);
            if (have < required.Number)
            {
                return new PolicyResult(PolicyReason.TcbRecoveryRequired, $"TCB evaluation data number {have} predates number {required.Number} (TCB recovery event {required.TcbRecoveryEventDate:O}), whose grace period of {grace.TotalDays} days is over");
            }
        }
        if (policy.Sgx is { } es)
        {
            if (quote.SgxBody is not { } body)
            {
                return new PolicyResult(PolicyReason.TeeTypeNotExpected, "the policy expects an SGX enclave");
            }
            if (es.MrEnclave.Count > 0 && !es.MrEnclave.Any(m => m.AsSpan().SequenceEqual(body.MrEnclave)))
            {
                return new PolicyResult(PolicyReason.MrEnclaveMismatch, $"MRENCLAVE {Hex.Encode(body.MrEnclave)} is not expected");
            }
            if (es.MrSigner is { } signer && !signer.AsSpan().SequenceEqual(body.MrSigner))
            {
                return new PolicyResult(PolicyReason.MrSignerMismatch, $"MRSIGNER {Hex.Encode(body.MrSigner)} is not expected");
            }
            if (es.IsvProdId is { } prod && prod != body.IsvProdId)
            {
                return new PolicyResult(PolicyReason.IsvProdIdMismatch, $"ISVPRODID {body.IsvProdId} is not {prod}");
            }
            if (es.MinIsvSvn is { } minSvn && body.IsvSvn < minSvn)
            {
                return new PolicyResult(PolicyReason.IsvSvnTooLow, $"ISVSVN {body.IsvSvn} is below {minSvn}");
            }
        }
        if (policy.Tdx is { } et)
        {
            if (quote.TdBody is not { } body)
            {
                return new PolicyResult(PolicyReason.TeeTypeNotExpected, "the policy expects a TD");
            }
            if (et.MrTd.Count > 0 && !et.MrTd.Any(m => m.AsSpan().SequenceEqual(body.MrTd)))
            {
                return new PolicyResult(PolicyReason.MrTdMismatch, $"MRTD {Hex.Encode(body.MrTd)} is not expected");
            }
            for (var i = 0; i < 4 && i < et.Rtmrs.Count; i++)
            {
                if (et.Rtmrs[i] is { } r && !r.AsSpan().SequenceEqual(body.Rtmrs[i]))
                {
                    return new PolicyResult(PolicyReason.RtmrMismatch, $"RTMR{i} {Hex.Encode(body.Rtmrs[i])} is not expected");
                }
            }
            if (et.MrSeam.Count > 0 && !et.MrSeam.Any(m => m.AsSpan().SequenceEqual(body.MrSeam)))
            {
                return new PolicyResult(PolicyReason.MrSeamMismatch, $"MRSEAM {Hex.Encode(body.MrSeam)} is not expected");
            }
            if (et.MrConfigId is { } cfg && !cfg.AsSpan().SequenceEqual(body.MrConfigId))
            {
                return new PolicyResult(PolicyReason.MrConfigIdMismatch, "MRCONFIGID is not expected");
            }
        }
        return new PolicyResult(PolicyReason.None, null);
    }
}

using Citrine.Attestation.Dcap.Collateral;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>The measurement of what was attested: an SGX enclave or a TD.</summary>
public sealed record Measurement(
    byte[]? MrEnclave,
    byte[]? MrSigner,
    ushort IsvProdId,
    ushort IsvSvn,
    byte[]? MrTd,
    IReadOnlyList<byte[]>? Rtmrs,
    byte[]? MrConfigId,
    byte[]? MrOwner,
    byte[]? MrOwnerConfig,
    byte[]? MrServiceTd,
    byte[]? MrSignerSeam,
    byte[]? SeamAttributes,
    byte[]? Xfam);

/// <summary>
/// The result of cryptographic verification: <see cref="Reason"/> is <see cref="VerificationReason.None"/>
/// when every check passed. Facts from the quote are filled whenever the quote parsed; TCB
/// status, advisories and collateral facts once they were established.
/// </summary>
public sealed record DcapVerdict
{
    public required VerificationReason Reason { get; init; }

    public string? Detail { get; init; }

    public bool IsVerified => Reason == VerificationReason.None;

    /// <summary>The parsed quote (null when it could not be parsed).</summary>
    public Quote? Quote { get; init; }

    public TeeType? TeeType { get; init; }

    public TcbStatus? TcbStatus { get; init; }

    /// <summary>Platform advisories, then QE and TDX module ones, without duplicates.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    public TcbStatus? PlatformTcbStatus { get; init; }

    public TcbStatus? QeTcbStatus { get; init; }

    public TcbStatus? TdxModuleTcbStatus { get; init; }

    public Measurement? Measurement { get; init; }

    /// <summary>ATTRIBUTES (SGX, 16 bytes) or TD_ATTRIBUTES (TDX, 8 bytes).</summary>
    public byte[]? Attributes { get; init; }

    public byte[]? ReportData { get; init; }

    public byte[]? Fmspc { get; init; }

    /// <summary>The TCB Info's TCB evaluation data number.</summary>
    public int? TcbEvaluationDataNumber { get; init; }

    /// <summary>The QE Identity's TCB evaluation data number.</summary>
    public int? QeTcbEvaluationDataNumber { get; init; }

    /// <summary>Earliest nextUpdate among TCB Info, QE Identity and both CRLs: when this verdict stops holding.</summary>
    public DateTimeOffset? CollateralExpires { get; init; }
}

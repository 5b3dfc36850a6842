namespace Citrine.Attestation.Attestors;

/// <summary>What produced a piece of evidence.</summary>
public enum TeeKind
{
    /// <summary>No TEE at all: development only, refused by verifiers unless explicitly accepted.</summary>
    Mock,

    /// <summary>An Intel SGX DCAP quote (real, or simulated under a test root).</summary>
    Sgx,

    /// <summary>An Intel TDX DCAP quote (real, or simulated under a test root).</summary>
    Tdx,
}

/// <summary>
/// Attestation evidence for 64 bytes of report data: a DCAP quote (SGX/TDX) or mock evidence.
/// </summary>
public sealed class AttestationEvidence
{
    public required TeeKind Kind { get; init; }

    /// <summary>The DCAP quote bytes, or the mock evidence bytes for <see cref="TeeKind.Mock"/>.</summary>
    public required byte[] Quote { get; init; }

    /// <summary>The 64 bytes of report data the attestor was asked to bind.</summary>
    public required byte[] ReportData { get; init; }

    /// <summary>Which attestor produced it ("mock", "simulated-dcap", "gramine", "configfs-tsm/tdx_guest").</summary>
    public required string Source { get; init; }

    /// <summary>
    /// Collateral delivered with the quote (dcap-qvl <c>QuoteCollateralV3</c> JSON); only the
    /// simulated attestor fills it. It is verified like any other collateral, against the pinned root.
    /// </summary>
    public string? CollateralJson { get; init; }

    /// <summary>True for mock evidence, which proves nothing.</summary>
    public bool IsInsecure => Kind == TeeKind.Mock;
}

/// <summary>Produces attestation evidence that binds 64 bytes of report data.</summary>
public interface IAttestor
{
    TeeKind Kind { get; }

    /// <summary>Attests to <paramref name="reportData"/>, which must be exactly 64 bytes.</summary>
    Task<AttestationEvidence> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default);
}

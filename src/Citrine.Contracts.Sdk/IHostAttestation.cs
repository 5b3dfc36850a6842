namespace Citrine.Chain.Contracts;

/// <summary>Which TEE a quote comes from.</summary>
public enum QuoteTee
{
    /// <summary>Mock evidence: proves nothing; accepted only when the policy says so.</summary>
    Mock,
    Sgx,
    Tdx,
}

/// <summary>
/// What a contract asks of a quote. Verification always runs at the block time against the
/// collateral registry of the node (root pinned in genesis); the contract chooses only which TCB
/// statuses and advisories it tolerates and whether it is a development contract that takes mock
/// evidence.
/// </summary>
public sealed record QuotePolicy
{
    /// <summary>Accepted TCB statuses by their Intel names ("UpToDate", "SWHardeningNeeded", ...); null: UpToDate and SWHardeningNeeded.</summary>
    public IReadOnlyList<string>? AcceptedTcbStatuses { get; init; }

    /// <summary>Advisory ids tolerated on a non-UpToDate status; null: any advisory of an accepted status.</summary>
    public IReadOnlyList<string>? AllowedAdvisoryIds { get; init; }

    /// <summary>The lowest TCB evaluation data number the collateral may carry; null: no floor.</summary>
    public int? MinTcbEvaluationDataNumber { get; init; }

    /// <summary>Accept debug enclaves and TDs. Off by default; a debug enclave's memory is readable by the host.</summary>
    public bool AllowDebug { get; init; }

    /// <summary>Accept INSECURE mock evidence (development contracts only); DCAP quotes are verified as ever.</summary>
    public bool AcceptMock { get; init; }
}

/// <summary>
/// The verdict of <see cref="IHostAttestation.VerifyQuote"/>: accepted or not, the reason code
/// (the name of the first failed check, <c>"None"</c> when accepted) and the facts a contract
/// needs to decide whether the quote is one of its measurements and when it must be repeated.
/// </summary>
public sealed record QuoteVerification
{
    public required bool Accepted { get; init; }

    /// <summary>The first failed check, e.g. <c>"DebugEnclave"</c>, <c>"TcbInfoNotValidAtNow"</c>, <c>"PckCertificateRevoked"</c>, <c>"TcbInfoMissing"</c> (docs/registry.md lists them); <c>"None"</c> when accepted.</summary>
    public required string Reason { get; init; }

    /// <summary>A sentence naming the values that failed (or, when accepted, what was accepted).</summary>
    public required string Detail { get; init; }

    public required QuoteTee Tee { get; init; }

    /// <summary>The 64 bytes of report data the quote binds (empty when the quote did not parse).</summary>
    public byte[] ReportData { get; init; } = [];

    /// <summary>SGX: MRENCLAVE (32 bytes). Mock: the mock measurement.</summary>
    public byte[]? MrEnclave { get; init; }

    /// <summary>SGX: MRSIGNER (32 bytes).</summary>
    public byte[]? MrSigner { get; init; }

    public ushort IsvProdId { get; init; }

    public ushort IsvSvn { get; init; }

    /// <summary>TDX: MRTD (48 bytes).</summary>
    public byte[]? MrTd { get; init; }

    /// <summary>TDX: RTMR0..3 (48 bytes each).</summary>
    public IReadOnlyList<byte[]>? Rtmrs { get; init; }

    /// <summary>The platform's TCB status by its Intel name (empty for mock or when not reached).</summary>
    public string TcbStatus { get; init; } = "";

    public IReadOnlyList<string> Advisories { get; init; } = [];

    /// <summary>The earliest <c>nextUpdate</c> of the collateral the verdict used; null for mock evidence.</summary>
    public ContractTime? CollateralNextUpdate { get; init; }

    /// <summary>The root the registry pins: <c>"intel"</c>, or <c>"simulated"</c> (a local test PKI that proves nothing about hardware).</summary>
    public required string Root { get; init; }

    /// <summary>True when the evidence proves nothing about hardware (mock evidence, or a simulated root).</summary>
    public bool Insecure { get; init; }
}

/// <summary>
/// DCAP verification for contracts (the node's attestation module): a quote is checked at the
/// block time against the collateral in the on-chain registry, for a fixed gas documented in
/// docs/registry.md (collateral is verified once at upload, so a quote costs its three P-256
/// signature checks plus parsing). Deterministic: every validator reaches the same verdict.
/// </summary>
public interface IHostAttestation
{
    /// <summary>Verifies <paramref name="quote"/> (a DCAP quote, or mock evidence) under <paramref name="policy"/>; never throws for bad input.</summary>
    QuoteVerification VerifyQuote(ReadOnlySpan<byte> quote, QuotePolicy policy);
}

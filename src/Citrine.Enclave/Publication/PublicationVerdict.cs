using Citrine.CometBft.LightClient;
using Citrine.Enclave.LightClient;
using Citrine.Ics23.Verification;

namespace Citrine.Enclave.Publication;

/// <summary>Which check of <see cref="PublicationVerifier"/> refused. Each check has its own code.</summary>
public enum PublicationReason
{
    None = 0,
    /// <summary>The claim or the proof is structurally unusable (no store, no key, a value for an absence claim...).</summary>
    MalformedInput,
    /// <summary>A light block is for another chain than the trusted state's.</summary>
    ChainIdMismatch,
    /// <summary>A light block is not above the one before it (the first: not above the trusted height).</summary>
    HeightNotAscending,
    /// <summary>A light block's time is not after the enclave clock: the host tried to wind the clock back.</summary>
    ClockWoundBack,
    /// <summary>An adjacent light block's <c>last_block_id</c> is not the hash of the block before it (the first: the trusted hash).</summary>
    NotChained,
    /// <summary>The CometBFT light client refused a step; <see cref="PublicationVerdict.LightClientReason"/> says which check.</summary>
    LightClientRefused,
    /// <summary>The proof's header (query height + 1) is below the trusted height: its app hash is no longer known.</summary>
    ProofBehindTrustedState,
    /// <summary>The proof's header is above the trusted height but is not one of the light blocks given.</summary>
    ProofHeaderMissing,
    /// <summary>The proof's header is more than max block lag blocks behind the newest verified height.</summary>
    ProofTooOld,
    /// <summary>The proof is not the two-step chain [key in store, store in multistore].</summary>
    ProofShapeMismatch,
    /// <summary>The proof is for another store than the claim's.</summary>
    WrongStore,
    /// <summary>The proof is for another key than the claim's.</summary>
    WrongKey,
    /// <summary>The value the host offers is not the one the caller expects.</summary>
    WrongValue,
    /// <summary>The proof's op data does not decode.</summary>
    ProofMalformed,
    /// <summary>The proof chains to a root that is not the app hash of the proof's header.</summary>
    AppHashMismatch,
    /// <summary>ICS23 verification refused the proof; <see cref="PublicationVerdict.Ics23Error"/> says which check.</summary>
    Ics23Refused,
}

/// <summary>
/// The outcome of <see cref="PublicationVerifier.Verify"/>. On success: the new trusted state
/// (moved forward to the newest block given, or unchanged when none was given), the proven value
/// (null for a proven absence), and the heights it was proven at. On failure: the check that
/// refused and a detail naming the values, plus the inner verifier's code where one refused.
/// </summary>
public sealed record PublicationVerdict
{
    public PublicationReason Reason { get; init; }

    public string Detail { get; init; } = "";

    public VerdictReason LightClientReason { get; init; }

    public Ics23Error Ics23Error { get; init; }

    public TrustedState? State { get; init; }

    public byte[]? Value { get; init; }

    /// <summary>Batch: the proven value per claim, in claim order (null: proven absent).</summary>
    public IReadOnlyList<byte[]?> Values { get; init; } = [];

    /// <summary>The index of the claim whose entry refused; null when the refusal is not about one claim (light blocks, header, shape of the batch).</summary>
    public int? ClaimIndex { get; init; }

    /// <summary>The height of the header whose app hash the proof is under (query height + 1).</summary>
    public long VerifiedHeight { get; init; }

    /// <summary>The state version the value was read at (the abci_query height).</summary>
    public long StateHeight => VerifiedHeight - 1;

    public bool IsSuccess => Reason == PublicationReason.None && State is not null;

    internal static PublicationVerdict Refuse(PublicationReason reason, string detail) => new() { Reason = reason, Detail = detail };

    public override string ToString() => IsSuccess ? $"published at height {VerifiedHeight}" : $"{Reason}: {Detail}";
}

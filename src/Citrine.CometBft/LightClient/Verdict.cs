namespace Citrine.CometBft.LightClient;

public enum VerdictStatus
{
    /// <summary>The value of <c>default(Verdict)</c>: never a success, so an uninitialised verdict fails closed.</summary>
    Unset = 0,
    Success,
    /// <summary>Fewer than the trust threshold of the trusted validators signed: bisect closer.</summary>
    NotEnoughTrust,
    Invalid,
}

/// <summary>Which check failed. Each check of the verifier has its own code.</summary>
public enum VerdictReason
{
    None = 0,
    InvalidTrustOptions,
    ChainIdMismatch,
    UnsupportedBlockVersion,
    InvalidHeight,
    InvalidChainId,
    InvalidHeaderField,
    InvalidTime,
    InvalidValidatorSet,
    DuplicateValidator,
    ValidatorsHashMismatch,
    NextValidatorsHashMismatch,
    CommitHeightMismatch,
    CommitBlockIdMismatch,
    InvalidCommit,
    InvalidCommitSig,
    CommitSignatureCountMismatch,
    CommitSignerMismatch,
    InvalidSignature,
    TrustedHeaderExpired,
    HeaderFromFuture,
    NonMonotonicHeight,
    NonMonotonicTime,
    AdjacentValidatorsMismatch,
    InsufficientVotingPower,
    NotEnoughTrust,
    TrustedHashMismatch,
    /// <summary>The trusted block's next validator set does not hash to its header's <c>next_validators_hash</c>.</summary>
    TrustedNextValidatorsMismatch,
    /// <summary>Fork detection was asked for with no witnesses (CometBFT <c>ErrNoWitnesses</c>).</summary>
    NoWitnesses,
    /// <summary>A witness could not be reached, timed out, or does not have a block it should have.</summary>
    WitnessUnavailable,
    /// <summary>A witness answered with something that is not a well-formed light block for the height asked.</summary>
    WitnessBadResponse,
    /// <summary>A witness's latest block is below the target height and before its time, even after waiting.</summary>
    WitnessBehind,
    /// <summary>A witness sent a block conflicting with the primary's that does not verify from the last common block.</summary>
    FaultyWitness,
    /// <summary>A witness proved a conflicting block that verifies: a light-client attack (CometBFT <c>ErrLightClientAttack</c>).</summary>
    LightClientAttack,
    /// <summary>A witness holds the same header but other validator proposer priorities (CometBFT <c>ErrProposerPrioritiesDiverge</c>).</summary>
    ProposerPrioritiesDiverge,
}

/// <summary>The outcome of one verification step, with the failed check and a precise message.</summary>
public readonly record struct Verdict(VerdictStatus Status, VerdictReason Reason, string Message)
{
    public static readonly Verdict Success = new(VerdictStatus.Success, VerdictReason.None, "");

    public bool IsSuccess => Status == VerdictStatus.Success;

    public static Verdict Invalid(VerdictReason reason, string message) => new(VerdictStatus.Invalid, reason, message);

    public override string ToString() => IsSuccess ? "success" : $"{Status} ({Reason}): {Message}";
}

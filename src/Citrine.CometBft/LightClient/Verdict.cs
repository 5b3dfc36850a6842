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
}

/// <summary>The outcome of one verification step, with the failed check and a precise message.</summary>
public readonly record struct Verdict(VerdictStatus Status, VerdictReason Reason, string Message)
{
    public static readonly Verdict Success = new(VerdictStatus.Success, VerdictReason.None, "");

    public bool IsSuccess => Status == VerdictStatus.Success;

    public static Verdict Invalid(VerdictReason reason, string message) => new(VerdictStatus.Invalid, reason, message);

    public override string ToString() => IsSuccess ? "success" : $"{Status} ({Reason}): {Message}";
}

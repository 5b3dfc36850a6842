namespace Citrine.Contracts.Execution;

/// <summary>
/// Why the execution core refused a request or an output: one code per check (docs/execution.md,
/// "Error codes"), so a client or a test can tell every check apart. The transaction log reads
/// <c>[Code] detail</c>.
/// </summary>
public enum ExecutionError
{
    /// <summary>A <c>request</c> or <c>output</c> message (or an execution query) is not the JSON it must be.</summary>
    MessageInvalid = 1,

    /// <summary>No session the app may rely on: none yet, not Established, ended, its measurement removed, or no config (the detail carries the session core's code).</summary>
    NoActiveSession,

    /// <summary>The session's attestation expired at the block time; a session_reattest renews it.</summary>
    AttestationExpired,

    /// <summary>The request's kind is not 1..32 bytes of <c>[a-z0-9_]</c>.</summary>
    RequestKindInvalid,

    /// <summary>The request's suite is not one of the two HPKE suites.</summary>
    RequestSuiteInvalid,

    /// <summary>The request's <c>enc</c> is not 32 bytes with a ciphertext, or not empty without one.</summary>
    RequestEncInvalid,

    /// <summary>The request's ciphertext is larger than 16 KiB.</summary>
    RequestTooLarge,

    /// <summary>The request carries funds and the app takes none.</summary>
    FundsNotAccepted,

    /// <summary>The queue already holds 65,536 unconsumed requests.</summary>
    QueueFull,

    /// <summary>The output body does not parse exactly, or a response names a seq outside the batch or twice.</summary>
    OutputMalformed,

    /// <summary>The output is for another chain or contract.</summary>
    OutputWrongContract,

    /// <summary>The output is for another session than the active one (a replaced or ended session).</summary>
    OutputWrongSession,

    /// <summary>The Ed25519 signature over the body does not verify under the session's signing key.</summary>
    OutputSignatureInvalid,

    /// <summary><c>first_seq</c> is below the queue head: its requests were consumed already.</summary>
    OutputReplayed,

    /// <summary><c>first_seq</c> is above the queue head: an earlier batch has not been applied.</summary>
    OutputOutOfOrder,

    /// <summary><c>end_seq</c> is not above <c>first_seq</c>, is past <c>queue/next</c>, or the batch holds more than 1,024 requests.</summary>
    OutputRangeInvalid,

    /// <summary><c>prev_state_hash</c> is not the contract's <c>state/hash</c>: computed on another state.</summary>
    OutputStale,

    /// <summary><c>verified_height</c> is not below the current height.</summary>
    OutputFromFuture,

    /// <summary><c>verified_height</c> is more than the config's max block lag behind the current height.</summary>
    OutputTooOld,

    /// <summary>The output's sends add up to more than the contract's balance.</summary>
    OutputOverspends,

    /// <summary>A stored execution value does not decode; the contract's state is not what the core wrote.</summary>
    StateCorrupt,
}

/// <summary>A refusal of the execution core: <see cref="Code"/> says which check failed; the message reads <c>[Code] detail</c>.</summary>
public sealed class ExecutionException : InvalidOperationException
{
    public ExecutionException(ExecutionError code, string detail)
        : base($"[{code}] {detail}")
    {
        Code = code;
        Detail = detail;
    }

    public ExecutionException()
        : this(ExecutionError.MessageInvalid, "no detail")
    {
    }

    public ExecutionException(string message)
        : this(ExecutionError.MessageInvalid, message)
    {
    }

    public ExecutionException(string message, Exception innerException)
        : base($"[{ExecutionError.MessageInvalid}] {message}", innerException)
    {
        Code = ExecutionError.MessageInvalid;
        Detail = message;
    }

    public ExecutionError Code { get; }

    public string Detail { get; }
}

/// <summary>An execution message or query answer refused by its parser: <see cref="Field"/> is the JSON path that was wrong.</summary>
public sealed class ExecutionMessageException : FormatException
{
    public ExecutionMessageException(string field, string detail)
        : base($"{field}: {detail}")
    {
        Field = field;
    }

    public ExecutionMessageException()
        : this("$", "no detail")
    {
    }

    public ExecutionMessageException(string message)
        : this("$", message)
    {
    }

    public ExecutionMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "$";
    }

    public string Field { get; }
}

namespace Citrine.Host.Execution;

/// <summary>What the relay just did.</summary>
public enum RelayEvent
{
    /// <summary>A batch was proven, executed by the enclave and its output sent.</summary>
    BatchSubmitted,
    /// <summary>The contract applied a batch's output; <see cref="RelayProgress.Latencies"/> has one entry per request.</summary>
    BatchApplied,
    /// <summary>The contract refused the output because another output consumed the batch first (<c>OutputStale</c>, <c>OutputReplayed</c>): the relay re-reads the queue and goes on.</summary>
    LostRace,
    /// <summary>The output tx in flight was refused before execution (never on chain, and now never can be): the batch is redone from the chain's queue.</summary>
    Resumed,
    /// <summary>The queue at the latest height holds no unconsumed request.</summary>
    Idle,
    /// <summary>
    /// The output did not fit one tx (out of gas, or refused before execution for its size): nothing
    /// was applied, and the relay redoes the batch at half the size.
    /// </summary>
    BatchShrunk,
}

/// <summary>One request's way through the queue: queued at one height, applied at another, and the block-time span between them.</summary>
public sealed record RequestLatency(ulong Seq, long QueuedHeight, long AppliedHeight, TimeSpan WallTime)
{
    public long Blocks => AppliedHeight - QueuedHeight;
}

/// <summary>
/// One progress report: the event, the batch <c>[FirstSeq, EndSeq)</c>, the height involved (the
/// query height when submitted, the commit height when applied), the totals so far, and for an
/// applied batch each request's latency.
/// </summary>
public sealed record RelayProgress(
    RelayEvent Event, ulong FirstSeq, ulong EndSeq, long Height, string Detail, RelayTotals Totals, IReadOnlyList<RequestLatency> Latencies, TimeSpan Elapsed);

/// <summary>Totals since the relay object was made.</summary>
public sealed record RelayTotals(long Batches, long Requests, long LostRaces);

/// <summary>Why the relay stopped. Transport failures are not here: the node's, the enclave's and the submitter's own typed exceptions surface, and the relay resumes from the chain when run again.</summary>
public enum RelayError
{
    /// <summary>The relay's state file cannot be read.</summary>
    StateUnreadable,
    /// <summary>The contract refused an output for another reason than a lost race; <see cref="RelayException.ChainLog"/> is its <c>[Code] detail</c>.</summary>
    ChainRefused,
    /// <summary>The enclave refused to execute the batch; the detail is its reason.</summary>
    EnclaveRefused,
    /// <summary>The contract's state at the query height is not what the execution protocol writes (a value that does not decode, no established session).</summary>
    UnexpectedState,
    /// <summary>The enclave's output is not for the batch it was given.</summary>
    UnexpectedOutput,
    /// <summary>The proofs the batch needs cannot be built from what the node serves.</summary>
    ProofUnavailable,
    /// <summary>A height did not arrive within the configured wait.</summary>
    Timeout,
}

/// <summary>A relay that cannot go on; <see cref="Error"/> says why and <see cref="ChainLog"/> carries a contract refusal's log.</summary>
public sealed class RelayException : Exception
{
    public RelayException()
    {
    }

    public RelayException(string message)
        : base(message)
    {
    }

    public RelayException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RelayException(RelayError error, string message, string? chainLog = null, Exception? inner = null)
        : base($"{error}: {message}", inner)
    {
        Error = error;
        ChainLog = chainLog;
    }

    public RelayError Error { get; }

    /// <summary>The contract's <c>[Code] detail</c> log of a refused output.</summary>
    public string? ChainLog { get; }

    /// <summary>The contract's code (e.g. <c>OutputOverspends</c>) read from <see cref="ChainLog"/>, or null.</summary>
    public string? ChainCode => ExecutionRelay.RefusalCode(ChainLog);
}

/// <summary>Bounds and waits of the relay.</summary>
public sealed record RelayOptions
{
    /// <summary>The most requests one output consumes (docs/execution.md: 1,024).</summary>
    public int MaxBatch { get; init; } = 1024;

    /// <summary>How long to wait for header H + 1.</summary>
    public TimeSpan BlockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the node's height is polled while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Further broadcasts of the same signed tx after a transport failure (same bytes: it cannot land twice).</summary>
    public int TransportRetries { get; init; } = 2;
}

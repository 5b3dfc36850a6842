namespace Citrine.Host.Handshake;

public enum HandshakeStep
{
    Instantiate,
    SessionCreate,
    WaitForBlock,
    SessionSetPubKey,
    SessionReattest,
}

public enum StepStatus
{
    Started,
    /// <summary>The chain or the enclave already shows the step done: it is not repeated.</summary>
    Skipped,
    Completed,
}

/// <summary>One progress report: which step, what happened, the height involved and the time the step took so far.</summary>
public sealed record HandshakeProgress(HandshakeStep Step, StepStatus Status, string Detail, long? Height, TimeSpan Elapsed);

/// <summary>The established session, as the contract records it.</summary>
public sealed record HandshakeSummary(
    byte[] Contract,
    string Mode,
    byte[] Measurement,
    ulong SessionId,
    byte[] Nonce,
    byte[] SigningKey,
    byte[] EncryptionKey,
    long InstantiateHeight,
    long SessionCreateHeight,
    long VerifiedHeight,
    DateTimeOffset AttestationExpiry);

public enum HandshakeError
{
    /// <summary>The state file cannot be read.</summary>
    StateUnreadable,
    /// <summary>The config (or code) given differs from the one this data dir deployed.</summary>
    ConfigMismatch,
    /// <summary>The config is not one the session core accepts.</summary>
    InvalidConfig,
    /// <summary>The enclave adopted another config, or serves another contract, than this deployment.</summary>
    EnclaveMismatch,
    /// <summary>The node's block at the config's trusted height is not the configured one.</summary>
    TrustRootMismatch,
    /// <summary>The chain executed a tx and refused it; the detail is the contract's <c>[Code] detail</c> log.</summary>
    ChainRefused,
    /// <summary>The node refused a tx before executing it.</summary>
    TxRejected,
    /// <summary>The contract's session record cannot be read or decoded, or is not what the step produced.</summary>
    UnexpectedRecord,
    /// <summary>A height did not arrive within the configured wait.</summary>
    Timeout,
    /// <summary>The step needs an earlier one first (e.g. reattest without an established session).</summary>
    NotReady,
}

/// <summary>A handshake that cannot go on; <see cref="Error"/> says why and <see cref="ChainLog"/> carries a chain refusal's log.</summary>
public sealed class HandshakeException : Exception
{
    public HandshakeException()
    {
    }

    public HandshakeException(string message)
        : base(message)
    {
    }

    public HandshakeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HandshakeException(HandshakeError error, string message, string? chainLog = null, Exception? inner = null)
        : base($"{error}: {message}", inner)
    {
        Error = error;
        ChainLog = chainLog;
    }

    public HandshakeError Error { get; }

    public string? ChainLog { get; }
}

/// <summary>Waits and bounds of the driver.</summary>
public sealed record HandshakeOptions
{
    /// <summary>How long to wait for a height (the block after SessionCreate).</summary>
    public TimeSpan BlockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the node's height is polled while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Further broadcasts of the same signed tx after a transport failure (same bytes: it cannot land twice).</summary>
    public int TransportRetries { get; init; } = 2;

    public ulong InstantiateFunds { get; init; }

    public string Label { get; init; } = "citrine-session";
}

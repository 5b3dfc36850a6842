namespace Citrine.Contracts.Session;

/// <summary>
/// Why the session core refused a message: one code per check (docs/session.md, "Error codes"), so
/// a client or a test can tell every check apart. The transaction log reads <c>[Code] detail</c>.
/// </summary>
public enum SessionError
{
    /// <summary>The instantiate config does not parse (<see cref="SessionConfig.Parse"/>), or the contract is instantiated twice.</summary>
    ConfigInvalid = 1,

    /// <summary>A session message (execute or query) does not parse.</summary>
    MessageInvalid,

    /// <summary>The config's trust root names another chain than the one the contract runs on.</summary>
    ChainIdMismatch,

    /// <summary>The config's trusted height is above the current block height.</summary>
    TrustRootInFuture,

    /// <summary>The host's attestation module refused the quote; the detail carries the verdict's reason.</summary>
    QuoteRefused,

    /// <summary>The quote's report data is not the digest of this message for this chain and contract.</summary>
    ReportDataMismatch,

    /// <summary>The quote's measurement is not in the contract's measurement set.</summary>
    MeasurementNotAccepted,

    /// <summary>A SessionCreate nonce this contract has already seen.</summary>
    NonceReused,

    /// <summary>SessionCreate would replace an Established session whose attestation is current.</summary>
    SessionActive,

    /// <summary>No session record exists yet.</summary>
    NoSession,

    /// <summary>SessionSetPubKey for a session that is not in phase Created (it ended).</summary>
    SessionNotCreated,

    /// <summary>SessionSetPubKey for a session already Established (a replayed message).</summary>
    SessionAlreadyEstablished,

    /// <summary>The message's nonce is not the current session's.</summary>
    NonceMismatch,

    /// <summary>The enclave's verified height is not below the current block height.</summary>
    VerifiedHeightInFuture,

    /// <summary>The enclave's verified height is not above the height of the SessionCreate tx, so it cannot have seen the record.</summary>
    VerifiedHeightBeforeSession,

    /// <summary>The enclave's verified height is more than the config's max block lag behind the current height.</summary>
    VerifiedHeightTooOld,

    /// <summary>The quote's measurement differs from the one the session was created with.</summary>
    MeasurementChanged,

    /// <summary>SessionReattest (or a request) for a session that is not Established.</summary>
    SessionNotEstablished,

    /// <summary>SessionReattest whose keys differ from the session's.</summary>
    KeysMismatch,

    /// <summary>SessionReattest whose verified height is not above the one last accepted (a replayed reattest).</summary>
    VerifiedHeightNotNewer,

    /// <summary>The contract has no admin, so its measurement set cannot change.</summary>
    NoAdmin,

    /// <summary>The sender is not the admin.</summary>
    Unauthorized,

    /// <summary>add_measurement of a measurement already in the set.</summary>
    MeasurementDuplicate,

    /// <summary>remove_measurement of a measurement not in the set.</summary>
    MeasurementUnknown,

    /// <summary>add_measurement would grow the set past its limit.</summary>
    MeasurementSetFull,

    /// <summary>add_measurement of a mock measurement to a contract whose policy does not accept mock evidence.</summary>
    MockNotAccepted,

    /// <summary>The session's attestation expired at the block time; a SessionReattest renews it.</summary>
    AttestationExpired,

    /// <summary>The session ended (its measurement was removed); a new SessionCreate starts another.</summary>
    SessionEnded,

    /// <summary>A session message reached a contract that was never instantiated with a config.</summary>
    NotInstantiated,

    /// <summary>A stored value does not decode; the contract's state is not what the core wrote.</summary>
    StateCorrupt,
}

/// <summary>A refusal of the session core: <see cref="Code"/> says which check failed; the message reads <c>[Code] detail</c>.</summary>
public sealed class SessionException : InvalidOperationException
{
    public SessionException(SessionError code, string detail)
        : base($"[{code}] {detail}")
    {
        Code = code;
        Detail = detail;
    }

    public SessionException()
        : this(SessionError.MessageInvalid, "no detail")
    {
    }

    public SessionException(string message)
        : this(SessionError.MessageInvalid, message)
    {
    }

    public SessionException(string message, Exception innerException)
        : base($"[{SessionError.MessageInvalid}] {message}", innerException)
    {
        Code = SessionError.MessageInvalid;
        Detail = message;
    }

    public SessionError Code { get; }

    public string Detail { get; }
}

/// <summary>A session format refused by its parser: <see cref="Field"/> is the JSON path (or binary field) that was wrong.</summary>
public abstract class SessionFormatException : FormatException
{
    protected SessionFormatException(string field, string detail)
        : base($"{field}: {detail}")
    {
        Field = field;
    }

    public string Field { get; }
}

/// <summary>The session config (or one measurement entry) is refused; <see cref="SessionFormatException.Field"/> names the JSON path.</summary>
public sealed class SessionConfigException(string field, string detail) : SessionFormatException(field, detail);

/// <summary>A contract message or query answer is refused; <see cref="SessionFormatException.Field"/> names the JSON path.</summary>
public sealed class SessionMessageException(string field, string detail) : SessionFormatException(field, detail);

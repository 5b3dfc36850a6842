using Citrine.Attestation.Attestors;
using Citrine.CometBft.LightClient;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Sealing;
using Citrine.Ics23.Verification;

namespace Citrine.Enclave.Runtime;

/// <summary>Why the enclave runtime refused a call. Each check has its own code (docs/enclave.md, "Reason codes").</summary>
public enum EnclaveReason
{
    None = 0,
    /// <summary>A request field cannot be decoded (light block bytes, proof shape, a contract address that is not 20 bytes).</summary>
    InputMalformed,
    /// <summary><c>SessionConfig.Parse</c> refused the config bytes.</summary>
    ConfigInvalid,
    /// <summary>The config's trust root or the trusted light block was refused (<see cref="EnclaveRefusal.TrustRootReason"/> says which check).</summary>
    TrustRootRefused,
    /// <summary>The enclave is instantiated with other config bytes.</summary>
    AlreadyInstantiated,
    /// <summary>The call needs an instantiated enclave.</summary>
    NotInstantiated,
    /// <summary>The enclave's session is for another contract.</summary>
    ContractMismatch,
    /// <summary>SessionSetPubKey before SessionCreate: the enclave has drawn no nonce.</summary>
    SessionNotCreated,
    /// <summary>SessionCreate on an established session: an established session is never silently replaced.</summary>
    SessionEstablished,
    /// <summary>SessionReattest before the enclave's session is established.</summary>
    SessionNotEstablished,
    /// <summary>The proof of publication of the session record was refused (<see cref="EnclaveRefusal.PublicationReason"/> says which check).</summary>
    PublicationRefused,
    /// <summary>The proven session record does not decode.</summary>
    RecordMalformed,
    /// <summary>SessionSetPubKey: the proven record is not in phase Created.</summary>
    RecordNotCreated,
    /// <summary>The proven record's nonce is not the enclave's.</summary>
    NonceMismatch,
    /// <summary>SessionReattest: the proven record is not in phase Established.</summary>
    RecordNotEstablished,
    /// <summary>SessionReattest: the proven record holds other keys than the enclave's.</summary>
    KeysMismatch,
    /// <summary>The sealed light-client state is older than one already seen, below the floor, or behind the chain's session record.</summary>
    StateRolledBack,
    /// <summary>A sealed file is missing, does not unseal, does not decode or is for another trust root.</summary>
    SealedStateInvalid,
    /// <summary>The attestor could not produce evidence (<see cref="EnclaveRefusal.AttestorError"/> says why).</summary>
    AttestationFailed,
    /// <summary>Writing sealed state failed (disk full, permissions).</summary>
    StorageFailed,
    /// <summary>Execute: the enclave process was started without an app (<c>EnclaveRuntimeOptions.App</c>).</summary>
    NoApp,
    /// <summary>Execute: the call proves no request (only the five fixed entries).</summary>
    BatchEmpty,
    /// <summary>Execute: more than 1,024 requests in one batch.</summary>
    BatchTooLarge,
    /// <summary>Execute: a proven <c>queue/head</c>, <c>queue/next</c> or <c>state/hash</c> does not decode (not 8 / 32 bytes), or head &gt; next.</summary>
    ProvenValueMalformed,
    /// <summary>Execute: the batch reaches past the proven <c>queue/next</c> (a request that does not exist yet).</summary>
    BatchBeyondQueue,
    /// <summary>Execute: SHA-256 of the proven <c>state</c> is not the proven <c>state/hash</c> (or one is absent and the other is not).</summary>
    StateHashMismatch,
    /// <summary>Execute: a proven request record does not decode.</summary>
    RequestMalformed,
    /// <summary>Execute: a proven request record's seq is not the one its key names.</summary>
    RequestSeqMismatch,
    /// <summary>Execute: the proven state does not open under this session's state key.</summary>
    StateUndecryptable,
    /// <summary>Execute: the app's handler threw or returned a result that breaks its contract (a response outside the batch or twice, a bad send).</summary>
    AppFailed,
}

/// <summary>
/// A refused call: the check that refused, a detail naming the values, and the inner verifier's
/// code where one refused (trust root, publication, light client, ICS23, sealed-state load, attestor).
/// </summary>
public sealed record EnclaveRefusal(EnclaveReason Reason, string Detail)
{
    public TrustRootReason TrustRootReason { get; init; }

    public PublicationReason PublicationReason { get; init; }

    public VerdictReason LightClientReason { get; init; }

    public Ics23Error Ics23Error { get; init; }

    public StateLoadReason StateLoadReason { get; init; }

    public AttestorError? AttestorError { get; init; }

    /// <summary>The innermost code that names the failed check, or empty (e.g. "NotChained" under PublicationRefused).</summary>
    public string InnerReason => Reason switch
    {
        EnclaveReason.TrustRootRefused => TrustRootReason == TrustRootReason.BlockRefused ? $"{TrustRootReason}/{LightClientReason}" : TrustRootReason.ToString(),
        EnclaveReason.PublicationRefused => PublicationReason switch
        {
            PublicationReason.LightClientRefused => $"{PublicationReason}/{LightClientReason}",
            PublicationReason.Ics23Refused => $"{PublicationReason}/{Ics23Error}",
            _ => PublicationReason.ToString(),
        },
        EnclaveReason.StateRolledBack or EnclaveReason.SealedStateInvalid when StateLoadReason != StateLoadReason.None => StateLoadReason.ToString(),
        EnclaveReason.AttestationFailed when AttestorError is { } error => error.ToString(),
        _ => "",
    };

    public override string ToString() => InnerReason.Length == 0 ? $"{Reason}: {Detail}" : $"{Reason} ({InnerReason}): {Detail}";
}

/// <summary>The outcome of a runtime call: a value, or the refusal.</summary>
public sealed class EnclaveResult<T>
    where T : class
{
    internal EnclaveResult(T? value, EnclaveRefusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    public T? Value { get; }

    public EnclaveRefusal? Refusal { get; }

    public bool IsSuccess => Refusal is null && Value is not null;

    public EnclaveReason Reason => Refusal?.Reason ?? EnclaveReason.None;

    public override string ToString() => IsSuccess ? $"ok: {Value}" : Refusal!.ToString();
}

/// <summary>Makes <see cref="EnclaveResult{T}"/> values.</summary>
public static class EnclaveResult
{
    public static EnclaveResult<T> Ok<T>(T value)
        where T : class => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static EnclaveResult<T> Refused<T>(EnclaveRefusal refusal)
        where T : class => new(null, refusal ?? throw new ArgumentNullException(nameof(refusal)));
}

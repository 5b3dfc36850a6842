using Citrine.Crypto.Hpke;

namespace Citrine.Enclave.Execution;

/// <summary>
/// An app's confidential handler (docs/execution.md, docs/enclave.md "Execution"). The runtime
/// calls <see cref="Handle"/> once per batch, only after every input was proven against the chain:
/// the previous state (decrypted), and the request records <c>[FirstSeq, EndSeq)</c> at the head of
/// the queue (opened with the session key where they could be). The handler must be a pure
/// function of its arguments: no clock, no I/O, no randomness except
/// <see cref="IAppContext.DeriveRandom"/> and <see cref="IAppContext.SealTo"/>, no state kept
/// between calls. Re-running it on the same batch must return the same result, because the
/// runtime's output must be byte-identical on the same proven inputs (DESIGN.md invariant 3).
/// Throwing refuses the whole batch (<c>AppFailed</c>); refusing one request is a response.
/// </summary>
public interface IEnclaveApp
{
    /// <summary>The name <c>citrine enclave start --app NAME</c> selects it by (e.g. "transfers").</summary>
    string Name { get; }

    AppBatchResult Handle(AppBatch batch, IAppContext context);
}

/// <summary>What became of a request's ciphertext before the handler saw it.</summary>
public enum AppRequestOpening
{
    /// <summary>The ciphertext opened with the session key and the AAD rebuilt from the record; <see cref="AppRequest.Plaintext"/> holds it.</summary>
    Opened = 0,

    /// <summary>The request carries no ciphertext (e.g. a plain deposit: funds only); the plaintext is empty.</summary>
    NoCiphertext,

    /// <summary>
    /// The ciphertext does not open: it was encrypted for another session, another sender,
    /// contract or kind, or it is garbage. Unless the handler answers it, the runtime answers it
    /// refused with <see cref="AppResponse.Undecryptable"/>.
    /// </summary>
    Undecryptable,

    /// <summary>The record names an AEAD the enclave does not accept. Unless answered, refused with <see cref="AppResponse.UnsupportedSuite"/>.</summary>
    UnsupportedSuite,
}

/// <summary>One proven request record of the batch.</summary>
public sealed record AppRequest
{
    /// <summary>Its sequence number in the contract's queue.</summary>
    public required ulong Seq { get; init; }

    /// <summary>The 20-byte address that signed the request's transaction, as the chain authenticated it.</summary>
    public required ReadOnlyMemory<byte> Sender { get; init; }

    /// <summary>The request kind (1..32 bytes of <c>[a-z0-9_]</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>Devnet tokens the sender attached; the contract holds them.</summary>
    public required ulong Funds { get; init; }

    /// <summary>The block height the request was queued at.</summary>
    public required ulong Height { get; init; }

    public required AppRequestOpening Opening { get; init; }

    /// <summary>The decrypted request when <see cref="Opening"/> is <see cref="AppRequestOpening.Opened"/>; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Plaintext { get; init; }
}

/// <summary>One batch: the proven previous state and the requests <c>[FirstSeq, EndSeq)</c>, in sequence order.</summary>
public sealed record AppBatch
{
    public required string ChainId { get; init; }

    /// <summary>The app contract's 20-byte address.</summary>
    public required ReadOnlyMemory<byte> Contract { get; init; }

    public required ulong SessionId { get; init; }

    /// <summary>The decrypted previous state; empty before the first output (no state on chain yet).</summary>
    public required ReadOnlyMemory<byte> State { get; init; }

    /// <summary>SHA-256 of the encrypted state blob the batch starts from (32 zero bytes: no state yet).</summary>
    public required ReadOnlyMemory<byte> PreviousStateHash { get; init; }

    public required ulong FirstSeq { get; init; }

    public required ulong EndSeq { get; init; }

    /// <summary>The header height whose app hash the inputs were proven under.</summary>
    public required long VerifiedHeight { get; init; }

    public required IReadOnlyList<AppRequest> Requests { get; init; }
}

/// <summary>
/// Deterministic services for the handler. Everything it returns is a function of the sealed
/// master secret and the proven inputs, so a re-run returns the same bytes and reveals nothing new.
/// </summary>
public interface IAppContext
{
    /// <summary>
    /// <paramref name="length"/> (1..8160) bytes of
    /// <c>HKDF-SHA256(master secret, salt = "citrine/v1/random", info = prev_state_hash ‖ u64 seq ‖ LP(label))</c>
    /// (docs/execution.md, "Determinism and keys"): the same seq and label in the same batch give the same bytes.
    /// </summary>
    byte[] DeriveRandom(ulong seq, string label, int length);

    /// <summary>
    /// HPKE base mode, single shot (RFC 9180 §6.1), DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
    /// ChaCha20-Poly1305, to <paramref name="recipientX25519PublicKey"/> (32 bytes), with an ephemeral
    /// key pair <c>DeriveKeyPair(ikmE)</c> where <c>ikmE = DeriveRandom(seq, "citrine/v1/seal/" ‖ hex(SHA-256(LP(recipient) ‖ LP(info) ‖ LP(aad) ‖ LP(plaintext))), 32)</c>:
    /// two different messages never share an ephemeral key, the same message sealed again gives the same bytes.
    /// </summary>
    /// <exception cref="Citrine.Crypto.InvalidKeyException">the recipient key is not 32 bytes or has small order.</exception>
    HpkeSealedMessage SealTo(ReadOnlySpan<byte> recipientX25519PublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, ulong seq);
}

/// <summary>A public effect: send <see cref="Amount"/> devnet tokens from the contract's balance to <see cref="To"/> (20 bytes).</summary>
public sealed record AppSend(ReadOnlyMemory<byte> To, ulong Amount);

/// <summary>The answer to one request: a payload the app chose (status ok), or a refusal reason as UTF-8 text.</summary>
public sealed record AppResponse
{
    /// <summary>The runtime's answer to a request whose ciphertext did not open (<see cref="AppRequestOpening.Undecryptable"/>).</summary>
    public const string Undecryptable = "undecryptable";

    /// <summary>The runtime's answer to a request under an AEAD the enclave does not accept.</summary>
    public const string UnsupportedSuite = "unsupported_suite";

    private AppResponse(ulong seq, bool refused, ReadOnlyMemory<byte> payload)
    {
        Seq = seq;
        IsRefused = refused;
        Payload = payload;
    }

    public ulong Seq { get; }

    public bool IsRefused { get; }

    /// <summary>The ok payload, or the refusal reason in UTF-8.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public static AppResponse Ok(ulong seq, ReadOnlyMemory<byte> payload) => new(seq, false, payload);

    public static AppResponse Refused(ulong seq, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(seq, true, System.Text.Encoding.UTF8.GetBytes(reason));
    }
}

/// <summary>
/// What the handler returns: the new state plaintext (the runtime encrypts it), the sends, and at
/// most one response per request of the batch (a seq outside the batch, or twice, refuses the
/// batch as <c>AppFailed</c>). Requests left unanswered that did not open get the runtime's
/// refusal; opened ones left unanswered get no response.
/// </summary>
public sealed record AppBatchResult(ReadOnlyMemory<byte> NewState, IReadOnlyList<AppSend> Sends, IReadOnlyList<AppResponse> Responses);

using System.Diagnostics;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto.Hpke;
using Citrine.Host.Chain;
using Citrine.Host.Handshake;
using Citrine.Host.Proofs;
using Citrine.Host.Transactions;

namespace Citrine.Host.Execution;

/// <summary>A request as it was queued: its sequence number and the height of the tx that queued it.</summary>
public sealed record QueuedRequest(ulong Seq, long Height, string TxHash);

/// <summary>Why a user's request could not be sent or answered.</summary>
public enum RequestClientError
{
    /// <summary>The contract has no established session to encrypt to.</summary>
    NoSession,
    /// <summary>The contract refused the request tx; the detail is its <c>[Code] detail</c> log.</summary>
    ChainRefused,
    /// <summary>The node refused the tx before executing it.</summary>
    TxRejected,
    /// <summary>The tx committed without the <c>seq</c> the contract emits for a queued request.</summary>
    NoSequence,
    /// <summary>No response within the wait (no relay running, or a slow one).</summary>
    Timeout,
    /// <summary>A stored value does not decode.</summary>
    Malformed,
}

public sealed class RequestClientException : Exception
{
    public RequestClientException()
    {
    }

    public RequestClientException(string message)
        : base(message)
    {
    }

    public RequestClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RequestClientException(RequestClientError error, string message, string? chainLog = null)
        : base($"{error}: {message}")
    {
        Error = error;
        ChainLog = chainLog;
    }

    public RequestClientException(RequestClientError error, string message, Exception innerException)
        : base($"{error}: {message}", innerException)
    {
        Error = error;
    }

    public RequestClientException(RequestClientError error, string message, string? chainLog, Exception? innerException)
        : base($"{error}: {message}", innerException)
    {
        Error = error;
        ChainLog = chainLog;
    }

    public RequestClientError Error { get; }

    public string? ChainLog { get; }
}

/// <summary>
/// A user's side of docs/execution.md: encrypt a request's plaintext with HPKE to the session's
/// encryption key (read from the contract's session record), with the AAD that binds chain id,
/// contract, sender, session and kind; send the <c>request</c> message from the user's account;
/// then wait for the response the enclave's output stored under <c>response/&lt;seq&gt;</c>.
/// Generic over the app: kind and plaintext bytes are the app's.
/// </summary>
public sealed class RequestClient(IChainClient chain, ITxSubmitter user, string chainId, ReadOnlyMemory<byte> contract)
{
    private readonly byte[] _contract = contract.Length == 20 ? contract.ToArray() : throw new ArgumentException($"a contract address is 20 bytes, got {contract.Length}", nameof(contract));

    /// <summary>The suite requests are sealed with (<c>x25519-sha256-chacha20poly1305</c>).</summary>
    public static HpkeSuite Suite => HpkeSuite.X25519Sha256ChaCha20Poly1305;

    /// <summary>The contract's session record now (raw state), or null.</summary>
    public async Task<SessionRecord?> SessionAsync(CancellationToken cancellationToken = default)
    {
        var answer = await chain.AbciQueryAsync($"/store/{PublicationProofBuilder.WasmStore}/key", HandshakeDriver.RecordKey(_contract), 0, prove: false, cancellationToken).ConfigureAwait(false);
        if (answer.Value is null)
        {
            return null;
        }
        return SessionRecord.TryDecode(answer.Value, out var record, out var error)
            ? record
            : throw new RequestClientException(RequestClientError.Malformed, $"the session record does not decode: {error}");
    }

    /// <summary>
    /// The <c>request</c> execute message for <paramref name="plaintext"/>, sealed to
    /// <paramref name="session"/>'s encryption key for a tx signed by <paramref name="sender"/>;
    /// an empty plaintext (e.g. a bare deposit) is sent without ciphertext.
    /// </summary>
    public byte[] Seal(SessionRecord session, ReadOnlySpan<byte> sender, string kind, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (plaintext.IsEmpty)
        {
            return ExecutionMessages.Request(kind, RequestSuite.ChaCha20Poly1305, [], []);
        }
        var aad = RequestAad.Build(chainId, _contract, sender, session.Id, kind);
        var sealedMessage = Suite.Seal(session.EncryptionKey, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), aad, plaintext);
        return ExecutionMessages.Request(kind, RequestSuite.ChaCha20Poly1305, sealedMessage.EncapsulatedKey, sealedMessage.Ciphertext);
    }

    /// <summary>Seals and sends one request from the user's account, with <paramref name="funds"/>; returns its queue position.</summary>
    public async Task<(QueuedRequest Request, SessionRecord Session)> SendAsync(string kind, ReadOnlyMemory<byte> plaintext, ulong funds, CancellationToken cancellationToken = default)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        if (session is not { Phase: SessionPhase.Established })
        {
            throw new RequestClientException(RequestClientError.NoSession, $"contract {Convert.ToHexString(_contract)} has no established session");
        }
        var message = Seal(session, user.Sender.Span, kind, plaintext.Span);
        return (await SubmitAsync(message, funds, cancellationToken).ConfigureAwait(false), session);
    }

    /// <summary>
    /// Sends an already sealed <c>request</c> execute <paramref name="message"/> (e.g. one a browser
    /// sealed) from the user's account with <paramref name="funds"/>; returns its queue position.
    /// </summary>
    public async Task<QueuedRequest> SubmitAsync(byte[] message, ulong funds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var signed = await user.SignAsync(new ExecuteTx(_contract, message, funds), cancellationToken).ConfigureAwait(false);
        TxOutcome outcome;
        try
        {
            outcome = await user.BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
        }
        catch (TxSubmitException e) when (e.Kind == TxSubmitErrorKind.Rejected)
        {
            throw new RequestClientException(RequestClientError.TxRejected, e.Message, e);
        }
        if (!outcome.IsOk)
        {
            throw new RequestClientException(RequestClientError.ChainRefused, $"request tx {outcome.Hash} at height {outcome.Height}: code {outcome.Code} {outcome.Log}", outcome.Log);
        }
        var seqText = outcome.Events.Where(e => e.Type == "wasm" && e.Attribute("action") == ExecutionMessages.RequestName).Select(e => e.Attribute("seq")).FirstOrDefault();
        if (!ulong.TryParse(seqText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq))
        {
            throw new RequestClientException(RequestClientError.NoSequence, $"request tx {outcome.Hash} at height {outcome.Height} emitted no request seq");
        }
        return new QueuedRequest(seq, outcome.Height, outcome.Hash);
    }

    /// <summary>The response to request <paramref name="seq"/> once an output stored it; null while none has.</summary>
    public async Task<OutputResponse?> ResponseAsync(ulong seq, CancellationToken cancellationToken = default)
    {
        var key = PublicationProofBuilder.ContractStateKey(_contract, ExecutionKeys.Response(seq));
        var answer = await chain.AbciQueryAsync($"/store/{PublicationProofBuilder.WasmStore}/key", key, 0, prove: false, cancellationToken).ConfigureAwait(false);
        if (answer.Value is null)
        {
            return null;
        }
        return OutputResponse.TryDecode(answer.Value, out var response, out var error) && response!.Seq == seq
            ? response
            : throw new RequestClientException(RequestClientError.Malformed, $"response/{seq} does not decode as the response to {seq}: {error}");
    }

    /// <summary>Polls (each <paramref name="poll"/>, at most <paramref name="timeout"/>) for the response to <paramref name="seq"/>.</summary>
    public async Task<OutputResponse> WaitForResponseAsync(ulong seq, TimeSpan timeout, TimeSpan poll, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await ResponseAsync(seq, cancellationToken).ConfigureAwait(false) is { } response)
            {
                return response;
            }
            if (clock.Elapsed >= timeout)
            {
                throw new RequestClientException(RequestClientError.Timeout, $"no response to request {seq} within {timeout} (is a relay running?)");
            }
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        }
    }
}

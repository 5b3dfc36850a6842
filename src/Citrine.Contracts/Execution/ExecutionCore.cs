using System.Globalization;
using Citrine.Chain.Contracts;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Execution;

/// <summary>What an app decides about the execution core's requests.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Take devnet tokens sent with a request (deposits); when false a request with funds is <see cref="ExecutionError.FundsNotAccepted"/>.</summary>
    public bool AcceptFunds { get; init; }
}

/// <summary>
/// Confidential execution on chain (DESIGN.md, "Execution"; docs/execution.md): the request queue
/// users append to and the compare-and-swap by which the contract accepts one signed enclave
/// output. An app contract embeds it beside <see cref="SessionCore"/>: session messages to the
/// session core, <c>request</c> and <c>output</c> to this core, anything else to the app.
/// </summary>
/// <remarks>
/// Each handler is a numbered list of checks in the order docs/execution.md gives, each with its
/// own <see cref="ExecutionError"/> and a detail naming the values. The session checks come from
/// <see cref="SessionCore.RequireActiveSession"/> and are reported as <see cref="ExecutionException"/>
/// too: AttestationExpired as <see cref="ExecutionError.AttestationExpired"/>, a stored value that
/// does not decode as <see cref="ExecutionError.StateCorrupt"/>, any other (no config, no session,
/// not established, ended, measurement removed) as <see cref="ExecutionError.NoActiveSession"/>
/// with the session code in the detail. The core keeps nothing between calls and runs inside the
/// contract sandbox. State keys: <see cref="ExecutionKeys"/>.
/// </remarks>
public static class ExecutionCore
{
    /// <summary>The most unconsumed requests the queue holds.</summary>
    public const ulong MaxQueued = 65_536;

    /// <summary>The most requests one output consumes (docs/execution.md, "Proven inputs").</summary>
    public const ulong MaxBatch = 1_024;

    private static readonly ExecutionOptions Defaults = new();

    // ---- entry points ----

    /// <summary>
    /// Handles <paramref name="message"/> when it is <c>request</c> or <c>output</c> and sets
    /// <paramref name="result"/> to its answer (<c>{"seq":N}</c>, or the <see cref="OutputAnswer"/>
    /// JSON); false, touching nothing, for any other message, so the app can handle it. A message
    /// of the core that fails a check throws <see cref="ExecutionException"/>.
    /// </summary>
    public static bool TryExecute(IContractContext ctx, byte[] message, ExecutionOptions? options, out byte[] result)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        result = [];
        ExecutionExecuteMessage? parsed;
        try
        {
            if (!ExecutionMessages.TryParseExecute(message, out parsed))
            {
                return false;
            }
        }
        catch (ExecutionMessageException e)
        {
            throw new ExecutionException(ExecutionError.MessageInvalid, e.Message);
        }
        result = parsed switch
        {
            RequestMessage request => ExecutionMessages.RequestAnswer(Request(ctx, request, options ?? Defaults)),
            OutputMessage output => ExecutionMessages.OutputAnswerJson(ApplyOutput(ctx, output)),
            _ => throw new ExecutionException(ExecutionError.MessageInvalid, "not an execution message"),
        };
        return true;
    }

    /// <summary>Answers <c>{"queue":{}}</c> and <c>{"response":{"seq":N}}</c>; false for any other message.</summary>
    public static bool TryQuery(IContractQueryContext ctx, byte[] message, out byte[] result)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        result = [];
        ExecutionQuery? query;
        try
        {
            if (!ExecutionMessages.TryParseQuery(message, out query))
            {
                return false;
            }
        }
        catch (ExecutionMessageException e)
        {
            throw new ExecutionException(ExecutionError.MessageInvalid, e.Message);
        }
        result = query!.Kind == ExecutionQueryKind.Queue
            ? ExecutionMessages.QueueAnswerJson(ReadQueue(ctx))
            : ExecutionMessages.ResponseAnswer(ReadResponse(ctx, query.Seq));
        return true;
    }

    // ---- requests ----

    /// <summary>Queues an encrypted request (docs/execution.md, "Requests"); returns its seq.</summary>
    public static ulong Request(IContractContext ctx, RequestMessage message, ExecutionOptions options)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);

        // 1. An active session: its encryption key is the one the ciphertext was sealed to.
        var session = RequireActiveSession(ctx);

        // 2. The kind names one of the app's handlers.
        if (!RequestRecord.IsValidKind(message.Kind))
        {
            throw new ExecutionException(ExecutionError.RequestKindInvalid, $"kind '{message.Kind}' is not 1..{RequestRecord.MaxKindLength} bytes of [a-z0-9_]");
        }

        // 3. One of the two HPKE suites.
        if (!RequestSuite.TryGetAeadId(message.Suite, out var aeadId))
        {
            throw new ExecutionException(ExecutionError.RequestSuiteInvalid,
                $"suite '{message.Suite}' is not {RequestSuite.ChaCha20Poly1305} or {RequestSuite.Aes256Gcm}");
        }

        // 4. An X25519 encapsulated key with a ciphertext, none without (a bare deposit).
        var encSize = message.Ciphertext.Length == 0 ? 0 : RequestSuite.EncSize;
        if (message.Enc.Length != encSize)
        {
            throw new ExecutionException(ExecutionError.RequestEncInvalid,
                $"enc is {message.Enc.Length} bytes with a {message.Ciphertext.Length}-byte ciphertext; expected {encSize}");
        }

        // 5. Bounded, so the queue stays provable and the enclave's batch bounded.
        if (message.Ciphertext.Length > RequestRecord.MaxCiphertextSize)
        {
            throw new ExecutionException(ExecutionError.RequestTooLarge,
                $"the ciphertext is {message.Ciphertext.Length} bytes; at most {RequestRecord.MaxCiphertextSize}");
        }

        // 6. Funds only where the app takes deposits (the node credited them before the call; refusing reverts that).
        if (ctx.Funds > 0 && !options.AcceptFunds)
        {
            throw new ExecutionException(ExecutionError.FundsNotAccepted, $"the request carries {ctx.Funds} tokens and this contract takes no funds");
        }

        // 7. Room in the queue.
        var head = ReadU64(ctx, ExecutionKeys.QueueHead, "queue/head");
        var next = ReadU64(ctx, ExecutionKeys.QueueNext, "queue/next");
        if (head > next)
        {
            throw new ExecutionException(ExecutionError.StateCorrupt, $"queue/head {head} is above queue/next {next}");
        }
        if (next - head >= MaxQueued || next == ulong.MaxValue)
        {
            throw new ExecutionException(ExecutionError.QueueFull, $"the queue holds {next - head} unconsumed requests; at most {MaxQueued}");
        }

        var record = new RequestRecord
        {
            Seq = next,
            SessionId = session.Id,
            Sender = ctx.Sender,
            Kind = message.Kind,
            AeadId = aeadId,
            Enc = message.Enc,
            Ciphertext = message.Ciphertext,
            Funds = ctx.Funds,
            Height = (ulong)Math.Max(0, ctx.BlockHeight),
        };
        ctx.Write(ExecutionKeys.Request(next), record.Encode());
        ctx.Write(ExecutionKeys.QueueNext, ExecutionKeys.EncodeU64(next + 1));
        if (next == 0)
        {
            // The enclave proves queue/head and state/hash as present keys (docs/execution.md,
            // "Proven inputs"): write their initial values with the first request, so the first
            // batch is provable before any output has been applied.
            ctx.Write(ExecutionKeys.QueueHead, ExecutionKeys.EncodeU64(0));
            ctx.Write(ExecutionKeys.StateHash, new byte[32]);
        }
        ctx.Emit("action", ExecutionMessages.RequestName);
        ctx.Emit("seq", next.ToString(CultureInfo.InvariantCulture));
        ctx.Emit("kind", message.Kind);
        ctx.Emit("sender", Convert.ToHexStringLower(ctx.Sender));
        return next;
    }

    // ---- outputs ----

    /// <summary>
    /// Applies one signed enclave output (docs/execution.md, "What the contract checks"): checks
    /// 1–8 in order, then the new state, the queue head, the responses, <c>output/last</c>, the
    /// deletion of the consumed requests, the sends and the <c>output</c> event.
    /// </summary>
    public static OutputAnswer ApplyOutput(IContractContext ctx, OutputMessage message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);

        // 1. An active session: its signing key is the only one an output may carry.
        var session = RequireActiveSession(ctx);

        // 2. The body parses exactly.
        if (!OutputBody.TryDecode(message.Body, out var decoded, out var error))
        {
            throw new ExecutionException(ExecutionError.OutputMalformed, $"output body: {error}");
        }
        var body = decoded!;

        // 3. For this chain, this contract and the active session (not a replaced or ended one).
        if (!string.Equals(body.ChainId, ctx.ChainId, StringComparison.Ordinal) || !body.Contract.AsSpan().SequenceEqual(ctx.ContractAddress))
        {
            throw new ExecutionException(ExecutionError.OutputWrongContract,
                $"the output is for chain '{body.ChainId}', contract {Convert.ToHexStringLower(body.Contract)}; "
                + $"this is '{ctx.ChainId}', {Convert.ToHexStringLower(ctx.ContractAddress)}");
        }
        if (body.SessionId != session.Id)
        {
            throw new ExecutionException(ExecutionError.OutputWrongSession, $"the output is for session {body.SessionId}; the active session is {session.Id}");
        }

        // 4. Signed by the session's enclave.
        if (!ctx.Crypto.VerifyEd25519(session.SigningKey, message.Body, message.Signature))
        {
            throw new ExecutionException(ExecutionError.OutputSignatureInvalid,
                $"the signature does not verify under session {session.Id}'s signing key {Convert.ToHexStringLower(session.SigningKey)}");
        }

        // 5. It continues exactly at the queue head, within the queue (compare-and-swap, part one).
        var head = ReadU64(ctx, ExecutionKeys.QueueHead, "queue/head");
        var next = ReadU64(ctx, ExecutionKeys.QueueNext, "queue/next");
        if (body.FirstSeq < head)
        {
            throw new ExecutionException(ExecutionError.OutputReplayed, $"first_seq {body.FirstSeq} is below the queue head {head}: its requests were consumed");
        }
        if (body.FirstSeq > head)
        {
            throw new ExecutionException(ExecutionError.OutputOutOfOrder, $"first_seq {body.FirstSeq} is above the queue head {head}");
        }
        // An empty batch is refused: it would leave the head where it is, so the same output could be applied again.
        if (body.EndSeq <= body.FirstSeq || body.EndSeq > next || body.EndSeq - body.FirstSeq > MaxBatch)
        {
            throw new ExecutionException(ExecutionError.OutputRangeInvalid,
                $"the range [{body.FirstSeq}, {body.EndSeq}) is not a non-empty batch of at most {MaxBatch} requests within the queue [{head}, {next})");
        }

        // 6. Computed on the contract's current state (compare-and-swap, part two).
        var stateHash = ReadStateHash(ctx);
        if (!body.PrevStateHash.AsSpan().SequenceEqual(stateHash))
        {
            throw new ExecutionException(ExecutionError.OutputStale,
                $"prev_state_hash {Convert.ToHexStringLower(body.PrevStateHash)} is not the contract's state hash {Convert.ToHexStringLower(stateHash)}");
        }

        // 7. Proven under a committed header that is recent (DESIGN.md, "Time and freshness").
        var height = (ulong)Math.Max(0, ctx.BlockHeight);
        if (body.VerifiedHeight >= height)
        {
            throw new ExecutionException(ExecutionError.OutputFromFuture, $"verified height {body.VerifiedHeight} is not below the current height {height}");
        }
        var maxLag = MaxBlockLag(ctx);
        if (height - body.VerifiedHeight > maxLag)
        {
            throw new ExecutionException(ExecutionError.OutputTooOld,
                $"verified height {body.VerifiedHeight} is {height - body.VerifiedHeight} blocks behind {height}; the max block lag is {maxLag}");
        }

        // 8. One response at most per request of the batch; sends within the contract's funds.
        var answered = new bool[body.EndSeq - body.FirstSeq];
        foreach (var response in body.Responses)
        {
            if (response.Seq < body.FirstSeq || response.Seq >= body.EndSeq)
            {
                throw new ExecutionException(ExecutionError.OutputMalformed, $"a response names seq {response.Seq}, outside the batch [{body.FirstSeq}, {body.EndSeq})");
            }
            if (answered[response.Seq - body.FirstSeq])
            {
                throw new ExecutionException(ExecutionError.OutputMalformed, $"seq {response.Seq} has more than one response");
            }
            answered[response.Seq - body.FirstSeq] = true;
        }
        var balance = ctx.Balance;
        ulong total = 0;
        foreach (var effect in body.Effects)
        {
            if (ulong.MaxValue - total < effect.Amount)
            {
                throw new ExecutionException(ExecutionError.OutputOverspends, "the sends add up to more than 2^64 - 1 tokens");
            }
            total += effect.Amount;
        }
        if (total > balance)
        {
            throw new ExecutionException(ExecutionError.OutputOverspends, $"the sends add up to {total} tokens; the contract holds {balance}");
        }

        var newHash = ctx.Crypto.Sha256(body.NewState);
        ctx.Write(ExecutionKeys.State, body.NewState);
        ctx.Write(ExecutionKeys.StateHash, newHash);
        ctx.Write(ExecutionKeys.QueueHead, ExecutionKeys.EncodeU64(body.EndSeq));
        foreach (var response in body.Responses)
        {
            ctx.Write(ExecutionKeys.Response(response.Seq), response.Encode());
        }
        ctx.Write(ExecutionKeys.OutputLast, ctx.Crypto.Sha256(message.Body));
        for (var seq = body.FirstSeq; seq < body.EndSeq; seq++)
        {
            ctx.Remove(ExecutionKeys.Request(seq));
        }
        foreach (var effect in body.Effects)
        {
            ctx.Send(effect.To, effect.Amount);
        }
        ctx.Emit("action", ExecutionMessages.OutputName);
        ctx.Emit("first_seq", body.FirstSeq.ToString(CultureInfo.InvariantCulture));
        ctx.Emit("end_seq", body.EndSeq.ToString(CultureInfo.InvariantCulture));
        ctx.Emit("state_hash", Convert.ToHexStringLower(newHash));
        return new OutputAnswer(body.FirstSeq, body.EndSeq, newHash);
    }

    // ---- reads for queries and apps ----

    /// <summary>The queue head, the next seq and the state hash (32 zero bytes before the first output).</summary>
    public static QueueAnswer ReadQueue(IContractQueryContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var head = ReadU64(ctx, ExecutionKeys.QueueHead, "queue/head");
        var next = ReadU64(ctx, ExecutionKeys.QueueNext, "queue/next");
        if (head > next)
        {
            throw new ExecutionException(ExecutionError.StateCorrupt, $"queue/head {head} is above queue/next {next}");
        }
        return new QueueAnswer(head, next, ReadStateHash(ctx));
    }

    /// <summary>The stored response to request <paramref name="seq"/>, or null when there is none (yet).</summary>
    public static OutputResponse? ReadResponse(IContractQueryContext ctx, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var bytes = ctx.Read(ExecutionKeys.Response(seq));
        if (bytes is null)
        {
            return null;
        }
        if (!OutputResponse.TryDecode(bytes, out var response, out var error) || response!.Seq != seq)
        {
            throw new ExecutionException(ExecutionError.StateCorrupt, $"stored response {seq}: {(error.Length > 0 ? error : $"it names seq {response!.Seq}")}");
        }
        return response;
    }

    /// <summary>The queued request <paramref name="seq"/>, or null when it was consumed or never queued.</summary>
    public static RequestRecord? ReadRequest(IContractQueryContext ctx, ulong seq)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var bytes = ctx.Read(ExecutionKeys.Request(seq));
        if (bytes is null)
        {
            return null;
        }
        if (!RequestRecord.TryDecode(bytes, out var record, out var error) || record!.Seq != seq)
        {
            throw new ExecutionException(ExecutionError.StateCorrupt, $"stored request {seq}: {(error.Length > 0 ? error : $"it names seq {record!.Seq}")}");
        }
        return record;
    }

    // ---- shared ----

    /// <summary><see cref="SessionCore.RequireActiveSession"/>, its refusals reported as execution errors (see the remarks).</summary>
    private static SessionRecord RequireActiveSession(IContractQueryContext ctx)
    {
        try
        {
            return SessionCore.RequireActiveSession(ctx);
        }
        catch (SessionException e)
        {
            throw MapSessionRefusal(e);
        }
    }

    private static ulong MaxBlockLag(IContractQueryContext ctx)
    {
        try
        {
            return SessionCore.LoadConfig(ctx).TrustRoot.MaxBlockLag;
        }
        catch (SessionException e)
        {
            throw MapSessionRefusal(e);
        }
    }

    private static ExecutionException MapSessionRefusal(SessionException e) => e.Code switch
    {
        SessionError.AttestationExpired => new ExecutionException(ExecutionError.AttestationExpired, e.Detail),
        SessionError.StateCorrupt => new ExecutionException(ExecutionError.StateCorrupt, e.Message),
        _ => new ExecutionException(ExecutionError.NoActiveSession, e.Message),
    };

    private static ulong ReadU64(IContractQueryContext ctx, ReadOnlySpan<byte> key, string name)
    {
        var bytes = ctx.Read(key);
        if (bytes is null)
        {
            return 0;
        }
        return ExecutionKeys.TryDecodeU64(bytes, out var value)
            ? value
            : throw new ExecutionException(ExecutionError.StateCorrupt, $"stored {name} is {bytes.Length} bytes, not 8");
    }

    private static byte[] ReadStateHash(IContractQueryContext ctx)
    {
        var bytes = ctx.Read(ExecutionKeys.StateHash);
        if (bytes is null)
        {
            return new byte[OutputBody.HashSize];
        }
        return bytes.Length == OutputBody.HashSize
            ? bytes
            : throw new ExecutionException(ExecutionError.StateCorrupt, $"stored state/hash is {bytes.Length} bytes, not {OutputBody.HashSize}");
    }
}

using Citrine.Contracts.Execution;

namespace Citrine.Fuzz;

/// <summary>
/// The execution formats of Citrine.Contracts (docs/execution.md): the binary request record,
/// output body and stored response, which the contract, the enclave and the host read back, and
/// the JSON messages and query answers. The binary decoders are Try forms that may only return
/// false, and they are canonical, so what decodes encodes to the input. The JSON parsers may only
/// raise <see cref="ExecutionMessageException"/> (the Try forms also return false for a message
/// that is not the core's); what they accept is written again with the format's own builder,
/// parsed back, and must come out as the same value, and writing that value again must give the
/// same bytes.
/// </summary>
internal static class ExecutionTargets
{
    /// <summary><see cref="RequestRecord.TryDecode"/>: the record under <c>queue/ ‖ seq</c> that the enclave proves.</summary>
    [FuzzTarget("execution-request-record")]
    public static void FuzzRequestRecord(ReadOnlySpan<byte> data)
    {
        if (!RequestRecord.TryDecode(data, out var record, out var error))
        {
            Check(record is null && error.Length > 0, "a refused request record left a value or no reason");
            Refusal.Note();
            return;
        }
        Check(record!.Encode().AsSpan().SequenceEqual(data), "request record decode/encode is not a round trip");
        // The enclave rebuilds the HPKE associated data from every record it proves; a decoded record must always give one.
        Check(record.Aad("citrine-devnet-1", new byte[RequestRecord.AddressSize]).Length > 0, "a decoded request record gives no associated data");
    }

    /// <summary><see cref="OutputBody.TryDecode"/>: the body of an enclave output, before its signature is checked.</summary>
    [FuzzTarget("execution-output-body")]
    public static void FuzzOutputBody(ReadOnlySpan<byte> data)
    {
        if (!OutputBody.TryDecode(data, out var body, out var error))
        {
            Check(body is null && error.Length > 0, "a refused output body left a value or no reason");
            Refusal.Note();
            return;
        }
        var encoded = body!.Encode();
        Check(encoded.AsSpan().SequenceEqual(data), "output body decode/encode is not a round trip");
        Check(OutputBody.TryDecode(encoded, out var again, out _) && body.Equals(again), "output body round trip changed the value");
    }

    /// <summary><see cref="OutputResponse.TryDecode"/>: a response as stored under <c>response/ ‖ seq</c>.</summary>
    [FuzzTarget("execution-output-response")]
    public static void FuzzOutputResponse(ReadOnlySpan<byte> data)
    {
        if (!OutputResponse.TryDecode(data, out var response, out var error))
        {
            Check(response is null && error.Length > 0, "a refused response left a value or no reason");
            Refusal.Note();
            return;
        }
        Check(response!.Encode().AsSpan().SequenceEqual(data), "response decode/encode is not a round trip");
    }

    /// <summary>
    /// <see cref="ExecutionMessages.TryParseExecute"/>: false for a message that is not the
    /// execution core's. The parser reads a request's JSON form only (the core checks kind, suite,
    /// enc and size, each with its own code), while the builder <see cref="ExecutionMessages.Request"/>
    /// refuses what the core would; so a request round-trips when those checks pass, and otherwise
    /// the builder must refuse it with <see cref="ArgumentException"/>.
    /// </summary>
    [FuzzTarget("execution-execute", typeof(ExecutionMessageException))]
    public static void FuzzExecute(ReadOnlySpan<byte> data)
    {
        if (!ExecutionMessages.TryParseExecute(data, out var message))
        {
            Check(message is null, "a message that is not an execution message left a value");
            Refusal.Note();
            return;
        }
        if (message is RequestMessage request && !Writable(request))
        {
            try
            {
                ExecutionMessages.Request(request.Kind, request.Suite, request.Enc, request.Ciphertext);
            }
            catch (ArgumentException)
            {
                return;
            }
            throw new InvalidOperationException("the request builder wrote a request the core would refuse");
        }
        var written = WriteExecute(message!);
        Check(ExecutionMessages.TryParseExecute(written, out var again) && SameExecute(again!, message!), "execute message round trip changed the message");
        Check(WriteExecute(again!).AsSpan().SequenceEqual(written), "an execute message written twice is not the same bytes");
    }

    /// <summary><see cref="ExecutionMessages.TryParseQuery"/>: false for a query that is not the execution core's.</summary>
    [FuzzTarget("execution-query", typeof(ExecutionMessageException))]
    public static void FuzzQuery(ReadOnlySpan<byte> data)
    {
        if (!ExecutionMessages.TryParseQuery(data, out var query))
        {
            Check(query is null, "a query that is not an execution query left a value");
            Refusal.Note();
            return;
        }
        Check(query!.Kind == ExecutionQueryKind.Response || query.Seq == 0, "a queue query carries a seq");
        var written = WriteQuery(query);
        Check(ExecutionMessages.TryParseQuery(written, out var again) && again == query, "query round trip changed the query");
        Check(WriteQuery(again!).AsSpan().SequenceEqual(written), "a query written twice is not the same bytes");
    }

    /// <summary><see cref="ExecutionMessages.ParseRequestAnswer"/>: the answer to a queued request.</summary>
    [FuzzTarget("execution-request-answer", typeof(ExecutionMessageException))]
    public static void FuzzRequestAnswer(ReadOnlySpan<byte> data)
    {
        var seq = ExecutionMessages.ParseRequestAnswer(data);
        var written = ExecutionMessages.RequestAnswer(seq);
        var again = ExecutionMessages.ParseRequestAnswer(written);
        Check(again == seq, "request answer round trip changed the seq");
        Check(ExecutionMessages.RequestAnswer(again).AsSpan().SequenceEqual(written), "a request answer written twice is not the same bytes");
    }

    /// <summary><see cref="ExecutionMessages.ParseQueueAnswer"/>: the answer to <c>{"queue":{}}</c>.</summary>
    [FuzzTarget("execution-queue-answer", typeof(ExecutionMessageException))]
    public static void FuzzQueueAnswer(ReadOnlySpan<byte> data)
    {
        var answer = ExecutionMessages.ParseQueueAnswer(data);
        Check(answer.Head <= answer.Next, "an accepted queue answer has its head above next");
        var written = ExecutionMessages.QueueAnswerJson(answer);
        var again = ExecutionMessages.ParseQueueAnswer(written);
        Check(again.Equals(answer), "queue answer round trip changed the answer");
        Check(ExecutionMessages.QueueAnswerJson(again).AsSpan().SequenceEqual(written), "a queue answer written twice is not the same bytes");
    }

    /// <summary><see cref="ExecutionMessages.ParseOutputAnswer"/>: the answer to an applied output.</summary>
    [FuzzTarget("execution-output-answer", typeof(ExecutionMessageException))]
    public static void FuzzOutputAnswer(ReadOnlySpan<byte> data)
    {
        var answer = ExecutionMessages.ParseOutputAnswer(data);
        var written = ExecutionMessages.OutputAnswerJson(answer);
        var again = ExecutionMessages.ParseOutputAnswer(written);
        Check(again.Equals(answer), "output answer round trip changed the answer");
        Check(ExecutionMessages.OutputAnswerJson(again).AsSpan().SequenceEqual(written), "an output answer written twice is not the same bytes");
    }

    /// <summary><see cref="ExecutionMessages.ParseResponseAnswer"/>: the answer to <c>{"response":{"seq":N}}</c> (a response or null).</summary>
    [FuzzTarget("execution-response-answer", typeof(ExecutionMessageException))]
    public static void FuzzResponseAnswer(ReadOnlySpan<byte> data)
    {
        var response = ExecutionMessages.ParseResponseAnswer(data);
        var written = ExecutionMessages.ResponseAnswer(response);
        var again = ExecutionMessages.ParseResponseAnswer(written);
        Check(response is null ? again is null : response.Equals(again), "response answer round trip changed the response");
        Check(ExecutionMessages.ResponseAnswer(again).AsSpan().SequenceEqual(written), "a response answer written twice is not the same bytes");
    }

    /// <summary>The checks of <see cref="ExecutionMessages.Request"/>: a valid kind and suite, enc of 32 bytes with a ciphertext (empty without), at most 16 KiB.</summary>
    private static bool Writable(RequestMessage request) =>
        RequestRecord.IsValidKind(request.Kind) && RequestSuite.TryGetAeadId(request.Suite, out _)
        && request.Enc.Length == (request.Ciphertext.Length == 0 ? 0 : RequestSuite.EncSize)
        && request.Ciphertext.Length <= RequestRecord.MaxCiphertextSize;

    private static byte[] WriteExecute(ExecutionExecuteMessage message) => message switch
    {
        RequestMessage m => ExecutionMessages.Request(m.Kind, m.Suite, m.Enc, m.Ciphertext),
        OutputMessage m => ExecutionMessages.Output(m.Body, m.Signature),
        _ => throw new InvalidOperationException($"TryParseExecute returned an unexpected message {message.GetType().Name}"),
    };

    private static byte[] WriteQuery(ExecutionQuery query) => query.Kind switch
    {
        ExecutionQueryKind.Queue => ExecutionMessages.QueueQuery(),
        ExecutionQueryKind.Response => ExecutionMessages.ResponseQuery(query.Seq),
        _ => throw new InvalidOperationException($"TryParseQuery returned an unexpected kind {query.Kind}"),
    };

    /// <summary>The messages are records over byte arrays, whose synthesized equality compares references.</summary>
    private static bool SameExecute(ExecutionExecuteMessage a, ExecutionExecuteMessage b) => (a, b) switch
    {
        (RequestMessage x, RequestMessage y) => string.Equals(x.Kind, y.Kind, StringComparison.Ordinal)
            && string.Equals(x.Suite, y.Suite, StringComparison.Ordinal) && Same(x.Enc, y.Enc) && Same(x.Ciphertext, y.Ciphertext),
        (OutputMessage x, OutputMessage y) => Same(x.Body, y.Body) && Same(x.Signature, y.Signature),
        _ => false,
    };

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new InvalidOperationException(finding);
        }
    }
}

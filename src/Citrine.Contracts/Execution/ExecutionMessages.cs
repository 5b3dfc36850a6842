using System.Text.Json;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Execution;

/// <summary>One of the execution core's execute messages.</summary>
public abstract record ExecutionExecuteMessage;

/// <summary>
/// <c>{"request":{"kind":…,"suite":…,"enc":b64,"ciphertext":b64}}</c> as parsed: the JSON form
/// only; the core checks kind, suite, enc and size in its own order, each with its own code.
/// </summary>
public sealed record RequestMessage(string Kind, string Suite, byte[] Enc, byte[] Ciphertext) : ExecutionExecuteMessage;

/// <summary><c>{"output":{"body":b64,"signature":b64}}</c>: the body bytes (decoded by the core) and a 64-byte Ed25519 signature.</summary>
public sealed record OutputMessage(byte[] Body, byte[] Signature) : ExecutionExecuteMessage;

/// <summary>The execution core's queries.</summary>
public enum ExecutionQueryKind
{
    /// <summary><c>{"queue":{}}</c>: head, next and state hash.</summary>
    Queue = 1,

    /// <summary><c>{"response":{"seq":N}}</c>: the stored response to request N, or null.</summary>
    Response,
}

/// <summary>A parsed execution query; <see cref="Seq"/> is the request of a <see cref="ExecutionQueryKind.Response"/> query (0 otherwise).</summary>
public sealed record ExecutionQuery(ExecutionQueryKind Kind, ulong Seq = 0);

/// <summary>The answer to <c>{"queue":{}}</c>: <c>{"head":N,"next":N,"state_hash":"&lt;hex32&gt;"}</c>.</summary>
public sealed record QueueAnswer(ulong Head, ulong Next, byte[] StateHash)
{
    public bool Equals(QueueAnswer? other) =>
        other is not null && Head == other.Head && Next == other.Next && StateHash.AsSpan().SequenceEqual(other.StateHash);

    public override int GetHashCode() => (int)Head ^ (int)Next;
}

/// <summary>The answer to an applied output: <c>{"first_seq":N,"end_seq":N,"state_hash":"&lt;hex32&gt;"}</c>.</summary>
public sealed record OutputAnswer(ulong FirstSeq, ulong EndSeq, byte[] StateHash)
{
    public bool Equals(OutputAnswer? other) =>
        other is not null && FirstSeq == other.FirstSeq && EndSeq == other.EndSeq && StateHash.AsSpan().SequenceEqual(other.StateHash);

    public override int GetHashCode() => (int)FirstSeq ^ (int)EndSeq;
}

/// <summary>
/// The JSON of the execution core's contract messages and answers (docs/execution.md): builders
/// for users, the enclave, the host and the CLI, and strict parsers that the core (and, for
/// answers, the host, CLI and web) use. Parsers throw only <see cref="ExecutionMessageException"/>
/// naming the JSON path: unknown, repeated or missing members, wrong types, bad base64 and strings
/// that are not valid Unicode are refused. Bytes are standard padded base64, hashes lower-case hex.
/// </summary>
public static class ExecutionMessages
{
    public const string RequestName = "request";
    public const string OutputName = "output";
    public const string QueueName = "queue";
    public const string ResponseName = "response";

    /// <summary>The size of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    private static readonly string[] ExecuteNames = [RequestName, OutputName];
    private static readonly string[] QueryNames = [QueueName, ResponseName];

    private static StrictJson Json => new((path, detail) => new ExecutionMessageException(path, detail));

    // ---- builders ----

    /// <summary>
    /// <c>{"request":{…}}</c>. Refuses (<see cref="ArgumentException"/>) what the contract would:
    /// an invalid kind or suite, an enc that is not 32 bytes with a ciphertext or not empty
    /// without one, a ciphertext above 16 KiB.
    /// </summary>
    public static byte[] Request(string kind, string suite, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> ciphertext)
    {
        if (!RequestRecord.IsValidKind(kind))
        {
            throw new ArgumentException($"'{kind}' is not 1..{RequestRecord.MaxKindLength} bytes of [a-z0-9_]", nameof(kind));
        }
        if (!RequestSuite.TryGetAeadId(suite, out _))
        {
            throw new ArgumentException($"'{suite}' is not {RequestSuite.ChaCha20Poly1305} or {RequestSuite.Aes256Gcm}", nameof(suite));
        }
        if (enc.Length != (ciphertext.IsEmpty ? 0 : RequestSuite.EncSize))
        {
            throw new ArgumentException($"enc is {RequestSuite.EncSize} bytes with a ciphertext and empty without one, got {enc.Length}", nameof(enc));
        }
        if (ciphertext.Length > RequestRecord.MaxCiphertextSize)
        {
            throw new ArgumentException($"the ciphertext is at most {RequestRecord.MaxCiphertextSize} bytes, got {ciphertext.Length}", nameof(ciphertext));
        }
        var e = enc.ToArray();
        var c = ciphertext.ToArray();
        return Write(w =>
        {
            w.WriteStartObject(RequestName);
            w.WriteString("kind", kind);
            w.WriteString("suite", suite);
            w.WriteBase64String("enc", e);
            w.WriteBase64String("ciphertext", c);
            w.WriteEndObject();
        });
    }

    /// <summary><c>{"output":{"body":b64,"signature":b64}}</c>; the signature is 64 bytes.</summary>
    public static byte[] Output(ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature)
    {
        if (body.IsEmpty)
        {
            throw new ArgumentException("the output body is empty", nameof(body));
        }
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException($"an Ed25519 signature is {SignatureSize} bytes, got {signature.Length}", nameof(signature));
        }
        var b = body.ToArray();
        var s = signature.ToArray();
        return Write(w =>
        {
            w.WriteStartObject(OutputName);
            w.WriteBase64String("body", b);
            w.WriteBase64String("signature", s);
            w.WriteEndObject();
        });
    }

    /// <summary><c>{"queue":{}}</c>.</summary>
    public static byte[] QueueQuery() => "{\"queue\":{}}"u8.ToArray();

    /// <summary><c>{"response":{"seq":N}}</c>.</summary>
    public static byte[] ResponseQuery(ulong seq) => Write(w =>
    {
        w.WriteStartObject(ResponseName);
        w.WriteNumber("seq", seq);
        w.WriteEndObject();
    });

    // ---- parsers of messages ----

    /// <summary>
    /// False when <paramref name="utf8"/> is not one of the execution core's execute messages (not
    /// a JSON object, or no member named <c>request</c> or <c>output</c>), so the app can handle
    /// its own; one that is malformed throws <see cref="ExecutionMessageException"/>.
    /// </summary>
    public static bool TryParseExecute(ReadOnlySpan<byte> utf8, out ExecutionExecuteMessage? message)
    {
        message = null;
        var json = Json;
        if (!SessionMessages.TryOwnMember(json, utf8, ExecuteNames, out var document, out var name, out var body))
        {
            return false;
        }
        using (document)
        {
            if (name == RequestName)
            {
                var f = json.Members(body, name, "kind", "suite", "enc", "ciphertext");
                message = new RequestMessage(
                    json.String(f[0], StrictJson.Join(name, "kind")),
                    json.String(f[1], StrictJson.Join(name, "suite")),
                    json.Base64(f[2], StrictJson.Join(name, "enc"), allowEmpty: true),
                    json.Base64(f[3], StrictJson.Join(name, "ciphertext"), allowEmpty: true));
            }
            else
            {
                var f = json.Members(body, name, "body", "signature");
                var bytes = json.Base64(f[0], StrictJson.Join(name, "body"));
                var signature = json.Base64(f[1], StrictJson.Join(name, "signature"));
                if (signature.Length != SignatureSize)
                {
                    throw json.Error(StrictJson.Join(name, "signature"), $"expected {SignatureSize} bytes, got {signature.Length}");
                }
                message = new OutputMessage(bytes, signature);
            }
        }
        return true;
    }

    /// <summary>False when <paramref name="utf8"/> is not an execution query; a malformed one throws <see cref="ExecutionMessageException"/>.</summary>
    public static bool TryParseQuery(ReadOnlySpan<byte> utf8, out ExecutionQuery? query)
    {
        query = null;
        var json = Json;
        if (!SessionMessages.TryOwnMember(json, utf8, QueryNames, out var document, out var name, out var body))
        {
            return false;
        }
        using (document)
        {
            if (name == QueueName)
            {
                json.Members(body, name);
                query = new ExecutionQuery(ExecutionQueryKind.Queue);
            }
            else
            {
                var f = json.Members(body, name, "seq");
                query = new ExecutionQuery(ExecutionQueryKind.Response, json.UInt64(f[0], StrictJson.Join(name, "seq")));
            }
        }
        return true;
    }

    // ---- answers ----

    /// <summary>The answer to a queued request: <c>{"seq":N}</c>.</summary>
    public static byte[] RequestAnswer(ulong seq) => Write(w => w.WriteNumber("seq", seq));

    public static ulong ParseRequestAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = Json;
        using var document = json.Document(utf8, "the request answer");
        var f = json.Members(document.RootElement, "", "seq");
        return json.UInt64(f[0], "seq");
    }

    /// <summary><c>{"first_seq":N,"end_seq":N,"state_hash":"&lt;hex32&gt;"}</c>.</summary>
    public static byte[] OutputAnswerJson(OutputAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        RequireLength(answer.StateHash, OutputBody.HashSize, nameof(answer));
        return Write(w =>
        {
            w.WriteNumber("first_seq", answer.FirstSeq);
            w.WriteNumber("end_seq", answer.EndSeq);
            w.WriteString("state_hash", Convert.ToHexStringLower(answer.StateHash));
        });
    }

    public static OutputAnswer ParseOutputAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = Json;
        using var document = json.Document(utf8, "the output answer");
        var f = json.Members(document.RootElement, "", "first_seq", "end_seq", "state_hash");
        return new OutputAnswer(json.UInt64(f[0], "first_seq"), json.UInt64(f[1], "end_seq"), json.Hex(f[2], "state_hash", OutputBody.HashSize));
    }

    /// <summary><c>{"head":N,"next":N,"state_hash":"&lt;hex32&gt;"}</c>.</summary>
    public static byte[] QueueAnswerJson(QueueAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        RequireLength(answer.StateHash, OutputBody.HashSize, nameof(answer));
        return Write(w =>
        {
            w.WriteNumber("head", answer.Head);
            w.WriteNumber("next", answer.Next);
            w.WriteString("state_hash", Convert.ToHexStringLower(answer.StateHash));
        });
    }

    /// <summary>Parses the queue answer; also refuses a head above next.</summary>
    public static QueueAnswer ParseQueueAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = Json;
        using var document = json.Document(utf8, "the queue answer");
        var f = json.Members(document.RootElement, "", "head", "next", "state_hash");
        var head = json.UInt64(f[0], "head");
        var next = json.UInt64(f[1], "next");
        if (head > next)
        {
            throw json.Error("head", $"head {head} is above next {next}");
        }
        return new QueueAnswer(head, next, json.Hex(f[2], "state_hash", OutputBody.HashSize));
    }

    /// <summary><c>null</c>, or <c>{"seq":N,"status":"ok|refused","payload":"&lt;b64&gt;"}</c>.</summary>
    public static byte[] ResponseAnswer(OutputResponse? response)
    {
        if (response is null)
        {
            return "null"u8.ToArray();
        }
        var payload = response.Payload ?? throw new ArgumentException("the response has no payload", nameof(response));
        var status = StatusName(response.Status);
        return Write(w =>
        {
            w.WriteNumber("seq", response.Seq);
            w.WriteString("status", status);
            w.WriteBase64String("payload", payload);
        });
    }

    public static OutputResponse? ParseResponseAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = Json;
        using var document = json.Document(utf8, "the response answer");
        if (document.RootElement.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var f = json.Members(document.RootElement, "", "seq", "status", "payload");
        var seq = json.UInt64(f[0], "seq");
        var statusName = json.String(f[1], "status");
        var status = statusName switch
        {
            "ok" => ResponseStatus.Ok,
            "refused" => ResponseStatus.Refused,
            _ => throw json.Error("status", $"'{statusName}' is not a status (ok, refused)"),
        };
        return new OutputResponse { Seq = seq, Status = status, Payload = json.Base64(f[2], "payload", allowEmpty: true) };
    }

    /// <summary>The lower-case name of a status in answers: ok, refused.</summary>
    public static string StatusName(ResponseStatus status) => status switch
    {
        ResponseStatus.Ok => "ok",
        ResponseStatus.Refused => "refused",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a response status"),
    };

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void RequireLength(byte[]? value, int length, string name)
    {
        if (value is null || value.Length != length)
        {
            throw new ArgumentException($"{name}: the state hash must be {length} bytes, got {value?.Length ?? 0}", name);
        }
    }
}

using System.Text.Json;

namespace Citrine.Contracts.Session;

/// <summary>Instantiate: the config bytes, the enclave's quote over them, and the app's own member (raw JSON) if any.</summary>
public sealed record InstantiateMessage(byte[] Config, byte[] Quote, byte[]? App);

/// <summary>One of the session core's execute messages (docs/session.md, "Contract messages").</summary>
public abstract record SessionExecuteMessage;

/// <summary><c>session_create</c>: the enclave's fresh nonce and its quote.</summary>
public sealed record SessionCreateMessage(byte[] Nonce, byte[] Quote) : SessionExecuteMessage;

/// <summary><c>session_set_pub_key</c> or <c>session_reattest</c> (<see cref="Type"/>): the keys and the height the enclave verified.</summary>
public sealed record SessionKeysMessage(SessionMessageType Type, byte[] Nonce, byte[] SigningKey, byte[] EncryptionKey, ulong VerifiedHeight, byte[] Quote)
    : SessionExecuteMessage;

/// <summary><c>add_measurement</c>.</summary>
public sealed record AddMeasurementMessage(Measurement Measurement) : SessionExecuteMessage;

/// <summary><c>remove_measurement</c>.</summary>
public sealed record RemoveMeasurementMessage(Measurement Measurement) : SessionExecuteMessage;

/// <summary>The session core's queries.</summary>
public enum SessionQuery
{
    /// <summary><c>{"session":{}}</c>: the current record, or null.</summary>
    Session = 1,

    /// <summary><c>{"session_history":{}}</c>: ended and replaced records, oldest first.</summary>
    SessionHistory,

    /// <summary><c>{"config":{}}</c>: the config bytes and the current measurement set.</summary>
    Config,
}

/// <summary>The answer to <c>{"config":{}}</c>.</summary>
public sealed record ConfigAnswer(byte[] Config, IReadOnlyList<Measurement> Measurements);

/// <summary>
/// The JSON of the session core's contract messages and query answers (docs/session.md,
/// "Contract messages"): builders for the enclave, host and CLI, and the strict parsers the core
/// (and, for answers, the host and CLI) use. Parsers throw <see cref="SessionMessageException"/>
/// naming the JSON path; nonces and keys are 32 bytes of hex, quotes and configs standard base64.
/// </summary>
public static class SessionMessages
{
    public const string SessionCreateName = "session_create";
    public const string SessionSetPubKeyName = "session_set_pub_key";
    public const string SessionReattestName = "session_reattest";
    public const string AddMeasurementName = "add_measurement";
    public const string RemoveMeasurementName = "remove_measurement";

    private static readonly string[] ExecuteNames = [SessionCreateName, SessionSetPubKeyName, SessionReattestName, AddMeasurementName, RemoveMeasurementName];
    private static readonly string[] QueryNames = ["session", "session_history", "config"];
    private static readonly string[] RecordMembers =
    [
        "version", "phase", "id", "nonce", "created_height", "measurement", "signing_key", "encryption_key", "verified_height",
        "attestation_expiry", "end_reason",
    ];

    // ---- builders ----

    public static byte[] Instantiate(ReadOnlySpan<byte> config, ReadOnlySpan<byte> quote, ReadOnlySpan<byte> appJson = default)
    {
        var configCopy = config.ToArray();
        var quoteCopy = quote.ToArray();
        var app = appJson.ToArray();
        return Json(w =>
        {
            w.WriteBase64String("config", configCopy);
            w.WriteBase64String("quote", quoteCopy);
            if (app.Length > 0)
            {
                w.WritePropertyName("app");
                w.WriteRawValue(app);
            }
        });
    }

    public static byte[] SessionCreate(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> quote)
    {
        RequireLength(nonce, ReportData.NonceSize, nameof(nonce));
        var n = nonce.ToArray();
        var q = quote.ToArray();
        return Json(w =>
        {
            w.WriteStartObject(SessionCreateName);
            w.WriteString("nonce", Convert.ToHexStringLower(n));
            w.WriteBase64String("quote", q);
            w.WriteEndObject();
        });
    }

    public static byte[] SessionSetPubKey(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> encryptionKey, ulong verifiedHeight, ReadOnlySpan<byte> quote) =>
        Keys(SessionSetPubKeyName, nonce, signingKey, encryptionKey, verifiedHeight, quote);

    public static byte[] SessionReattest(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> encryptionKey, ulong verifiedHeight, ReadOnlySpan<byte> quote) =>
        Keys(SessionReattestName, nonce, signingKey, encryptionKey, verifiedHeight, quote);

    public static byte[] AddMeasurement(Measurement measurement) => MeasurementMessage(AddMeasurementName, measurement);

    public static byte[] RemoveMeasurement(Measurement measurement) => MeasurementMessage(RemoveMeasurementName, measurement);

    public static byte[] Query(SessionQuery query) => query switch
    {
        SessionQuery.Session => "{\"session\":{}}"u8.ToArray(),
        SessionQuery.SessionHistory => "{\"session_history\":{}}"u8.ToArray(),
        SessionQuery.Config => "{\"config\":{}}"u8.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(query), query, "not a session query"),
    };

    // ---- parsers of messages ----

    /// <summary>Parses <c>{"config":b64,"quote":b64}</c> with an optional <c>"app"</c> member of any JSON value.</summary>
    public static InstantiateMessage ParseInstantiate(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: false);
        using var document = json.Document(utf8, "the instantiate message");
        var f = json.Members(document.RootElement, "", "config", "quote", "app");
        var config = json.Base64(f[0], "config");
        var quote = json.Base64(f[1], "quote");
        var app = f[2].ValueKind == JsonValueKind.Undefined ? null : System.Text.Encoding.UTF8.GetBytes(f[2].GetRawText());
        return new InstantiateMessage(config, quote, app);
    }

    /// <summary>
    /// False when <paramref name="utf8"/> is not one of the session core's execute messages (not a
    /// JSON object, or no member of a session message name), so an app can handle its own; a
    /// session message that is malformed throws <see cref="SessionMessageException"/>.
    /// </summary>
    public static bool TryParseExecute(ReadOnlySpan<byte> utf8, out SessionExecuteMessage? message)
    {
        message = null;
        var json = new StrictJson(isConfig: false);
        if (!TryOwnMember(json, utf8, ExecuteNames, out var document, out var name, out var body))
        {
            return false;
        }
        using (document)
        {
            switch (name)
            {
                case SessionCreateName:
                {
                    var f = json.Members(body, name, "nonce", "quote");
                    message = new SessionCreateMessage(
                        json.Hex(f[0], StrictJson.Join(name, "nonce"), ReportData.NonceSize),
                        json.Base64(f[1], StrictJson.Join(name, "quote")));
                    break;
                }
                case SessionSetPubKeyName or SessionReattestName:
                {
                    var f = json.Members(body, name, "nonce", "signing_key", "encryption_key", "verified_height", "quote");
                    message = new SessionKeysMessage(
                        name == SessionSetPubKeyName ? SessionMessageType.SessionSetPubKey : SessionMessageType.SessionReattest,
                        json.Hex(f[0], StrictJson.Join(name, "nonce"), ReportData.NonceSize),
                        json.Hex(f[1], StrictJson.Join(name, "signing_key"), ReportData.KeySize),
                        json.Hex(f[2], StrictJson.Join(name, "encryption_key"), ReportData.KeySize),
                        json.UInt64(f[3], StrictJson.Join(name, "verified_height"), 1, long.MaxValue),
                        json.Base64(f[4], StrictJson.Join(name, "quote")));
                    break;
                }
                default:
                {
                    var f = json.Members(body, name, "measurement");
                    var path = StrictJson.Join(name, "measurement");
                    var measurement = Measurement.Read(json, json.Required(f[0], path), path);
                    message = name == AddMeasurementName ? new AddMeasurementMessage(measurement) : new RemoveMeasurementMessage(measurement);
                    break;
                }
            }
        }
        return true;
    }

    /// <summary>False when <paramref name="utf8"/> is not a session query; a session query with a non-empty body throws.</summary>
    public static bool TryParseQuery(ReadOnlySpan<byte> utf8, out SessionQuery query)
    {
        query = default;
        var json = new StrictJson(isConfig: false);
        if (!TryOwnMember(json, utf8, QueryNames, out var document, out var name, out var body))
        {
            return false;
        }
        using (document)
        {
            json.Members(body, name);
            query = (SessionQuery)(Array.IndexOf(QueryNames, name) + 1);
            return true;
        }
    }

    // ---- answers ----

    /// <summary><c>null</c>, or the record as JSON: numbers, hex bytes, phase and end reason as lower-case names.</summary>
    public static byte[] SessionAnswer(SessionRecord? record)
    {
        if (record is null)
        {
            return "null"u8.ToArray();
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRecord(writer, record);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static SessionRecord? ParseSessionAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: false);
        using var document = json.Document(utf8, "the session answer");
        return document.RootElement.ValueKind == JsonValueKind.Null ? null : ReadRecord(json, document.RootElement, "");
    }

    /// <summary><c>{"sessions":[record, …]}</c>, oldest first.</summary>
    public static byte[] HistoryAnswer(IReadOnlyList<SessionRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Json(w =>
        {
            w.WriteStartArray("sessions");
            foreach (var record in records)
            {
                WriteRecord(w, record);
            }
            w.WriteEndArray();
        });
    }

    public static IReadOnlyList<SessionRecord> ParseHistoryAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: false);
        using var document = json.Document(utf8, "the history answer");
        var f = json.Members(document.RootElement, "", "sessions");
        if (json.Required(f[0], "sessions").ValueKind != JsonValueKind.Array)
        {
            throw json.Error("sessions", "expected an array of session records");
        }
        var records = new List<SessionRecord>();
        foreach (var item in f[0].EnumerateArray())
        {
            records.Add(ReadRecord(json, item, StrictJson.Index("sessions", records.Count)));
        }
        return records;
    }

    /// <summary><c>{"config":"&lt;base64&gt;","measurements":[entry, …]}</c>: the config as instantiated and the current set.</summary>
    public static byte[] ConfigAnswerJson(ReadOnlySpan<byte> config, IReadOnlyList<Measurement> measurements)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        var bytes = config.ToArray();
        return Json(w =>
        {
            w.WriteBase64String("config", bytes);
            w.WriteStartArray("measurements");
            foreach (var measurement in measurements)
            {
                measurement.WriteJson(w);
            }
            w.WriteEndArray();
        });
    }

    public static ConfigAnswer ParseConfigAnswer(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: false);
        using var document = json.Document(utf8, "the config answer");
        var f = json.Members(document.RootElement, "", "config", "measurements");
        var config = json.Base64(f[0], "config");
        if (json.Required(f[1], "measurements").ValueKind != JsonValueKind.Array)
        {
            throw json.Error("measurements", "expected an array of measurements");
        }
        var measurements = new List<Measurement>();
        foreach (var item in f[1].EnumerateArray())
        {
            measurements.Add(Measurement.Read(json, item, StrictJson.Index("measurements", measurements.Count)));
        }
        return new ConfigAnswer(config, measurements);
    }

    /// <summary>The lower-case name of a phase in answers: created, established, ended.</summary>
    public static string PhaseName(SessionPhase phase) => phase switch
    {
        SessionPhase.Created => "created",
        SessionPhase.Established => "established",
        SessionPhase.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a session phase"),
    };

    /// <summary>The lower-case name of an end reason in answers: none, replaced, measurement_removed.</summary>
    public static string EndReasonName(SessionEndReason reason) => reason switch
    {
        SessionEndReason.None => "none",
        SessionEndReason.Replaced => "replaced",
        SessionEndReason.MeasurementRemoved => "measurement_removed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not an end reason"),
    };

    private static void WriteRecord(Utf8JsonWriter w, SessionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        w.WriteStartObject();
        w.WriteNumber("version", record.Version);
        w.WriteString("phase", PhaseName(record.Phase));
        w.WriteNumber("id", record.Id);
        w.WriteString("nonce", Convert.ToHexStringLower(record.Nonce));
        w.WriteNumber("created_height", record.CreatedHeight);
        w.WriteString("measurement", Convert.ToHexStringLower(record.Measurement));
        w.WriteString("signing_key", Convert.ToHexStringLower(record.SigningKey));
        w.WriteString("encryption_key", Convert.ToHexStringLower(record.EncryptionKey));
        w.WriteNumber("verified_height", record.VerifiedHeight);
        w.WriteNumber("attestation_expiry", record.AttestationExpiryUnixSeconds);
        w.WriteString("end_reason", EndReasonName(record.EndReason));
        w.WriteEndObject();
    }

    private static SessionRecord ReadRecord(StrictJson json, JsonElement element, string path)
    {
        var f = json.Members(element, path, RecordMembers);
        string P(int i) => StrictJson.Join(path, RecordMembers[i]);
        var phaseName = json.String(f[1], P(1));
        var phase = phaseName switch
        {
            "created" => SessionPhase.Created,
            "established" => SessionPhase.Established,
            "ended" => SessionPhase.Ended,
            _ => throw json.Error(P(1), $"'{phaseName}' is not a phase (created, established, ended)"),
        };
        var measurementHex = json.String(f[5], P(5));
        if (measurementHex.Length % 2 != 0 || !measurementHex.All(char.IsAsciiHexDigit))
        {
            throw json.Error(P(5), "expected a measurement id as hex");
        }
        var reasonName = json.String(f[10], P(10));
        var reason = reasonName switch
        {
            "none" => SessionEndReason.None,
            "replaced" => SessionEndReason.Replaced,
            "measurement_removed" => SessionEndReason.MeasurementRemoved,
            _ => throw json.Error(P(10), $"'{reasonName}' is not an end reason (none, replaced, measurement_removed)"),
        };
        var record = new SessionRecord
        {
            Version = (byte)json.UInt64(f[0], P(0), SessionRecord.CurrentVersion, SessionRecord.CurrentVersion),
            Phase = phase,
            Id = json.UInt64(f[2], P(2), 1),
            Nonce = json.Hex(f[3], P(3), SessionRecord.NonceSize),
            CreatedHeight = json.UInt64(f[4], P(4)),
            Measurement = Convert.FromHexString(measurementHex),
            SigningKey = json.Hex(f[6], P(6), SessionRecord.KeySize),
            EncryptionKey = json.Hex(f[7], P(7), SessionRecord.KeySize),
            VerifiedHeight = json.UInt64(f[8], P(8)),
            AttestationExpiryUnixSeconds = json.Int64(f[9], P(9), long.MinValue, long.MaxValue),
            EndReason = reason,
        };
        // The binary form is the one definition of a valid record: phase, keys and measurement id must agree.
        try
        {
            record.Encode();
        }
        catch (InvalidOperationException e)
        {
            throw json.Error(path.Length == 0 ? "$" : path, e.Message);
        }
        return record;
    }

    /// <summary>True when the root is an object with a member named in <paramref name="names"/>; then it must be that one member alone.</summary>
    internal static bool TryOwnMember(StrictJson json, ReadOnlySpan<byte> utf8, string[] names, out JsonDocument document, out string name, out JsonElement body)
    {
        name = "";
        body = default;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
        if (StrictJson.InvalidText(document.RootElement, "$") is { } invalid)
        {
            document.Dispose();
            throw json.Error(invalid, "a string or member name is not valid Unicode (invalid UTF-8 or a lone surrogate escape)");
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return false;
        }
        var count = 0;
        foreach (var property in root.EnumerateObject())
        {
            count++;
            if (name.Length == 0 && Array.IndexOf(names, property.Name) >= 0)
            {
                name = property.Name;
                body = property.Value;
            }
        }
        if (name.Length == 0)
        {
            document.Dispose();
            return false;
        }
        if (count != 1)
        {
            document.Dispose();
            throw json.Error("$", $"a {name} message has exactly one member, got {count}");
        }
        return true;
    }

    private static byte[] Keys(string name, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> encryptionKey, ulong verifiedHeight, ReadOnlySpan<byte> quote)
    {
        RequireLength(nonce, ReportData.NonceSize, nameof(nonce));
        RequireLength(signingKey, ReportData.KeySize, nameof(signingKey));
        RequireLength(encryptionKey, ReportData.KeySize, nameof(encryptionKey));
        var n = nonce.ToArray();
        var s = signingKey.ToArray();
        var e = encryptionKey.ToArray();
        var q = quote.ToArray();
        return Json(w =>
        {
            w.WriteStartObject(name);
            w.WriteString("nonce", Convert.ToHexStringLower(n));
            w.WriteString("signing_key", Convert.ToHexStringLower(s));
            w.WriteString("encryption_key", Convert.ToHexStringLower(e));
            w.WriteNumber("verified_height", verifiedHeight);
            w.WriteBase64String("quote", q);
            w.WriteEndObject();
        });
    }

    private static byte[] MeasurementMessage(string name, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return Json(w =>
        {
            w.WritePropertyName(name);
            w.WriteStartObject();
            w.WritePropertyName("measurement");
            measurement.WriteJson(w);
            w.WriteEndObject();
        });
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
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

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}", name);
        }
    }
}

using Citrine.Contracts.Session;

namespace Citrine.Fuzz;

/// <summary>
/// The session formats of Citrine.Contracts (docs/session.md), which the contract, the enclave, the
/// host and the CLI read from untrusted bytes. The JSON parsers may only raise their own
/// <see cref="SessionConfigException"/> (config, measurement entry) or
/// <see cref="SessionMessageException"/> (contract messages, query answers); the Try forms may
/// only return false. Whatever is accepted is written again with the format's own writer, parsed
/// back, and must come out as the same value, and writing that value again must give the same bytes.
/// </summary>
internal static class SessionTargets
{
    /// <summary><see cref="SessionConfig.TryParse"/> (which is <see cref="SessionConfig.Parse"/> with the refusal caught).</summary>
    [FuzzTarget("session-config")]
    public static void FuzzConfig(ReadOnlySpan<byte> data)
    {
        if (!SessionConfig.TryParse(data, out var config, out var error))
        {
            Check(error.Length > 0, "a refused config has no reason");
            Refusal.Note();
            return;
        }
        Check(config is not null && config.Raw.AsSpan().SequenceEqual(data), "an accepted config does not keep its raw bytes");
        var written = WriteConfig(config!);
        Check(SessionConfig.TryParse(written, out var again, out var againError), $"a written config does not parse again: {againError}");
        Check(again!.Measurements.SequenceEqual(config!.Measurements), "config round trip changed the measurements");
        Check(again.Policy.AcceptedTcbStatuses.NullableSequenceEqual(config.Policy.AcceptedTcbStatuses)
            && again.Policy.AllowedAdvisoryIds.NullableSequenceEqual(config.Policy.AllowedAdvisoryIds)
            && again.Policy with { AcceptedTcbStatuses = null, AllowedAdvisoryIds = null } == config.Policy with { AcceptedTcbStatuses = null, AllowedAdvisoryIds = null },
            "config round trip changed the policy");
        Check(again.TrustRoot with { TrustedHash = Array.Empty<byte>() } == config.TrustRoot with { TrustedHash = Array.Empty<byte>() }
            && again.TrustRoot.TrustedHash.AsSpan().SequenceEqual(config.TrustRoot.TrustedHash), "config round trip changed the trust root");
        Check(Same(again.Admin, config.Admin), "config round trip changed the admin");
        Check(WriteConfig(again).AsSpan().SequenceEqual(written), "a config written twice is not the same bytes");
    }

    /// <summary><see cref="Measurement.ParseJson"/>: one measurement entry as in the config.</summary>
    [FuzzTarget("session-measurement", typeof(SessionConfigException))]
    public static void FuzzMeasurement(ReadOnlySpan<byte> data)
    {
        var measurement = Measurement.ParseJson(data);
        var json = measurement.ToJson();
        var again = Measurement.ParseJson(json);
        Check(again.Equals(measurement), "measurement JSON round trip changed the value");
        Check(again.ToJson().AsSpan().SequenceEqual(json), "a measurement written twice is not the same bytes");
        Check(Measurement.TryFromCanonicalId(measurement.CanonicalId, out var byId, out _) && byId!.Equals(measurement),
            "a measurement's canonical id does not read back");
    }

    /// <summary><see cref="SessionRecord.TryDecode"/>: the record is canonical, so what decodes encodes to the input.</summary>
    [FuzzTarget("session-record")]
    public static void FuzzRecord(ReadOnlySpan<byte> data)
    {
        if (!SessionRecord.TryDecode(data, out var record, out var error))
        {
            Check(record is null && error.Length > 0, "a refused record left a value or no reason");
            Refusal.Note();
            return;
        }
        Check(record!.Encode().AsSpan().SequenceEqual(data), "session record decode/encode is not a round trip");
    }

    /// <summary><see cref="SessionMessages.ParseInstantiate"/>.</summary>
    [FuzzTarget("session-instantiate", typeof(SessionMessageException))]
    public static void FuzzInstantiate(ReadOnlySpan<byte> data)
    {
        var message = SessionMessages.ParseInstantiate(data);
        var written = SessionMessages.Instantiate(message.Config, message.Quote, message.App);
        var again = SessionMessages.ParseInstantiate(written);
        Check(again.Config.AsSpan().SequenceEqual(message.Config) && again.Quote.AsSpan().SequenceEqual(message.Quote) && Same(again.App, message.App),
            "instantiate message round trip changed a member");
        Check(SessionMessages.Instantiate(again.Config, again.Quote, again.App).AsSpan().SequenceEqual(written),
            "an instantiate message written twice is not the same bytes");
    }

    /// <summary><see cref="SessionMessages.TryParseExecute"/>: false for a message that is not the session core's.</summary>
    [FuzzTarget("session-execute", typeof(SessionMessageException))]
    public static void FuzzExecute(ReadOnlySpan<byte> data)
    {
        if (!SessionMessages.TryParseExecute(data, out var message))
        {
            Check(message is null, "a message that is not a session message left a value");
            Refusal.Note();
            return;
        }
        var written = WriteExecute(message!);
        Check(SessionMessages.TryParseExecute(written, out var again) && SameExecute(again!, message!), "execute message round trip changed the message");
        Check(WriteExecute(again!).AsSpan().SequenceEqual(written), "an execute message written twice is not the same bytes");
    }

    /// <summary><see cref="SessionMessages.TryParseQuery"/>: false for a query that is not the session core's.</summary>
    [FuzzTarget("session-query", typeof(SessionMessageException))]
    public static void FuzzQuery(ReadOnlySpan<byte> data)
    {
        if (!SessionMessages.TryParseQuery(data, out var query))
        {
            Check(query == default, "a query that is not a session query left a value");
            Refusal.Note();
            return;
        }
        Check(SessionMessages.TryParseQuery(SessionMessages.Query(query), out var again) && again == query, "query round trip changed the query");
    }

    /// <summary><see cref="SessionMessages.ParseSessionAnswer"/>: the answer to <c>{"session":{}}</c>.</summary>
    [FuzzTarget("session-answer", typeof(SessionMessageException))]
    public static void FuzzSessionAnswer(ReadOnlySpan<byte> data)
    {
        var record = SessionMessages.ParseSessionAnswer(data);
        var written = SessionMessages.SessionAnswer(record);
        var again = SessionMessages.ParseSessionAnswer(written);
        Check(record is null ? again is null : record.Equals(again), "session answer round trip changed the record");
        Check(SessionMessages.SessionAnswer(again).AsSpan().SequenceEqual(written), "a session answer written twice is not the same bytes");
    }

    /// <summary><see cref="SessionMessages.ParseHistoryAnswer"/>: the answer to <c>{"session_history":{}}</c>.</summary>
    [FuzzTarget("session-history-answer", typeof(SessionMessageException))]
    public static void FuzzHistoryAnswer(ReadOnlySpan<byte> data)
    {
        var records = SessionMessages.ParseHistoryAnswer(data);
        var written = SessionMessages.HistoryAnswer(records);
        var again = SessionMessages.ParseHistoryAnswer(written);
        Check(again.SequenceEqual(records), "history answer round trip changed the records");
        Check(SessionMessages.HistoryAnswer(again).AsSpan().SequenceEqual(written), "a history answer written twice is not the same bytes");
    }

    /// <summary><see cref="SessionMessages.ParseConfigAnswer"/>: the answer to <c>{"config":{}}</c>.</summary>
    [FuzzTarget("session-config-answer", typeof(SessionMessageException))]
    public static void FuzzConfigAnswer(ReadOnlySpan<byte> data)
    {
        var answer = SessionMessages.ParseConfigAnswer(data);
        var written = SessionMessages.ConfigAnswerJson(answer.Config, answer.Measurements);
        var again = SessionMessages.ParseConfigAnswer(written);
        Check(again.Config.AsSpan().SequenceEqual(answer.Config) && again.Measurements.SequenceEqual(answer.Measurements),
            "config answer round trip changed the answer");
        Check(SessionMessages.ConfigAnswerJson(again.Config, again.Measurements).AsSpan().SequenceEqual(written),
            "a config answer written twice is not the same bytes");
    }

    private static byte[] WriteConfig(SessionConfig config) =>
        SessionConfig.Write(config.Measurements, config.Policy, config.TrustRoot, config.Admin ?? []);

    private static byte[] WriteExecute(SessionExecuteMessage message) => message switch
    {
        SessionCreateMessage m => SessionMessages.SessionCreate(m.Nonce, m.Quote),
        SessionKeysMessage { Type: SessionMessageType.SessionSetPubKey } m =>
            SessionMessages.SessionSetPubKey(m.Nonce, m.SigningKey, m.EncryptionKey, m.VerifiedHeight, m.Quote),
        SessionKeysMessage { Type: SessionMessageType.SessionReattest } m =>
            SessionMessages.SessionReattest(m.Nonce, m.SigningKey, m.EncryptionKey, m.VerifiedHeight, m.Quote),
        AddMeasurementMessage m => SessionMessages.AddMeasurement(m.Measurement),
        RemoveMeasurementMessage m => SessionMessages.RemoveMeasurement(m.Measurement),
        _ => throw new InvalidOperationException($"TryParseExecute returned an unexpected message {message.GetType().Name}"),
    };

    /// <summary>The messages are records over byte arrays, whose synthesized equality compares references.</summary>
    private static bool SameExecute(SessionExecuteMessage a, SessionExecuteMessage b) => (a, b) switch
    {
        (SessionCreateMessage x, SessionCreateMessage y) => Same(x.Nonce, y.Nonce) && Same(x.Quote, y.Quote),
        (SessionKeysMessage x, SessionKeysMessage y) => x.Type == y.Type && Same(x.Nonce, y.Nonce) && Same(x.SigningKey, y.SigningKey)
            && Same(x.EncryptionKey, y.EncryptionKey) && x.VerifiedHeight == y.VerifiedHeight && Same(x.Quote, y.Quote),
        (AddMeasurementMessage x, AddMeasurementMessage y) => x.Measurement.Equals(y.Measurement),
        (RemoveMeasurementMessage x, RemoveMeasurementMessage y) => x.Measurement.Equals(y.Measurement),
        _ => false,
    };

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static bool NullableSequenceEqual(this IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    private static void Check(bool condition, string finding)
    {
        if (!condition)
        {
            throw new InvalidOperationException(finding);
        }
    }
}

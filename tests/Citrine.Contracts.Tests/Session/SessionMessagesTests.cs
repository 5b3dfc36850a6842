using System.Text;
using Citrine.Contracts.Session;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Session;

public sealed class SessionMessagesTests
{
    private static readonly byte[] Nonce = Bytes(0xab, 32);
    private static readonly byte[] SigningKey = Bytes(0x11, 32);
    private static readonly byte[] EncryptionKey = Bytes(0x22, 32);

    [Fact]
    public void Builders_write_the_documented_json()
    {
        Assert.Equal("{\"config\":\"e30=\",\"quote\":\"AQI=\"}", Encoding.UTF8.GetString(SessionMessages.Instantiate("{}"u8, [1, 2])));
        Assert.Equal("{\"config\":\"e30=\",\"quote\":\"AQI=\",\"app\":{\"x\":1}}", Encoding.UTF8.GetString(SessionMessages.Instantiate("{}"u8, [1, 2], "{\"x\":1}"u8)));
        Assert.Equal($"{{\"session_create\":{{\"nonce\":\"{Hex(0xab, 32)}\",\"quote\":\"AQI=\"}}}}", Encoding.UTF8.GetString(SessionMessages.SessionCreate(Nonce, [1, 2])));
        Assert.Equal(
            $"{{\"session_set_pub_key\":{{\"nonce\":\"{Hex(0xab, 32)}\",\"signing_key\":\"{Hex(0x11, 32)}\",\"encryption_key\":\"{Hex(0x22, 32)}\",\"verified_height\":42,\"quote\":\"AQI=\"}}}}",
            Encoding.UTF8.GetString(SessionMessages.SessionSetPubKey(Nonce, SigningKey, EncryptionKey, 42, [1, 2])));
        Assert.StartsWith("{\"session_reattest\":{", Encoding.UTF8.GetString(SessionMessages.SessionReattest(Nonce, SigningKey, EncryptionKey, 42, [1, 2])), StringComparison.Ordinal);
        Assert.Equal($"{{\"add_measurement\":{{\"measurement\":{{\"mock\":{{\"measurement\":\"{Hex(0x77, 32)}\"}}}}}}}}", Encoding.UTF8.GetString(SessionMessages.AddMeasurement(Mock())));
        Assert.Equal("{\"session_history\":{}}", Encoding.UTF8.GetString(SessionMessages.Query(SessionQuery.SessionHistory)));
    }

    [Fact]
    public void Parsers_read_back_what_builders_wrote()
    {
        var instantiate = SessionMessages.ParseInstantiate(SessionMessages.Instantiate("{}"u8, [1, 2], "[1, 2]"u8));
        Assert.Equal("{}"u8.ToArray(), instantiate.Config);
        Assert.Equal([1, 2], instantiate.Quote);
        Assert.Equal("[1, 2]", Encoding.UTF8.GetString(instantiate.App!));
        Assert.Null(SessionMessages.ParseInstantiate(SessionMessages.Instantiate("{}"u8, [1])).App);

        Assert.True(SessionMessages.TryParseExecute(SessionMessages.SessionCreate(Nonce, [3]), out var create));
        var c = Assert.IsType<SessionCreateMessage>(create);
        Assert.Equal(Nonce, c.Nonce);
        Assert.Equal([3], c.Quote);

        foreach (var (bytes, type) in new[]
        {
            (SessionMessages.SessionSetPubKey(Nonce, SigningKey, EncryptionKey, 42, [4]), SessionMessageType.SessionSetPubKey),
            (SessionMessages.SessionReattest(Nonce, SigningKey, EncryptionKey, 42, [4]), SessionMessageType.SessionReattest),
        })
        {
            Assert.True(SessionMessages.TryParseExecute(bytes, out var keys));
            var k = Assert.IsType<SessionKeysMessage>(keys);
            Assert.Equal(type, k.Type);
            Assert.Equal(Nonce, k.Nonce);
            Assert.Equal(SigningKey, k.SigningKey);
            Assert.Equal(EncryptionKey, k.EncryptionKey);
            Assert.Equal(42UL, k.VerifiedHeight);
            Assert.Equal([4], k.Quote);
        }

        Assert.True(SessionMessages.TryParseExecute(SessionMessages.AddMeasurement(Tdx()), out var add));
        Assert.Equal(Tdx(), Assert.IsType<AddMeasurementMessage>(add).Measurement);
        Assert.True(SessionMessages.TryParseExecute(SessionMessages.RemoveMeasurement(Sgx()), out var remove));
        Assert.Equal(Sgx(), Assert.IsType<RemoveMeasurementMessage>(remove).Measurement);

        foreach (var query in new[] { SessionQuery.Session, SessionQuery.SessionHistory, SessionQuery.Config })
        {
            Assert.True(SessionMessages.TryParseQuery(SessionMessages.Query(query), out var back));
            Assert.Equal(query, back);
        }
    }

    [Theory]
    [InlineData("{\"increment\":{}}")]
    [InlineData("{\"app\":{\"session_create\":{}}}")]
    [InlineData("[1]")]
    [InlineData("not json")]
    [InlineData("")]
    public void Messages_of_an_app_are_not_session_messages(string text)
    {
        Assert.False(SessionMessages.TryParseExecute(Encoding.UTF8.GetBytes(text), out var message));
        Assert.Null(message);
        Assert.False(SessionMessages.TryParseQuery(Encoding.UTF8.GetBytes(text), out _));
    }

    public static TheoryData<string, string> ExecuteRefusals() => new()
    {
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 31)}\",\"quote\":\"AQI=\"}}}}", "session_create.nonce" },
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 32)}\",\"quote\":\"AQ\"}}}}", "session_create.quote" },
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 32)}\",\"quote\":\"\"}}}}", "session_create.quote" },
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 32)}\"}}}}", "session_create.quote" },
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 32)}\",\"quote\":\"AQI=\",\"x\":0}}}}", "session_create.x" },
        { $"{{\"session_create\":{{\"nonce\":\"{Hex(1, 32)}\",\"quote\":\"AQI=\"}},\"x\":0}}", "$" },
        { "{\"session_create\":[]}", "session_create" },
        { $"{{\"session_set_pub_key\":{{\"nonce\":\"{Hex(1, 32)}\",\"signing_key\":\"{Hex(1, 33)}\",\"encryption_key\":\"{Hex(1, 32)}\",\"verified_height\":5,\"quote\":\"AQI=\"}}}}", "session_set_pub_key.signing_key" },
        { $"{{\"session_reattest\":{{\"nonce\":\"{Hex(1, 32)}\",\"signing_key\":\"{Hex(1, 32)}\",\"encryption_key\":\"{Hex(1, 32)}\",\"verified_height\":0,\"quote\":\"AQI=\"}}}}", "session_reattest.verified_height" },
        { $"{{\"session_reattest\":{{\"nonce\":\"{Hex(1, 32)}\",\"signing_key\":\"{Hex(1, 32)}\",\"encryption_key\":\"{Hex(1, 32)}\",\"verified_height\":\"5\",\"quote\":\"AQI=\"}}}}", "session_reattest.verified_height" },
        { $"{{\"session_reattest\":{{\"nonce\":\"{Hex(1, 32)}\",\"signing_key\":\"{Hex(1, 32)}\",\"verified_height\":5,\"quote\":\"AQI=\"}}}}", "session_reattest.encryption_key" },
        { "{\"add_measurement\":{}}", "add_measurement.measurement" },
        { "{\"remove_measurement\":{\"measurement\":{\"mock\":{\"measurement\":\"00\"}}}}", "remove_measurement.measurement.mock.measurement" },
    };

    [Theory]
    [MemberData(nameof(ExecuteRefusals))]
    public void A_malformed_session_message_is_refused_naming_the_field(string text, string field) =>
        Assert.Equal(field, Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseExecute(Encoding.UTF8.GetBytes(text), out _)).Field);

    [Theory]
    [InlineData("{\"config\":\"e30=\"}", "quote")]
    [InlineData("{\"config\":\"e30\",\"quote\":\"AQI=\"}", "config")]
    [InlineData("{\"config\":\"e30=\",\"quote\":\"AQI=\",\"other\":1}", "other")]
    [InlineData("{\"config\":\"e30=\",\"quote\":\"AQI=\",\"quote\":\"AQI=\"}", "quote")]
    [InlineData("[]", "$")]
    [InlineData("{", "$")]
    public void A_malformed_instantiate_message_is_refused_naming_the_field(string text, string field) =>
        Assert.Equal(field, Assert.Throws<SessionMessageException>(() => SessionMessages.ParseInstantiate(Encoding.UTF8.GetBytes(text))).Field);

    [Fact]
    public void A_session_query_with_a_body_is_refused() =>
        Assert.Equal("session.x", Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseQuery("{\"session\":{\"x\":1}}"u8, out _)).Field);

    private static SessionRecord Record(SessionPhase phase = SessionPhase.Established, SessionEndReason reason = SessionEndReason.None) => new()
    {
        Phase = phase,
        Id = 3,
        Nonce = Nonce,
        CreatedHeight = 10,
        Measurement = Sgx().CanonicalId,
        SigningKey = phase == SessionPhase.Created ? new byte[32] : SigningKey,
        EncryptionKey = phase == SessionPhase.Created ? new byte[32] : EncryptionKey,
        VerifiedHeight = phase == SessionPhase.Created ? 0UL : 12,
        AttestationExpiryUnixSeconds = -5,
        EndReason = reason,
    };

    [Fact]
    public void Session_answers_are_documented_json_and_parse_back()
    {
        Assert.Equal("null", Encoding.UTF8.GetString(SessionMessages.SessionAnswer(null)));
        Assert.Null(SessionMessages.ParseSessionAnswer("null"u8));
        var json = Encoding.UTF8.GetString(SessionMessages.SessionAnswer(Record()));
        Assert.Equal(
            $"{{\"version\":1,\"phase\":\"established\",\"id\":3,\"nonce\":\"{Hex(0xab, 32)}\",\"created_height\":10,\"measurement\":\"{Convert.ToHexStringLower(Sgx().CanonicalId)}\","
            + $"\"signing_key\":\"{Hex(0x11, 32)}\",\"encryption_key\":\"{Hex(0x22, 32)}\",\"verified_height\":12,\"attestation_expiry\":-5,\"end_reason\":\"none\"}}",
            json);
        foreach (var record in new[] { Record(), Record(SessionPhase.Created), Record(SessionPhase.Ended, SessionEndReason.Replaced), Record(SessionPhase.Ended, SessionEndReason.MeasurementRemoved) })
        {
            Assert.Equal(record, SessionMessages.ParseSessionAnswer(SessionMessages.SessionAnswer(record)));
        }
        var history = SessionMessages.ParseHistoryAnswer(SessionMessages.HistoryAnswer([Record(SessionPhase.Ended, SessionEndReason.Replaced), Record()]));
        Assert.Equal([Record(SessionPhase.Ended, SessionEndReason.Replaced), Record()], history);
        Assert.Empty(SessionMessages.ParseHistoryAnswer("{\"sessions\":[]}"u8));
        var config = SessionMessages.ParseConfigAnswer(SessionMessages.ConfigAnswerJson("{}"u8, [Sgx(), Mock()]));
        Assert.Equal("{}"u8.ToArray(), config.Config);
        Assert.Equal([Sgx(), Mock()], config.Measurements);
    }

    [Theory]
    [InlineData("\"phase\":\"established\"", "\"phase\":\"open\"", "phase")]
    [InlineData("\"end_reason\":\"none\"", "\"end_reason\":\"replaced\"", "$")]
    [InlineData("\"end_reason\":\"none\"", "\"end_reason\":\"gone\"", "end_reason")]
    [InlineData("\"id\":3", "\"id\":0", "id")]
    [InlineData("\"verified_height\":12,", "", "verified_height")]
    [InlineData("\"measurement\":\"01", "\"measurement\":\"05", "$")]
    [InlineData("\"measurement\":\"01", "\"measurement\":\"0", "measurement")]
    public void Session_answers_are_parsed_strictly(string from, string to, string field)
    {
        var json = Encoding.UTF8.GetString(SessionMessages.SessionAnswer(Record()));
        Assert.Contains(from, json, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Throws<SessionMessageException>(() => SessionMessages.ParseSessionAnswer(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal)))).Field);
    }

    [Property(MaxTest = 200)]
    public bool Parsers_never_throw_anything_but_their_format_exception(byte[] bytes)
    {
        bytes ??= [];
        foreach (var parse in new Action[]
        {
            () => _ = SessionMessages.TryParseExecute(bytes, out _),
            () => _ = SessionMessages.TryParseQuery(bytes, out _),
            () => SessionMessages.ParseInstantiate(bytes),
            () => SessionMessages.ParseSessionAnswer(bytes),
            () => SessionConfig.Parse(bytes),
        })
        {
            try
            {
                parse();
            }
            catch (SessionFormatException)
            {
            }
        }
        return true;
    }
}

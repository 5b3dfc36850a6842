using System.Text;
using Citrine.Contracts.Execution;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Execution;

public sealed class ExecutionMessagesTests
{
    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    private static ExecutionMessageException Refusal(string json, Func<byte[], object?> parse) =>
        Assert.Throws<ExecutionMessageException>(() => parse(Encoding.UTF8.GetBytes(json)));

    private static ExecutionExecuteMessage? Execute(byte[] utf8) => ExecutionMessages.TryParseExecute(utf8, out var message) ? message : null;

    private static ExecutionQuery? Query(byte[] utf8) => ExecutionMessages.TryParseQuery(utf8, out var query) ? query : null;

    // ---- builders write the documented JSON ----

    [Fact]
    public void Request_is_the_documented_json()
    {
        Assert.Equal(
            "{\"request\":{\"kind\":\"transfer\",\"suite\":\"x25519-sha256-chacha20poly1305\",\"enc\":\"" + Convert.ToBase64String(Bytes(0x22, 32)) + "\",\"ciphertext\":\"aGVsbG8=\"}}",
            Text(ExecutionMessages.Request("transfer", RequestSuite.ChaCha20Poly1305, Bytes(0x22, 32), "hello"u8)));
        Assert.Equal(
            "{\"request\":{\"kind\":\"deposit\",\"suite\":\"x25519-sha256-aes256gcm\",\"enc\":\"\",\"ciphertext\":\"\"}}",
            Text(ExecutionMessages.Request("deposit", RequestSuite.Aes256Gcm, [], [])));
    }

    [Fact]
    public void Request_builder_refuses_what_the_contract_would()
    {
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Request("Transfer", RequestSuite.Aes256Gcm, [], []));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Request("transfer", "x25519-sha256-aes128gcm", [], []));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Request("transfer", RequestSuite.Aes256Gcm, Bytes(1, 32), []));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Request("transfer", RequestSuite.Aes256Gcm, Bytes(1, 31), [1]));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Request("transfer", RequestSuite.Aes256Gcm, Bytes(1, 32), new byte[(16 * 1024) + 1]));
    }

    [Fact]
    public void Output_and_queries_are_the_documented_json()
    {
        Assert.Equal(
            "{\"output\":{\"body\":\"AQI=\",\"signature\":\"" + Convert.ToBase64String(Bytes(0x55, 64)) + "\"}}",
            Text(ExecutionMessages.Output([1, 2], Bytes(0x55, 64))));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Output([1, 2], Bytes(0x55, 63)));
        Assert.Throws<ArgumentException>(() => ExecutionMessages.Output([], Bytes(0x55, 64)));
        Assert.Equal("{\"queue\":{}}", Text(ExecutionMessages.QueueQuery()));
        Assert.Equal("{\"response\":{\"seq\":18446744073709551615}}", Text(ExecutionMessages.ResponseQuery(ulong.MaxValue)));
    }

    [Fact]
    public void Answers_are_the_documented_json_and_parse_back()
    {
        Assert.Equal("{\"seq\":7}", Text(ExecutionMessages.RequestAnswer(7)));
        Assert.Equal(7UL, ExecutionMessages.ParseRequestAnswer(ExecutionMessages.RequestAnswer(7)));

        var queue = new QueueAnswer(3, 5, Bytes(0xcd, 32));
        Assert.Equal("{\"head\":3,\"next\":5,\"state_hash\":\"" + Hex(0xcd, 32) + "\"}", Text(ExecutionMessages.QueueAnswerJson(queue)));
        Assert.Equal(queue, ExecutionMessages.ParseQueueAnswer(ExecutionMessages.QueueAnswerJson(queue)));

        var output = new OutputAnswer(3, 5, Bytes(0xcd, 32));
        Assert.Equal("{\"first_seq\":3,\"end_seq\":5,\"state_hash\":\"" + Hex(0xcd, 32) + "\"}", Text(ExecutionMessages.OutputAnswerJson(output)));
        Assert.Equal(output, ExecutionMessages.ParseOutputAnswer(ExecutionMessages.OutputAnswerJson(output)));

        var response = new OutputResponse { Seq = 4, Status = ResponseStatus.Refused, Payload = "overdraft"u8.ToArray() };
        Assert.Equal("{\"seq\":4,\"status\":\"refused\",\"payload\":\"b3ZlcmRyYWZ0\"}", Text(ExecutionMessages.ResponseAnswer(response)));
        Assert.Equal(response, ExecutionMessages.ParseResponseAnswer(ExecutionMessages.ResponseAnswer(response)));
        var empty = response with { Status = ResponseStatus.Ok, Payload = [] };
        Assert.Equal("{\"seq\":4,\"status\":\"ok\",\"payload\":\"\"}", Text(ExecutionMessages.ResponseAnswer(empty)));
        Assert.Equal(empty, ExecutionMessages.ParseResponseAnswer(ExecutionMessages.ResponseAnswer(empty)));
        Assert.Equal("null", Text(ExecutionMessages.ResponseAnswer(null)));
        Assert.Null(ExecutionMessages.ParseResponseAnswer("null"u8));
    }

    // ---- parsers ----

    [Fact]
    public void Execute_messages_parse_to_their_records()
    {
        var request = Assert.IsType<RequestMessage>(Execute(ExecutionMessages.Request("transfer", RequestSuite.ChaCha20Poly1305, Bytes(0x22, 32), "hello"u8)));
        Assert.Equal(("transfer", RequestSuite.ChaCha20Poly1305), (request.Kind, request.Suite));
        Assert.Equal(Bytes(0x22, 32), request.Enc);
        Assert.Equal("hello"u8.ToArray(), request.Ciphertext);
        var output = Assert.IsType<OutputMessage>(Execute(ExecutionMessages.Output([1, 2], Bytes(0x55, 64))));
        Assert.Equal([1, 2], output.Body);
        Assert.Equal(Bytes(0x55, 64), output.Signature);
        Assert.Equal(new ExecutionQuery(ExecutionQueryKind.Queue), Query(ExecutionMessages.QueueQuery()));
        Assert.Equal(new ExecutionQuery(ExecutionQueryKind.Response, 9), Query(ExecutionMessages.ResponseQuery(9)));
    }

    [Fact]
    public void The_request_parser_leaves_kind_suite_and_sizes_to_the_core()
    {
        // The core checks these in its own order, each with its own ExecutionError.
        var request = Assert.IsType<RequestMessage>(Execute("{\"request\":{\"kind\":\"BAD\",\"suite\":\"other\",\"enc\":\"AA==\",\"ciphertext\":\"\"}}"u8.ToArray()));
        Assert.Equal(("BAD", "other", 1, 0), (request.Kind, request.Suite, request.Enc.Length, request.Ciphertext.Length));
    }

    [Theory]
    [InlineData("{\"transfer\":{}}")]
    [InlineData("{\"session_create\":{\"nonce\":\"00\"}}")]
    [InlineData("[1,2]")]
    [InlineData("\"request\"")]
    [InlineData("not json")]
    [InlineData("")]
    public void Messages_that_are_not_the_cores_are_left_to_the_app(string json)
    {
        Assert.False(ExecutionMessages.TryParseExecute(Encoding.UTF8.GetBytes(json), out var message));
        Assert.Null(message);
        Assert.False(ExecutionMessages.TryParseQuery(Encoding.UTF8.GetBytes(json), out var query));
        Assert.Null(query);
    }

    [Theory]
    [InlineData("{\"request\":{\"kind\":\"a\",\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"\"},\"x\":1}", "$")]
    [InlineData("{\"request\":[]}", "request")]
    [InlineData("{\"request\":{\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"\"}}", "request.kind")]
    [InlineData("{\"request\":{\"kind\":1,\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"\"}}", "request.kind")]
    [InlineData("{\"request\":{\"kind\":\"a\",\"suite\":null,\"enc\":\"\",\"ciphertext\":\"\"}}", "request.suite")]
    [InlineData("{\"request\":{\"kind\":\"a\",\"suite\":\"s\",\"enc\":\"A\",\"ciphertext\":\"\"}}", "request.enc")]
    [InlineData("{\"request\":{\"kind\":\"a\",\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"!!!!\"}}", "request.ciphertext")]
    [InlineData("{\"request\":{\"kind\":\"a\",\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"\",\"funds\":1}}", "request.funds")]
    [InlineData("{\"request\":{\"kind\":\"a\",\"kind\":\"b\",\"suite\":\"s\",\"enc\":\"\",\"ciphertext\":\"\"}}", "request.kind")]
    [InlineData("{\"output\":{\"body\":\"\",\"signature\":\"AA==\"}}", "output.body")]
    [InlineData("{\"output\":{\"body\":\"AA==\"}}", "output.signature")]
    [InlineData("{\"output\":{\"body\":\"AA==\",\"signature\":\"AA==\"}}", "output.signature")]
    [InlineData("{\"output\":{\"body\":\"AA==\",\"signature\":\"AA\"}}", "output.signature")]
    [InlineData("{\"output\":\"AA==\"}", "output")]
    [InlineData("{\"output\":{\"body\":\"\\ud800\",\"signature\":\"AA==\"}}", "output.body")]
    public void Execute_messages_are_parsed_strictly(string json, string field) =>
        Assert.Equal(field, Refusal(json, Execute).Field);

    [Theory]
    [InlineData("{\"queue\":{\"x\":1}}", "queue.x")]
    [InlineData("{\"queue\":[]}", "queue")]
    [InlineData("{\"queue\":{},\"response\":{\"seq\":1}}", "$")]
    [InlineData("{\"response\":{}}", "response.seq")]
    [InlineData("{\"response\":{\"seq\":-1}}", "response.seq")]
    [InlineData("{\"response\":{\"seq\":1.5}}", "response.seq")]
    [InlineData("{\"response\":{\"seq\":\"1\"}}", "response.seq")]
    [InlineData("{\"response\":{\"seq\":18446744073709551616}}", "response.seq")]
    public void Queries_are_parsed_strictly(string json, string field) =>
        Assert.Equal(field, Refusal(json, Query).Field);

    [Theory]
    [InlineData("{\"head\":3,\"next\":5}", "state_hash")]
    [InlineData("{\"head\":6,\"next\":5,\"state_hash\":\"00\"}", "head")]
    [InlineData("{\"head\":3,\"next\":5,\"state_hash\":\"00\"}", "state_hash")]
    [InlineData("{\"head\":3,\"next\":5,\"state_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"x\":0}", "x")]
    [InlineData("null", "$")]
    public void Queue_answers_are_parsed_strictly(string json, string field) =>
        Assert.Equal(field, Refusal(json, b => ExecutionMessages.ParseQueueAnswer(b)).Field);

    [Theory]
    [InlineData("{\"seq\":4,\"status\":\"maybe\",\"payload\":\"\"}", "status")]
    [InlineData("{\"seq\":4,\"status\":\"ok\"}", "payload")]
    [InlineData("{\"seq\":4,\"status\":\"ok\",\"payload\":\"*\"}", "payload")]
    [InlineData("{\"status\":\"ok\",\"payload\":\"\"}", "seq")]
    [InlineData("[]", "$")]
    public void Response_answers_are_parsed_strictly(string json, string field) =>
        Assert.Equal(field, Refusal(json, b => ExecutionMessages.ParseResponseAnswer(b)).Field);

    [Theory]
    [InlineData("{\"first_seq\":1,\"end_seq\":2,\"state_hash\":\"zz\"}", "state_hash")]
    [InlineData("{\"first_seq\":1,\"state_hash\":\"00\"}", "end_seq")]
    public void Output_answers_are_parsed_strictly(string json, string field) =>
        Assert.Equal(field, Refusal(json, b => ExecutionMessages.ParseOutputAnswer(b)).Field);

    [Fact]
    public void Request_answers_are_parsed_strictly()
    {
        Assert.Equal("seq", Refusal("{\"seq\":-7}", b => ExecutionMessages.ParseRequestAnswer(b)).Field);
        Assert.Equal("$", Refusal("{\"seq\":7", b => ExecutionMessages.ParseRequestAnswer(b)).Field);
    }

    [Fact]
    public void Text_that_is_not_unicode_is_refused_not_thrown_as_something_else()
    {
        var invalid = Encoding.ASCII.GetBytes("{\"?\":{}}");
        invalid[2] = 0xFF;
        Assert.Throws<ExecutionMessageException>(() => ExecutionMessages.TryParseExecute(invalid, out _));
        Assert.Throws<ExecutionMessageException>(() => ExecutionMessages.TryParseQuery(Encoding.ASCII.GetBytes("{\"\\ud800\":{}}"), out _));
        Assert.Throws<ExecutionMessageException>(() => ExecutionMessages.ParseResponseAnswer(Encoding.ASCII.GetBytes("{\"seq\":1,\"status\":\"\\udc00\",\"payload\":\"\"}")));
        Assert.Throws<ExecutionMessageException>(() => ExecutionMessages.ParseQueueAnswer(invalid));
    }

    [Property(MaxTest = 300)]
    public bool Every_single_bit_flip_of_a_message_parses_or_is_refused_with_the_format_exception(ushort position, byte which)
    {
        var messages = new[]
        {
            ExecutionMessages.Request("transfer", RequestSuite.ChaCha20Poly1305, Bytes(0x22, 32), "hello"u8),
            ExecutionMessages.Output([1, 2, 3], Bytes(0x55, 64)),
            ExecutionMessages.ResponseQuery(42),
            ExecutionMessages.QueueAnswerJson(new QueueAnswer(1, 2, Bytes(3, 32))),
            ExecutionMessages.ResponseAnswer(new OutputResponse { Seq = 1, Status = ResponseStatus.Ok, Payload = [9] }),
        };
        var bytes = messages[which % messages.Length];
        var bit = position % (bytes.Length * 8);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return NeverThrowsButTheFormatException(bytes);
    }

    [Property(MaxTest = 300)]
    public bool Parsers_never_throw_anything_but_their_format_exception(byte[] bytes) => NeverThrowsButTheFormatException(bytes ?? []);

    private static bool NeverThrowsButTheFormatException(byte[] bytes)
    {
        foreach (var parse in new Action[]
        {
            () => _ = ExecutionMessages.TryParseExecute(bytes, out _),
            () => _ = ExecutionMessages.TryParseQuery(bytes, out _),
            () => ExecutionMessages.ParseRequestAnswer(bytes),
            () => ExecutionMessages.ParseQueueAnswer(bytes),
            () => ExecutionMessages.ParseOutputAnswer(bytes),
            () => ExecutionMessages.ParseResponseAnswer(bytes),
        })
        {
            try
            {
                parse();
            }
            catch (ExecutionMessageException)
            {
            }
        }
        return true;
    }
}

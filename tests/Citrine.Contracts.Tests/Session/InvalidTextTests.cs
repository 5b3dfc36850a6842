using System.Text;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Tests.Session;

/// <summary>
/// Strings and member names that are not Unicode (invalid UTF-8, an escaped lone surrogate) pass
/// JsonDocument.Parse and used to escape the session parsers as InvalidOperationException when
/// read (found by the session fuzz targets). Every parser now refuses them with its own error.
/// </summary>
public sealed class InvalidTextTests
{
    private static byte[] Bytes(string ascii, params (int At, byte Value)[] raw)
    {
        var bytes = Encoding.ASCII.GetBytes(ascii);
        foreach (var (at, value) in raw)
        {
            bytes[at] = value;
        }
        return bytes;
    }

    public static TheoryData<byte[]> Configs => new()
    {
        Encoding.ASCII.GetBytes("{\"version\":1,\"\\ud800\":0}"),
        Bytes("{\"?\":0}", (2, 0xFF)),
        Encoding.ASCII.GetBytes("{\"version\":1,\"measurements\":[{\"mock\":{\"measurement\":\"\\udc00\"}}]}"),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Config_parsing_refuses_text_that_is_not_unicode(byte[] input)
    {
        Assert.False(SessionConfig.TryParse(input, out var config, out var error));
        Assert.Null(config);
        Assert.Contains("not valid Unicode", error, StringComparison.Ordinal);
        var e = Assert.Throws<SessionConfigException>(() => SessionConfig.Parse(input));
        Assert.Contains("not valid Unicode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Measurement_parsing_refuses_a_lone_surrogate() =>
        Assert.Throws<SessionConfigException>(() => Measurement.ParseJson(Encoding.ASCII.GetBytes("{\"mock\":{\"measurement\":\"\\ud800\"}}")));

    [Fact]
    public void Execute_and_query_parsing_refuse_instead_of_crashing()
    {
        Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseQuery(Encoding.ASCII.GetBytes("{\"\\ud800\":{}}"), out _));
        Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseQuery(Bytes("{\"?\":{}}", (2, 0xC1)), out _));
        Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseExecute(Encoding.ASCII.GetBytes("{\"session_create\":{\"nonce\":\"\\ud800\",\"quote\":\"AA==\"}}"), out _));
        Assert.Throws<SessionMessageException>(() => SessionMessages.TryParseExecute(Bytes("{\"i?pn\":{\"x\":1}}", (3, 0xDF)), out _));
    }

    [Fact]
    public void Instantiate_and_answer_parsing_refuse_instead_of_crashing()
    {
        Assert.Throws<SessionMessageException>(() => SessionMessages.ParseInstantiate(Bytes("{\"config\":\"AA==\",\"quote\":\"AA==\",\"app\":\"?\"}", (39, 0xFF))));
        Assert.Throws<SessionMessageException>(() => SessionMessages.ParseConfigAnswer(Encoding.ASCII.GetBytes("{\"config\":\"\\ud800\",\"measurements\":[]}")));
        Assert.Throws<SessionMessageException>(() => SessionMessages.ParseHistoryAnswer(Bytes("{\"?\":[]}", (2, 0xFF))));
        Assert.Throws<SessionMessageException>(() => SessionMessages.ParseSessionAnswer(Encoding.ASCII.GetBytes("{\"\\ud800\":null}")));
    }
}

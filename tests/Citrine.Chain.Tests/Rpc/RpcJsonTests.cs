using Citrine.Chain.Rpc;

namespace Citrine.Chain.Tests.Rpc;

public sealed class RpcJsonTests
{
    [Fact]
    public void Base64_plus_and_utf8_text_are_written_literally_as_CometBft_writes_them()
    {
        using var stream = new MemoryStream();
        using (var w = RpcJson.CreateWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("value", Convert.ToBase64String([0xFB, 0xEF]));
            w.WriteString("memo", "grüße \"quoted\"");
            w.WriteEndObject();
        }
        Assert.Equal("{\"value\":\"++8=\",\"memo\":\"grüße \\\"quoted\\\"\"}", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}

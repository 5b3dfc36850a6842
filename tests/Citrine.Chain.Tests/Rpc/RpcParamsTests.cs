using System.Net;
using System.Text.Json;
using Citrine.Chain.Rpc;

namespace Citrine.Chain.Tests.Rpc;

public class RpcParamsTests
{
    [Fact]
    public void A_string_parameter_that_is_not_utf8_is_invalid_params()
    {
        byte[] json = [.. "{\"path\":\""u8, 0xE8, .. "\"}"u8];
        using var document = JsonDocument.Parse(json);
        var e = Assert.Throws<RpcException>(() => RpcParams.FromJson(document.RootElement));
        Assert.Equal(RpcException.InvalidParams, e.Code);
    }

    [Fact]
    public async Task A_request_with_a_non_utf8_parameter_gets_a_json_rpc_error_over_http()
    {
        using var chain = new TestChain();
        await using var server = await RpcServer.StartAsync(chain.Node, "127.0.0.1:0", 64 * 1024);
        using var http = new HttpClient { BaseAddress = server.Address };
        byte[] body = [.. "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tx_search\",\"params\":{\"query\":\""u8, 0xE8, .. "\"}}"u8];
        using var response = await http.PostAsync("", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(RpcException.InvalidParams, doc.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }
}

using System.Net.WebSockets;
using System.Text.Json;
using Citrine.Chain.Rpc;

namespace Citrine.Chain.Tests.Rpc;

/// <summary>A node with its RPC server on loopback and one connected WebSocket client.</summary>
public abstract class WebSocketTestBase : IAsyncLifetime, IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private RpcServer? _server;

    private protected TestChain Chain { get; } = new();

    public async Task InitializeAsync()
    {
        _server = await RpcServer.StartAsync(Chain.Node, "127.0.0.1:0", 64 * 1024);
        await _socket.ConnectAsync(new Uri($"ws://{_server.Address.Authority}/websocket"), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    public void Dispose()
    {
        _socket.Dispose();
        Chain.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task Send(string json) => SendText(_socket, json);

    /// <summary>The next whole message (however many frames), within 10 s.</summary>
    protected Task<JsonElement> Receive() => ReceiveJson(_socket, TimeSpan.FromSeconds(10));

    internal static async Task SendText(ClientWebSocket socket, string json) =>
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next whole message on <paramref name="socket"/> (however many frames) as JSON.</summary>
    internal static async Task<JsonElement> ReceiveJson(ClientWebSocket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[1 << 20];
        var total = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(total), timeout.Token);
            total += result.Count;
        }
        while (!result.EndOfMessage);
        using var doc = JsonDocument.Parse(buffer.AsMemory(0, total));
        return doc.RootElement.Clone();
    }
}

public sealed class WebSocketTests : WebSocketTestBase
{
    [Fact]
    public async Task Subscribe_to_tx_events_by_attribute_and_to_new_blocks()
    {
        var recipient = Chain.Genesis.Bech32(Chain.Address(2));
        await Send($$$"""{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"query":"tm.event='Tx' AND transfer.recipient='{{{recipient}}}'"}}""");
        Assert.Equal(1, (await Receive()).GetProperty("id").GetInt32());
        await Send("""{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"query":"tm.event='NewBlock'"}}""");
        Assert.Equal(2, (await Receive()).GetProperty("id").GetInt32());
        Assert.True(Chain.Node.SubmitTx(Chain.Send(0, 1, 5, 0)).Result.IsOk); // not matching
        Assert.True(Chain.Node.SubmitTx(Chain.Send(0, 2, 7, 1)).Result.IsOk); // matching
        Chain.Produce();
        var first = await Receive();
        Assert.Equal("tendermint/event/NewBlock", first.GetProperty("result").GetProperty("data").GetProperty("type").GetString());
        Assert.Equal("1", first.GetProperty("result").GetProperty("data").GetProperty("value").GetProperty("block").GetProperty("header").GetProperty("height").GetString());
        var tx = await Receive();
        Assert.Equal(1, tx.GetProperty("id").GetInt32());
        var value = tx.GetProperty("result").GetProperty("data").GetProperty("value").GetProperty("TxResult");
        Assert.Equal(1, value.GetProperty("index").GetInt32());
        var events = tx.GetProperty("result").GetProperty("events");
        Assert.Equal(recipient, events.GetProperty("transfer.recipient")[0].GetString());
        Assert.Equal("Tx", events.GetProperty("tm.event")[0].GetString());
        Assert.Equal("1", events.GetProperty("tx.height")[0].GetString());
        Assert.Equal(Convert.ToHexString(Citrine.Chain.Txs.Tx.HashOf(Chain.Send(0, 2, 7, 1))), events.GetProperty("tx.hash")[0].GetString());
        Assert.Equal("/citrine.bank.MsgSend", events.GetProperty("message.action")[0].GetString());
    }

    [Fact]
    public async Task Bad_query_and_unknown_unsubscribe_get_errors_and_other_methods_work()
    {
        await Send("""{"jsonrpc":"2.0","id":3,"method":"subscribe","params":{"query":"tm.event=='Tx'"}}""");
        var bad = (await Receive()).GetProperty("error");
        // rpc/core/events.go Subscribe: fmt.Errorf("failed to parse query: %w", err), an internal error.
        Assert.Equal(RpcException.InternalError, bad.GetProperty("code").GetInt32());
        Assert.Equal("failed to parse query: offset 9: got = operator, wanted number, timestamp, datestamp or string", bad.GetProperty("data").GetString());
        await Send("""{"jsonrpc":"2.0","id":4,"method":"unsubscribe","params":{"query":"tm.event='Tx'"}}""");
        Assert.Equal(RpcException.InternalError, (await Receive()).GetProperty("error").GetProperty("code").GetInt32());
        await Send("{garbage");
        Assert.Equal(RpcException.ParseError, (await Receive()).GetProperty("error").GetProperty("code").GetInt32());
        var longQuery = "a.b='" + new string('x', 510) + "'";
        await Send($$$"""{"jsonrpc":"2.0","id":6,"method":"subscribe","params":{"query":"{{{longQuery}}}"}}""");
        Assert.Equal("maximum query length exceeded", (await Receive()).GetProperty("error").GetProperty("data").GetString());
        await Send("""{"jsonrpc":"2.0","id":5,"method":"health","params":{}}""");
        Assert.Equal(5, (await Receive()).GetProperty("id").GetInt32());
    }
}

public sealed class WebSocketLimitTests : WebSocketTestBase
{
    private async Task<JsonElement> Call(string query, int id)
    {
        await Send(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "subscribe", @params = new { query } }));
        return await Receive();
    }

    [Fact]
    public async Task A_sixth_subscription_is_refused()
    {
        for (var i = 0; i < WebSocketSession.MaxSubscriptions; i++)
        {
            Assert.False((await Call($"tx.height > {i}", i)).TryGetProperty("error", out _));
        }
        var sixth = (await Call("tx.height > 99", 9)).GetProperty("error");
        Assert.Equal("max_subscriptions_per_client 5 reached", sixth.GetProperty("data").GetString());
    }

    [Fact]
    public async Task New_block_header_events_carry_the_header()
    {
        Assert.False((await Call("tm.event = 'NewBlockHeader'", 1)).TryGetProperty("error", out _));
        Chain.Produce();
        var message = await Receive();
        var data = message.GetProperty("result").GetProperty("data");
        Assert.Equal("tendermint/event/NewBlockHeader", data.GetProperty("type").GetString());
        Assert.Equal("1", data.GetProperty("value").GetProperty("header").GetProperty("height").GetString());
    }

    [Fact]
    public async Task A_repeated_subscription_is_refused()
    {
        Assert.False((await Call("tm.event = 'NewBlock'", 1)).TryGetProperty("error", out _));
        Assert.Equal("already subscribed", (await Call("tm.event = 'NewBlock'", 2)).GetProperty("error").GetProperty("data").GetString());
    }

    [Fact]
    public async Task Subscriptions_with_number_conditions_receive_only_matching_blocks()
    {
        Assert.False((await Call("tm.event = 'NewBlock' AND block.height >= 2", 1)).TryGetProperty("error", out _));
        Chain.Produce(2);
        var message = await Receive();
        Assert.Equal("2", message.GetProperty("result").GetProperty("data").GetProperty("value").GetProperty("block").GetProperty("header").GetProperty("height").GetString());
    }
}

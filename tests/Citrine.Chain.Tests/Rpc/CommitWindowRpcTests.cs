using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Citrine.Chain.Contracts;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;
using Citrine.Chain.Tests.Contracts;
using Citrine.Chain.Tests.Node;
using Citrine.Chain.Txs;

namespace Citrine.Chain.Tests.Rpc;

/// <summary>
/// The node held between storing block 2 and publishing it: every RPC method that shows a height
/// answers exactly as it did at height 1, and no NewBlock event for 2 goes out.
/// </summary>
public sealed class CommitWindowRpcTests : IAsyncLifetime, IDisposable
{
    private readonly TestChain _chain;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ClientWebSocket _socket = new();
    private RpcServer? _server;
    private byte[] _contract = [];

    public CommitWindowRpcTests()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("counter", new byte[32], () => new CounterContract()));
        _chain = new TestChain(validators: 2, contracts: host);
    }

    public async Task InitializeAsync()
    {
        _server = await RpcServer.StartAsync(_chain.Node, "127.0.0.1:0", 64 * 1024);
        _http.BaseAddress = _server.Address;
        await _socket.ConnectAsync(new Uri($"ws://{_server.Address.Authority}/websocket"), CancellationToken.None);
        var instantiate = Tx.Create([new MsgInstantiate(_chain.Address(0), "counter", "5"u8.ToArray(), 0, "c")], "", _chain.AccountKeys[0], 0, 1_000_000, "citrine-test", 0);
        Assert.True(_chain.Node.SubmitTx(instantiate.Encode()).Result.IsOk);
        _chain.Produce();
        _contract = _chain.Node.GetResults(1)!.TxResults[0].Data;
        Assert.Equal(20, _contract.Length);
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    public void Dispose()
    {
        _socket.Dispose();
        _http.Dispose();
        _chain.Dispose();
    }

    private async Task<string> Call(string method, object? parameters = null)
    {
        using var response = await _http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters ?? new { } });
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Every method whose answer depends on the visible height, with the parameters that reach the next one.</summary>
    private async Task<Dictionary<string, string>> HeightViews(byte[] pendingTx)
    {
        var recipient = _chain.Genesis.Bech32(_chain.Address(2));
        var calls = new (string Name, string Method, object? Params)[]
        {
            ("status", "status", null),
            ("abci_info", "abci_info", null),
            ("block", "block", null),
            ("block 2", "block", new { height = "2" }),
            ("header", "header", null),
            ("header 2", "header", new { height = "2" }),
            ("commit", "commit", null),
            ("commit 2", "commit", new { height = "2" }),
            ("block_results", "block_results", null),
            ("block_results 2", "block_results", new { height = "2" }),
            ("blockchain", "blockchain", null),
            ("validators", "validators", null),
            ("validators 3", "validators", new { height = "3" }),
            ("consensus_params", "consensus_params", null),
            ("abci_query latest", "abci_query", new { path = "/store/bank/key", data = Convert.ToHexString(_chain.Address(2)), prove = true }),
            ("abci_query 2", "abci_query", new { path = "/store/bank/key", data = Convert.ToHexString(_chain.Address(2)), height = "2" }),
            ("contract query", "abci_query", new { path = "/wasm/smart/" + Convert.ToHexString(_contract), data = "" }),
            ("tx", "tx", new { hash = Convert.ToBase64String(Tx.HashOf(pendingTx)) }),
            ("tx_search", "tx_search", new { query = $"transfer.recipient = '{recipient}'" }),
            ("tx_search height", "tx_search", new { query = "tx.height >= 1" }),
            ("block_search", "block_search", new { query = "block.height >= 1" }),
        };
        var views = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, method, parameters) in calls)
        {
            views[name] = await Call(method, parameters);
        }
        return views;
    }

    private Task SendSocket(string json) => WebSocketTestBase.SendText(_socket, json);

    private Task<JsonElement> ReceiveSocket() => WebSocketTestBase.ReceiveJson(_socket, TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData(CommitPhase.BlockSaved)]
    [InlineData(CommitPhase.StateCommitted)]
    public async Task Every_rpc_method_shows_height_1_until_block_2_is_committed(CommitPhase phase)
    {
        await SendSocket("""{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"query":"tm.event='NewBlock'"}}""");
        Assert.Equal(1, (await ReceiveSocket()).GetProperty("id").GetInt32());
        var tx = _chain.Send(1, 2, 33, 0, accountNumber: 1);
        Assert.True(_chain.Node.SubmitTx(tx).Result.IsOk);
        var before = await HeightViews(tx);
        Assert.Contains("\"latest_block_height\":\"1\"", before["status"], StringComparison.Ordinal);
        Assert.Contains("must be less than or equal to the current blockchain height 1", before["block 2"], StringComparison.Ordinal);
        Assert.Contains("not committed yet", before["abci_query 2"], StringComparison.Ordinal);
        Assert.Contains("not found", before["tx"], StringComparison.Ordinal);

        using var hold = new HoldingBarrier(phase, 2);
        _chain.Node.CommitBarrier = hold;
        _chain.Clock.Advance(TimeSpan.FromMilliseconds(500));
        var producing = Task.Run(_chain.Node.ProduceBlock);
        await hold.Held;
        var during = await HeightViews(tx);
        foreach (var (name, answer) in before)
        {
            Assert.True(answer == during[name], $"{name} changed while block 2 was not committed:\nbefore {answer}\nduring {during[name]}");
        }
        // A request answered now comes back before any NewBlock event for 2: none was sent.
        await SendSocket("""{"jsonrpc":"2.0","id":99,"method":"status","params":{}}""");
        var reply = await ReceiveSocket();
        Assert.Equal(99, reply.GetProperty("id").GetInt32());
        Assert.Equal("1", reply.GetProperty("result").GetProperty("sync_info").GetProperty("latest_block_height").GetString());

        hold.Release();
        await producing;
        var after = await HeightViews(tx);
        Assert.Contains("\"latest_block_height\":\"2\"", after["status"], StringComparison.Ordinal);
        Assert.Contains("\"height\":\"2\"", after["tx"], StringComparison.Ordinal);
        Assert.Contains("\"total_count\":\"1\"", after["tx_search"], StringComparison.Ordinal);
        var newBlock = await ReceiveSocket();
        Assert.Equal("2", newBlock.GetProperty("result").GetProperty("data").GetProperty("value").GetProperty("block").GetProperty("header").GetProperty("height").GetString());
    }

    [Fact]
    public async Task Header_returns_the_header_of_the_height()
    {
        _chain.Produce();
        using var doc = JsonDocument.Parse(await Call("header", new { height = "2" }));
        var header = CometBft.Json.CometJson.ReadHeader(doc.RootElement.GetProperty("result").GetProperty("header"));
        Assert.Equal(_chain.Node.GetBlock(2)!.Block.Header.Hash(), header.Hash());
    }
}

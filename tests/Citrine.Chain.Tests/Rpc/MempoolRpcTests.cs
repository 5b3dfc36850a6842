using System.Net.Http.Json;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Rpc;

namespace Citrine.Chain.Tests.Rpc;

/// <summary>unconfirmed_txs, num_unconfirmed_txs, check_tx and consensus_params (rpc/core/mempool.go, consensus.go).</summary>
public sealed class MempoolRpcTests : IAsyncLifetime, IDisposable
{
    private readonly TestChain _chain = new(validators: 1);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RpcServer? _server;
    private byte[] _first = [];
    private byte[] _second = [];

    public async Task InitializeAsync()
    {
        _server = await RpcServer.StartAsync(_chain.Node, "127.0.0.1:0", 64 * 1024);
        _http.BaseAddress = _server.Address;
        _chain.Produce();
        _first = _chain.Send(0, 1, 5, 0);
        _second = _chain.Send(0, 2, 6, 1);
        Assert.True(_chain.Node.SubmitTx(_first).Result.IsOk);
        Assert.True(_chain.Node.SubmitTx(_second).Result.IsOk);
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _chain.Dispose();
    }

    private async Task<JsonElement> Call(string method, object parameters)
    {
        using var response = await _http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Num_unconfirmed_txs_counts_the_mempool_without_listing_it()
    {
        var result = (await Call("num_unconfirmed_txs", new { })).GetProperty("result");
        Assert.Equal("2", result.GetProperty("n_txs").GetString());
        Assert.Equal("2", result.GetProperty("total").GetString());
        Assert.Equal((_first.Length + _second.Length).ToString(System.Globalization.CultureInfo.InvariantCulture), result.GetProperty("total_bytes").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("txs").ValueKind);
    }

    [Fact]
    public async Task Unconfirmed_txs_lists_up_to_the_limit_in_reap_order()
    {
        var result = (await Call("unconfirmed_txs", new { limit = "1" })).GetProperty("result");
        Assert.Equal("1", result.GetProperty("n_txs").GetString());
        Assert.Equal("2", result.GetProperty("total").GetString());
        Assert.Equal([Convert.ToBase64String(_first)], result.GetProperty("txs").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Check_tx_runs_the_app_check_without_adding_to_the_mempool()
    {
        var ok = (await Call("check_tx", new { tx = Convert.ToBase64String(_chain.Send(1, 2, 1, 0)) })).GetProperty("result");
        Assert.Equal(0u, ok.GetProperty("code").GetUInt32());
        Assert.Equal(2, _chain.Node.MempoolSize);
        var garbage = (await Call("check_tx", new { tx = Convert.ToBase64String([0xFF, 0xFF]) })).GetProperty("result");
        Assert.Equal(TxCodes.TxDecode, garbage.GetProperty("code").GetUInt32());
        var replay = (await Call("check_tx", new { tx = Convert.ToBase64String(_chain.Send(1, 2, 1, 5)) })).GetProperty("result");
        Assert.NotEqual(0u, replay.GetProperty("code").GetUInt32());
    }

    [Fact]
    public async Task Check_tx_refuses_an_oversized_tx()
    {
        var big = new byte[_chain.Node.Config.MaxTxBytes + 1];
        var result = await Call("check_tx", new { tx = Convert.ToBase64String(big) });
        // The request may exceed the server's body limit first; either way it is refused, never run.
        if (result.TryGetProperty("result", out var r))
        {
            Assert.Equal(TxCodes.TxTooLarge, r.GetProperty("code").GetUInt32());
        }
        else
        {
            Assert.True(result.TryGetProperty("error", out _));
        }
    }

    [Fact]
    public async Task Consensus_params_answers_up_to_the_next_height()
    {
        var latest = (await Call("consensus_params", new { })).GetProperty("result");
        Assert.Equal("2", latest.GetProperty("block_height").GetString());
        Assert.Equal(_chain.Genesis.ConsensusParams.BlockMaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            latest.GetProperty("consensus_params").GetProperty("block").GetProperty("max_bytes").GetString());
        Assert.Equal("1", (await Call("consensus_params", new { height = "1" })).GetProperty("result").GetProperty("block_height").GetString());
    }

    [Theory]
    [InlineData("0", "height must be greater than 0, but got 0")]
    [InlineData("-3", "height must be greater than 0, but got -3")]
    [InlineData("3", "height 3 must be less than or equal to the current blockchain height 2")]
    public async Task Consensus_params_rejects_each_bad_height(string height, string data)
    {
        var error = (await Call("consensus_params", new { height })).GetProperty("error");
        Assert.Equal(RpcException.InternalError, error.GetProperty("code").GetInt32());
        Assert.Equal(data, error.GetProperty("data").GetString());
    }
}

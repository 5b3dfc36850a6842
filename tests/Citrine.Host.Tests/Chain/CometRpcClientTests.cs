using Citrine.Host.Chain;

namespace Citrine.Host.Tests.Chain;

public sealed class CometRpcClientTests
{
    [Fact]
    public async Task Status_reports_the_nodes_chain_and_latest_height()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(3);
        var status = await devnet.Client.StatusAsync();
        Assert.Equal(devnet.ChainId, status.Network);
        Assert.Equal(3, status.LatestBlockHeight);
        Assert.Equal(devnet.Block(3).Header.Hash(), status.LatestBlockHash);
    }

    [Fact]
    public async Task Abci_query_with_prove_returns_value_and_two_ops_at_the_requested_height()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(2);
        devnet.Submit(devnet.SendTx(0, 1, 7, 0));
        devnet.Produce(2);
        var before = await devnet.Client.AbciQueryAsync("/store/bank/key", devnet.Address(1), 1, prove: true);
        var after = await devnet.Client.AbciQueryAsync("/store/bank/key", devnet.Address(1), 3, prove: true);
        Assert.True(before.IsOk);
        Assert.Equal(1, before.Height);
        Assert.Equal(3, after.Height);
        Assert.NotEqual(before.Value, after.Value);
        Assert.Equal(["ics23:iavl", "ics23:simple"], after.ProofOps.Select(o => o.Type));
        Assert.Equal(devnet.Address(1), after.ProofOps[0].Key.ToArray());
        Assert.Equal("bank"u8.ToArray(), after.ProofOps[1].Key.ToArray());
    }

    [Fact]
    public async Task Abci_query_of_an_absent_key_has_a_null_value()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(2);
        var answer = await devnet.Client.AbciQueryAsync("/store/bank/key", new byte[20], 0, prove: false);
        Assert.True(answer.IsOk);
        Assert.Null(answer.Value);
    }

    [Fact]
    public async Task Abci_query_above_the_latest_height_comes_back_with_the_nodes_code()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(2);
        var answer = await devnet.Client.AbciQueryAsync("/store/bank/key", devnet.Address(0), 9, prove: true);
        Assert.Equal(26u, answer.Code);
        Assert.Contains("not committed yet", answer.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Light_block_matches_the_nodes_and_an_unproduced_height_is_not_found()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(3);
        var block = await devnet.Client.LightBlockAsync(2);
        Assert.Equal(devnet.Block(2).Header.Hash(), block.Header.Hash());
        var e = await Assert.ThrowsAsync<ChainClientException>(() => devnet.Client.LightBlockAsync(7));
        Assert.Equal(ChainErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Tx_by_hash_returns_the_committed_result_and_null_for_an_unknown_hash()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce();
        var tx = devnet.SendTx(0, 2, 9, 0);
        devnet.Submit(tx);
        devnet.Produce();
        var committed = await devnet.Client.TxAsync(Citrine.Chain.Txs.Tx.HashOf(tx));
        Assert.NotNull(committed);
        Assert.Equal(2, committed.Height);
        Assert.True(committed.IsOk);
        Assert.Contains(committed.Events, e => e.Type == "transfer");
        Assert.Null(await devnet.Client.TxAsync(new byte[32]));
    }

    [Fact]
    public async Task Tx_search_finds_txs_by_event_in_height_order()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Submit(devnet.SendTx(0, 2, 1, 0));
        devnet.Produce();
        devnet.Submit(devnet.SendTx(0, 2, 2, 1));
        devnet.Produce();
        var page = await devnet.Client.TxSearchAsync($"transfer.recipient='{devnet.Genesis.Bech32(devnet.Address(2))}' AND tx.height >= 1", 1, 100);
        Assert.Equal(2, page.TotalCount);
        Assert.Equal([1L, 2L], page.Txs.Select(t => t.Height));
    }

    [Theory]
    [InlineData(200, "not json", ChainErrorKind.BadResponse)]
    [InlineData(200, "{\"jsonrpc\":\"2.0\",\"id\":1}", ChainErrorKind.BadResponse)]
    [InlineData(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"response\":{\"code\":0,\"height\":\"x\"}}}", ChainErrorKind.BadResponse)]
    [InlineData(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"response\":{\"code\":0,\"value\":\"%%%\"}}}", ChainErrorKind.BadResponse)]
    [InlineData(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"response\":{\"proofOps\":{\"ops\":[{\"key\":\"AA==\"}]}}}}", ChainErrorKind.BadResponse)]
    [InlineData(200, "[1,2]", ChainErrorKind.BadResponse)]
    [InlineData(404, "", ChainErrorKind.BadResponse)]
    [InlineData(503, "", ChainErrorKind.Unreachable)]
    [InlineData(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"Method not found\",\"data\":\"\"}}", ChainErrorKind.Refused)]
    public async Task Bad_answers_become_typed_errors(int status, string body, ChainErrorKind kind)
    {
        using var server = new FakeHttpServer(status, body);
        using var http = new HttpClient();
        var client = new CometRpcClient(server.Uri, http, new ChainClientOptions { Retries = 1, RetryDelay = TimeSpan.Zero });
        var e = await Assert.ThrowsAsync<ChainClientException>(() => client.AbciQueryAsync("/store/bank/key", new byte[20], 0, prove: true));
        Assert.Equal(kind, e.Kind);
        Assert.Equal("abci_query", e.Method);
        // Only transport failures are retried.
        Assert.Equal(kind == ChainErrorKind.Unreachable ? 2 : 1, server.Requests);
    }

    [Fact]
    public async Task Status_from_a_malformed_answer_is_a_bad_response()
    {
        using var server = new FakeHttpServer(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"node_info\":{}}}");
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<ChainClientException>(() => new CometRpcClient(server.Uri, http).StatusAsync());
        Assert.Equal(ChainErrorKind.BadResponse, e.Kind);
    }

    [Fact]
    public async Task Light_block_from_a_malformed_answer_is_a_bad_response()
    {
        using var server = new FakeHttpServer(200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"signed_header\":{\"header\":{}}}}");
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<ChainClientException>(() => new CometRpcClient(server.Uri, http).LightBlockAsync(3));
        Assert.Equal(ChainErrorKind.BadResponse, e.Kind);
    }

    [Fact]
    public async Task A_closed_port_is_unreachable()
    {
        using var http = new HttpClient();
        var client = new CometRpcClient(new Uri($"http://127.0.0.1:{FakeHttpServer.ClosedPort()}"), http, new ChainClientOptions { Retries = 1, RetryDelay = TimeSpan.Zero });
        var e = await Assert.ThrowsAsync<ChainClientException>(() => client.StatusAsync());
        Assert.Equal(ChainErrorKind.Unreachable, e.Kind);
    }
}

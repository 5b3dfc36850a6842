using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Citrine.Chain.Rpc;
using Citrine.CometBft.Encoding;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Rpc;

/// <summary>tx, tx_search and block_search over HTTP, checked against rpc/core/tx.go and blocks.go of CometBFT 0.38.</summary>
public sealed class SearchRpcTests : IAsyncLifetime, IDisposable
{
    private readonly TestChain _chain = new(validators: 1);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RpcServer? _server;
    private string _bob = "";

    public async Task InitializeAsync()
    {
        _server = await RpcServer.StartAsync(_chain.Node, "127.0.0.1:0", 64 * 1024);
        _http.BaseAddress = _server.Address;
        _bob = _chain.Genesis.Bech32(_chain.Address(1));
        // Height 1: two sends to bob; height 2: one to account 2; height 3: one to bob.
        Submit(_chain.Send(0, 1, 5, 0));
        Submit(_chain.Send(0, 1, 6, 1));
        _chain.Produce();
        Submit(_chain.Send(0, 2, 7, 2));
        _chain.Produce();
        Submit(_chain.Send(0, 1, 8, 3));
        _chain.Produce();
    }

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _chain.Dispose();
    }

    private void Submit(byte[] tx) => Assert.True(_chain.Node.SubmitTx(tx).Result.IsOk);

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string method, object parameters)
    {
        using var response = await _http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private async Task<JsonElement> Result(string method, object parameters)
    {
        var (status, body) = await Post(method, parameters);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.TryGetProperty("error", out var error), error.ToString());
        return body.GetProperty("result");
    }

    private async Task<(int Code, string Data)> Error(string method, object parameters)
    {
        var (status, body) = await Post(method, parameters);
        Assert.Equal(HttpStatusCode.OK, status); // CometBFT answers method errors to a POST with HTTP 200
        var error = body.GetProperty("error");
        return (error.GetProperty("code").GetInt32(), error.GetProperty("data").GetString()!);
    }

    private static List<string> Heights(JsonElement result, string array = "txs") =>
        [.. result.GetProperty(array).EnumerateArray().Select(t => array == "txs"
            ? t.GetProperty("height").GetString() + "/" + t.GetProperty("index").GetInt32()
            : t.GetProperty("block").GetProperty("header").GetProperty("height").GetString()!)];

    [Fact]
    public async Task Tx_search_finds_txs_by_event_with_results_and_total_count()
    {
        var result = await Result("tx_search", new { query = $"transfer.recipient='{_bob}'" });
        Assert.Equal("3", result.GetProperty("total_count").GetString());
        Assert.Equal(["1/0", "1/1", "3/0"], Heights(result));
        var first = result.GetProperty("txs")[0];
        var tx = Convert.FromBase64String(first.GetProperty("tx").GetString()!);
        Assert.Equal(_chain.Send(0, 1, 5, 0), tx);
        Assert.Equal(Convert.ToHexString(Txs.Tx.HashOf(tx)), first.GetProperty("hash").GetString());
        Assert.Equal(0, first.GetProperty("tx_result").GetProperty("code").GetInt32());
        Assert.False(first.TryGetProperty("proof", out _)); // omitempty of a zero TxProof
    }

    [Fact]
    public async Task Tx_search_by_height_range_order_and_pages()
    {
        Assert.Equal(["1/0", "1/1", "2/0"], Heights(await Result("tx_search", new { query = "tx.height <= 2" })));
        Assert.Equal(["3/0", "2/0", "1/1", "1/0"], Heights(await Result("tx_search", new { query = "tx.height >= 1", order_by = "desc" })));
        Assert.Equal(["1/0", "1/1", "2/0", "3/0"], Heights(await Result("tx_search", new { query = "tx.height >= 1", order_by = "asc" })));
        var page2 = await Result("tx_search", new { query = "tx.height >= 1", page = "2", per_page = "3" });
        Assert.Equal(["3/0"], Heights(page2));
        Assert.Equal("4", page2.GetProperty("total_count").GetString());
        // per_page below 1 means the default (30).
        Assert.Equal(4, Heights(await Result("tx_search", new { query = "tx.height >= 1", per_page = "0" })).Count);
        // No results is one empty page.
        Assert.Empty(Heights(await Result("tx_search", new { query = "tx.height > 100", page = "1" })));
    }

    [Fact]
    public async Task Tx_search_and_tx_prove_return_a_merkle_proof_to_the_data_hash()
    {
        var result = await Result("tx_search", new { query = "tx.height = 1", prove = true });
        var header = _chain.Node.GetBlock(1)!.Block.Header;
        foreach (var (tx, i) in result.GetProperty("txs").EnumerateArray().Select((t, i) => (t, i)))
        {
            var proof = tx.GetProperty("proof");
            Assert.Equal(Convert.ToHexString(header.DataHash), proof.GetProperty("root_hash").GetString());
            Assert.Equal(tx.GetProperty("tx").GetString(), proof.GetProperty("data").GetString());
            Assert.Equal("2", proof.GetProperty("proof").GetProperty("total").GetString());
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), proof.GetProperty("proof").GetProperty("index").GetString());
            Assert.True(ProofVerifies(proof, header.DataHash));
        }
        var hash = Txs.Tx.HashOf(_chain.Send(0, 1, 8, 3));
        var single = await Result("tx", new { hash = Convert.ToBase64String(hash), prove = true });
        Assert.True(ProofVerifies(single.GetProperty("proof"), _chain.Node.GetBlock(3)!.Block.Header.DataHash));
        Assert.Equal(0, single.GetProperty("proof").GetProperty("proof").GetProperty("aunts").GetArrayLength());
    }

    [Fact]
    public async Task Tx_search_by_hash_and_over_uri_get()
    {
        var hash = Convert.ToHexString(Txs.Tx.HashOf(_chain.Send(0, 2, 7, 2)));
        Assert.Equal(["2/0"], Heights(await Result("tx_search", new { query = $"tx.hash='{hash}'" })));
        using var response = await _http.GetAsync($"tx_search?query=%22transfer.recipient%3D%27{_bob}%27%22&per_page=2&page=2");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["3/0"], Heights(doc.RootElement.GetProperty("result")));
    }

    // One test per check of TxSearch, in CometBFT's order; each gives CometBFT's text as error data.
    [Theory]
    [InlineData("{}", "offset 0: EOF")]
    [InlineData("""{"query":"tm.event=='Tx'"}""", "offset 9: got = operator, wanted number, timestamp, datestamp or string")]
    [InlineData("""{"query":"tx.hash='xyz'"}""", "error during searching for a hash in the query: encoding/hex: invalid byte: U+0078 'x'")]
    [InlineData("""{"query":"tx.height>0","order_by":"up"}""", "expected order_by to be either `asc` or `desc` or empty")]
    [InlineData("""{"query":"tx.height>0","page":"0"}""", "page should be within [1, 1] range, given 0")]
    [InlineData("""{"query":"tx.height>0","page":"2","per_page":"4"}""", "page should be within [1, 1] range, given 2")]
    [InlineData("""{"query":"tx.height>0","page":"-1"}""", "page should be within [1, 1] range, given -1")]
    [InlineData("""{"query":"tx.height>100","page":"2"}""", "page should be within [1, 1] range, given 2")]
    public async Task Tx_search_rejects_each_bad_parameter_with_CometBfts_internal_error(string parameters, string data)
    {
        using var doc = JsonDocument.Parse(parameters);
        Assert.Equal((RpcException.InternalError, data), await Error("tx_search", doc.RootElement));
    }

    [Fact]
    public async Task Tx_search_refuses_a_query_longer_than_512()
    {
        var query = "a.b='" + new string('x', 510) + "'";
        Assert.Equal((RpcException.InternalError, "maximum query length exceeded"), await Error("tx_search", new { query }));
    }

    [Theory]
    [InlineData("""{"query":"tx.height>0","page":"x"}""")]
    [InlineData("""{"query":"tx.height>0","per_page":"1.5"}""")]
    [InlineData("""{"query":"tx.height>0","prove":"yes"}""")]
    [InlineData("""{"query":"tm.event=='bad'","page":"x"}""")] // conversion comes before the query parse
    public async Task Tx_search_parameters_of_the_wrong_type_are_invalid_params(string parameters)
    {
        using var doc = JsonDocument.Parse(parameters);
        Assert.Equal(RpcException.InvalidParams, (await Error("tx_search", doc.RootElement)).Code);
    }

    [Fact]
    public async Task Tx_without_a_hash_and_an_unknown_hash_fail_as_in_CometBft()
    {
        Assert.Equal((RpcException.InternalError, "transaction hash cannot be empty"), await Error("tx", new { }));
        Assert.Equal((RpcException.InternalError, $"tx ({new string('A', 64)}) not found"), await Error("tx", new { hash = Convert.ToBase64String(Enumerable.Repeat((byte)0xAA, 32).ToArray()) }));
    }

    [Fact]
    public async Task Block_search_is_newest_first_by_default_and_pages()
    {
        Assert.Equal(["3", "2", "1"], Heights(await Result("block_search", new { query = "block.height >= 1" }), "blocks"));
        Assert.Equal(["1", "2"], Heights(await Result("block_search", new { query = "block.height < 3", order_by = "asc" }), "blocks"));
        var one = await Result("block_search", new { query = "block.height = 2" });
        Assert.Equal("1", one.GetProperty("total_count").GetString());
        Assert.Equal(Convert.ToHexString(_chain.Node.GetBlock(2)!.Block.BlockId.Hash), one.GetProperty("blocks")[0].GetProperty("block_id").GetProperty("hash").GetString());
        Assert.Equal(["1"], Heights(await Result("block_search", new { query = "block.height >= 1", page = "3", per_page = "1" }), "blocks"));
    }

    [Theory]
    [InlineData("{}", "offset 0: EOF")]
    [InlineData("""{"query":"block.height>0","order_by":"newest"}""", "expected order_by to be either `asc` or `desc` or empty")]
    [InlineData("""{"query":"block.height>0","page":"4","per_page":"1"}""", "page should be within [1, 3] range, given 4")]
    public async Task Block_search_rejects_each_bad_parameter_with_CometBfts_internal_error(string parameters, string data)
    {
        using var doc = JsonDocument.Parse(parameters);
        Assert.Equal((RpcException.InternalError, data), await Error("block_search", doc.RootElement));
    }

    [Fact]
    public async Task Uri_errors_are_http_500_as_in_CometBft()
    {
        using var response = await _http.GetAsync("tx_search?query=%22tm.event%3D%3D%27Tx%27%22");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public void Proof_with_an_altered_aunt_does_not_verify()
    {
        var txs = Enumerable.Range(0, 5).Select(i => new[] { (byte)i }).ToList();
        var root = BlockHashes.DataHash(txs);
        var proof = ProofJson(txs, 3);
        Assert.True(ProofVerifies(proof, root));
        var aunts = proof.GetProperty("proof").GetProperty("aunts");
        var tampered = Convert.FromBase64String(aunts[0].GetString()!);
        tampered[0] ^= 1;
        var json = proof.GetRawText().Replace(aunts[0].GetString()!, Convert.ToBase64String(tampered), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.False(ProofVerifies(doc.RootElement, root));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    public void Every_tx_of_a_block_has_a_proof_to_its_data_hash(int count)
    {
        var txs = Enumerable.Range(0, count).Select(i => new[] { (byte)i, (byte)(i >> 8) }).ToList();
        var root = BlockHashes.DataHash(txs);
        for (var i = 0; i < count; i++)
        {
            Assert.True(ProofVerifies(ProofJson(txs, i), root));
        }
    }

    private static JsonElement ProofJson(List<byte[]> txs, int index)
    {
        var bytes = Citrine.CometBft.Json.CometJson.ToUtf8(w => TxProof.Write(w, txs, index));
        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.Clone();
    }

    /// <summary>crypto/merkle/proof.go Verify: the leaf hash is of SHA-256(data), and the aunts fold up to the root.</summary>
    private static bool ProofVerifies(JsonElement proof, byte[] root)
    {
        var p = proof.GetProperty("proof");
        var total = long.Parse(p.GetProperty("total").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var index = long.Parse(p.GetProperty("index").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var leaf = Convert.FromBase64String(p.GetProperty("leaf_hash").GetString()!);
        var data = Convert.FromBase64String(proof.GetProperty("data").GetString()!);
        var expectedLeaf = new byte[32];
        Merkle.LeafHash(Hashing.Sha256(data), expectedLeaf);
        if (!expectedLeaf.AsSpan().SequenceEqual(leaf) || !Convert.FromHexString(proof.GetProperty("root_hash").GetString()!).AsSpan().SequenceEqual(root))
        {
            return false;
        }
        var aunts = p.GetProperty("aunts").EnumerateArray().Select(a => Convert.FromBase64String(a.GetString()!)).ToList();
        var computed = FromAunts(index, total, leaf, aunts);
        return computed is not null && computed.AsSpan().SequenceEqual(root);
    }

    private static byte[]? FromAunts(long index, long total, byte[] leaf, List<byte[]> aunts)
    {
        if (total == 1)
        {
            return aunts.Count == 0 ? leaf : null;
        }
        if (aunts.Count == 0)
        {
            return null;
        }
        var split = Merkle.SplitPoint((int)total);
        var rest = aunts[..^1];
        var inner = new byte[32];
        if (index < split)
        {
            var left = FromAunts(index, split, leaf, rest);
            if (left is null)
            {
                return null;
            }
            Merkle.InnerHash(left, aunts[^1], inner);
        }
        else
        {
            var right = FromAunts(index - split, total - split, leaf, rest);
            if (right is null)
            {
                return null;
            }
            Merkle.InnerHash(aunts[^1], right, inner);
        }
        return inner;
    }
}

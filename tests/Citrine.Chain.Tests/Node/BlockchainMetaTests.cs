using System.Text.Json;
using Citrine.Chain.Rpc;
using Citrine.CometBft.Encoding;

namespace Citrine.Chain.Tests.Node;

/// <summary>The <c>blockchain</c> and <c>commit</c> RPC semantics of CometBFT 0.38 (rpc/core/blocks.go).</summary>
public sealed class BlockchainMetaTests
{
    private static async Task<JsonElement> Call(TestChain chain, string method, string json)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            using var parameters = JsonDocument.Parse(json);
            await new RpcHandler(chain.Node).HandleAsync(method, RpcParams.FromJson(parameters.RootElement), w, CancellationToken.None);
        }
        using var doc = JsonDocument.Parse(stream.ToArray());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Blockchain_returns_at_most_20_metas_newest_first_with_the_protobuf_block_size()
    {
        using var chain = new TestChain(validators: 2);
        chain.Produce(25);
        var all = await Call(chain, "blockchain", "{}");
        var metas = all.GetProperty("block_metas").EnumerateArray().ToList();
        Assert.Equal(20, metas.Count);
        Assert.Equal("25", metas[0].GetProperty("header").GetProperty("height").GetString());
        Assert.Equal("6", metas[^1].GetProperty("header").GetProperty("height").GetString());
        var block = chain.Node.GetBlock(25)!.Block;
        var size = BlockEncoder.EncodeBlock(block.Header, block.Txs, block.LastCommit ?? BlockHashes.EmptyCommit).Length;
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), metas[0].GetProperty("block_size").GetString());

        // min is raised to max - 19; max is clipped to the tip.
        var window = (await Call(chain, "blockchain", "{\"minHeight\":\"1\",\"maxHeight\":\"30\"}")).GetProperty("block_metas").EnumerateArray().ToList();
        Assert.Equal(20, window.Count);
        Assert.Equal("25", window[0].GetProperty("header").GetProperty("height").GetString());
        var small = (await Call(chain, "blockchain", "{\"minHeight\":\"3\",\"maxHeight\":\"5\"}")).GetProperty("block_metas").EnumerateArray().ToList();
        Assert.Equal(["5", "4", "3"], small.Select(m => m.GetProperty("header").GetProperty("height").GetString()));
    }

    [Theory]
    [InlineData("{\"minHeight\":\"-1\"}", "heights must be non-negative")]
    [InlineData("{\"maxHeight\":\"-5\"}", "heights must be non-negative")]
    [InlineData("{\"minHeight\":\"5\",\"maxHeight\":\"3\"}", "min height 5 can't be greater than max height 3")]
    public async Task Blockchain_refuses_bad_ranges_as_cometbft_does(string parameters, string message)
    {
        using var chain = new TestChain();
        chain.Produce(6);
        var e = await Assert.ThrowsAsync<RpcException>(() => Call(chain, "blockchain", parameters));
        Assert.Equal(message, e.Message);
        Assert.Equal(RpcException.InternalError, e.Code);
    }

    [Fact]
    public async Task Commit_of_the_latest_height_is_the_seen_commit_and_not_canonical()
    {
        using var chain = new TestChain();
        chain.Produce(3);
        Assert.False((await Call(chain, "commit", "{}")).GetProperty("canonical").GetBoolean());
        Assert.True((await Call(chain, "commit", "{\"height\":\"2\"}")).GetProperty("canonical").GetBoolean());
    }

    [Fact]
    public async Task Block_rpc_json_recomputes_to_its_block_id_parts_as_a_cometbft_client_would()
    {
        using var chain = new TestChain(validators: 2);
        chain.Produce();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        chain.Produce(2);
        for (var h = 1; h <= 3; h++)
        {
            var result = await Call(chain, "block", $"{{\"height\":\"{h}\"}}");
            var block = result.GetProperty("block");
            var header = CometBft.Json.CometJson.ReadHeader(block.GetProperty("header"));
            var txs = block.GetProperty("data").GetProperty("txs").EnumerateArray().Select(t => Convert.FromBase64String(t.GetString()!)).ToList();
            var lastCommit = CometBft.Json.CometJson.ReadCommit(block.GetProperty("last_commit"));
            var blockId = CometBft.Json.CometJson.ReadBlockId(result.GetProperty("block_id"));
            Assert.True(CometBft.Types.PartSet.BlockIdOf(header, txs, lastCommit).ContentEquals(blockId), $"height {h}");
        }
    }
}

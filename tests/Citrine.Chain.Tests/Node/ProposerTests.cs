using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Tests.Node;

public sealed class ProposerTests
{
    /// <summary>A chain whose three genesis validators have powers 1, 2 and 3.</summary>
    private static TestChain WeightedChain(BlockStore? blocks = null, IStateStore? state = null, int extraKeys = 0)
    {
        GenesisDoc genesis;
        using (var template = new TestChain(validators: 3))
        {
            genesis = template.Genesis with { Validators = [.. template.Genesis.Validators.Select((v, i) => v with { Power = i + 1 })] };
        }
        return new TestChain(validators: 3, extraKeys: extraKeys, genesis: genesis, blocks: blocks, state: state);
    }

    private static ValidatorSet GenesisSet(TestChain chain) =>
        ProposerPriority.NewValidatorSet(chain.Genesis.Validators.Select(v => Validator.FromPublicKey(v.PublicKey, v.Power)));

    private static void AssertSameSet(ValidatorSet expected, ValidatorSet actual, long height)
    {
        Assert.Equal(expected.Validators.Select(v => Convert.ToHexString(v.Address)), actual.Validators.Select(v => Convert.ToHexString(v.Address)));
        Assert.True(expected.Validators.Select(v => v.ProposerPriority).SequenceEqual(actual.Validators.Select(v => v.ProposerPriority)),
            $"height {height}: priorities {string.Join(',', actual.Validators.Select(v => v.ProposerPriority))}, expected {string.Join(',', expected.Validators.Select(v => v.ProposerPriority))}");
    }

    [Fact]
    public void Header_proposer_and_stored_priorities_follow_cometbft_from_genesis()
    {
        using var chain = WeightedChain();
        chain.Produce(12);
        // MakeGenesisState: Validators = NewValidatorSet(genesis); each height increments once (updateState).
        var expected = GenesisSet(chain);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (long h = 1; h <= 12; h++)
        {
            var stored = chain.Node.GetBlock(h)!;
            Assert.Equal(Convert.ToHexString(expected.Proposer!.Address), Convert.ToHexString(stored.Block.Header.ProposerAddress));
            AssertSameSet(expected, stored.Validators, h);
            AssertSameSet(ProposerPriority.Increment(expected, 1), stored.NextValidators, h);
            if (h <= 6)
            {
                var key = Convert.ToHexString(stored.Block.Header.ProposerAddress);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            expected = ProposerPriority.Increment(expected, 1);
        }
        // Over total power (6) heights each validator proposes as often as its power.
        var byPower = chain.Genesis.Validators.ToDictionary(v => Convert.ToHexString(Validator.AddressOf(v.PublicKey)), v => v.Power, StringComparer.Ordinal);
        Assert.All(counts, c => Assert.Equal(byPower[c.Key], c.Value));
        Assert.Equal(3, counts.Count);
    }

    [Fact]
    public void Added_validator_enters_with_cometbft_priority_two_heights_later()
    {
        using var chain = WeightedChain(extraKeys: 1);
        var newKey = Ed25519.PublicKeyFromSeed(chain.ValidatorSeeds[3]);
        var tx = Tx.Create([new MsgSetValidator(chain.Address(0), newKey, 4)], "", chain.AccountKeys[0], 0, 500_000, "citrine-test", 0);
        Assert.True(chain.Node.SubmitTx(tx.Encode()).Result.IsOk);
        chain.Produce(8);
        var v1 = GenesisSet(chain);
        var v2 = ProposerPriority.Increment(v1, 1);
        // updateState after block 1: NextValidators (height 2) + change set, then one increment → height 3.
        var v3 = ProposerPriority.Increment(ProposerPriority.UpdateWithChangeSet(v2, [Validator.FromPublicKey(newKey, 4)]), 1);
        AssertSameSet(v2, chain.Node.GetBlock(2)!.Validators, 2);
        AssertSameSet(v3, chain.Node.GetBlock(3)!.Validators, 3);
        Assert.Equal(4, v3.Count);
        var expected = v3;
        for (long h = 3; h <= 8; h++)
        {
            Assert.Equal(Convert.ToHexString(expected.Proposer!.Address), Convert.ToHexString(chain.Node.GetBlock(h)!.Block.Header.ProposerAddress));
            expected = ProposerPriority.Increment(expected, 1);
        }
        var now = chain.Clock.Now().AddNanoseconds(1_000_000_000);
        var trust = TrustOptions.Create("citrine-test", TimeSpan.FromDays(14));
        for (long h = 1; h < 8; h++)
        {
            Assert.True(Verifier.Verify(chain.Node.LightBlockAt(h)!, chain.Node.LightBlockAt(h + 1)!, trust, now).IsSuccess);
        }
    }

    [Fact]
    public void Priorities_and_proposers_survive_a_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-proposer-" + Guid.NewGuid().ToString("N"));
        try
        {
            Timestamp clock;
            using (var first = WeightedChain(new BlockStore(dir), MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames)))
            {
                first.Produce(4);
                clock = first.Clock.Current;
            }
            using var second = WeightedChain(new BlockStore(dir), MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames));
            second.Clock.Current = clock;
            second.Produce(5);
            var expected = GenesisSet(second);
            for (long h = 1; h <= 9; h++)
            {
                Assert.Equal(Convert.ToHexString(expected.Proposer!.Address), Convert.ToHexString(second.Node.GetBlock(h)!.Block.Header.ProposerAddress));
                AssertSameSet(expected, second.Node.GetBlock(h)!.Validators, h);
                expected = ProposerPriority.Increment(expected, 1);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Block_id_parts_is_the_part_set_of_the_encoded_block()
    {
        using var chain = WeightedChain();
        chain.Produce();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        chain.Produce(2);
        for (long h = 1; h <= 3; h++)
        {
            var block = chain.Node.GetBlock(h)!.Block;
            var encoded = BlockEncoder.EncodeBlock(block.Header, block.Txs, block.LastCommit ?? new Commit(0, 0, BlockId.Empty, []));
            var parts = PartSet.FromData(encoded).Header;
            Assert.Equal(1u, block.BlockId.PartSetHeader.Total);
            Assert.Equal(parts.Hash, block.BlockId.PartSetHeader.Hash);
            Assert.Equal(block.Header.Hash(), block.BlockId.Hash);
            // The next header and commit carry the same id.
            Assert.True(block.Commit.BlockId.ContentEquals(block.BlockId));
        }
        Assert.True(chain.Node.GetBlock(3)!.Block.Header.LastBlockId.ContentEquals(chain.Node.GetBlock(2)!.Block.BlockId));
    }

    [Fact]
    public void A_block_store_without_the_next_proposer_is_refused_at_start()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-proposer-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = WeightedChain(new BlockStore(dir), MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames)))
            {
                first.Produce(2);
            }
            var file = Path.Combine(dir, "blocks", Devnet.DevnetHome.HeightName(2) + ".json");
            var text = File.ReadAllText(file);
            var start = text.IndexOf(",\"next_proposer_address\"", StringComparison.Ordinal);
            Assert.True(start > 0);
            File.WriteAllText(file, text[..start] + "}");
            using var state = MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames);
            var e = Assert.Throws<Citrine.Chain.Node.NodeStartException>(() => WeightedChain(new BlockStore(dir), state));
            Assert.Contains("without its next validator set's proposer", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using System.Buffers.Binary;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.Ics23.Abci;
using Citrine.Store;

namespace Citrine.Chain.Tests.Node;

/// <summary>A height becomes visible only once its block, results, state and index are all committed.</summary>
public class CommitVisibilityTests
{
    private static ulong BankBalance(Store.Multistore.StoreQueryResult result) => BinaryPrimitives.ReadUInt64BigEndian(result.Value);

    [Theory]
    [InlineData(CommitPhase.BlockSaved)]
    [InlineData(CommitPhase.StateCommitted)]
    public async Task Node_readers_see_only_the_previous_height_while_a_block_is_being_committed(CommitPhase phase)
    {
        using var chain = new TestChain(validators: 2);
        chain.Produce();
        var tx = chain.Send(0, 2, 77, 0);
        Assert.True(chain.Node.SubmitTx(tx).Result.IsOk);
        var appHashAfter1 = chain.Node.LatestAppHash;
        using var hold = new HoldingBarrier(phase, 2);
        chain.Node.CommitBarrier = hold;
        chain.Clock.Advance(TimeSpan.FromMilliseconds(500));
        var producing = Task.Run(chain.Node.ProduceBlock);
        await hold.Held;

        Assert.Equal(1, chain.Node.Height);
        Assert.Equal(1, chain.Node.Tip.Height);
        Assert.Equal(appHashAfter1, chain.Node.LatestAppHash);
        Assert.NotNull(chain.Node.GetBlock(1));
        Assert.Null(chain.Node.GetBlock(2));
        Assert.Null(chain.Node.GetResults(2));
        Assert.Null(chain.Node.LightBlockAt(2));
        Assert.NotNull(chain.Node.ValidatorsAt(3));
        Assert.Null(chain.Node.ValidatorsAt(4));
        Assert.Null(chain.Node.FindTx(Txs.Tx.HashOf(tx)));
        Assert.Empty(chain.Node.SearchTxs(EventQuery.Parse("tx.height = 2")));
        Assert.Equal([1L], chain.Node.SearchBlocks(EventQuery.Parse("block.height >= 1")));
        var latest = chain.Node.QueryState(ChainApp.BankStore, chain.Address(2), 0, prove: false);
        Assert.Equal(1, latest.Version);
        Assert.Equal(1_000_000UL, BankBalance(latest));
        var ahead = Assert.Throws<StoreException>(() => chain.Node.QueryState(ChainApp.BankStore, chain.Address(2), 2, prove: false));
        Assert.Equal(StoreError.VersionNotFound, ahead.Error);
        Assert.Contains("not committed yet (latest committed height is 1)", ahead.Message, StringComparison.Ordinal);

        hold.Release();
        var stored = await producing;
        Assert.Equal(2, stored.Block.Height);
        Assert.Equal(2, chain.Node.Height);
        Assert.Equal(new TxLocation(2, 0), chain.Node.FindTx(Txs.Tx.HashOf(tx)));
        Assert.Single(chain.Node.SearchTxs(EventQuery.Parse("tx.height = 2")));
        Assert.Equal(1_000_077UL, BankBalance(chain.Node.QueryState(ChainApp.BankStore, chain.Address(2), 0, prove: false)));
    }

    [Fact]
    public async Task Block_committed_event_is_raised_only_after_the_height_is_visible()
    {
        using var chain = new TestChain();
        long seenHeight = -1;
        chain.Node.BlockCommitted += (block, _) => seenHeight = chain.Node.Height;
        using var hold = new HoldingBarrier(CommitPhase.StateCommitted, 1);
        chain.Node.CommitBarrier = hold;
        var producing = Task.Run(chain.Node.ProduceBlock);
        await hold.Held;
        Assert.Equal(-1, seenHeight);
        hold.Release();
        await producing;
        Assert.Equal(1, seenHeight);
    }

    [Fact]
    public void Node_without_blocks_answers_state_queries_from_the_genesis_state_with_proofs_to_header_1()
    {
        using var chain = new TestChain();
        Assert.Equal(0, chain.Node.Height);
        var query = chain.Node.QueryState(ChainApp.BankStore, chain.Address(1), 0, prove: true);
        Assert.Equal(0, query.Version);
        Assert.Equal(1_000_000UL, BankBalance(query));
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        var header1 = chain.Produce().Block.Header;
        Assert.Equal(header1.AppHash, query.AppHash);
        var verdict = ProofOps.VerifyMembership(query.ProofOps!, header1.AppHash, [System.Text.Encoding.UTF8.GetBytes(ChainApp.BankStore), chain.Address(1)], query.Value);
        Assert.True(verdict.IsValid, verdict.ToString());
        // Block 1 carried the tx; header 2 commits to the state after it, which the genesis proof does not fit.
        var header2 = chain.Produce().Block.Header;
        Assert.False(ProofOps.VerifyMembership(query.ProofOps!, header2.AppHash, [System.Text.Encoding.UTF8.GetBytes(ChainApp.BankStore), chain.Address(1)], query.Value).IsValid);
        Assert.Equal(1_000_005UL, BankBalance(chain.Node.QueryState(ChainApp.BankStore, chain.Address(1), 0, prove: false)));
    }

    [Fact]
    public async Task Genesis_state_is_still_what_height_0_reads_after_block_1_committed_but_before_it_is_visible()
    {
        using var chain = new TestChain();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        using var hold = new HoldingBarrier(CommitPhase.StateCommitted, 1);
        chain.Node.CommitBarrier = hold;
        var producing = Task.Run(chain.Node.ProduceBlock);
        await hold.Held;
        // The working state already holds block 1; height 0 is still the genesis state.
        Assert.Equal(1, chain.Node.App.State.Version);
        var query = chain.Node.QueryState(ChainApp.BankStore, chain.Address(1), 0, prove: false);
        Assert.Equal(0, query.Version);
        Assert.Equal(1_000_000UL, BankBalance(query));
        hold.Release();
        await producing;
        Assert.Equal(1_000_005UL, BankBalance(chain.Node.QueryState(ChainApp.BankStore, chain.Address(1), 0, prove: false)));
    }

    [Fact]
    public void Query_at_a_negative_height_is_refused_with_a_store_error()
    {
        using var chain = new TestChain();
        chain.Produce();
        var e = Assert.Throws<StoreException>(() => chain.Node.QueryState(ChainApp.BankStore, chain.Address(1), -1, prove: false));
        Assert.Equal(StoreError.InvalidArgument, e.Error);
    }

    [Fact]
    public void Block_that_failed_after_it_was_stored_stops_production_and_is_replayed_on_restart()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-commit-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var chain = new TestChain(state: MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames), blocks: new BlockStore(dir)))
            {
                chain.Produce();
                Assert.True(chain.Node.SubmitTx(chain.Send(0, 2, 9, 0)).Result.IsOk);
                using var fail = new HoldingBarrier(CommitPhase.BlockSaved, 2) { Failure = new IOException("disk gone") };
                chain.Node.CommitBarrier = fail;
                Assert.Throws<IOException>(() => chain.Produce());
                Assert.Equal(1, chain.Node.Height);
                var stopped = Assert.Throws<InvalidOperationException>(() => chain.Produce());
                Assert.Contains("block 2 failed to commit (disk gone)", stopped.Message, StringComparison.Ordinal);
            }
            using var restarted = new TestChain(state: MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames), blocks: new BlockStore(dir));
            Assert.Equal(2, restarted.Node.Height);
            Assert.Equal(1_000_009UL, restarted.Balance(2));
            restarted.Produce();
            Assert.Equal(3, restarted.Node.Height);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.State;

namespace Citrine.Chain.Tests.Abci.App;

/// <summary>
/// State reaches RocksDB only in Commit: an app dropped at any point (disposed without Commit, as
/// a kill leaves it) reopens at its last committed height, and CometBFT's replay gives the same hashes.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-abci-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AbciTestApp Open() => new(state: MultiStoreState.OpenRocks(_dir, ChainApp.StoreNames));

    private static byte[][] BlockTxs(AbciTestApp t, long height) => [t.Send(1, 2, (ulong)height, (ulong)(height - 1)), t.Send(2, 0, 1, (ulong)(height - 1))];

    [Fact]
    public void A_kill_after_FinalizeBlock_reopens_at_the_previous_height_and_the_replay_gives_the_same_app_hash()
    {
        byte[] hash3;
        byte[] hash4;
        using (var t = Open())
        {
            t.InitChain();
            for (long h = 1; h <= 3; h++)
            {
                t.Block(BlockTxs(t, h));
            }
            hash3 = t.App.Info(new RequestInfo()).LastBlockAppHash.ToByteArray();
            hash4 = t.Finalize(4, BlockTxs(t, 4)).AppHash.ToByteArray();
        }
        using (var t = Open())
        {
            var info = t.App.Info(new RequestInfo());
            Assert.Equal(3, info.LastBlockHeight);
            Assert.Equal(hash3, info.LastBlockAppHash.ToByteArray());
            Assert.Equal(hash4, t.Finalize(4, BlockTxs(t, 4)).AppHash.ToByteArray());
            t.App.Commit(new RequestCommit());
        }
        using (var t = Open())
        {
            var info = t.App.Info(new RequestInfo());
            Assert.Equal(4, info.LastBlockHeight);
            Assert.Equal(hash4, info.LastBlockAppHash.ToByteArray());
        }
    }

    [Fact]
    public void A_kill_before_the_first_commit_reopens_empty_and_InitChain_runs_again()
    {
        byte[] genesisHash;
        byte[] hash1;
        using (var t = Open())
        {
            genesisHash = t.InitChain().AppHash.ToByteArray();
            hash1 = t.Finalize(1, BlockTxs(t, 1)).AppHash.ToByteArray();
        }
        using (var t = Open())
        {
            var info = t.App.Info(new RequestInfo());
            Assert.Equal(0, info.LastBlockHeight);
            Assert.True(info.LastBlockAppHash.IsEmpty);
            Assert.Equal(genesisHash, t.InitChain().AppHash.ToByteArray());
            Assert.Equal(hash1, t.Finalize(1, BlockTxs(t, 1)).AppHash.ToByteArray());
        }
    }

    [Fact]
    public void A_kill_after_Commit_reopens_at_that_height()
    {
        byte[] hash2;
        using (var t = Open())
        {
            t.InitChain();
            t.Block(BlockTxs(t, 1));
            hash2 = t.Block(BlockTxs(t, 2)).AppHash.ToByteArray();
        }
        using (var t = Open())
        {
            var info = t.App.Info(new RequestInfo());
            Assert.Equal(2, info.LastBlockHeight);
            Assert.Equal(hash2, info.LastBlockAppHash.ToByteArray());
            Assert.Throws<Chain.Abci.AbciException>(() => t.InitChain());
            Assert.Equal(0u, t.Block(BlockTxs(t, 3)).TxResults[0].Code);
        }
    }
}

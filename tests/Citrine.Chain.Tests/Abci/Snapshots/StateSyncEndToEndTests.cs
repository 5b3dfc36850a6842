using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.State;
using Ics23ProofOps = Citrine.Ics23.Abci.ProofOps;
using Google.Protobuf;
using ApplyResult = Citrine.Chain.Abci.Wire.ResponseApplySnapshotChunk.Types.Result;
using OfferResult = Citrine.Chain.Abci.Wire.ResponseOfferSnapshot.Types.Result;

namespace Citrine.Chain.Tests.Abci.Snapshots;

/// <summary>
/// A devnet's real state (genesis accounts, validators, transfers over several blocks) snapshotted
/// through Committed, served through ListSnapshots/LoadSnapshotChunk and restored into a fresh
/// RocksDB state through OfferSnapshot/ApplySnapshotChunk, as CometBFT's state sync drives it.
/// </summary>
public sealed class StateSyncEndToEndTests : IDisposable
{
    private const int ChunkSize = 256;

    private readonly SnapshotFixture _fixture = new();
    private readonly MultiStoreState _sourceState = MultiStoreState.InMemory(ChainApp.StoreNames);
    private readonly TestChain _chain;
    private readonly StateSync _source;
    private readonly Snapshot _snapshot;
    private readonly byte[] _trustedAppHash;

    public StateSyncEndToEndTests()
    {
        _chain = new TestChain(state: _sourceState);
        _source = new StateSync(_sourceState, new StateSyncOptions { Directory = _fixture.Dir("source"), Interval = 4, ChunkSize = ChunkSize });
        for (ulong i = 0; i < 6; i++)
        {
            Assert.True(_chain.Node.SubmitTx(_chain.Send(0, 1, 10 + i, i)).Result.IsOk);
            Assert.True(_chain.Node.SubmitTx(_chain.Send(1, 2, 1, i)).Result.IsOk);
            _chain.Produce();
            _source.Committed(_sourceState.Version);
        }
        _source.PendingSnapshots.GetAwaiter().GetResult();
        _snapshot = _source.ListSnapshots(new RequestListSnapshots()).Snapshots.Single();
        // What CometBFT's light client would trust: the app hash the state committed at that height.
        _trustedAppHash = _sourceState.MultiStore.GetCommitInfo((long)_snapshot.Height).AppHash;
    }

    public void Dispose()
    {
        _chain.Dispose();
        _fixture.Dispose();
    }

    private MultiStoreState TargetState() => MultiStoreState.OpenRocks(_fixture.Dir("target-state"), ChainApp.StoreNames);

    private byte[] Chunk(uint index) =>
        _source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = _snapshot.Height, Format = _snapshot.Format, Chunk = index }).Chunk.ToByteArray();

    [Fact]
    public void A_fresh_node_restores_the_source_state_and_commits_to_the_trusted_app_hash()
    {
        Assert.Equal(4UL, _snapshot.Height);
        Assert.True(_snapshot.Chunks > 1);
        using (var target = TargetState())
        {
            var sync = new StateSync(target, new StateSyncOptions { Directory = _fixture.Dir("target") });
            Assert.Equal(OfferResult.Accept, sync.OfferSnapshot(SnapshotFixture.Offer(_snapshot, _trustedAppHash)).Result);
            Assert.All(SnapshotFixture.ApplyAll(_source, sync, _snapshot), r => Assert.Equal(ApplyResult.Accept, r.Result));
            Assert.True(sync.Restored);
            Assert.Equal(4, target.Version);
            Assert.Equal(_trustedAppHash, target.MultiStore.LastAppHash);
            foreach (var name in ChainApp.StoreNames)
            {
                var expected = _sourceState.MultiStore.Store(name).GetImmutable(4).Range().ToList();
                Assert.Equal(expected.Select(e => Convert.ToHexString(e.Key) + "=" + Convert.ToHexString(e.Value)),
                    target.MultiStore.Store(name).Range().Select(e => Convert.ToHexString(e.Key) + "=" + Convert.ToHexString(e.Value)));
                foreach (var (key, value) in expected.Take(3))
                {
                    var result = target.Query(name, key, 4, prove: true);
                    Assert.True(Ics23ProofOps.VerifyMembership(result.ProofOps!, _trustedAppHash, [System.Text.Encoding.UTF8.GetBytes(name), key], value).IsValid);
                }
            }
        }
        using var reopened = TargetState();
        Assert.Equal(4, reopened.Version);
        Assert.Equal(_trustedAppHash, reopened.MultiStore.LastAppHash);
    }

    [Fact]
    public void A_flipped_byte_in_a_chunk_is_retried_from_another_sender_and_then_the_restore_succeeds()
    {
        using var target = TargetState();
        var sync = new StateSync(target, new StateSyncOptions { Directory = _fixture.Dir("target") });
        Assert.Equal(OfferResult.Accept, sync.OfferSnapshot(SnapshotFixture.Offer(_snapshot, _trustedAppHash)).Result);
        var flippedIndex = _snapshot.Chunks / 2;
        for (uint i = 0; i < _snapshot.Chunks; i++)
        {
            var chunk = Chunk(i);
            if (i == flippedIndex)
            {
                var bad = (byte[])chunk.Clone();
                bad[^1] ^= 0x40;
                var retry = sync.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = i, Chunk = ByteString.CopyFrom(bad), Sender = "peer-bad" });
                Assert.Equal(ApplyResult.Retry, retry.Result);
                Assert.Equal([i], retry.RefetchChunks);
                Assert.Equal(["peer-bad"], retry.RejectSenders);
            }
            var result = sync.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = i, Chunk = ByteString.CopyFrom(chunk), Sender = "peer-good" });
            Assert.Equal(ApplyResult.Accept, result.Result);
        }
        Assert.True(sync.Restored);
        Assert.Equal(_trustedAppHash, target.MultiStore.LastAppHash);
    }

    [Fact]
    public void A_wrong_trusted_app_hash_rejects_the_snapshot_and_leaves_the_target_empty()
    {
        var wrong = (byte[])_trustedAppHash.Clone();
        wrong[^1] ^= 1;
        using (var target = TargetState())
        {
            var sync = new StateSync(target, new StateSyncOptions { Directory = _fixture.Dir("target") });
            Assert.Equal(OfferResult.Accept, sync.OfferSnapshot(SnapshotFixture.Offer(_snapshot, wrong)).Result);
            var results = SnapshotFixture.ApplyAll(_source, sync, _snapshot);
            Assert.Equal(ApplyResult.RejectSnapshot, results[^1].Result);
            Assert.False(sync.Restored);
            Assert.Equal(0, target.Version);
        }
        using var reopened = TargetState();
        Assert.Equal(0, reopened.Version);
        Assert.Empty(reopened.MultiStore.Store(ChainApp.BankStore).Range());
    }
}

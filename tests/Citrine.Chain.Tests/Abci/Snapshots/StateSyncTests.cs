using System.Security.Cryptography;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.State;
using Google.Protobuf;
using static Citrine.Chain.Tests.Abci.Snapshots.SnapshotFixture;
using ApplyResult = Citrine.Chain.Abci.Wire.ResponseApplySnapshotChunk.Types.Result;
using OfferResult = Citrine.Chain.Abci.Wire.ResponseOfferSnapshot.Types.Result;

namespace Citrine.Chain.Tests.Abci.Snapshots;

public sealed class StateSyncTests : IDisposable
{
    private readonly SnapshotFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private StateSyncOptions Options(string name, long interval = 0, int keepRecent = 2, int chunkSize = 4096) =>
        new() { Directory = _fixture.Dir(name), Interval = interval, KeepRecent = keepRecent, ChunkSize = chunkSize };

    private (StateSync Sync, Store.Multistore.MultiStore Store, Snapshot Snapshot) Source(int versions = 6, int chunkSize = 4096)
    {
        var store = NewStore();
        Fill(store, versions);
        var sync = new StateSync(store, Options("source", chunkSize: chunkSize));
        return (sync, store, sync.CreateSnapshot(store.LatestVersion));
    }

    private StateSync Target(out Store.Multistore.MultiStore store)
    {
        store = NewStore();
        return new StateSync(store, Options("target-" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task Committed_takes_a_snapshot_at_multiples_of_the_interval_only_and_lists_newest_first()
    {
        var store = NewStore();
        var sync = new StateSync(store, Options("s", interval: 3, keepRecent: 0));
        for (var h = 1; h <= 7; h++)
        {
            Fill(store, 1);
            sync.Committed(h);
        }
        await sync.PendingSnapshots;
        var list = sync.ListSnapshots(new RequestListSnapshots()).Snapshots;
        Assert.Equal([6UL, 3UL], list.Select(s => s.Height));
        Assert.All(list, s => Assert.Equal(1U, s.Format));
        Assert.All(list, s => Assert.Equal(SHA256.HashData(s.Metadata.Span), s.Hash.ToByteArray()));
        Assert.Empty(store.HeldVersions);
    }

    [Fact]
    public void Dispose_stops_a_snapshot_in_progress_and_returns_once_nothing_reads_the_store()
    {
        var store = NewStore();
        Fill(store, 20, keysPerVersion: 2_000);
        var sync = new StateSync(store, Options("s", interval: 1, chunkSize: 1024));
        sync.Committed(store.LatestVersion);
        sync.Dispose();
        Assert.True(sync.PendingSnapshots.IsCompleted);
        Assert.Empty(store.HeldVersions);
        // Whatever is listed is whole: a stopped snapshot never is.
        var listed = new StateSync(store, Options("s")).ListSnapshots(new RequestListSnapshots()).Snapshots;
        Assert.All(listed, s => Assert.Equal(store.LatestVersion, (long)s.Height));
        store.Dispose();
    }

    [Fact]
    public async Task Interval_zero_never_takes_a_snapshot()
    {
        var store = NewStore();
        var sync = new StateSync(store, Options("s"));
        Fill(store, 4);
        for (var h = 1; h <= 4; h++)
        {
            sync.Committed(h);
        }
        await sync.PendingSnapshots;
        Assert.Empty(sync.ListSnapshots(new RequestListSnapshots()).Snapshots);
    }

    [Fact]
    public async Task Old_snapshots_beyond_keep_recent_are_deleted()
    {
        var store = NewStore();
        var sync = new StateSync(store, Options("s", interval: 1, keepRecent: 2));
        for (var h = 1; h <= 5; h++)
        {
            Fill(store, 1);
            sync.Committed(h);
        }
        await sync.PendingSnapshots;
        Assert.Equal([5UL, 4UL], sync.ListSnapshots(new RequestListSnapshots()).Snapshots.Select(s => s.Height));
        Assert.False(Directory.Exists(Path.Combine(_fixture.Dir("s"), "3")));
    }

    [Fact]
    public async Task A_snapshot_taken_while_the_store_keeps_committing_and_pruning_restores_that_height()
    {
        var store = NewStore(keepRecent: 1);
        Fill(store, 5);
        var sync = new StateSync(store, Options("s", interval: 5));
        var expected = store.LastAppHash;
        sync.Committed(5);
        Fill(store, 6);
        await sync.PendingSnapshots;
        Assert.Empty(store.HeldVersions);
        // Released: the next commit prunes past the snapshot's height again.
        Fill(store, 1);
        Assert.Equal(11, store.FirstVersion);
        var snapshot = Assert.Single(sync.ListSnapshots(new RequestListSnapshots()).Snapshots);
        Assert.Equal(5UL, snapshot.Height);
        var target = Target(out var targetStore);
        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, expected)).Result);
        Assert.All(ApplyAll(sync, target, snapshot), r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.Equal(expected, targetStore.LastAppHash);
    }

    [Fact]
    public void Unfinished_snapshots_are_never_listed_and_are_deleted_on_open()
    {
        var (source, _, snapshot) = Source();
        var root = source.Snapshots.Root;
        Directory.CreateDirectory(Path.Combine(root, ".tmp-9-1"));
        File.WriteAllBytes(Path.Combine(root, ".tmp-9-1", "0"), [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(root, "12"));
        Assert.Equal([snapshot.Height], source.ListSnapshots(new RequestListSnapshots()).Snapshots.Select(s => s.Height));
        _ = new StateSync(NewStore(), Options("source"));
        Assert.False(Directory.Exists(Path.Combine(root, ".tmp-9-1")));
    }

    [Fact]
    public void Chunks_are_at_most_the_chunk_size_and_hash_to_the_metadata()
    {
        var (source, _, snapshot) = Source(chunkSize: 1000);
        Assert.True(snapshot.Chunks > 3);
        Assert.True(SnapshotMetadata.TryParse(snapshot.Metadata.Span, out var hashes, out _));
        for (uint i = 0; i < snapshot.Chunks; i++)
        {
            var chunk = source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 1, Chunk = i }).Chunk;
            Assert.True(chunk.Length <= 1000 && chunk.Length > 0);
            Assert.Equal(hashes[i], SHA256.HashData(chunk.Span));
        }
        Assert.True(source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 1, Chunk = snapshot.Chunks }).Chunk.IsEmpty);
        Assert.True(source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height + 1, Format = 1, Chunk = 0 }).Chunk.IsEmpty);
        Assert.True(source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 2, Chunk = 0 }).Chunk.IsEmpty);
    }

    [Fact]
    public void Restore_reproduces_the_source_app_hash_and_values()
    {
        var (source, sourceStore, snapshot) = Source(chunkSize: 777);
        var target = Target(out var targetStore);
        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash)).Result);
        Assert.False(target.Restored);
        Assert.All(ApplyAll(source, target, snapshot), r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.True(target.Restored);
        Assert.Equal(sourceStore.LastAppHash, targetStore.LastAppHash);
        Assert.Equal(sourceStore.LatestVersion, targetStore.LatestVersion);
        foreach (var name in ChainApp.StoreNames)
        {
            Assert.Equal(sourceStore.Store(name).Range().Select(e => Convert.ToHexString(e.Value)), targetStore.Store(name).Range().Select(e => Convert.ToHexString(e.Value)));
        }
        Assert.False(Directory.Exists(Path.Combine(target.Snapshots.Root, ".tmp-restore")));
    }

    // --- OfferSnapshot refusals, one each ---

    [Fact]
    public void Offer_to_a_store_that_is_not_empty_aborts()
    {
        var (source, sourceStore, snapshot) = Source();
        Assert.Equal(OfferResult.Abort, source.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash)).Result);
    }

    [Fact]
    public void Offer_without_a_snapshot_is_rejected()
    {
        var target = Target(out _);
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(new RequestOfferSnapshot { AppHash = ByteString.CopyFrom(new byte[32]) }).Result);
    }

    [Fact]
    public void Offer_of_an_unknown_format_rejects_the_format()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        var other = snapshot.Clone();
        other.Format = 2;
        Assert.Equal(OfferResult.RejectFormat, target.OfferSnapshot(Offer(other, sourceStore.LastAppHash)).Result);
    }

    [Fact]
    public void Offer_of_height_zero_is_rejected()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        var other = snapshot.Clone();
        other.Height = 0;
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(Offer(other, sourceStore.LastAppHash)).Result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Offer_with_a_trusted_app_hash_of_the_wrong_length_is_rejected(int length)
    {
        var (_, _, snapshot) = Source();
        var target = Target(out _);
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(Offer(snapshot, new byte[length])).Result);
    }

    [Fact]
    public void Offer_whose_metadata_does_not_parse_is_rejected()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        var other = snapshot.Clone();
        var metadata = snapshot.Metadata.ToByteArray();
        metadata[0] = 0x12;
        other.Metadata = ByteString.CopyFrom(metadata);
        other.Hash = ByteString.CopyFrom(SHA256.HashData(metadata));
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(Offer(other, sourceStore.LastAppHash)).Result);
    }

    [Fact]
    public void Offer_whose_chunk_count_differs_from_the_metadata_is_rejected()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        var other = snapshot.Clone();
        other.Chunks++;
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(Offer(other, sourceStore.LastAppHash)).Result);
    }

    [Fact]
    public void Offer_whose_hash_is_not_the_metadata_hash_is_rejected()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        var other = snapshot.Clone();
        var hash = snapshot.Hash.ToByteArray();
        hash[5] ^= 1;
        other.Hash = ByteString.CopyFrom(hash);
        Assert.Equal(OfferResult.Reject, target.OfferSnapshot(Offer(other, sourceStore.LastAppHash)).Result);
    }

    // --- ApplySnapshotChunk refusals, one each ---

    [Fact]
    public void A_chunk_without_a_restore_in_progress_aborts()
    {
        var target = Target(out _);
        Assert.Equal(ApplyResult.Abort, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = 0, Chunk = ByteString.CopyFrom([0]) }).Result);
    }

    [Fact]
    public void A_chunk_index_out_of_range_aborts()
    {
        var (_, sourceStore, snapshot) = Source();
        var target = Target(out _);
        target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash));
        Assert.Equal(ApplyResult.Abort, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = snapshot.Chunks, Chunk = ByteString.CopyFrom([0]) }).Result);
    }

    [Fact]
    public void A_chunk_with_the_wrong_hash_is_retried_refetched_and_its_sender_rejected_then_the_right_one_completes()
    {
        var (source, sourceStore, snapshot) = Source(chunkSize: 2000);
        var target = Target(out var targetStore);
        target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash));
        var chunk = source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 1, Chunk = 0 }).Chunk.ToByteArray();
        chunk[chunk.Length / 2] ^= 0x01;
        var bad = target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = 0, Chunk = ByteString.CopyFrom(chunk), Sender = "evil" });
        Assert.Equal(ApplyResult.Retry, bad.Result);
        Assert.Equal([0U], bad.RefetchChunks);
        Assert.Equal(["evil"], bad.RejectSenders);
        Assert.All(ApplyAll(source, target, snapshot, "good"), r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.True(target.Restored);
        Assert.Equal(sourceStore.LastAppHash, targetStore.LastAppHash);
    }

    [Fact]
    public void A_wrong_trusted_app_hash_rejects_the_snapshot_after_the_last_chunk_and_leaves_the_store_empty_and_a_new_offer_works()
    {
        var (source, sourceStore, snapshot) = Source();
        var target = Target(out var targetStore);
        var wrong = sourceStore.LastAppHash;
        wrong[0] ^= 0xFF;
        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, wrong)).Result);
        var results = ApplyAll(source, target, snapshot);
        Assert.All(results[..^1], r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.Equal(ApplyResult.RejectSnapshot, results[^1].Result);
        Assert.False(target.Restored);
        Assert.Equal(0, targetStore.LatestVersion);
        Assert.Equal(ApplyResult.Abort, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = 0, Chunk = ByteString.CopyFrom([0]) }).Result);

        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash)).Result);
        Assert.All(ApplyAll(source, target, snapshot), r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.Equal(sourceStore.LastAppHash, targetStore.LastAppHash);
    }

    [Fact]
    public void A_snapshot_whose_chunks_match_their_hashes_but_do_not_decode_is_rejected_and_the_store_stays_empty()
    {
        byte[] garbage = [0x01, 0x03, 0x61, 0x63, 0x63, 0x02, 0x00, 0x01, 0x01, 0x6b, 0x01]; // store "acc", then a truncated leaf
        var metadata = SnapshotMetadata.Encode([SHA256.HashData(garbage)]);
        var snapshot = new Snapshot { Height = 1, Format = 1, Chunks = 1, Metadata = ByteString.CopyFrom(metadata), Hash = ByteString.CopyFrom(SHA256.HashData(metadata)) };
        var target = Target(out var targetStore);
        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, new byte[32])).Result);
        Assert.Equal(ApplyResult.RejectSnapshot, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = 0, Chunk = ByteString.CopyFrom(garbage) }).Result);
        Assert.Equal(0, targetStore.LatestVersion);
    }

    [Fact]
    public void A_restored_state_sync_refuses_further_offers()
    {
        var (source, sourceStore, snapshot) = Source();
        var target = Target(out _);
        target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash));
        ApplyAll(source, target, snapshot);
        Assert.Equal(OfferResult.Abort, target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash)).Result);
    }

    [Fact]
    public void Chunks_applied_in_any_order_restore_the_same_state()
    {
        var (source, sourceStore, snapshot) = Source(chunkSize: 900);
        var target = Target(out var targetStore);
        target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash));
        for (var i = (int)snapshot.Chunks - 1; i >= 0; i--)
        {
            var chunk = source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 1, Chunk = (uint)i }).Chunk;
            Assert.Equal(ApplyResult.Accept, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = (uint)i, Chunk = chunk }).Result);
        }
        Assert.True(target.Restored);
        Assert.Equal(sourceStore.LastAppHash, targetStore.LastAppHash);
    }

    [Fact]
    public void A_new_offer_during_a_restore_starts_over()
    {
        var (source, sourceStore, snapshot) = Source(chunkSize: 900);
        var target = Target(out var targetStore);
        target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash));
        var first = source.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = snapshot.Height, Format = 1, Chunk = 0 }).Chunk;
        Assert.Equal(ApplyResult.Accept, target.ApplySnapshotChunk(new RequestApplySnapshotChunk { Index = 0, Chunk = first }).Result);
        Assert.Equal(OfferResult.Accept, target.OfferSnapshot(Offer(snapshot, sourceStore.LastAppHash)).Result);
        var results = ApplyAll(source, target, snapshot);
        Assert.All(results, r => Assert.Equal(ApplyResult.Accept, r.Result));
        Assert.Equal(sourceStore.LastAppHash, targetStore.LastAppHash);
    }

    [Fact]
    public async Task A_height_that_was_already_pruned_gets_no_snapshot_and_no_error()
    {
        var store = NewStore(keepRecent: 1);
        Fill(store, 5);
        var sync = new StateSync(store, Options("s", interval: 2));
        sync.Committed(2);
        await sync.PendingSnapshots;
        Assert.Empty(sync.ListSnapshots(new RequestListSnapshots()).Snapshots);
        Assert.Empty(store.HeldVersions);
    }

    [Fact]
    public void State_sync_over_a_multistore_state_uses_its_multistore()
    {
        using var state = MultiStoreState.InMemory(ChainApp.StoreNames);
        state.Write(ChainApp.BankStore, B("k"), B("v"));
        state.Commit();
        var sync = new StateSync(state, Options("state"));
        Assert.Equal(1UL, sync.CreateSnapshot(1).Height);
    }
}

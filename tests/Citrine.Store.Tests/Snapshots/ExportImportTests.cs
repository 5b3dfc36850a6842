using System.Text;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Abci;
using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.Snapshots.SnapshotHistories;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Snapshots;

public sealed class ExportImportTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Import_of_a_middle_and_the_latest_version_reproduces_app_hash_roots_values_and_proofs_in_memory(ulong seed)
    {
        using var source = Build(new MemoryKeyValueDb(), seed, versions: 30);
        foreach (var version in new long[] { 15, 30 })
        {
            using var target = new MultiStore(new MemoryKeyValueDb(), Names);
            AssertRoundTrip(source, target, version);
        }
    }

    [Fact]
    public void Import_into_rocksdb_reproduces_the_source_and_reopens_at_the_version()
    {
        using var dir = new TempDirectory();
        using var source = Build(new MemoryKeyValueDb(), 7, versions: 25);
        var path = Path.Combine(dir.Path, "target");
        using (var target = MultiStore.OpenRocks(path, Names))
        {
            AssertRoundTrip(source, target, 20);
        }
        using var reopened = MultiStore.OpenRocks(path, Names);
        Assert.Equal(20, reopened.LatestVersion);
        Assert.Equal(20, reopened.FirstVersion);
        Assert.Equal(source.GetCommitInfo(20).AppHash, reopened.LastAppHash);
        foreach (var name in Names)
        {
            Assert.Equal(source.Store(name).GetImmutable(20).RootHash, reopened.Store(name).LastSavedHash);
            reopened.Store(name).GetImmutable(20).Verify();
        }
    }

    [Fact]
    public void Committing_the_same_changes_after_import_gives_the_same_app_hashes_because_node_versions_are_kept()
    {
        using var source = Build(new MemoryKeyValueDb(), 11, versions: 20);
        using var target = new MultiStore(new MemoryKeyValueDb(), Names);
        target.Import(20, ExportItems(source, 20), source.LastAppHash);
        for (var i = 0; i < 10; i++)
        {
            ApplyToAll(100 + (ulong)i, 25, source, target);
            Assert.Equal(Hex.Encode(source.Commit()), Hex.Encode(target.Commit()));
        }
        // Pruning on the restored store works on its own history: versions before the import never existed.
        target.PruneTo(25);
        Assert.Equal(26, target.FirstVersion);
        foreach (var name in Names)
        {
            target.Store(name).GetImmutable(30).Verify();
        }
    }

    [Fact]
    public void Import_of_a_middle_version_continued_from_there_matches_the_source_history()
    {
        // The source committed 10 more versions after 10; a copy restored at 10 that commits the same
        // changes reaches the same app hashes (the versions inside the nodes are the original ones).
        using var twin = Build(new MemoryKeyValueDb(), 21, versions: 10);
        using var source = Build(new MemoryKeyValueDb(), 21, versions: 10);
        using var target = new MultiStore(new MemoryKeyValueDb(), Names);
        target.Import(10, ExportItems(source, 10), source.LastAppHash);
        for (var i = 0; i < 5; i++)
        {
            ApplyToAll(500 + (ulong)i, 30, twin, target);
            Assert.Equal(twin.Commit(), target.Commit());
        }
    }

    [Fact]
    public void Empty_stores_and_an_entirely_empty_multistore_version_round_trip()
    {
        using var source = new MultiStore(new MemoryKeyValueDb(), Names);
        source.Commit();
        source.Store("bank").Set(B("bank/a"), B("1"));
        source.Commit();
        using var empty = new MultiStore(new MemoryKeyValueDb(), Names);
        var items = ExportItems(source, 1);
        Assert.Equal(Names.Length, items.Count);
        Assert.Equal(source.GetCommitInfo(1).AppHash, empty.Import(1, items, source.GetCommitInfo(1).AppHash).AppHash);
        using var one = new MultiStore(new MemoryKeyValueDb(), Names);
        AssertRoundTrip(source, one, 2);
    }

    [Fact]
    public void Export_lists_each_store_then_its_nodes_in_post_order()
    {
        using var source = new MultiStore(new MemoryKeyValueDb(), ["a", "b"]);
        source.Store("b").Set(B("k1"), B("v1"));
        source.Commit();
        source.Store("b").Set(B("k2"), B("v2"));
        source.Commit();
        var items = ExportItems(source, 2);
        Assert.Equal(
            [
                new SnapshotStoreItem("a"),
                new SnapshotStoreItem("b"),
                new SnapshotNodeItem(B("k1"), B("v1"), 1, 0),
                new SnapshotNodeItem(B("k2"), B("v2"), 2, 0),
                new SnapshotNodeItem(B("k2"), null, 2, 1),
            ],
            items,
            ItemComparer.Instance);
    }

    [Fact]
    public async Task Export_of_a_version_runs_beside_commits_and_pruning_on_another_thread()
    {
        using var source = Build(new MemoryKeyValueDb(), 5, versions: 10, new MultiStoreOptions { KeepRecent = 1 });
        var export = source.Export(10);
        var expected = source.LastAppHash;
        var items = new List<SnapshotItem>();
        var reader = Task.Run(() =>
        {
            foreach (var item in export.Items())
            {
                items.Add(item);
            }
        });
        for (var i = 0; i < 20; i++)
        {
            ApplyToAll(900 + (ulong)i, 40, source);
            source.Commit();
        }
        await reader;
        Assert.Equal(10, source.FirstVersion);
        export.Dispose();
        ApplyToAll(999, 5, source);
        source.Commit();
        Assert.Equal(30, source.FirstVersion);
        using var target = new MultiStore(new MemoryKeyValueDb(), Names);
        Assert.Equal(expected, target.Import(10, items, expected).AppHash);
    }

    [Fact]
    public void A_held_version_stops_keep_recent_pruning_below_it_until_released()
    {
        using var store = Build(new MemoryKeyValueDb(), 9, versions: 5, new MultiStoreOptions { KeepRecent = 2 });
        Assert.Equal(3, store.FirstVersion);
        var hold = store.HoldVersion(3);
        Assert.Equal([3L], store.HeldVersions);
        for (var i = 0; i < 4; i++)
        {
            store.Commit();
        }
        Assert.Equal(3, store.FirstVersion);
        store.Store("acc").GetImmutable(3).Verify();
        hold.Dispose();
        hold.Dispose();
        Assert.Empty(store.HeldVersions);
        store.Commit();
        Assert.Equal(8, store.FirstVersion);
    }

    [Fact]
    public void Explicit_pruning_stops_below_the_lowest_held_version_and_two_holds_on_one_version_both_count()
    {
        using var store = Build(new MemoryKeyValueDb(), 9, versions: 10);
        var first = store.HoldVersion(6);
        var second = store.HoldVersion(6);
        var higher = store.HoldVersion(8);
        store.PruneTo(9);
        Assert.Equal(6, store.FirstVersion);
        first.Dispose();
        store.PruneTo(9);
        Assert.Equal(6, store.FirstVersion);
        second.Dispose();
        store.PruneTo(9);
        Assert.Equal(8, store.FirstVersion);
        higher.Dispose();
        store.PruneTo(9);
        Assert.Equal(10, store.FirstVersion);
    }

    [Fact]
    public void A_pruned_or_future_version_cannot_be_held_or_exported()
    {
        using var store = Build(new MemoryKeyValueDb(), 9, versions: 5);
        store.PruneTo(2);
        Assert.Equal(StoreError.VersionPruned, Assert.Throws<StoreException>(() => store.HoldVersion(2)).Error);
        Assert.Equal(StoreError.VersionNotFound, Assert.Throws<StoreException>(() => store.HoldVersion(6)).Error);
        Assert.Equal(StoreError.VersionPruned, Assert.Throws<StoreException>(() => store.Export(1)).Error);
        Assert.Empty(store.HeldVersions);
    }

    [Fact]
    public void An_export_holds_its_version_until_disposed_and_refuses_to_enumerate_afterwards()
    {
        using var store = Build(new MemoryKeyValueDb(), 9, versions: 5);
        var export = store.Export(4);
        Assert.Equal([4L], store.HeldVersions);
        export.Dispose();
        Assert.Empty(store.HeldVersions);
        Assert.Throws<ObjectDisposedException>(() => export.Items().ToList());
    }

    [Fact]
    public void A_failed_final_write_leaves_the_store_empty_on_reopen()
    {
        using var source = Build(new MemoryKeyValueDb(), 3, versions: 8);
        var items = ExportItems(source, 8);
        var inner = new MemoryKeyValueDb();
        var failing = new FailOnLargeWriteDb(inner);
        var target = new MultiStore(failing, Names);
        Assert.Throws<IOException>(() => target.Import(8, items, source.LastAppHash));
        using var reopened = new MultiStore(inner, Names);
        Assert.Equal(0, reopened.LatestVersion);
        Assert.Empty(inner.Range([], [0xFF]));
        // And an import then succeeds into the same database.
        Assert.Equal(source.LastAppHash, reopened.Import(8, items, source.LastAppHash).AppHash);
    }

    [Fact]
    public void Import_deletes_the_records_an_import_interrupted_by_a_crash_left_behind()
    {
        using var source = Build(new MemoryKeyValueDb(), 4, versions: 6);
        var db = new MemoryKeyValueDb();
        // A node record under store "bank" with no metadata: what a crash between batches leaves.
        using (var batch = db.CreateBatch())
        {
            batch.Put([(byte)'s', 4, .. "bankn"u8, .. new byte[12]], [1, 2, 3]);
            db.Write(batch);
        }
        using var target = new MultiStore(db, Names);
        Assert.Equal(0, target.LatestVersion);
        target.Import(6, ExportItems(source, 6), source.LastAppHash);
        Assert.Null(db.TryGet([(byte)'s', 4, .. "bankn"u8, .. new byte[12]]));
        Assert.Equal(source.LastAppHash, target.LastAppHash);
    }

    [Fact]
    public void An_export_does_not_fill_the_node_cache()
    {
        var db = new MemoryKeyValueDb();
        Build(db, 8, versions: 20).Dispose();
        using var reopened = new MultiStore(db, Names);
        var before = Names.Sum(n => reopened.Store(n).NodeDb.CachedNodes);
        var items = ExportItems(reopened, 20);
        Assert.True(items.Count > 100);
        Assert.Equal(before, Names.Sum(n => reopened.Store(n).NodeDb.CachedNodes));
    }

    internal static void AssertRoundTrip(MultiStore source, MultiStore target, long version)
    {
        var info = source.GetCommitInfo(version);
        var imported = target.Import(version, ExportItems(source, version), info.AppHash);
        Assert.Equal(Hex.Encode(info.AppHash), Hex.Encode(imported.AppHash));
        Assert.Equal(version, target.LatestVersion);
        Assert.Equal(version, target.FirstVersion);
        Assert.Equal(info.AppHash, target.LastAppHash);
        foreach (var name in source.StoreNames)
        {
            var original = source.Store(name).GetImmutable(version);
            var copy = target.Store(name).GetImmutable(version);
            Assert.Equal(original.RootHash, copy.RootHash);
            Assert.Equal(original.RootHash, target.Store(name).LastSavedHash);
            Assert.Equal(original.Count, copy.Count);
            Assert.Equal(original.Range().Select(e => (Hex.Encode(e.Key), Hex.Encode(e.Value))), copy.Range().Select(e => (Hex.Encode(e.Key), Hex.Encode(e.Value))));
            Assert.Equal(original.Count == 0 ? 0 : (2 * original.Count) - 1, copy.Verify());
            Assert.Equal(original.Range().Select(e => Hex.Encode(e.Key)), target.Store(name).Range().Select(e => Hex.Encode(e.Key)));
            foreach (var (key, value) in original.Range().Take(5))
            {
                var result = target.Query(name, key, version, prove: true);
                Assert.Equal(value, result.Value);
                Assert.True(ProofOps.VerifyMembership(result.ProofOps!, info.AppHash, [Encoding.UTF8.GetBytes(name), key], value).IsValid);
            }
            var absent = B(name + "/absent");
            if (original.Count > 0)
            {
                var none = target.Query(name, absent, version, prove: true);
                Assert.True(ProofOps.VerifyNonMembership(none.ProofOps!, info.AppHash, [Encoding.UTF8.GetBytes(name), absent]).IsValid);
            }
        }
    }

    /// <summary>Fails the import's last (commit) write: the one that carries the multistore metadata.</summary>
    private sealed class FailOnLargeWriteDb(MemoryKeyValueDb inner) : IKeyValueDb
    {
        public byte[]? TryGet(ReadOnlySpan<byte> key) => inner.TryGet(key);

        public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive) => inner.Range(start, endExclusive);

        public IWriteBatch CreateBatch() => new Batch(inner.CreateBatch());

        public void Write(IWriteBatch batch)
        {
            var b = (Batch)batch;
            if (b.TouchesMeta)
            {
                throw new IOException("disk full");
            }
            inner.Write(b.Inner);
        }

        public void Dispose()
        {
        }

        private sealed class Batch(IWriteBatch inner) : IWriteBatch
        {
            public IWriteBatch Inner => inner;

            public bool TouchesMeta { get; private set; }

            public int Count => inner.Count;

            public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
            {
                TouchesMeta |= key.SequenceEqual("M"u8);
                inner.Put(key, value);
            }

            public void Delete(ReadOnlySpan<byte> key) => inner.Delete(key);

            public void Dispose() => inner.Dispose();
        }
    }
}

/// <summary>Compares snapshot items by content (records compare byte arrays by reference).</summary>
internal sealed class ItemComparer : IEqualityComparer<SnapshotItem>
{
    public static readonly ItemComparer Instance = new();

    public bool Equals(SnapshotItem? x, SnapshotItem? y) => (x, y) switch
    {
        (SnapshotStoreItem a, SnapshotStoreItem b) => a.Name == b.Name,
        (SnapshotNodeItem a, SnapshotNodeItem b) => a.Key.AsSpan().SequenceEqual(b.Key) && a.Version == b.Version && a.Height == b.Height
            && (a.Value is null ? b.Value is null : b.Value is not null && a.Value.AsSpan().SequenceEqual(b.Value)),
        _ => false,
    };

    public int GetHashCode(SnapshotItem obj) => obj is SnapshotStoreItem s ? s.Name.GetHashCode(StringComparison.Ordinal) : ((SnapshotNodeItem)obj).Version.GetHashCode();
}

using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Storage;

/// <summary>
/// What a read costs in database reads: a cold get reads each node of its path below the root once,
/// a warm get reads nothing, and the node cache is shared by every snapshot and version of a tree.
/// Also pins the RocksDB table options that keep point reads at one data-block lookup (index and
/// filter blocks held by the table readers, never re-read through the block cache).
/// </summary>
public sealed class ReadCostTests
{

    private static byte[] KeyOf(int i) => B($"key{i * 7919 % 10_007:D5}");

    private static MemoryKeyValueDb BuildTwoVersions(int keys)
    {
        var memory = new MemoryKeyValueDb();
        var tree = new MutableTree(memory);
        for (var i = 0; i < keys; i++)
        {
            tree.Set(KeyOf(i), B($"v1.{i}"));
        }
        tree.SaveVersion();
        // Version 2 changes a few keys: most of its nodes are shared with version 1.
        for (var i = 0; i < keys; i += 97)
        {
            tree.Set(KeyOf(i), B($"v2.{i}"));
        }
        tree.SaveVersion();
        return memory;
    }

    // Inner nodes on the path from the root to the key's leaf, read through a separate tree (own cache).
    private static int PathLength(IKeyValueDb db, long version, byte[] key) =>
        new MutableTree(db).GetImmutable(version).GetExistenceProof(key).Path.Count;

    [Fact]
    public void Cold_get_reads_each_node_below_the_root_once_and_a_warm_get_reads_nothing()
    {
        var memory = BuildTwoVersions(2000);
        var db = new CountingKeyValueDb(memory);
        var tree = new MutableTree(db);
        var snapshot = tree.GetImmutable(2);
        foreach (var i in new[] { 1, 500, 1999 })
        {
            var key = KeyOf(i);
            var depth = PathLength(memory, 2, key);
            Assert.InRange(depth, 10, 16);
            db.Reset();
            Assert.Equal(B($"v1.{i}"), snapshot.Get(key));
            // The root was loaded with the snapshot; the path's other inner nodes and its leaf are
            // each read once at most (the top of the path is shared with earlier gets).
            Assert.InRange(db.Gets, 1, depth);
            Assert.Equal(0, db.Ranges);
            db.Reset();
            Assert.Equal(B($"v1.{i}"), snapshot.Get(key));
            Assert.Equal(0, db.Gets);
        }
    }

    [Fact]
    public void First_get_on_a_fresh_tree_reads_exactly_its_path()
    {
        var memory = BuildTwoVersions(2000);
        var db = new CountingKeyValueDb(memory);
        var key = KeyOf(1234);
        var depth = PathLength(memory, 2, key);
        var snapshot = new MutableTree(db).GetImmutable(2);
        db.Reset();
        snapshot.Get(key);
        Assert.Equal(depth, db.Gets);
    }

    [Fact]
    public void New_snapshots_and_other_versions_share_the_node_cache()
    {
        var memory = BuildTwoVersions(2000);
        var db = new CountingKeyValueDb(memory);
        var tree = new MutableTree(db);
        var key = KeyOf(3);
        tree.GetImmutable(2).Get(key);
        tree.GetImmutable(2).GetProof(key);

        db.Reset();
        var again = tree.GetImmutable(2);
        Assert.Equal(1, db.Gets); // the root record of the version; the root node is cached
        again.Get(key);
        again.GetProof(key);
        Assert.Equal(1, db.Gets);

        // Key 3 was not changed in version 2: version 1 differs from version 2 only on the paths
        // of the changed keys, so a get in version 1 reads at most the nodes version 2 replaced.
        var depth = PathLength(memory, 1, key);
        db.Reset();
        var old = tree.GetImmutable(1);
        old.Get(key);
        Assert.InRange(db.Gets, 2, depth + 2); // its root record, its root node, then the changed part of the path
        db.Reset();
        old.Get(key);
        tree.GetImmutable(1);
        Assert.Equal(1, db.Gets);
    }

    [Fact]
    public void Multistore_query_with_proof_reads_nothing_but_its_version_records_when_warm()
    {
        var memory = new MemoryKeyValueDb();
        using (var store = new MultiStore(memory, ["acc", "bank"]))
        {
            for (var i = 0; i < 1000; i++)
            {
                store.Store("bank").Set(KeyOf(i), B($"v{i}"));
            }
            store.Commit();
        }
        var db = new CountingKeyValueDb(memory);
        using var reopened = new MultiStore(db, ["acc", "bank"]);
        reopened.Query("bank", KeyOf(10), prove: true);
        db.Reset();
        var result = reopened.Query("bank", KeyOf(10), prove: true);
        Assert.Equal(B("v10"), result.Value);
        // The commit info of the version and the store's root record; every node is cached.
        Assert.Equal(2, db.Gets);
        Assert.Equal(0, db.Ranges);
    }

    [Fact]
    public void Rocks_point_reads_never_load_index_or_filter_blocks_through_the_block_cache()
    {
        using var dir = new TempDirectory();
        using (var db = RocksKeyValueDb.Open(dir.Path))
        {
            for (var b = 0; b < 4; b++)
            {
                using var batch = db.CreateBatch();
                for (var i = 0; i < 5000; i++)
                {
                    batch.Put(KeyOf(b * 5000 + i), B($"value {i}"));
                }
                db.Write(batch);
            }
        }
        // Reopening recovers the WAL into a table file, so the reads below go through a table reader.
        using var reopened = RocksKeyValueDb.Open(dir.Path, statistics: true);
        for (var i = 0; i < 3000; i++)
        {
            Assert.NotNull(reopened.TryGet(KeyOf(i * 7)));
            Assert.Null(reopened.TryGet(B($"absent{i}")));
        }
        // The bloom filter is consulted (it rules absent keys out)...
        Assert.True(reopened.StatisticsTicker("rocksdb.bloom.filter.useful") > 0, "the bloom filter was never used");
        Assert.True(reopened.StatisticsTicker("rocksdb.block.cache.data.hit") + reopened.StatisticsTicker("rocksdb.block.cache.data.miss") > 0);
        // ...but neither it nor the index is ever fetched from (or inserted into) the block cache:
        // with 1M keys a filter block outgrew its 1 MiB cache shard and was re-read on most gets.
        Assert.Equal(0, reopened.StatisticsTicker("rocksdb.block.cache.filter.miss"));
        Assert.Equal(0, reopened.StatisticsTicker("rocksdb.block.cache.filter.hit"));
        Assert.Equal(0, reopened.StatisticsTicker("rocksdb.block.cache.index.miss"));
        Assert.Equal(0, reopened.StatisticsTicker("rocksdb.block.cache.index.hit"));
    }
}

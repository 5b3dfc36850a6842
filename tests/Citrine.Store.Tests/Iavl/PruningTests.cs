using Citrine.Store.Iavl;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Iavl;

public sealed class PruningTests
{
    private static MutableTree TreeWithVersions(int versions, MemoryKeyValueDb db)
    {
        var tree = new MutableTree(db);
        for (var v = 1; v <= versions; v++)
        {
            for (var i = 0; i < 20; i++)
            {
                tree.Set(B($"k{(v * 7 + i) % 40:D2}"), B($"v{v}"));
            }
            tree.Remove(B($"k{v % 40:D2}"));
            tree.SaveVersion();
        }
        return tree;
    }

    [Fact]
    public void A_pruned_version_is_reported_as_pruned_not_as_missing()
    {
        var tree = TreeWithVersions(5, new MemoryKeyValueDb());
        tree.DeleteVersionsTo(3);
        Assert.Equal(4, tree.FirstVersion);
        var ex = Assert.Throws<StoreException>(() => tree.GetImmutable(2));
        Assert.Equal(StoreError.VersionPruned, ex.Error);
        Assert.Equal(5, tree.GetImmutable(5).Verify() > 0 ? 5 : 0);
        tree.GetImmutable(4).Verify();
    }

    [Fact]
    public void Pruning_the_latest_version_is_refused()
    {
        var tree = TreeWithVersions(3, new MemoryKeyValueDb());
        var ex = Assert.Throws<StoreException>(() => tree.DeleteVersionsTo(3));
        Assert.Equal(StoreError.InvalidPruning, ex.Error);
        tree.GetImmutable(3).Verify();
    }

    [Fact]
    public void Pruning_removes_orphan_records_of_pruned_versions_and_nodes_shrink()
    {
        var db = new MemoryKeyValueDb();
        var tree = TreeWithVersions(10, db);
        var before = tree.NodeDb.AllNodeIds().Count();
        tree.DeleteVersionsTo(9);
        var after = tree.NodeDb.AllNodeIds().Count();
        Assert.True(after < before);
        Assert.Equal(tree.GetImmutable(10).Verify(), after);
        Assert.Equal(0, tree.NodeDb.CountOrphanRecords());
    }

    [Fact]
    public void Pruning_again_to_an_already_pruned_version_changes_nothing()
    {
        var db = new MemoryKeyValueDb();
        var tree = TreeWithVersions(6, db);
        tree.DeleteVersionsTo(4);
        var count = db.Count;
        tree.DeleteVersionsTo(2);
        Assert.Equal(count, db.Count);
        Assert.Equal(5, tree.FirstVersion);
    }
}

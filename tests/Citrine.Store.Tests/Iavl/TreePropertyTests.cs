using FsCheck.Xunit;
using Citrine.Store.Iavl;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Iavl;

/// <summary>
/// Random insert/update/delete sequences against a SortedDictionary model. The IAVL root depends on
/// the history, so the properties are: same contents in every saved version, every node
/// hash-consistent and AVL-balanced, every proof verifying with Citrine.Ics23 under the IAVL spec,
/// and pruning leaving exactly the nodes the kept versions reach.
/// </summary>
public sealed class TreePropertyTests
{
    // Each int encodes one step: kind (set / remove / save), key (small space, so updates and
    // removals hit existing keys), value.
    private static (MutableTree Tree, MemoryKeyValueDb Db, List<SortedDictionary<string, string>> Versions) Run(int[] steps)
    {
        var db = new MemoryKeyValueDb();
        var tree = new MutableTree(db);
        var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var versions = new List<SortedDictionary<string, string>> { new(StringComparer.Ordinal) };
        foreach (var step in steps)
        {
            var kind = (step & 0xFF) % 10;
            var key = $"k{(step >> 8 & 0xFFFF) % 64:D2}";
            var value = $"v{(step >> 24) & 0x7F}";
            if (kind < 6)
            {
                Assert.Equal(model.ContainsKey(key), tree.Set(B(key), B(value)));
                model[key] = value;
            }
            else if (kind < 9)
            {
                Assert.Equal(model.Remove(key), tree.Remove(B(key)));
            }
            else
            {
                tree.SaveVersion();
                versions.Add(new SortedDictionary<string, string>(model, StringComparer.Ordinal));
            }
        }
        tree.SaveVersion();
        versions.Add(new SortedDictionary<string, string>(model, StringComparer.Ordinal));
        return (tree, db, versions);
    }

    [Property(MaxTest = 60)]
    public bool Every_saved_version_matches_the_model_verifies_and_proves(int[] steps)
    {
        var (tree, db, versions) = Run(steps);
        for (var v = 1; v < versions.Count; v++)
        {
            var snapshot = tree.GetImmutable(v);
            AssertContents(snapshot.Range(), versions[v]);
            Assert.Equal(versions[v].Count == 0 ? 0 : (2 * versions[v].Count) - 1, snapshot.Verify());
            Assert.Equal(versions[v].Count, snapshot.Count);
        }
        var latest = tree.GetImmutable(tree.Version);
        var absent = Enumerable.Range(0, 70).Select(i => $"k{i:D2}").Where(k => !versions[^1].ContainsKey(k)).Append("a").Append("z");
        if (versions[^1].Count > 0)
        {
            AssertProofsVerify(latest, versions[^1], absent);
        }
        var reopened = new MutableTree(db);
        Assert.Equal(tree.Version, reopened.Version);
        Assert.Equal(latest.RootHash, reopened.WorkingHash());
        return true;
    }

    [Property(MaxTest = 40)]
    public bool Pruning_keeps_recent_versions_intact_and_removes_exactly_the_orphaned_nodes(int[] steps, byte keepSeed)
    {
        var (tree, db, versions) = Run([.. steps, 9, 9, 9]);
        var latest = tree.Version;
        var keep = 1 + (keepSeed % (int)latest);
        var pruneTo = latest - keep;
        if (pruneTo >= 1)
        {
            tree.DeleteVersionsTo(pruneTo);
        }
        for (var v = 1; v <= latest; v++)
        {
            if (v <= pruneTo)
            {
                var ex = Assert.Throws<StoreException>(() => tree.GetImmutable(v));
                Assert.Equal(StoreError.VersionPruned, ex.Error);
            }
            else
            {
                var snapshot = tree.GetImmutable(v);
                snapshot.Verify();
                AssertContents(snapshot.Range(), versions[v]);
            }
        }
        var reachable = new HashSet<NodeKey>();
        for (var v = Math.Max(1, pruneTo + 1); v <= latest; v++)
        {
            reachable.UnionWith(tree.GetImmutable(v).ReachableNodeIds());
        }
        var stored = tree.NodeDb.AllNodeIds().ToHashSet();
        Assert.True(stored.SetEquals(reachable), $"stored {stored.Count} nodes, kept versions reach {reachable.Count}");

        // The pruned state survives a reopen.
        var reopened = new MutableTree(db);
        Assert.Equal(Math.Max(1, pruneTo + 1), reopened.FirstVersion);
        Assert.Equal(latest, reopened.Version);
        return true;
    }
}

using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.Snapshots.SnapshotHistories;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Snapshots;

/// <summary>Every <see cref="ImportError"/>, each from one alteration of a valid item stream; after each the store is empty.</summary>
public sealed class ImportRefusalTests
{
    private static readonly string[] Two = ["a", "b"];

    private static SnapshotNodeItem Leaf(string key, long version = 1, string value = "v") => new(B(key), B(value), version, 0);

    private static SnapshotNodeItem Inner(string key, int height, long version = 1) => new(B(key), null, version, height);

    private static List<SnapshotItem> Valid() =>
    [
        new SnapshotStoreItem("a"),
        Leaf("k1"), Leaf("k2"), Inner("k2", 1),
        new SnapshotStoreItem("b"),
    ];

    private static void AssertRefused(ImportError reason, IEnumerable<SnapshotItem> items, long version = 1, byte[]? expected = null, string[]? names = null)
    {
        var db = new MemoryKeyValueDb();
        var store = new MultiStore(db, names ?? Two);
        var ex = Assert.Throws<SnapshotImportException>(() => store.Import(version, items, expected));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(0, store.LatestVersion);
        Assert.Empty(db.Range([], [0xFF]));
        using var reopened = new MultiStore(db, names ?? Two);
        Assert.Equal(0, reopened.LatestVersion);
    }

    [Fact]
    public void The_valid_stream_imports()
    {
        var store = new MultiStore(new MemoryKeyValueDb(), Two);
        store.Import(1, Valid());
        Assert.Equal(B("v"), store.Store("a").Get(B("k2")));
        Assert.Equal(1, store.LatestVersion);
    }

    [Fact]
    public void Import_refuses_a_store_with_a_committed_version()
    {
        var store = new MultiStore(new MemoryKeyValueDb(), Two);
        store.Commit();
        Assert.Equal(ImportError.NotEmpty, Assert.Throws<SnapshotImportException>(() => store.Import(2, Valid())).Reason);
        Assert.Equal(1, store.LatestVersion);
    }

    [Fact]
    public void Import_refuses_a_store_with_uncommitted_changes()
    {
        var store = new MultiStore(new MemoryKeyValueDb(), Two);
        store.Store("b").Set(B("x"), B("y"));
        Assert.Equal(ImportError.NotEmpty, Assert.Throws<SnapshotImportException>(() => store.Import(1, Valid())).Reason);
    }

    [Fact]
    public void Import_refuses_version_zero() => AssertRefused(ImportError.InvalidVersion, Valid(), version: 0);

    [Fact]
    public void Import_refuses_a_node_before_any_store() => AssertRefused(ImportError.NodeBeforeStore, [Leaf("k1"), .. Valid()]);

    [Fact]
    public void Import_refuses_an_unknown_store() =>
        AssertRefused(ImportError.UnknownStore, [.. Valid(), new SnapshotStoreItem("c")]);

    [Fact]
    public void Import_refuses_a_store_twice() =>
        AssertRefused(ImportError.DuplicateStore, [.. Valid(), new SnapshotStoreItem("a")]);

    [Fact]
    public void Import_refuses_stores_out_of_sorted_order() =>
        AssertRefused(ImportError.StoreOutOfOrder, [new SnapshotStoreItem("b"), new SnapshotStoreItem("a"), Leaf("k1")]);

    [Fact]
    public void Import_refuses_a_missing_store() => AssertRefused(ImportError.MissingStore, Valid()[..^1]);

    [Fact]
    public void Import_refuses_no_items_at_all() => AssertRefused(ImportError.MissingStore, []);

    [Theory]
    [InlineData(-1)]
    [InlineData(256)]
    public void Import_refuses_a_height_out_of_range(int height) =>
        AssertRefused(ImportError.HeightOutOfRange, [new SnapshotStoreItem("a"), new SnapshotNodeItem(B("k"), null, 1, height), new SnapshotStoreItem("b")]);

    [Theory]
    [InlineData(0L)]
    [InlineData(2L)]
    public void Import_refuses_a_node_version_outside_one_to_the_imported_version(long nodeVersion) =>
        AssertRefused(ImportError.VersionOutOfRange, [new SnapshotStoreItem("a"), Leaf("k1", nodeVersion), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_an_empty_key() =>
        AssertRefused(ImportError.EmptyKey, [new SnapshotStoreItem("a"), new SnapshotNodeItem([], B("v"), 1, 0), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_a_leaf_without_value() =>
        AssertRefused(ImportError.LeafWithoutValue, [new SnapshotStoreItem("a"), new SnapshotNodeItem(B("k"), null, 1, 0), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_an_inner_node_with_a_value() =>
        AssertRefused(ImportError.InnerWithValue, [new SnapshotStoreItem("a"), Leaf("k1"), Leaf("k2"), new SnapshotNodeItem(B("k2"), B("v"), 1, 1), new SnapshotStoreItem("b")]);

    [Theory]
    [InlineData("k1")]
    [InlineData("k0")]
    public void Import_refuses_leaf_keys_that_do_not_strictly_increase(string second) =>
        AssertRefused(ImportError.KeysNotIncreasing, [new SnapshotStoreItem("a"), Leaf("k1"), Leaf(second), Inner(second, 1), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_an_inner_node_with_fewer_than_two_subtrees() =>
        AssertRefused(ImportError.MissingChildren, [new SnapshotStoreItem("a"), Leaf("k1"), Inner("k1", 1), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_an_inner_height_that_is_not_one_above_its_children() =>
        AssertRefused(ImportError.HeightMismatch, [new SnapshotStoreItem("a"), Leaf("k1"), Leaf("k2"), Inner("k2", 2), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_an_unbalanced_node()
    {
        // ((a b) c) d: the root's children have heights 2 and 0.
        AssertRefused(ImportError.Unbalanced,
        [
            new SnapshotStoreItem("a"),
            Leaf("a"), Leaf("b"), Inner("b", 1), Leaf("c"), Inner("c", 2), Leaf("d"), Inner("d", 3),
            new SnapshotStoreItem("b"),
        ]);
    }

    [Fact]
    public void Import_refuses_a_child_newer_than_its_parent() =>
        AssertRefused(ImportError.ChildVersionNewer, [new SnapshotStoreItem("a"), Leaf("k1", 2), Leaf("k2"), Inner("k2", 1, 1), new SnapshotStoreItem("b")], version: 2);

    [Fact]
    public void Import_refuses_an_inner_key_that_is_not_the_right_subtrees_smallest() =>
        AssertRefused(ImportError.InnerKeyMismatch, [new SnapshotStoreItem("a"), Leaf("k1"), Leaf("k3"), Inner("k2", 1), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_a_store_that_ends_as_several_subtrees() =>
        AssertRefused(ImportError.IncompleteTree, [new SnapshotStoreItem("a"), Leaf("k1"), Leaf("k2"), new SnapshotStoreItem("b")]);

    [Fact]
    public void Import_refuses_several_subtrees_in_the_last_store() =>
        AssertRefused(ImportError.IncompleteTree, [new SnapshotStoreItem("a"), new SnapshotStoreItem("b"), Leaf("k1"), Leaf("k2")]);

    [Fact]
    public void Import_refuses_a_result_whose_app_hash_is_not_the_expected_one()
    {
        var expected = new MultiStore(new MemoryKeyValueDb(), Two);
        var hash = expected.Import(1, Valid()).AppHash;
        hash[0] ^= 1;
        AssertRefused(ImportError.AppHashMismatch, Valid(), expected: hash);
    }

    [Fact]
    public void Import_refuses_a_stream_whose_decoder_fails_and_deletes_the_nodes_already_written()
    {
        static IEnumerable<SnapshotItem> Broken()
        {
            foreach (var item in Valid()[..^1])
            {
                yield return item;
            }
            throw new InvalidDataException("truncated at offset 42");
        }
        AssertRefused(ImportError.Malformed, Broken());
    }

    [Fact]
    public void Every_refusal_after_many_written_batches_leaves_nothing_and_a_later_import_succeeds()
    {
        using var source = Build(new MemoryKeyValueDb(), 1, versions: 40);
        var items = ExportItems(source, 40);
        var bad = source.LastAppHash;
        bad[^1] ^= 0x80;
        var db = new MemoryKeyValueDb();
        var target = new MultiStore(db, Names);
        Assert.Equal(ImportError.AppHashMismatch, Assert.Throws<SnapshotImportException>(() => target.Import(40, items, bad)).Reason);
        Assert.Empty(db.Range([], [0xFF]));
        Assert.Equal(source.LastAppHash, target.Import(40, items, source.LastAppHash).AppHash);
    }

    [Fact]
    public void Every_reason_has_a_test()
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Snapshots", "ImportRefusalTests.cs"));
        foreach (var reason in Enum.GetValues<ImportError>())
        {
            Assert.Contains("ImportError." + reason, source, StringComparison.Ordinal);
        }
    }
}

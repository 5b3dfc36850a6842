using Citrine.Crypto.Encoding;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using Citrine.Store.Iavl;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Iavl;

public sealed class MutableTreeTests
{
    [Fact]
    public void Empty_tree_hash_is_sha256_of_nothing_as_in_iavl_v1()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Encode(tree.WorkingHash()));
        var (hash, version) = tree.SaveVersion();
        Assert.Equal(1, version);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Encode(hash));
    }

    [Fact]
    public void Single_leaf_root_is_the_iavl_leaf_hash_at_the_saved_version()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("I"), B("D"));
        var (hash, _) = tree.SaveVersion();
        Assert.Equal(IavlHashing.LeafHash(B("I"), B("D"), 1), hash);
    }

    [Fact]
    public void Two_leaves_form_an_inner_node_keyed_by_the_larger_key()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("b"), B("2"));
        tree.Set(B("a"), B("1"));
        var (hash, _) = tree.SaveVersion();
        var expected = IavlHashing.InnerHash(1, 2, 1, IavlHashing.LeafHash(B("a"), B("1"), 1), IavlHashing.LeafHash(B("b"), B("2"), 1));
        Assert.Equal(expected, hash);
    }

    [Fact]
    public void Updating_a_key_in_a_later_version_rehashes_only_its_path_with_the_new_version()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.Set(B("b"), B("2"));
        tree.SaveVersion();
        tree.Set(B("b"), B("3"));
        var (hash, version) = tree.SaveVersion();
        Assert.Equal(2, version);
        var expected = IavlHashing.InnerHash(1, 2, 2, IavlHashing.LeafHash(B("a"), B("1"), 1), IavlHashing.LeafHash(B("b"), B("3"), 2));
        Assert.Equal(expected, hash);
    }

    [Fact]
    public void Working_hash_equals_the_hash_save_version_returns()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        for (var i = 0; i < 50; i++)
        {
            tree.Set(B($"k{i:D3}"), B($"v{i}"));
        }
        var working = tree.WorkingHash();
        Assert.Equal(working, tree.SaveVersion().Hash);
    }

    [Fact]
    public void Saved_versions_are_immutable_after_later_changes()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.Set(B("b"), B("1"));
        var (h1, _) = tree.SaveVersion();
        tree.Set(B("a"), B("2"));
        tree.Remove(B("b"));
        tree.Set(B("c"), B("3"));
        var (h2, _) = tree.SaveVersion();

        var v1 = tree.GetImmutable(1);
        Assert.Equal(h1, v1.RootHash);
        Assert.Equal(B("1"), v1.Get(B("a")));
        Assert.Equal(B("1"), v1.Get(B("b")));
        Assert.Null(v1.Get(B("c")));
        var v2 = tree.GetImmutable(2);
        Assert.Equal(h2, v2.RootHash);
        Assert.Equal(B("2"), v2.Get(B("a")));
        Assert.Null(v2.Get(B("b")));
        Assert.Equal(B("3"), v2.Get(B("c")));
        v1.Verify();
        v2.Verify();
    }

    [Fact]
    public void Rollback_discards_working_changes()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        var (h1, _) = tree.SaveVersion();
        tree.Set(B("a"), B("2"));
        tree.Set(B("z"), B("2"));
        tree.Rollback();
        Assert.Equal(B("1"), tree.Get(B("a")));
        Assert.Null(tree.Get(B("z")));
        Assert.Equal(h1, tree.WorkingHash());
    }

    [Fact]
    public void Reopening_the_database_resumes_at_the_latest_version_with_the_same_root()
    {
        var db = new MemoryKeyValueDb();
        var tree = new MutableTree(db);
        for (var i = 0; i < 100; i++)
        {
            tree.Set(B($"key{i}"), B($"value{i}"));
        }
        tree.SaveVersion();
        tree.Remove(B("key7"));
        var (h2, _) = tree.SaveVersion();
        tree.Set(B("uncommitted"), B("x"));

        var reopened = new MutableTree(db);
        Assert.Equal(2, reopened.Version);
        Assert.Equal(h2, reopened.WorkingHash());
        Assert.Null(reopened.Get(B("key7")));
        Assert.Null(reopened.Get(B("uncommitted")));
        Assert.Equal(99, reopened.GetImmutable(2).Verify() / 2 + 1);
    }

    [Fact]
    public void Save_version_is_one_batch_write()
    {
        var db = new MemoryKeyValueDb();
        var tree = new MutableTree(db);
        for (var i = 0; i < 20; i++)
        {
            tree.Set(B($"k{i}"), B("v"));
        }
        var before = db.BatchesWritten;
        tree.SaveVersion();
        Assert.Equal(before + 1, db.BatchesWritten);
    }

    [Fact]
    public void Set_rejects_an_empty_key()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        var ex = Assert.Throws<StoreException>(() => tree.Set([], B("v")));
        Assert.Equal(StoreError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Reading_a_version_that_was_never_saved_is_version_not_found()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.SaveVersion();
        Assert.Equal(StoreError.VersionNotFound, Assert.Throws<StoreException>(() => tree.GetImmutable(2)).Error);
        Assert.Equal(StoreError.VersionNotFound, Assert.Throws<StoreException>(() => tree.GetImmutable(0)).Error);
    }

    [Fact]
    public void Range_returns_keys_in_order_within_bounds()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        foreach (var k in new[] { "d", "a", "c", "e", "b" })
        {
            tree.Set(B(k), B(k.ToUpperInvariant()));
        }
        tree.SaveVersion();
        var keys = tree.GetImmutable(1).Range(B("b"), B("e")).Select(e => System.Text.Encoding.UTF8.GetString(e.Key));
        Assert.Equal(["b", "c", "d"], keys);
    }

    [Fact]
    public void Proofs_against_an_old_version_verify_against_its_root_and_not_the_new_one()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.Set(B("b"), B("1"));
        tree.Set(B("c"), B("1"));
        var (h1, _) = tree.SaveVersion();
        tree.Set(B("b"), B("2"));
        var (h2, _) = tree.SaveVersion();

        var old = tree.GetImmutable(1);
        var proof = old.GetProof(B("b"));
        Assert.True(ProofVerifier.VerifyMembership(ProofSpecs.Iavl, h1, proof, B("b"), B("1")).IsValid);
        Assert.Equal(Ics23Error.RootMismatch, ProofVerifier.VerifyMembership(ProofSpecs.Iavl, h2, proof, B("b"), B("1")).Error);
        var current = tree.GetImmutable(2).GetProof(B("b"));
        Assert.True(ProofVerifier.VerifyMembership(ProofSpecs.Iavl, h2, current, B("b"), B("2")).IsValid);
    }

    [Fact]
    public void Non_existence_proofs_cover_keys_before_between_and_after_all_leaves()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        foreach (var k in new[] { "b", "d", "f", "h", "j" })
        {
            tree.Set(B(k), B("v" + k));
        }
        tree.SaveVersion();
        var snapshot = tree.GetImmutable(1);
        var contents = new Dictionary<string, string> { ["b"] = "vb", ["d"] = "vd", ["f"] = "vf", ["h"] = "vh", ["j"] = "vj" };
        AssertProofsVerify(snapshot, contents, ["a", "c", "e", "g", "i", "k", "b0", "j\0"]);
        var edge = snapshot.GetNonExistenceProof(B("a"));
        Assert.Null(edge.Left);
        Assert.NotNull(edge.Right);
        var after = snapshot.GetNonExistenceProof(B("z"));
        Assert.NotNull(after.Left);
        Assert.Null(after.Right);
    }

    [Fact]
    public void Non_existence_proof_in_an_empty_tree_is_unavailable()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.SaveVersion();
        var ex = Assert.Throws<StoreException>(() => tree.GetImmutable(1).GetProof(B("a")));
        Assert.Equal(StoreError.ProofUnavailable, ex.Error);
    }

    [Fact]
    public void Existence_proof_for_an_absent_key_is_unavailable()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.SaveVersion();
        Assert.Equal(StoreError.ProofUnavailable, Assert.Throws<StoreException>(() => tree.GetImmutable(1).GetExistenceProof(B("b"))).Error);
    }

    [Fact]
    public void Existence_proof_does_not_verify_for_a_different_value()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.Set(B("b"), B("2"));
        var (h, _) = tree.SaveVersion();
        var proof = tree.GetImmutable(1).GetProof(B("a"));
        Assert.Equal(Ics23Error.ValueMismatch, ProofVerifier.VerifyMembership(ProofSpecs.Iavl, h, proof, B("a"), B("2")).Error);
    }

    [Fact]
    public void Non_existence_proof_does_not_verify_for_a_present_key()
    {
        var tree = new MutableTree(new MemoryKeyValueDb());
        tree.Set(B("a"), B("1"));
        tree.Set(B("c"), B("3"));
        var (h, _) = tree.SaveVersion();
        var proof = tree.GetImmutable(1).GetProof(B("b"));
        Assert.True(ProofVerifier.VerifyNonMembership(ProofSpecs.Iavl, h, proof, B("b")).IsValid);
        Assert.False(ProofVerifier.VerifyNonMembership(ProofSpecs.Iavl, h, proof, B("c")).IsValid);
    }
}

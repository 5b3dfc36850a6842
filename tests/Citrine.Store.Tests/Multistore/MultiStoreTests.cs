using System.Text;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Verification;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Multistore;

public sealed class MultiStoreTests
{
    private static readonly string[] Names = ["bank", "acc", "wasm", "ibc"];

    private static IReadOnlyList<ReadOnlyMemory<byte>> KeyPath(string store, string key) => [B(store), B(key)];

    private static MultiStore Populated(IKeyValueDb db, int versions = 3, MultiStoreOptions? options = null)
    {
        var ms = new MultiStore(db, Names, options);
        for (var v = 1; v <= versions; v++)
        {
            foreach (var name in Names)
            {
                for (var i = 0; i < 10; i++)
                {
                    ms.Store(name).Set(B($"{name}/{(v * 3 + i) % 17:D2}"), B($"{name}-{v}-{i}"));
                }
            }
            ms.Store("bank").Remove(B($"bank/{v:D2}"));
            ms.Commit();
        }
        return ms;
    }

    [Fact]
    public void App_hash_is_the_simple_merkle_root_over_sorted_name_and_hashed_root_pairs()
    {
        var ms = new MultiStore(new MemoryKeyValueDb(), Names);
        ms.Store("bank").Set(B("a"), B("1"));
        ms.Store("ibc").Set(B("b"), B("2"));
        var appHash = ms.Commit();

        var roots = Names.ToDictionary(n => n, n => ms.Store(n).LastSavedHash);
        var sorted = roots.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["acc", "bank", "ibc", "wasm"], sorted);
        // 4 items: ((acc, bank), (ibc, wasm)).
        var leaves = sorted.Select(n => SimpleMerkle.LeafHash(SimpleMerkle.StoreItem(B(n), roots[n]))).ToList();
        var expected = SimpleMerkle.InnerHash(SimpleMerkle.InnerHash(leaves[0], leaves[1]), SimpleMerkle.InnerHash(leaves[2], leaves[3]));
        Assert.Equal(Hex.Encode(expected), Hex.Encode(appHash));
        // An untouched store commits the empty tree hash.
        Assert.Equal(IavlHashing.EmptyTreeHash, roots["acc"]);
    }

    [Fact]
    public void Simple_merkle_of_no_items_is_sha256_of_nothing_and_uneven_counts_split_at_a_power_of_two()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex.Encode(SimpleMerkle.HashFromItems([])));
        byte[][] items = [[1], [2], [3]];
        var expected = SimpleMerkle.InnerHash(
            SimpleMerkle.InnerHash(SimpleMerkle.LeafHash([1]), SimpleMerkle.LeafHash([2])),
            SimpleMerkle.LeafHash([3]));
        Assert.Equal(expected, SimpleMerkle.HashFromItems(items));
        Assert.Equal(4, SimpleMerkle.SplitPoint(5));
        Assert.Equal(4, SimpleMerkle.SplitPoint(8));
        Assert.Equal(1, SimpleMerkle.SplitPoint(2));
    }

    [Fact]
    public void Store_item_is_the_cosmos_kv_pair_encoding()
    {
        var root = new byte[32];
        var item = SimpleMerkle.StoreItem(B("ibc"), root);
        Assert.Equal("03696263" + "20" + Hex.Encode(System.Security.Cryptography.SHA256.HashData(root)), Hex.Encode(item));
    }

    [Fact]
    public void Query_with_proof_verifies_as_a_proof_op_chain_against_the_app_hash()
    {
        var ms = Populated(new MemoryKeyValueDb());
        foreach (var name in Names)
        {
            foreach (var (key, value) in ms.Store(name).Range())
            {
                var result = ms.Query(name, key, prove: true);
                Assert.Equal(value, result.Value);
                Assert.Equal(ms.LastAppHash, result.AppHash);
                Assert.Equal([ProofOps.IavlType, ProofOps.SimpleType], result.ProofOps!.Select(o => o.Type));
                var verdict = ProofOps.VerifyMembership(result.ProofOps!, result.AppHash, [B(name), key], value);
                Assert.True(verdict.IsValid, $"{name}/{Encoding.UTF8.GetString(key)}: {verdict}");
            }
        }
    }

    [Fact]
    public void Query_for_an_absent_key_returns_a_non_membership_chain()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var result = ms.Query("wasm", B("wasm/zz"), prove: true);
        Assert.Null(result.Value);
        Assert.True(ProofOps.VerifyNonMembership(result.ProofOps!, result.AppHash, KeyPath("wasm", "wasm/zz")).IsValid);
        Assert.False(ProofOps.VerifyMembership(result.ProofOps!, result.AppHash, KeyPath("wasm", "wasm/zz"), B("x")).IsValid);
    }

    [Fact]
    public void Query_at_an_old_version_proves_against_that_versions_app_hash()
    {
        var ms = Populated(new MemoryKeyValueDb(), versions: 4);
        var old = ms.Query("bank", B("bank/05"), version: 2, prove: true);
        Assert.Equal(ms.GetCommitInfo(2).AppHash, old.AppHash);
        Assert.NotEqual(ms.LastAppHash, old.AppHash);
        Assert.True(ProofOps.VerifyMembership(old.ProofOps!, old.AppHash, KeyPath("bank", "bank/05"), old.Value!).IsValid);
        var wrongRoot = ProofOps.VerifyMembership(old.ProofOps!, ms.LastAppHash, KeyPath("bank", "bank/05"), old.Value!);
        Assert.False(wrongRoot.IsValid);
    }

    [Fact]
    public void A_proof_chain_with_a_tampered_app_hash_is_rejected()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var result = ms.Query("ibc", B("ibc/04"), prove: true);
        var appHash = (byte[])result.AppHash.Clone();
        appHash[0] ^= 1;
        var verdict = ProofOps.VerifyMembership(result.ProofOps!, appHash, KeyPath("ibc", "ibc/04"), result.Value!);
        Assert.False(verdict.IsValid);
    }

    [Fact]
    public void A_proof_chain_presented_for_another_store_is_rejected()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var result = ms.Query("ibc", B("ibc/04"), prove: true);
        var verdict = ProofOps.VerifyMembership(result.ProofOps!, result.AppHash, KeyPath("bank", "ibc/04"), result.Value!);
        Assert.Equal(Ics23Error.ChainKeyMismatch, verdict.Error);
    }

    [Fact]
    public void Commit_is_one_batch_and_reopening_resumes_with_the_same_app_hash()
    {
        var db = new MemoryKeyValueDb();
        var ms = Populated(db);
        var before = db.BatchesWritten;
        ms.Store("acc").Set(B("x"), B("y"));
        var appHash = ms.Commit();
        Assert.Equal(before + 1, db.BatchesWritten);
        ms.Store("acc").Set(B("uncommitted"), B("z"));

        var reopened = new MultiStore(db, Names);
        Assert.Equal(4, reopened.LatestVersion);
        Assert.Equal(appHash, reopened.LastAppHash);
        Assert.Null(reopened.Store("acc").Get(B("uncommitted")));
    }

    [Fact]
    public void Keep_recent_prunes_old_versions_and_reports_them_as_pruned()
    {
        var ms = Populated(new MemoryKeyValueDb(), versions: 6, options: new MultiStoreOptions { KeepRecent = 2 });
        Assert.Equal(6, ms.LatestVersion);
        Assert.Equal(4, ms.FirstVersion);
        var ex = Assert.Throws<StoreException>(() => ms.Query("bank", B("bank/05"), version: 3));
        Assert.Equal(StoreError.VersionPruned, ex.Error);
        var kept = ms.Query("bank", B("bank/05"), version: 4, prove: true);
        Assert.True(ProofOps.VerifyMembership(kept.ProofOps!, kept.AppHash, KeyPath("bank", "bank/05"), kept.Value!).IsValid);
        foreach (var name in Names)
        {
            ms.Store(name).GetImmutable(4).Verify();
            ms.Store(name).GetImmutable(6).Verify();
        }
    }

    [Fact]
    public void Query_for_an_unknown_store_is_an_unknown_store_error()
    {
        var ms = Populated(new MemoryKeyValueDb());
        Assert.Equal(StoreError.UnknownStore, Assert.Throws<StoreException>(() => ms.Query("nope", B("k"))).Error);
    }

    [Fact]
    public void Query_for_a_future_version_is_version_not_found()
    {
        var ms = Populated(new MemoryKeyValueDb());
        Assert.Equal(StoreError.VersionNotFound, Assert.Throws<StoreException>(() => ms.Query("bank", B("k"), version: 9)).Error);
    }

    [Fact]
    public void Reopening_with_a_different_set_of_stores_is_refused()
    {
        var db = new MemoryKeyValueDb();
        Populated(db);
        var ex = Assert.Throws<StoreException>(() => new MultiStore(db, ["bank", "acc", "wasm"]));
        Assert.Equal(StoreError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Commit_info_round_trips_through_its_encoding()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var info = ms.GetCommitInfo(2);
        var decoded = CommitInfo.Decode(2, info.Encode());
        Assert.Equal(info.AppHash, decoded.AppHash);
        Assert.Equal(info.Stores.Select(s => s.Name), decoded.Stores.Select(s => s.Name));
    }

    [Fact]
    public void Truncated_commit_info_is_a_corrupt_record()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var bytes = ms.GetCommitInfo(2).Encode();
        for (var len = 0; len < bytes.Length; len++)
        {
            var ex = Assert.Throws<StoreException>(() => CommitInfo.Decode(2, bytes.AsSpan(0, len)));
            Assert.Equal(StoreError.CorruptRecord, ex.Error);
        }
    }

    [Fact]
    public void Random_mutations_of_commit_info_only_ever_raise_store_exceptions()
    {
        var ms = Populated(new MemoryKeyValueDb());
        var bytes = ms.GetCommitInfo(2).Encode();
        var rng = new Random(77);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = (byte[])bytes.Clone();
            mutated[rng.Next(mutated.Length)] ^= (byte)(1 << rng.Next(8));
            if (rng.Next(4) == 0)
            {
                mutated = mutated.AsSpan(0, rng.Next(mutated.Length)).ToArray();
            }
            try
            {
                CommitInfo.Decode(2, mutated);
            }
            catch (StoreException)
            {
            }
        }
    }
}

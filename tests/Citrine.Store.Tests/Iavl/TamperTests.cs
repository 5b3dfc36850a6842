using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;
using Citrine.Store.Iavl;
using Citrine.Store.Storage;
using static Citrine.Store.Tests.TestTrees;

namespace Citrine.Store.Tests.Iavl;

/// <summary>Corrupted storage is detected with the exact reason; tampered proofs are rejected.</summary>
public sealed class TamperTests
{
    private static (MemoryKeyValueDb Db, MutableTree Tree) Build()
    {
        var db = new MemoryKeyValueDb();
        var tree = new MutableTree(db);
        for (var i = 0; i < 16; i++)
        {
            tree.Set(B($"key{i:D2}"), B($"value{i}"));
        }
        tree.SaveVersion();
        return (db, tree);
    }

    private static byte[] NodeRecordKey(NodeKey id)
    {
        var key = new byte[1 + NodeKey.Size];
        key[0] = (byte)'n';
        id.Write(key.AsSpan(1));
        return key;
    }

    private static void Overwrite(MemoryKeyValueDb db, byte[] key, byte[]? value)
    {
        using var batch = db.CreateBatch();
        if (value is null)
        {
            batch.Delete(key);
        }
        else
        {
            batch.Put(key, value);
        }
        db.Write(batch);
    }

    private static (NodeKey Id, byte[] Record) FindLeaf(MemoryKeyValueDb db, MutableTree tree, string key)
    {
        foreach (var id in tree.NodeDb.AllNodeIds())
        {
            var record = db.TryGet(NodeRecordKey(id))!;
            var node = NodeCodec.Decode(id, record);
            if (node.IsLeaf && node.Key.AsSpan().SequenceEqual(B(key)))
            {
                return (id, record);
            }
        }
        throw new InvalidOperationException("leaf not found");
    }

    [Fact]
    public void Verify_reports_hash_mismatch_when_a_stored_leaf_value_was_altered()
    {
        var (db, tree) = Build();
        var (id, record) = FindLeaf(db, tree, "key05");
        record[^1] ^= 0x01;
        Overwrite(db, NodeRecordKey(id), record);
        var fresh = new MutableTree(new MemoryKeyValueDbView(db));
        var ex = Assert.Throws<StoreException>(() => fresh.GetImmutable(1).Verify());
        Assert.Equal(StoreError.HashMismatch, ex.Error);
    }

    [Fact]
    public void A_proof_built_from_an_altered_leaf_does_not_verify_against_the_committed_root()
    {
        var (db, tree) = Build();
        var root = tree.LastSavedHash;
        var (id, record) = FindLeaf(db, tree, "key05");
        record[^1] ^= 0x01;
        Overwrite(db, NodeRecordKey(id), record);
        var fresh = new MutableTree(new MemoryKeyValueDbView(db));
        var snapshot = fresh.GetImmutable(1);
        var value = snapshot.Get(B("key05"))!;
        var verdict = ProofVerifier.VerifyMembership(ProofSpecs.Iavl, root, snapshot.GetProof(B("key05")), B("key05"), value);
        Assert.Equal(Ics23Error.RootMismatch, verdict.Error);
    }

    [Fact]
    public void Verify_reports_missing_node_when_a_node_record_was_deleted()
    {
        var (db, tree) = Build();
        var (id, _) = FindLeaf(db, tree, "key09");
        Overwrite(db, NodeRecordKey(id), null);
        var fresh = new MutableTree(new MemoryKeyValueDbView(db));
        Assert.Equal(StoreError.MissingNode, Assert.Throws<StoreException>(() => fresh.GetImmutable(1).Verify()).Error);
    }

    [Fact]
    public void Decoding_a_truncated_node_record_is_a_corrupt_record()
    {
        var (db, tree) = Build();
        var (id, record) = FindLeaf(db, tree, "key03");
        var ex = Assert.Throws<StoreException>(() => NodeCodec.Decode(id, record.AsSpan(0, record.Length - 1)));
        Assert.Equal(StoreError.CorruptRecord, ex.Error);
    }

    [Fact]
    public void Decoding_a_node_record_with_trailing_bytes_is_a_corrupt_record()
    {
        var (db, tree) = Build();
        var (id, record) = FindLeaf(db, tree, "key03");
        var ex = Assert.Throws<StoreException>(() => NodeCodec.Decode(id, [.. record, 0]));
        Assert.Equal(StoreError.CorruptRecord, ex.Error);
        Assert.Contains("trailing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_mutations_of_node_records_only_ever_raise_store_exceptions()
    {
        var (db, tree) = Build();
        var records = tree.NodeDb.AllNodeIds().Select(id => (id, db.TryGet(NodeRecordKey(id))!)).ToList();
        var rng = new Random(1234);
        for (var i = 0; i < 3000; i++)
        {
            var (id, original) = records[rng.Next(records.Count)];
            var mutated = (byte[])original.Clone();
            switch (rng.Next(3))
            {
                case 0:
                    mutated[rng.Next(mutated.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    mutated = mutated.AsSpan(0, rng.Next(mutated.Length)).ToArray();
                    break;
                default:
                    mutated[rng.Next(mutated.Length)] = (byte)rng.Next(256);
                    break;
            }
            try
            {
                NodeCodec.Decode(id, mutated);
            }
            catch (StoreException)
            {
            }
        }
    }

    [Fact]
    public void Flipping_any_byte_of_an_encoded_existence_proof_never_verifies_for_the_original_value()
    {
        var (_, tree) = Build();
        var root = tree.LastSavedHash;
        var proof = ProofCodec.Encode(tree.GetImmutable(1).GetProof(B("key07")));
        for (var i = 0; i < proof.Length; i++)
        {
            var mutated = (byte[])proof.Clone();
            mutated[i] ^= 0x01;
            if (!ProofCodec.TryDecodeCommitmentProof(mutated, out var decoded, out _))
            {
                continue;
            }
            var verdict = ProofVerifier.VerifyMembership(ProofSpecs.Iavl, root, decoded!, B("key07"), B("value7"));
            Assert.False(verdict.IsValid, $"flip at byte {i} still verified");
        }
    }

    /// <summary>A second view on the same data, so a fresh tree does not see the first tree's cache.</summary>
    private sealed class MemoryKeyValueDbView(MemoryKeyValueDb inner) : IKeyValueDb
    {
        public byte[]? TryGet(ReadOnlySpan<byte> key) => inner.TryGet(key);

        public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive) => inner.Range(start, endExclusive);

        public IWriteBatch CreateBatch() => inner.CreateBatch();

        public void Write(IWriteBatch batch) => inner.Write(batch);

        public void Dispose()
        {
        }
    }
}

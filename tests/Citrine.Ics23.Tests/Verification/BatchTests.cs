using System.Text;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>Batch and compressed batch proofs over a test-built tree: lookup by key, decompression, failures.</summary>
public sealed class BatchTests
{
    private static readonly SimpleMerkleTree Tree = new(Enumerable.Range(1, 6).Select(i => (B($"k{i * 10}"), B($"value {i}"))));

    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    private static BatchProof Batch() => new()
    {
        Entries =
        [
            .. Enumerable.Range(0, Tree.Count).Select(i => new BatchEntry { Exist = Tree.Prove(i) }),
            new BatchEntry { Nonexist = new NonExistenceProof { Left = Tree.Prove(1), Right = Tree.Prove(2) } },
        ],
    };

    /// <summary>Compresses as the ICS23 reference does: each distinct inner op stored once, paths become indices.</summary>
    private static CompressedBatchProof Compress(BatchProof batch)
    {
        var lookup = new List<InnerOp>();
        var index = new Dictionary<string, int>();
        CompressedExistenceProof C(ExistenceProof p) => new()
        {
            Key = p.Key,
            Value = p.Value,
            Leaf = p.Leaf,
            Path = [.. p.Path.Select(op =>
            {
                var id = Convert.ToHexString(ProofCodec.Encode(op));
                if (!index.TryGetValue(id, out var i))
                {
                    i = lookup.Count;
                    index[id] = i;
                    lookup.Add(op);
                }
                return i;
            })],
        };
        var entries = batch.Entries.Select(e => e.Exist is not null
            ? new CompressedBatchEntry { Exist = C(e.Exist) }
            : new CompressedBatchEntry { Nonexist = new CompressedNonExistenceProof { Left = e.Nonexist!.Left is null ? null : C(e.Nonexist.Left), Right = e.Nonexist.Right is null ? null : C(e.Nonexist.Right) } })
            .ToList();
        return new CompressedBatchProof { Entries = entries, LookupInners = lookup };
    }

    [Fact]
    public void Batch_proves_each_key_and_the_gap()
    {
        var proof = new CommitmentProof { Batch = Batch() };
        for (var i = 0; i < Tree.Count; i++)
        {
            Assert.True(ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, Tree.Root, proof, Tree.Key(i), Tree.Value(i)).IsValid);
        }
        Assert.True(ProofVerifier.VerifyNonMembership(ProofSpecs.Tendermint, Tree.Root, proof, B("k25")).IsValid);
    }

    [Fact]
    public void Compressed_batch_decompresses_to_the_batch_and_verifies()
    {
        var compressed = new CommitmentProof { Compressed = Compress(Batch()) };
        var decoded = ProofCodec.DecodeCommitmentProof(ProofCodec.Encode(compressed));
        Assert.Equal(ProofCodec.Encode(new CommitmentProof { Batch = Batch() }), ProofCodec.Encode(Decompression.Decompress(decoded)));
        for (var i = 0; i < Tree.Count; i++)
        {
            Assert.True(ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, Tree.Root, decoded, Tree.Key(i), Tree.Value(i)).IsValid);
        }
        Assert.True(ProofVerifier.VerifyNonMembership(ProofSpecs.Tendermint, Tree.Root, decoded, B("k25")).IsValid);
        Assert.Equal(Tree.Root, ProofVerifier.Calculate(decoded));
    }

    [Fact]
    public void Library_compression_matches_the_reference_scheme_and_round_trips()
    {
        var batch = new CommitmentProof { Batch = Batch() };
        var compressed = Decompression.Compress(batch);
        Assert.Equal(ProofCodec.Encode(new CommitmentProof { Compressed = Compress(Batch()) }), ProofCodec.Encode(compressed));
        Assert.True(compressed.Compressed!.LookupInners.Count < Batch().Entries.Sum(e => (e.Exist?.Path.Count ?? 0) + (e.Nonexist?.Left?.Path.Count ?? 0) + (e.Nonexist?.Right?.Path.Count ?? 0)));
        Assert.Equal(ProofCodec.Encode(batch), ProofCodec.Encode(Decompression.Decompress(compressed)));
    }

    [Fact]
    public void Verify_rejects_key_the_batch_does_not_cover()
    {
        var proof = new CommitmentProof { Batch = Batch() };
        Assert.Equal(Ics23Error.BatchEntryNotFound, ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, Tree.Root, proof, B("k25"), B("v")).Error);
        Assert.Equal(Ics23Error.BatchEntryNotFound, ProofVerifier.VerifyNonMembership(ProofSpecs.Tendermint, Tree.Root, proof, B("k45")).Error);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1000)]
    public void Verify_rejects_compressed_path_index_outside_the_lookup_table(int bad)
    {
        var compressed = Compress(Batch());
        var first = compressed.Entries[0].Exist!;
        var broken = compressed with { Entries = [new CompressedBatchEntry { Exist = first with { Path = [.. first.Path.Take(first.Path.Count - 1), bad] } }, .. compressed.Entries.Skip(1)] };
        var verdict = ProofVerifier.VerifyMembership(ProofSpecs.Tendermint, Tree.Root, new CommitmentProof { Compressed = broken }, Tree.Key(0), Tree.Value(0));
        Assert.Equal(Ics23Error.CompressedLookupOutOfRange, verdict.Error);
    }
}

using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Verification;

/// <summary>Compressed batches: inner steps given as indices into a shared table, expanded before verification.</summary>
public static class Decompression
{
    /// <summary>Returns <paramref name="proof"/> itself unless it is compressed.</summary>
    public static CommitmentProof Decompress(CommitmentProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.Compressed is not { } compressed)
        {
            return proof;
        }
        var entries = new List<BatchEntry>(compressed.Entries.Count);
        foreach (var entry in compressed.Entries)
        {
            if (entry.Exist is { } exist)
            {
                entries.Add(new BatchEntry { Exist = Expand(exist, compressed.LookupInners) });
            }
            else if (entry.Nonexist is { } nonexist)
            {
                entries.Add(new BatchEntry
                {
                    Nonexist = new NonExistenceProof
                    {
                        Key = nonexist.Key,
                        Left = nonexist.Left is null ? null : Expand(nonexist.Left, compressed.LookupInners),
                        Right = nonexist.Right is null ? null : Expand(nonexist.Right, compressed.LookupInners),
                    },
                });
            }
            else
            {
                entries.Add(new BatchEntry());
            }
        }
        return new CommitmentProof { Batch = new BatchProof { Entries = entries } };
    }

    /// <summary>
    /// Compresses a batch (ICS23 compress): every distinct inner op is stored once in the lookup
    /// table, in order of first use, and paths refer to it by index. Other proofs are returned as is.
    /// </summary>
    public static CommitmentProof Compress(CommitmentProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.Batch is not { } batch)
        {
            return proof;
        }
        var lookup = new List<InnerOp>();
        var registry = new Dictionary<string, int>(StringComparer.Ordinal);
        CompressedExistenceProof Shrink(ExistenceProof p) => new()
        {
            Key = p.Key,
            Value = p.Value,
            Leaf = p.Leaf,
            Path = [.. p.Path.Select(op =>
            {
                var id = Convert.ToHexString(ProofCodec.Encode(op));
                if (!registry.TryGetValue(id, out var index))
                {
                    index = lookup.Count;
                    registry.Add(id, index);
                    lookup.Add(op);
                }
                return index;
            })],
        };
        var entries = new List<CompressedBatchEntry>(batch.Entries.Count);
        foreach (var entry in batch.Entries)
        {
            if (entry.Exist is { } exist)
            {
                entries.Add(new CompressedBatchEntry { Exist = Shrink(exist) });
            }
            else if (entry.Nonexist is { } nonexist)
            {
                entries.Add(new CompressedBatchEntry
                {
                    Nonexist = new CompressedNonExistenceProof
                    {
                        Key = nonexist.Key,
                        Left = nonexist.Left is null ? null : Shrink(nonexist.Left),
                        Right = nonexist.Right is null ? null : Shrink(nonexist.Right),
                    },
                });
            }
            else
            {
                entries.Add(new CompressedBatchEntry());
            }
        }
        return new CommitmentProof { Compressed = new CompressedBatchProof { Entries = entries, LookupInners = lookup } };
    }

    private static ExistenceProof Expand(CompressedExistenceProof proof, IReadOnlyList<InnerOp> lookup)
    {
        var path = new InnerOp[proof.Path.Count];
        for (var i = 0; i < path.Length; i++)
        {
            var index = proof.Path[i];
            if (index < 0 || index >= lookup.Count)
            {
                // The Rust reference silently drops the whole path here; an index outside the table is an error.
                throw new Ics23VerificationException(Ics23Error.CompressedLookupOutOfRange, $"compressed path step {i} refers to lookup entry {index} of {lookup.Count}");
            }
            path[i] = lookup[index];
        }
        return new ExistenceProof { Key = proof.Key, Value = proof.Value, Leaf = proof.Leaf, Path = path };
    }
}

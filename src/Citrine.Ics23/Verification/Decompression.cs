using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Verification;

/// <summary>Expands a compressed batch (inner steps given as indices into a shared table) into a plain batch.</summary>
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

using Citrine.Ics23.Proofs;

namespace Citrine.Store.Iavl;

/// <summary>
/// ICS23 proofs for IAVL trees, in the form cosmos/iavl's <c>proof_ics23.go</c> emits and the ICS23
/// IavlSpec accepts:
/// <list type="bullet">
/// <item>leaf op: hash SHA256, prehash_key NO_HASH, prehash_value SHA256, length VAR_PROTO,
/// prefix = varint(0) || varint(1) || varint(leaf version);</item>
/// <item>inner op (leaf upwards): prefix = varint(height) || varint(size) || varint(version), then
/// when the path goes right <c>0x20 || leftHash || 0x20</c> (suffix empty), when it goes left
/// <c>0x20</c> and suffix <c>0x20 || rightHash</c>. 0x20 is the uvarint length of a 32-byte hash.</item>
/// </list>
/// A non-existence proof carries existence proofs of the key's neighbours (either may be absent at
/// the edges of the tree).
/// </summary>
internal static class IavlProofs
{
    private const byte HashLengthPrefix = 0x20;

    public static LeafOp LeafOpFor(long version) => new()
    {
        Hash = HashOp.Sha256,
        PrehashKey = HashOp.NoHash,
        PrehashValue = HashOp.Sha256,
        Length = LengthOp.VarProto,
        Prefix = IavlHashing.Header(0, 1, version),
    };

    public static ExistenceProof? Existence(NodeDb db, Node? root, ReadOnlySpan<byte> key)
    {
        var found = TreeReader.PathToLeaf(db, root, key);
        if (found is not { } result)
        {
            return null;
        }
        var (path, leaf) = result;
        var ops = new InnerOp[path.Count];
        for (var i = 0; i < path.Count; i++)
        {
            var (inner, wentLeft) = path[path.Count - 1 - i];
            ops[i] = InnerOpFor(inner, wentLeft);
        }
        return new ExistenceProof
        {
            Key = leaf.Key,
            Value = leaf.Value!,
            Leaf = LeafOpFor(leaf.Version),
            Path = ops,
        };
    }

    public static NonExistenceProof NonExistence(NodeDb db, Node? root, ReadOnlySpan<byte> key, long version)
    {
        if (root is null)
        {
            throw new StoreException(StoreError.ProofUnavailable, $"version {version} is empty: ICS23 has no non-existence proof without a neighbour");
        }
        var (index, value) = TreeReader.GetWithIndex(db, root, key);
        if (value is not null)
        {
            throw new StoreException(StoreError.ProofUnavailable, $"key {Convert.ToHexString(key)} exists in version {version}");
        }
        ExistenceProof? left = null;
        ExistenceProof? right = null;
        if (index > 0)
        {
            var leaf = TreeReader.GetLeafByIndex(db, root, index - 1);
            left = Existence(db, root, leaf.Key);
        }
        if (index < root.Size)
        {
            var leaf = TreeReader.GetLeafByIndex(db, root, index);
            right = Existence(db, root, leaf.Key);
        }
        return new NonExistenceProof { Key = key.ToArray(), Left = left, Right = right };
    }

    private static InnerOp InnerOpFor(Node inner, bool wentLeft) =>
        InnerOpFor(inner.Height, inner.Size, inner.Version, wentLeft, wentLeft ? inner.RightHash! : inner.LeftHash!);

    /// <summary>The inner op for a step up through a node with these facts; the sibling is the other child.</summary>
    internal static InnerOp InnerOpFor(int height, long size, long version, bool wentLeft, ReadOnlySpan<byte> siblingHash)
    {
        var header = IavlHashing.Header(height, size, version);
        if (wentLeft)
        {
            var prefix = new byte[header.Length + 1];
            header.CopyTo(prefix, 0);
            prefix[^1] = HashLengthPrefix;
            var suffix = new byte[1 + IavlHashing.HashSize];
            suffix[0] = HashLengthPrefix;
            siblingHash.CopyTo(suffix.AsSpan(1));
            return new InnerOp { Hash = HashOp.Sha256, Prefix = prefix, Suffix = suffix };
        }
        else
        {
            var prefix = new byte[header.Length + 1 + IavlHashing.HashSize + 1];
            header.CopyTo(prefix, 0);
            prefix[header.Length] = HashLengthPrefix;
            siblingHash.CopyTo(prefix.AsSpan(header.Length + 1));
            prefix[^1] = HashLengthPrefix;
            return new InnerOp { Hash = HashOp.Sha256, Prefix = prefix, Suffix = ReadOnlyMemory<byte>.Empty };
        }
    }
}

using System.Security.Cryptography;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Proofs;

namespace Citrine.Store.Multistore;

/// <summary>
/// CometBFT's simple Merkle tree (crypto/merkle <c>HashFromByteSlices</c>, RFC 6962 style): leaf =
/// sha256(0x00 || item), inner = sha256(0x01 || left || right), the left subtree holding the largest
/// power of two strictly below the item count; no items hash to sha256(""). The Cosmos SDK multistore
/// (store/internal/maps) hashes its store list with it, one item per store in name order:
/// <c>uvarint(len name) || name || uvarint(32) || sha256(store root)</c>.
/// </summary>
public static class SimpleMerkle
{
    public static byte[] LeafHash(ReadOnlySpan<byte> item)
    {
        var buffer = new byte[1 + item.Length];
        buffer[0] = 0x00;
        item.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] InnerHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var buffer = new byte[1 + left.Length + right.Length];
        buffer[0] = 0x01;
        left.CopyTo(buffer.AsSpan(1));
        right.CopyTo(buffer.AsSpan(1 + left.Length));
        return SHA256.HashData(buffer);
    }

    /// <summary>The Cosmos <c>KVPair.Bytes()</c> item for a store: length-prefixed name and length-prefixed sha256(root).</summary>
    public static byte[] StoreItem(ReadOnlySpan<byte> name, ReadOnlySpan<byte> storeRoot)
    {
        Span<byte> valueHash = stackalloc byte[32];
        SHA256.HashData(storeRoot, valueHash);
        var buffer = new byte[2 * 10 + name.Length + 32];
        var n = Varint.WriteUnsigned(buffer, (ulong)name.Length);
        name.CopyTo(buffer.AsSpan(n));
        n += name.Length;
        n += Varint.WriteUnsigned(buffer.AsSpan(n), 32);
        valueHash.CopyTo(buffer.AsSpan(n));
        n += 32;
        return buffer.AsSpan(0, n).ToArray();
    }

    public static byte[] HashFromItems(IReadOnlyList<byte[]> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items.Count == 0 ? SHA256.HashData(ReadOnlySpan<byte>.Empty) : Hash(items, 0, items.Count);
    }

    /// <summary>
    /// The ICS23 existence proof of item <paramref name="index"/> under the TendermintSpec: leaf op
    /// (SHA256, no key prehash, SHA256 value prehash, VAR_PROTO lengths, prefix 0x00) and one inner op
    /// per level: prefix 0x01 (|| left sibling when the item is on the right), suffix = right sibling
    /// when it is on the left. Key and value are the store name and its root, as Cosmos
    /// <c>ConvertExistenceProof</c> writes them.
    /// </summary>
    public static ExistenceProof ExistenceProof(IReadOnlyList<byte[]> items, int index, byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(items);
        if ((uint)index >= (uint)items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        var steps = new List<InnerOp>();
        Path(items, 0, items.Count, index, steps);
        steps.Reverse();
        return new ExistenceProof
        {
            Key = key,
            Value = value,
            Leaf = new LeafOp
            {
                Hash = HashOp.Sha256,
                PrehashKey = HashOp.NoHash,
                PrehashValue = HashOp.Sha256,
                Length = LengthOp.VarProto,
                Prefix = new byte[] { 0x00 },
            },
            Path = steps,
        };
    }

    private static byte[] Hash(IReadOnlyList<byte[]> items, int start, int count)
    {
        if (count == 1)
        {
            return LeafHash(items[start]);
        }
        var split = SplitPoint(count);
        return InnerHash(Hash(items, start, split), Hash(items, start + split, count - split));
    }

    // Records the steps from the root down; the caller reverses them to go leaf-upwards.
    private static void Path(IReadOnlyList<byte[]> items, int start, int count, int index, List<InnerOp> steps)
    {
        if (count == 1)
        {
            return;
        }
        var split = SplitPoint(count);
        if (index < start + split)
        {
            var right = Hash(items, start + split, count - split);
            steps.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = new byte[] { 0x01 }, Suffix = right });
            Path(items, start, split, index, steps);
        }
        else
        {
            var left = Hash(items, start, split);
            var prefix = new byte[1 + left.Length];
            prefix[0] = 0x01;
            left.CopyTo(prefix, 1);
            steps.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = prefix, Suffix = ReadOnlyMemory<byte>.Empty });
            Path(items, start + split, count - split, index, steps);
        }
    }

    /// <summary>The largest power of two strictly less than <paramref name="count"/> (count &gt;= 2).</summary>
    internal static int SplitPoint(int count)
    {
        var k = 1;
        while (k << 1 < count)
        {
            k <<= 1;
        }
        return k;
    }
}

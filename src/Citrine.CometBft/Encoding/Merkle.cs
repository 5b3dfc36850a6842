using System.Security.Cryptography;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// CometBFT's simple Merkle tree (crypto/merkle, RFC 6962 section 2.1): empty tree = SHA-256 of
/// nothing, leaf = SHA-256(0x00 ‖ item), inner node = SHA-256(0x01 ‖ left ‖ right), and a list of
/// n items splits at the largest power of two strictly less than n.
/// </summary>
public static class Merkle
{
    public const int HashSize = 32;

    public static byte[] HashFromByteSlices(IReadOnlyList<byte[]> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new byte[HashSize];
        if (items.Count == 0)
        {
            SHA256.HashData([], result);
            return result;
        }
        // Leaves first, then fold bottom-up with the same split rule as the recursive definition.
        var leaves = new byte[items.Count * HashSize];
        for (var i = 0; i < items.Count; i++)
        {
            LeafHash(items[i], leaves.AsSpan(i * HashSize, HashSize));
        }
        Root(leaves, items.Count, result);
        return result;
    }

    /// <summary>The root over <paramref name="count"/> leaf hashes (32 bytes each) laid out consecutively.</summary>
    public static byte[] HashFromLeafHashes(ReadOnlySpan<byte> leafHashes, int count)
    {
        if (count < 0 || leafHashes.Length != count * HashSize)
        {
            throw new ArgumentException("leaf hashes must be count * 32 bytes", nameof(leafHashes));
        }
        var result = new byte[HashSize];
        if (count == 0)
        {
            SHA256.HashData([], result);
            return result;
        }
        Root(leafHashes, count, result);
        return result;
    }

    public static void LeafHash(ReadOnlySpan<byte> item, Span<byte> destination)
    {
        if (item.Length <= 255)
        {
            Span<byte> buffer = stackalloc byte[256];
            buffer[0] = 0x00;
            item.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..(item.Length + 1)], destination);
            return;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(item);
        hash.GetHashAndReset(destination);
    }

    public static void InnerHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>The root over <paramref name="count"/> leaf hashes laid out consecutively.</summary>
    private static void Root(ReadOnlySpan<byte> leafHashes, int count, Span<byte> destination)
    {
        if (count == 1)
        {
            leafHashes[..HashSize].CopyTo(destination);
            return;
        }
        var split = SplitPoint(count);
        Span<byte> left = stackalloc byte[HashSize];
        Span<byte> right = stackalloc byte[HashSize];
        Root(leafHashes[..(split * HashSize)], split, left);
        Root(leafHashes[(split * HashSize)..], count - split, right);
        InnerHash(left, right, destination);
    }

    /// <summary>The largest power of two strictly less than <paramref name="count"/> (count ≥ 2).</summary>
    public static int SplitPoint(int count)
    {
        var split = 1;
        while (split * 2 < count)
        {
            split *= 2;
        }
        return split;
    }
}

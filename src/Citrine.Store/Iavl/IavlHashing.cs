using System.Buffers;
using System.Security.Cryptography;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Store.Iavl;

/// <summary>
/// IAVL node hashing as cosmos/iavl computes it (node.go <c>writeHashBytes</c>):
/// <code>
/// leaf:  sha256( varint(0) || varint(1) || varint(version) || bytes(key) || bytes(sha256(value)) )
/// inner: sha256( varint(height) || varint(size) || varint(version) || bytes(leftHash) || bytes(rightHash) )
/// </code>
/// where varint is Go's zig-zag <c>binary.PutVarint</c> and bytes(x) is <c>uvarint(len(x)) || x</c>.
/// The hash of an empty tree is sha256 of the empty string (iavl v1 <c>ImmutableTree.Hash</c>).
/// </summary>
public static class IavlHashing
{
    public const int HashSize = 32;

    private const int StackLimit = 512;

    private static readonly byte[] EmptyHash = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The root hash of a tree with no keys.</summary>
    public static byte[] EmptyTreeHash => (byte[])EmptyHash.Clone();

    public static byte[] LeafHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long version)
    {
        Span<byte> valueHash = stackalloc byte[HashSize];
        SHA256.HashData(value, valueHash);
        return LeafHashFromValueHash(key, valueHash, version);
    }

    public static byte[] LeafHashFromValueHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> valueHash, long version)
    {
        var length = (3 * Varint.MaxLength) + Varint.MaxLength + key.Length + Varint.MaxLength + valueHash.Length;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var n = WriteHeader(buffer, 0, 1, version);
            n += WriteBytes(buffer[n..], key);
            n += WriteBytes(buffer[n..], valueHash);
            return SHA256.HashData(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static byte[] InnerHash(int height, long size, long version, ReadOnlySpan<byte> leftHash, ReadOnlySpan<byte> rightHash)
    {
        Span<byte> buffer = stackalloc byte[(5 * Varint.MaxLength) + (2 * HashSize)];
        if (leftHash.Length != HashSize || rightHash.Length != HashSize)
        {
            throw new StoreException(StoreError.CorruptRecord, "inner node child hashes must be 32 bytes");
        }
        var n = WriteHeader(buffer, height, size, version);
        n += WriteBytes(buffer[n..], leftHash);
        n += WriteBytes(buffer[n..], rightHash);
        return SHA256.HashData(buffer[..n]);
    }

    /// <summary>varint(height) || varint(size) || varint(version): the start of every node's preimage.</summary>
    public static byte[] Header(int height, long size, long version)
    {
        Span<byte> buffer = stackalloc byte[3 * Varint.MaxLength];
        var n = WriteHeader(buffer, height, size, version);
        return buffer[..n].ToArray();
    }

    internal static int WriteHeader(Span<byte> destination, int height, long size, long version)
    {
        var n = Varint.WriteSigned(destination, height);
        n += Varint.WriteSigned(destination[n..], size);
        n += Varint.WriteSigned(destination[n..], version);
        return n;
    }

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        var n = Varint.WriteUnsigned(destination, (ulong)bytes.Length);
        bytes.CopyTo(destination[n..]);
        return n + bytes.Length;
    }
}

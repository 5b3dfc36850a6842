using System.Security.Cryptography;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// A format-1 snapshot's metadata: the SHA-256 of every chunk, in order, encoded as the protobuf
/// message <c>{ repeated bytes chunk_hashes = 1; }</c> (each entry <c>0x0a 0x20 || hash</c>, the
/// shape of Cosmos SDK's snapshot metadata). The snapshot hash is SHA-256 of these bytes.
/// </summary>
public static class SnapshotMetadata
{
    private const int EntrySize = 2 + SHA256.HashSizeInBytes;

    public static byte[] Encode(IReadOnlyList<byte[]> chunkHashes)
    {
        ArgumentNullException.ThrowIfNull(chunkHashes);
        var result = new byte[chunkHashes.Count * EntrySize];
        for (var i = 0; i < chunkHashes.Count; i++)
        {
            if (chunkHashes[i].Length != SHA256.HashSizeInBytes)
            {
                throw new ArgumentException($"chunk hash {i} has {chunkHashes[i].Length} bytes", nameof(chunkHashes));
            }
            result[i * EntrySize] = 0x0a;
            result[(i * EntrySize) + 1] = SHA256.HashSizeInBytes;
            chunkHashes[i].CopyTo(result, (i * EntrySize) + 2);
        }
        return result;
    }

    /// <summary>The chunk hashes; false (with the reason) unless the bytes are exactly one or more well-formed entries.</summary>
    public static bool TryParse(ReadOnlySpan<byte> metadata, out byte[][] chunkHashes, out string error)
    {
        chunkHashes = [];
        if (metadata.IsEmpty || metadata.Length % EntrySize != 0)
        {
            error = $"metadata of {metadata.Length} bytes is not a whole number (>= 1) of {EntrySize}-byte entries";
            return false;
        }
        var hashes = new byte[metadata.Length / EntrySize][];
        for (var i = 0; i < hashes.Length; i++)
        {
            var entry = metadata.Slice(i * EntrySize, EntrySize);
            if (entry[0] != 0x0a || entry[1] != SHA256.HashSizeInBytes)
            {
                error = $"entry {i} at offset {i * EntrySize} does not start with 0a 20";
                return false;
            }
            hashes[i] = entry[2..].ToArray();
        }
        chunkHashes = hashes;
        error = "";
        return true;
    }
}

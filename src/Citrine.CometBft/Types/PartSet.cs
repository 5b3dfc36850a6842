using Citrine.CometBft.Encoding;

namespace Citrine.CometBft.Types;

/// <summary>
/// A block split into parts for gossip (CometBFT types/part_set.go <c>NewPartSetFromData</c>):
/// consecutive slices of <see cref="BlockPartSizeBytes"/> (the last one shorter), and a header
/// holding their count and the simple Merkle root over the slices.
/// </summary>
public sealed class PartSet
{
    /// <summary><c>types.BlockPartSizeBytes</c> (types/params.go): 64 KiB.</summary>
    public const int BlockPartSizeBytes = 65536;

    private readonly ReadOnlyMemory<byte>[] _parts;

    private PartSet(ReadOnlyMemory<byte>[] parts, PartSetHeader header)
    {
        _parts = parts;
        Header = header;
    }

    public PartSetHeader Header { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> Parts => _parts;

    /// <summary>Splits <paramref name="data"/> (an encoded block) into parts of <paramref name="partSize"/> bytes.</summary>
    public static PartSet FromData(ReadOnlyMemory<byte> data, int partSize = BlockPartSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partSize);
        var total = (int)(((long)data.Length + partSize - 1) / partSize);
        var parts = new ReadOnlyMemory<byte>[total];
        Span<byte> leaves = total <= 64 ? stackalloc byte[total * Merkle.HashSize] : new byte[total * Merkle.HashSize];
        for (var i = 0; i < total; i++)
        {
            var start = i * partSize;
            parts[i] = data.Slice(start, Math.Min(partSize, data.Length - start));
            Merkle.LeafHash(parts[i].Span, leaves.Slice(i * Merkle.HashSize, Merkle.HashSize));
        }
        return new PartSet(parts, new PartSetHeader((uint)total, Merkle.HashFromLeafHashes(leaves, total)));
    }

    /// <summary>The block id of a block: the header hash and the part-set header of the encoded block (<c>Block.MakePartSet</c>).</summary>
    public static BlockId BlockIdOf(Header header, IReadOnlyList<byte[]> txs, Commit? lastCommit)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new BlockId(header.Hash(), FromData(BlockEncoder.EncodeBlockMemory(header, txs, lastCommit)).Header);
    }
}

namespace Citrine.CometBft.Types;

/// <summary>The header of a block's part set (CometBFT <c>types.PartSetHeader</c>).</summary>
public sealed record PartSetHeader(uint Total, byte[] Hash)
{
    public static readonly PartSetHeader Empty = new(0, []);

    public bool IsZero => Total == 0 && Hash.Length == 0;

    public bool ContentEquals(PartSetHeader other) =>
        other is not null && Total == other.Total && Hash.AsSpan().SequenceEqual(other.Hash);
}

/// <summary>A block identifier: header hash plus part-set header (CometBFT <c>types.BlockID</c>).</summary>
public sealed record BlockId(byte[] Hash, PartSetHeader PartSetHeader)
{
    public static readonly BlockId Empty = new([], PartSetHeader.Empty);

    public bool IsZero => Hash.Length == 0 && PartSetHeader.IsZero;

    public bool ContentEquals(BlockId other) =>
        other is not null && Hash.AsSpan().SequenceEqual(other.Hash) && PartSetHeader.ContentEquals(other.PartSetHeader);
}

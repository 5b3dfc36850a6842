using System.Security.Cryptography;
using Citrine.Chain.Abci.Snapshots;

namespace Citrine.Chain.Tests.Abci.Snapshots;

public sealed class SnapshotMetadataTests
{
    [Fact]
    public void Metadata_is_repeated_bytes_field_one_and_parses_back()
    {
        byte[][] hashes = [SHA256.HashData([1]), SHA256.HashData([2])];
        var metadata = SnapshotMetadata.Encode(hashes);
        Assert.Equal(68, metadata.Length);
        Assert.Equal([0x0a, 0x20], metadata[..2]);
        Assert.Equal([0x0a, 0x20], metadata[34..36]);
        Assert.True(SnapshotMetadata.TryParse(metadata, out var parsed, out _));
        Assert.Equal(hashes, parsed);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(33, 0, 0)]
    [InlineData(34, 0, 0x0b)]
    [InlineData(34, 1, 0x1f)]
    [InlineData(35, 0, 0x0a)]
    public void Metadata_that_is_empty_of_the_wrong_length_or_with_a_wrong_tag_does_not_parse(int length, int at, byte value)
    {
        var metadata = new byte[length];
        if (length >= 2)
        {
            metadata[0] = 0x0a;
            metadata[1] = 0x20;
            metadata[at] = value;
        }
        Assert.False(SnapshotMetadata.TryParse(metadata, out _, out var error));
        Assert.NotEmpty(error);
    }
}

using System.Security.Cryptography;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using FsCheck.Xunit;

namespace Citrine.CometBft.Tests.Encoding;

public sealed class BlockEncoderTests
{
    private static Header SampleHeader(long height = 3) => new()
    {
        Version = new ConsensusVersion(11, 0),
        ChainId = "c",
        Height = height,
        Time = new Timestamp(1, 0),
        LastBlockId = BlockId.Empty,
        LastCommitHash = [],
        DataHash = [],
        ValidatorsHash = [],
        NextValidatorsHash = [],
        ConsensusHash = [],
        AppHash = [],
        LastResultsHash = [],
        EvidenceHash = [],
        ProposerAddress = [0xAA],
    };

    [Fact]
    public void Minimal_block_encodes_field_by_field()
    {
        var encoded = BlockEncoder.EncodeBlock(SampleHeader(), [[0x01, 0x02], []], null);
        // Header: version{block=11} 0a02080b, chain_id 1201 63, height 1803, time{seconds=1} 22020801,
        // last_block_id{parts{}} 2a021200, proposer 7201aa.
        byte[] header = [0x0a, 0x02, 0x08, 0x0b, 0x12, 0x01, 0x63, 0x18, 0x03, 0x22, 0x02, 0x08, 0x01, 0x2a, 0x02, 0x12, 0x00, 0x72, 0x01, 0xaa];
        // Data: both txs are written, the empty one as 0a00; evidence is an empty message 1a00; no last commit.
        byte[] expected = [0x0a, (byte)header.Length, .. header, 0x12, 0x06, 0x0a, 0x02, 0x01, 0x02, 0x0a, 0x00, 0x1a, 0x00];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Empty_last_commit_of_height_one_is_written_with_its_empty_block_id()
    {
        var encoded = BlockEncoder.EncodeBlock(SampleHeader(1), [], new Commit(0, 0, BlockId.Empty, []));
        // last_commit = 4: Commit{block_id = 3: BlockID{part_set_header = 2: {}}} → 22 04 1a 02 12 00.
        Assert.Equal([0x22, 0x04, 0x1a, 0x02, 0x12, 0x00], encoded[^6..]);
    }

    [Fact]
    public void Commit_sig_writes_go_zero_time_and_flag()
    {
        var commit = new Commit(2, 1, BlockId.Empty, [CommitSig.Absent()]);
        var encoded = BlockEncoder.EncodeCommit(commit);
        // height 0802, round 1001, block_id 1a021200, sig 22 0f {0801, 1a 0b {08 + 10-byte varint of seconds -62135596800}}.
        Assert.Equal([0x08, 0x02, 0x10, 0x01, 0x1a, 0x02, 0x12, 0x00], encoded[..8]);
        Assert.Equal([0x22, 0x0f, 0x08, 0x01, 0x1a, 0x0b, 0x08], encoded[8..15]);
    }

    [Fact]
    public void Part_set_splits_at_64_KiB_and_hashes_the_parts_as_merkle_leaves()
    {
        var data = new byte[(2 * PartSet.BlockPartSizeBytes) + 5];
        data[^1] = 7;
        var set = PartSet.FromData(data);
        Assert.Equal(3u, set.Header.Total);
        Assert.Equal(5, set.Parts[2].Length);
        var expected = Merkle.HashFromByteSlices([data[..65536], data[65536..131072], data[131072..]]);
        Assert.Equal(expected, set.Header.Hash);
    }

    [Fact]
    public void Part_set_of_a_small_block_is_one_leaf()
    {
        var set = PartSet.FromData(new byte[] { 1, 2, 3 });
        Assert.Equal(1u, set.Header.Total);
        Assert.Equal(SHA256.HashData([0, 1, 2, 3]), set.Header.Hash);
    }

    [Property(MaxTest = 50)]
    public bool Part_set_total_is_the_ceiling_of_size_over_part_size(ushort length, byte partSize)
    {
        var size = 1 + (partSize % 64);
        var set = PartSet.FromData(new byte[length], size);
        return set.Header.Total == (uint)((length + size - 1) / size)
            && set.Parts.Sum(p => p.Length) == length
            && set.Parts.Take(set.Parts.Count - 1).All(p => p.Length == size);
    }

    [Fact]
    public void Block_id_hash_stays_the_header_hash()
    {
        var header = SampleHeader();
        Assert.Equal(header.Hash(), PartSet.BlockIdOf(header, [], null).Hash);
    }
}

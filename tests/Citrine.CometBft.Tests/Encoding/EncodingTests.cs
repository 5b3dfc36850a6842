using System.Security.Cryptography;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Tests.Encoding;

public sealed class EncodingTests
{
    private static byte[] Leaf(byte[] x) => SHA256.HashData([0x00, .. x]);

    private static byte[] Inner(byte[] l, byte[] r) => SHA256.HashData([0x01, .. l, .. r]);

    [Fact]
    public void Merkle_root_of_nothing_is_the_hash_of_the_empty_string() =>
        Assert.Equal(SHA256.HashData([]), Merkle.HashFromByteSlices([]));

    [Fact]
    public void Merkle_root_splits_at_the_largest_power_of_two_below_the_count()
    {
        byte[][] items = [[1], [2], [3], [4], [5]];
        // RFC 6962 2.1: n = 5 splits 4 | 1.
        var expected = Inner(Inner(Inner(Leaf([1]), Leaf([2])), Inner(Leaf([3]), Leaf([4]))), Leaf([5]));
        Assert.Equal(expected, Merkle.HashFromByteSlices(items));
        Assert.Equal(Leaf([7]), Merkle.HashFromByteSlices([[7]]));
        Assert.Equal(Inner(Inner(Leaf([1]), Leaf([2])), Leaf([3])), Merkle.HashFromByteSlices(items[..3]));
    }

    [Fact]
    public void Merkle_leaf_of_a_long_item_hashes_the_whole_item()
    {
        var item = new byte[1000];
        item[999] = 9;
        Assert.Equal(Leaf(item), Merkle.HashFromByteSlices([item]));
    }

    [Fact]
    public void Null_last_block_id_still_writes_the_part_set_header() =>
        Assert.Equal([0x12, 0x00], HeaderHasher.BlockIdBytes(new ProtoWriter(), BlockId.Empty));

    [Theory]
    [InlineData(0UL, new byte[] { 0x00 })]
    [InlineData(127UL, new byte[] { 0x7f })]
    [InlineData(128UL, new byte[] { 0x80, 0x01 })]
    [InlineData(300UL, new byte[] { 0xac, 0x02 })]
    [InlineData(ulong.MaxValue, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })]
    public void Varint_matches_the_protobuf_encoding(ulong value, byte[] expected)
    {
        var w = new ProtoWriter();
        w.WriteVarint(value);
        Assert.Equal(expected, w.ToArray());
        Assert.Equal(expected.Length, ProtoWriter.VarintSize(value));
    }

    [Fact]
    public void Nil_vote_sign_bytes_omit_the_block_id()
    {
        var id = new BlockId(new byte[32], new PartSetHeader(1, new byte[32]));
        var time = new Timestamp(1, 2);
        var forBlock = VoteSignBytes.For("c", 5, 0, id, time);
        var nil = VoteSignBytes.For("c", 5, 0, null, time);
        // length, type=2, height sfixed64=5, timestamp{1s, 2ns}, chain id "c".
        Assert.Equal(Convert.FromHexString("1408021105000000000000002A04080110023201" + "63"), nil);
        Assert.Equal(forBlock.Length, nil.Length + 2 + 0x48);
    }

    [Fact]
    public void Vote_sign_bytes_template_matches_one_off_encoding_for_every_timestamp()
    {
        var id = new BlockId(SHA256.HashData("b"u8), new PartSetHeader(3, SHA256.HashData("p"u8)));
        var template = new VoteSignBytes("chain-x", 1234567, 2, id);
        foreach (var time in new[] { new Timestamp(0, 0), new Timestamp(-62135596800, 0), new Timestamp(1_700_000_000, 999_999_999), new Timestamp(253402300799, 1) })
        {
            var w = new ProtoWriter();
            w.WriteInt64(1, 2);
            w.WriteSFixed64(2, 1234567);
            w.WriteSFixed64(3, 2);
            var parts = new ProtoWriter();
            parts.WriteUInt64(1, 3);
            parts.WriteBytes(2, id.PartSetHeader.Hash);
            var block = new ProtoWriter();
            block.WriteBytes(1, id.Hash);
            block.WriteMessage(2, parts.WrittenSpan);
            w.WriteMessage(4, block.WrittenSpan);
            var ts = new ProtoWriter();
            ts.WriteInt64(1, time.Seconds);
            ts.WriteInt64(2, time.Nanos);
            w.WriteMessage(5, ts.WrittenSpan);
            w.WriteString(6, "chain-x");
            var expected = new ProtoWriter();
            expected.WriteVarint((ulong)w.Length);
            expected.WriteRaw(w.WrittenSpan);
            Assert.Equal(expected.ToArray(), template.Create(true, time));
        }
    }
}

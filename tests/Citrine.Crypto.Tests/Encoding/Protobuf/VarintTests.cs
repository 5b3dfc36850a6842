using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Crypto.Tests.Encoding.Protobuf;

public sealed class VarintTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "ac02")]
    [InlineData(ulong.MaxValue, "ffffffffffffffffff01")]
    public void Unsigned_varint_matches_the_protobuf_encoding_guide(ulong value, string hex)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var written = Varint.WriteUnsigned(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer[..written]));
        Assert.Equal(written, Varint.UnsignedLength(value));
        Assert.True(Varint.TryReadUnsigned(Convert.FromHexString(hex), out var read, out var length));
        Assert.Equal(value, read);
        Assert.Equal(written, length);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-2L, "03")]
    [InlineData(long.MinValue, "ffffffffffffffffff01")]
    public void Signed_varint_is_zig_zag_as_go_put_varint(long value, string hex)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var written = Varint.WriteSigned(buffer, value);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer[..written]));
        Assert.True(Varint.TryReadSigned(Convert.FromHexString(hex), out var read, out _));
        Assert.Equal(value, read);
    }

    [Fact]
    public void Non_minimal_varint_is_accepted_as_go_binary_uvarint_does()
    {
        Assert.True(Varint.TryReadUnsigned([0x80, 0x00], out var value, out var read));
        Assert.Equal(0UL, value);
        Assert.Equal(2, read);
    }

    [Fact]
    public void Varint_over_64_bits_is_refused_and_leaves_nothing_set()
    {
        // Nine continuation bytes carrying bits, then a tenth byte above 1: bits 64 and up.
        byte[] overlong = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        Assert.Equal(VarintStatus.Overflow, Varint.Read(overlong, out var value, out var read));
        Assert.Equal(0UL, value);
        Assert.Equal(0, read);
        Assert.False(Varint.TryReadSigned(overlong, out var signed, out read));
        Assert.Equal(0L, signed);
        Assert.Equal(0, read);
    }

    [Fact]
    public void Truncated_varint_is_refused_and_leaves_nothing_set()
    {
        Assert.Equal(VarintStatus.Truncated, Varint.Read([0xff, 0xff], out var value, out var read));
        Assert.Equal(0UL, value);
        Assert.Equal(0, read);
        Assert.Equal(VarintStatus.Truncated, Varint.Read([], out _, out _));
    }
}

using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Crypto.Tests.Encoding.Protobuf;

public sealed class ProtoCodecTests
{
    [Fact]
    public void Writer_omits_proto3_defaults_and_always_writes_embedded_messages()
    {
        var w = new ProtoWriter();
        w.WriteUInt64(1, 0);
        w.WriteInt32(2, 0);
        w.WriteBool(3, false);
        w.WriteBytes(4, []);
        w.WriteString(5, string.Empty);
        w.WriteSFixed64(6, 0);
        w.WritePackedInt32(7, []);
        w.WriteMessage(8, []);
        Assert.Equal("4200", Convert.ToHexStringLower(w.WrittenSpan));
    }

    [Fact]
    public void Writer_sign_extends_negative_int32_to_ten_bytes()
    {
        var w = new ProtoWriter();
        w.WriteInt32(1, -1);
        Assert.Equal("08ffffffffffffffffff01", Convert.ToHexStringLower(w.WrittenSpan));
    }

    [Fact]
    public void Writer_packs_repeated_int32_and_writes_fixed64_little_endian()
    {
        var w = new ProtoWriter();
        w.WritePackedInt32(1, [0, 1, 300]);
        w.WriteSFixed64(2, 1);
        w.WriteString(3, "é");
        Assert.Equal("0a040001ac02" + "110100000000000000" + "1a02c3a9", Convert.ToHexStringLower(w.WrittenSpan));
    }

    [Fact]
    public void Reader_reads_back_what_the_writer_wrote()
    {
        var inner = new ProtoWriter();
        inner.WriteBytes(1, [0xaa]);
        var w = new ProtoWriter();
        w.WriteUInt64(1, 150);
        w.WriteMessage(2, inner.WrittenSpan);
        w.WriteString(3, "chain");
        var r = new ProtoReader(w.WrittenSpan, "M");
        Assert.Equal((1, WireType.Varint), r.ReadTag());
        Assert.Equal(150UL, r.ReadVarint());
        Assert.Equal((2, WireType.LengthDelimited), r.ReadTag());
        var body = r.ReadLengthDelimited("m", out var at);
        Assert.Equal(5, at);
        var n = new ProtoReader(body, "N", at);
        Assert.True(n.TryReadTag(out var field, out var type));
        Assert.Equal((1, WireType.LengthDelimited), (field, type));
        Assert.Equal([0xaa], n.ReadBytes().ToArray());
        Assert.False(n.TryReadTag(out _, out _));
        r.ReadTag();
        Assert.Equal("chain", r.ReadString());
        Assert.True(r.End);
    }

    [Theory]
    [InlineData("08", "M.varint", 1, "truncated varint")]
    [InlineData("08ffffffffffffffffff02", "M.varint", 1, "varint overflows 64 bits")]
    [InlineData("0a05aa", "M.f", 1, "length 5 exceeds the 1 remaining bytes")]
    [InlineData("00", "M.tag", 0, "invalid field number 0")]
    [InlineData("0b", "M.tag", 0, "unsupported wire type 3 for field 1")]
    [InlineData("0e", "M.tag", 0, "unsupported wire type 6 for field 1")]
    public void Reader_names_field_and_absolute_offset_of_malformed_input(string hex, string field, int offset, string reason)
    {
        var data = Convert.FromHexString(hex);
        var e = Assert.Throws<ProtoFormatException>(() =>
        {
            var r = new ProtoReader(data, "M");
            var (_, type) = r.ReadTag();
            if (type == WireType.LengthDelimited)
            {
                r.ReadLengthDelimited("f", out _);
            }
            else
            {
                r.ReadVarint();
            }
        });
        Assert.Equal(field, e.Field);
        Assert.Equal(offset, e.Offset);
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Reader_refuses_invalid_utf8_strings_and_truncated_fixed_fields()
    {
        Assert.Equal("not valid UTF-8", Assert.Throws<ProtoFormatException>(() => new ProtoReader([0x01, 0xc5]).ReadString()).Reason);
        Assert.Equal("truncated fixed-width field", Assert.Throws<ProtoFormatException>(() => new ProtoReader([1, 2, 3]).Skip(WireType.Fixed64)).Reason);
        Assert.Equal("truncated fixed-width field", Assert.Throws<ProtoFormatException>(() => new ProtoReader([1, 2, 3]).Skip(WireType.Fixed32)).Reason);
    }

    [Fact]
    public void Reader_refuses_a_field_of_the_wrong_wire_type()
    {
        var e = Assert.Throws<ProtoFormatException>(() => new ProtoReader([0x08, 0x01], "M").Expect(WireType.Varint, WireType.LengthDelimited, "key"));
        Assert.Equal("M.key", e.Field);
    }
}

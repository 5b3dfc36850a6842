using System.Buffers.Binary;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// A minimal protobuf (proto3) writer for the few CometBFT messages whose encodings are hashed or
/// signed. Proto3 rules: scalar fields equal to their default are not written; embedded messages
/// are length-delimited (protobuf encoding guide, "Message Structure").
/// </summary>
public sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;

    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int capacity = 128) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>The bytes written so far, in the writer's own buffer (valid until the next write).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        _length += WriteVarint(_buffer.AsSpan(_length), value);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteUInt64(int field, ulong value)
    {
        if (value != 0)
        {
            WriteTag(field, WireVarint);
            WriteVarint(value);
        }
    }

    /// <summary>int64/int32 fields: two's complement as a 64-bit varint (negative values take 10 bytes).</summary>
    public void WriteInt64(int field, long value) => WriteUInt64(field, unchecked((ulong)value));

    public void WriteSFixed64(int field, long value)
    {
        if (value != 0)
        {
            WriteTag(field, WireFixed64);
            Ensure(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
            _length += 8;
        }
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            WriteLengthDelimited(field, value);
        }
    }

    public void WriteString(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != 0)
        {
            var count = System.Text.Encoding.UTF8.GetByteCount(value);
            WriteTag(field, WireLengthDelimited);
            WriteVarint((ulong)count);
            Ensure(count);
            _length += System.Text.Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        }
    }

    /// <summary>An embedded message, written even when empty (gogoproto non-nullable fields).</summary>
    public void WriteMessage(int field, ReadOnlySpan<byte> encoded) => WriteLengthDelimited(field, encoded);

    private void WriteLengthDelimited(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        WriteRaw(value);
    }

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void Ensure(int extra)
    {
        if (_buffer.Length - _length < extra)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }

    /// <summary>Writes a base-128 varint; <paramref name="destination"/> must hold 10 bytes.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }
}

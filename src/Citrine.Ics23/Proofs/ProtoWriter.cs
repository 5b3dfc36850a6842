using System.Buffers;

namespace Citrine.Ics23.Proofs;

/// <summary>
/// Writes protobuf wire format the way proto3 encoders do: fields in number order, default
/// values (0, empty bytes, false) omitted, repeated scalars packed.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteTag(int field, WireType type) => WriteVarint(((ulong)(uint)field << 3) | (uint)type);

    /// <summary>An int32 or enum field; negative values take 10 bytes (sign extension), as protobuf specifies.</summary>
    public void WriteInt32(int field, int value)
    {
        if (value == 0)
        {
            return;
        }
        WriteTag(field, WireType.Varint);
        WriteVarint(unchecked((ulong)(long)value));
    }

    public void WriteBool(int field, bool value)
    {
        if (!value)
        {
            return;
        }
        WriteTag(field, WireType.Varint);
        WriteVarint(1);
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return;
        }
        WriteLengthDelimited(field, value);
    }

    /// <summary>An embedded message or packed field: always written, even when empty (presence matters).</summary>
    public void WriteLengthDelimited(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireType.LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void WritePackedInt32(int field, IReadOnlyList<int> values)
    {
        if (values.Count == 0)
        {
            return;
        }
        var inner = new ProtoWriter();
        foreach (var v in values)
        {
            inner.WriteVarint(unchecked((ulong)(long)v));
        }
        WriteLengthDelimited(field, inner.WrittenSpan);
    }

    public void WriteMessage<T>(int field, T? value, Action<ProtoWriter, T> write)
        where T : class
    {
        if (value is null)
        {
            return;
        }
        var inner = new ProtoWriter();
        write(inner, value);
        WriteLengthDelimited(field, inner.WrittenSpan);
    }
}

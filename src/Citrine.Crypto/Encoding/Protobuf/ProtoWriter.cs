using System.Buffers.Binary;

namespace Citrine.Crypto.Encoding.Protobuf;

/// <summary>
/// Writes protobuf wire format as proto3 encoders do, for the messages whose bytes are hashed,
/// signed or compared byte for byte (CometBFT sign bytes and hashes, ICS23 proofs, ABCI and
/// Cosmos SDK messages): the caller writes fields in number order; scalar fields equal to their
/// default (0, false, empty) are omitted; embedded messages are length-delimited and written even
/// when empty, because presence matters (protobuf encoding guide, "Message Structure"; gogoproto
/// non-nullable fields).
/// </summary>
public sealed class ProtoWriter
{
    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int capacity = 128) => _buffer = new byte[Math.Max(capacity, 16)];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written so far, in the writer's own buffer (valid until the next write).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Clear() => _length = 0;

    public void WriteVarint(ulong value)
    {
        Ensure(Varint.MaxLength);
        _length += Varint.WriteUnsigned(_buffer.AsSpan(_length), value);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteTag(int field, WireType type) => WriteVarint(((ulong)(uint)field << 3) | (uint)type);

    public void WriteUInt64(int field, ulong value)
    {
        if (value != 0)
        {
            WriteTag(field, WireType.Varint);
            WriteVarint(value);
        }
    }

    /// <summary>int64, int32 and enum fields: two's complement as a 64-bit varint (negative values take 10 bytes).</summary>
    public void WriteInt64(int field, long value) => WriteUInt64(field, unchecked((ulong)value));

    /// <inheritdoc cref="WriteInt64"/>
    public void WriteInt32(int field, int value) => WriteUInt64(field, unchecked((ulong)(long)value));

    public void WriteBool(int field, bool value)
    {
        if (value)
        {
            WriteTag(field, WireType.Varint);
            WriteVarint(1);
        }
    }

    public void WriteSFixed64(int field, long value)
    {
        if (value != 0)
        {
            WriteTag(field, WireType.Fixed64);
            Ensure(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
            _length += 8;
        }
    }

    /// <summary>A bytes field, omitted when empty.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            WriteMessage(field, value);
        }
    }

    /// <summary>A string field (UTF-8), omitted when empty.</summary>
    public void WriteString(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != 0)
        {
            var count = System.Text.Encoding.UTF8.GetByteCount(value);
            WriteTag(field, WireType.LengthDelimited);
            WriteVarint((ulong)count);
            Ensure(count);
            _length += System.Text.Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        }
    }

    /// <summary>An embedded message or packed field, already encoded: always written, even when empty.</summary>
    public void WriteMessage(int field, ReadOnlySpan<byte> encoded)
    {
        WriteTag(field, WireType.LengthDelimited);
        WriteVarint((ulong)encoded.Length);
        WriteRaw(encoded);
    }

    /// <summary>An embedded message written by <paramref name="write"/>, or nothing when <paramref name="value"/> is null.</summary>
    public void WriteMessage<T>(int field, T? value, Action<ProtoWriter, T> write)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(write);
        if (value is null)
        {
            return;
        }
        var inner = new ProtoWriter();
        write(inner, value);
        WriteMessage(field, inner.WrittenSpan);
    }

    /// <summary>A packed repeated int32 (proto3's default for repeated scalars), omitted when empty.</summary>
    public void WritePackedInt32(int field, IReadOnlyList<int> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return;
        }
        var size = 0;
        foreach (var v in values)
        {
            size += Varint.UnsignedLength(unchecked((ulong)(long)v));
        }
        WriteTag(field, WireType.LengthDelimited);
        WriteVarint((ulong)size);
        foreach (var v in values)
        {
            WriteVarint(unchecked((ulong)(long)v));
        }
    }

    /// <summary>Writes a varint into <paramref name="destination"/> (10 bytes suffice); the same as <see cref="Varint.WriteUnsigned"/>.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value) => Varint.WriteUnsigned(destination, value);

    /// <summary>The encoded length of a varint; the same as <see cref="Varint.UnsignedLength"/>.</summary>
    public static int VarintSize(ulong value) => Varint.UnsignedLength(value);

    private void Ensure(int extra)
    {
        if (_buffer.Length - _length < extra)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}

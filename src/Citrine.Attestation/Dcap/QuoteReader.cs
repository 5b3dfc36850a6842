using System.Buffers.Binary;

namespace Citrine.Attestation.Dcap;

/// <summary>
/// Little-endian cursor over a quote. Every read checks bounds without overflow and throws
/// <see cref="QuoteFormatException"/> naming the field and its absolute offset.
/// </summary>
internal ref struct QuoteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _base;

    public QuoteReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _base = baseOffset;
        Position = 0;
    }

    public int Position { get; private set; }

    /// <summary>Absolute offset in the quote of the cursor.</summary>
    public readonly int AbsolutePosition => _base + Position;

    public readonly int Remaining => _data.Length - Position;

    public ReadOnlySpan<byte> Bytes(int count, string field)
    {
        if (count < 0 || (uint)count > (uint)(_data.Length - Position))
        {
            throw new QuoteFormatException(field, AbsolutePosition, $"needs {count} bytes, {_data.Length - Position} left");
        }
        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, field));

    /// <summary>Reads a u32 length and then that many bytes.</summary>
    public ReadOnlySpan<byte> LengthPrefixed32(string field)
    {
        var at = AbsolutePosition;
        var length = U32(field + ".length");
        if (length > (uint)(_data.Length - Position))
        {
            throw new QuoteFormatException(field, at, $"declared length {length} exceeds the {_data.Length - Position} bytes left");
        }
        return Bytes((int)length, field);
    }
}

using System.Buffers.Binary;

namespace Citrine.Contracts.Execution;

/// <summary>
/// Reads the big-endian execution formats from a span: each read either advances or sets
/// <see cref="Error"/> (field name and offset) and returns false. Bounds checks cannot overflow.
/// </summary>
internal ref struct BinaryReaderCursor(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public int Position { get; private set; }

    public string Error { get; private set; } = "";

    public readonly int Remaining => _bytes.Length - Position;

    public bool U8(string field, out byte value)
    {
        value = 0;
        if (!Has(field, 1))
        {
            return false;
        }
        value = _bytes[Position++];
        return true;
    }

    public bool U16(string field, out ushort value)
    {
        value = 0;
        if (!Has(field, 2))
        {
            return false;
        }
        value = BinaryPrimitives.ReadUInt16BigEndian(_bytes[Position..]);
        Position += 2;
        return true;
    }

    public bool U32(string field, out uint value)
    {
        value = 0;
        if (!Has(field, 4))
        {
            return false;
        }
        value = BinaryPrimitives.ReadUInt32BigEndian(_bytes[Position..]);
        Position += 4;
        return true;
    }

    public bool U64(string field, out ulong value)
    {
        value = 0;
        if (!Has(field, 8))
        {
            return false;
        }
        value = BinaryPrimitives.ReadUInt64BigEndian(_bytes[Position..]);
        Position += 8;
        return true;
    }

    public bool Fixed(string field, int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!Has(field, length))
        {
            return false;
        }
        value = _bytes.Slice(Position, length);
        Position += length;
        return true;
    }

    /// <summary>LP(x) = u32be len ‖ x, with len at most <paramref name="max"/>.</summary>
    public bool Lp(string field, int max, out ReadOnlySpan<byte> value)
    {
        value = default;
        var at = Position;
        if (!U32(field + " length", out var length))
        {
            return false;
        }
        if (length > (uint)max)
        {
            return Fail(field, at, $"length {length} is above the limit {max}");
        }
        if (length > (uint)Remaining)
        {
            return Fail(field, at, $"length {length} runs past the end ({Remaining} bytes left)");
        }
        value = _bytes.Slice(Position, (int)length);
        Position += (int)length;
        return true;
    }

    /// <summary>Refuses trailing bytes: every format is exact.</summary>
    public bool End(string what)
    {
        return Remaining == 0 || Fail(what, Position, $"{Remaining} byte(s) after the end");
    }

    public bool Fail(string field, int offset, string detail)
    {
        Error = $"{field} (offset {offset}): {detail}";
        return false;
    }

    private bool Has(string field, int length) =>
        (uint)length <= (uint)Remaining || Fail(field, Position, $"needs {length} bytes, {Remaining} left");
}

/// <summary>Writes the big-endian execution formats into a buffer sized by the caller.</summary>
internal ref struct BinaryWriterCursor(Span<byte> bytes)
{
    private readonly Span<byte> _bytes = bytes;

    public int Position { get; private set; }

    public void U8(byte value) => _bytes[Position++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[Position..], value);
        Position += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_bytes[Position..], value);
        Position += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_bytes[Position..], value);
        Position += 8;
    }

    public void Fixed(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_bytes[Position..]);
        Position += value.Length;
    }

    public void Lp(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        Fixed(value);
    }
}

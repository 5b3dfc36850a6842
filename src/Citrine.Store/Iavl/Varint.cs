namespace Citrine.Store.Iavl;

/// <summary>
/// Go <c>encoding/binary</c> varints, as IAVL hashes them: <c>PutUvarint</c> (base-128, low group
/// first) and <c>PutVarint</c> (zig-zag: (v &lt;&lt; 1) ^ (v &gt;&gt; 63), then uvarint).
/// </summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static int WriteUnsigned(Span<byte> destination, ulong value)
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

    public static int WriteSigned(Span<byte> destination, long value) =>
        WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    public static int UnsignedLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Reads a uvarint; false when truncated or longer than 64 bits.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out ulong value, out int read)
    {
        value = 0;
        read = 0;
        var shift = 0;
        for (var i = 0; i < MaxLength && i < source.Length; i++)
        {
            var b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                return false;
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                read = i + 1;
                return true;
            }
            shift += 7;
        }
        value = 0;
        return false;
    }

    public static bool TryReadSigned(ReadOnlySpan<byte> source, out long value, out int read)
    {
        if (!TryReadUnsigned(source, out var raw, out read))
        {
            value = 0;
            return false;
        }
        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return true;
    }
}

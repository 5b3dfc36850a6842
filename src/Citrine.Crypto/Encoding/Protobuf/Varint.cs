namespace Citrine.Crypto.Encoding.Protobuf;

/// <summary>Why <see cref="Varint.Read"/> could not read a varint.</summary>
public enum VarintStatus
{
    Ok = 0,
    Truncated,
    Overflow,
}

/// <summary>
/// Base-128 varints, low group first, as protobuf writes them (encoding guide, "Base 128 Varints")
/// and Go's <c>encoding/binary</c> <c>PutUvarint</c>/<c>PutVarint</c> (zig-zag: (v &lt;&lt; 1) ^ (v
/// &gt;&gt; 63), the protobuf <c>sint64</c> mapping) write them for IAVL.
/// </summary>
/// <remarks>
/// Reading accepts non-minimal encodings (e.g. <c>80 00</c> for 0) up to 10 bytes, as Go's
/// <c>binary.Uvarint</c> and <c>protowire.ConsumeVarint</c> (and so CometBFT and the Cosmos SDK)
/// do; a 10th byte above 1 overflows 64 bits and is refused, as both refuse it. Nothing here
/// hashes or signs bytes it has read back, so an overlong form cannot make two encodings of one
/// value verify differently: writers always produce the minimal form.
/// </remarks>
public static class Varint
{
    /// <summary>The longest varint of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/>; <paramref name="destination"/> must hold <see cref="UnsignedLength"/> bytes (10 always suffice).</summary>
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

    /// <summary>Zig-zag then unsigned: Go <c>PutVarint</c>, protobuf <c>sint64</c>.</summary>
    public static int WriteSigned(Span<byte> destination, long value) =>
        WriteUnsigned(destination, ZigZag(value));

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

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    /// <summary>Reads a varint from the start of <paramref name="source"/>; on failure <paramref name="value"/> and <paramref name="read"/> are 0.</summary>
    public static VarintStatus Read(ReadOnlySpan<byte> source, out ulong value, out int read)
    {
        ulong result = 0;
        var limit = Math.Min(source.Length, MaxLength);
        for (var i = 0; i < limit; i++)
        {
            var b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                value = 0;
                read = 0;
                return VarintStatus.Overflow;
            }
            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                read = i + 1;
                return VarintStatus.Ok;
            }
        }
        value = 0;
        read = 0;
        // Ten continuation bytes cannot happen (the tenth is checked above), so running out is truncation.
        return VarintStatus.Truncated;
    }

    /// <summary>Reads an unsigned varint; false (with <paramref name="value"/> and <paramref name="read"/> 0) when truncated or over 64 bits.</summary>
    public static bool TryReadUnsigned(ReadOnlySpan<byte> source, out ulong value, out int read) =>
        Read(source, out value, out read) == VarintStatus.Ok;

    /// <summary>Reads a zig-zag varint (Go <c>binary.Varint</c>); false (with <paramref name="value"/> and <paramref name="read"/> 0) when unreadable.</summary>
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

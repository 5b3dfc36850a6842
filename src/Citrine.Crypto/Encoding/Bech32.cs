namespace Citrine.Crypto.Encoding;

/// <summary>A bech32 string that breaks a BIP-173 rule; <see cref="Position"/> is the offending character, or -1.</summary>
public sealed class Bech32FormatException : FormatException
{
    public Bech32FormatException()
    {
    }

    public Bech32FormatException(string message)
        : base(message)
    {
    }

    public Bech32FormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Bech32FormatException(string message, int position)
        : base(position >= 0 ? $"{message} (at position {position})" : message)
    {
        Position = position;
    }

    public int Position { get; } = -1;
}

/// <summary>
/// Bech32 (BIP-173): <c>hrp "1" data checksum</c>, 5-bit data, 6-character BCH checksum.
/// Decoding enforces every BIP-173 rule: length ≤ 90, characters 33..126, no mixed case,
/// HRP of 1..83 characters, at least 6 data characters, charset membership, valid checksum.
/// </summary>
public static class Bech32
{
    public const int MaxLength = 90;
    public const int ChecksumLength = 6;

    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>Encodes 5-bit values (each 0..31) under <paramref name="hrp"/>; the result is lower case.</summary>
    /// <exception cref="Bech32FormatException">bad HRP, a value above 31, or a result longer than 90.</exception>
    public static string Encode(string hrp, ReadOnlySpan<byte> data5)
    {
        ArgumentNullException.ThrowIfNull(hrp);
        CheckHrp(hrp);
        if (hrp.Any(char.IsAsciiLetterUpper) && hrp.Any(char.IsAsciiLetterLower))
        {
            throw new Bech32FormatException("the human-readable part mixes upper and lower case", -1);
        }
        hrp = hrp.ToLowerInvariant();
        var length = hrp.Length + 1 + data5.Length + ChecksumLength;
        if (length > MaxLength)
        {
            throw new Bech32FormatException($"the encoding would be {length} characters, above the limit of {MaxLength}", -1);
        }
        foreach (var value in data5)
        {
            if (value > 31)
            {
                throw new Bech32FormatException($"data value {value} is not a 5-bit value", -1);
            }
        }
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        CreateChecksum(hrp, data5, checksum);
        return string.Create(length, (hrp, data5.ToArray(), checksum.ToArray()), static (span, s) =>
        {
            s.hrp.AsSpan().CopyTo(span);
            span[s.hrp.Length] = '1';
            var at = s.hrp.Length + 1;
            foreach (var v in s.Item2)
            {
                span[at++] = Charset[v];
            }
            foreach (var v in s.Item3)
            {
                span[at++] = Charset[v];
            }
        });
    }

    /// <summary>Decodes a bech32 string into its lower-case HRP and 5-bit data (checksum removed).</summary>
    /// <exception cref="Bech32FormatException">any BIP-173 rule is broken; the message says which and where.</exception>
    public static (string Hrp, byte[] Data) Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new Bech32FormatException($"the string is {text.Length} characters, above the limit of {MaxLength}", -1);
        }
        bool lower = false, upper = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 33 || c > 126)
            {
                throw new Bech32FormatException($"character 0x{(int)c:x2} is outside the printable range 33..126", i);
            }
            lower |= char.IsAsciiLetterLower(c);
            upper |= char.IsAsciiLetterUpper(c);
        }
        if (lower && upper)
        {
            throw new Bech32FormatException("the string mixes upper and lower case", -1);
        }
        var separator = text.LastIndexOf('1');
        if (separator < 0)
        {
            throw new Bech32FormatException("no separator '1'", -1);
        }
        if (separator == 0)
        {
            throw new Bech32FormatException("the human-readable part is empty", 0);
        }
        if (text.Length - separator - 1 < ChecksumLength)
        {
            throw new Bech32FormatException($"the data part has {text.Length - separator - 1} characters, fewer than the {ChecksumLength}-character checksum", separator + 1);
        }
        var lowered = text.ToLowerInvariant();
        var hrp = lowered[..separator];
        CheckHrp(hrp);
        var values = new byte[text.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var position = separator + 1 + i;
            var index = Charset.IndexOf(lowered[position], StringComparison.Ordinal);
            if (index < 0)
            {
                throw new Bech32FormatException($"'{text[position]}' is not a bech32 data character", position);
            }
            values[i] = (byte)index;
        }
        if (Polymod(hrp, values) != 1)
        {
            throw new Bech32FormatException("the checksum does not match", -1);
        }
        return (hrp, values[..^ChecksumLength]);
    }

    /// <summary>Decodes, or returns false without throwing.</summary>
    public static bool TryDecode(string text, out string hrp, out byte[] data)
    {
        try
        {
            (hrp, data) = Decode(text);
            return true;
        }
        catch (Bech32FormatException)
        {
            hrp = "";
            data = [];
            return false;
        }
    }

    /// <summary>Encodes bytes (regrouped 8→5 bits with zero padding), as Cosmos addresses do.</summary>
    public static string EncodeBytes(string hrp, ReadOnlySpan<byte> bytes) => Encode(hrp, ConvertBits(bytes, 8, 5, pad: true));

    /// <summary>Decodes to bytes (5→8 bits); non-zero or over-long padding is rejected.</summary>
    /// <exception cref="Bech32FormatException">a BIP-173 rule is broken or the padding is invalid.</exception>
    public static (string Hrp, byte[] Bytes) DecodeBytes(string text)
    {
        var (hrp, data) = Decode(text);
        return (hrp, ConvertBits(data, 5, 8, pad: false));
    }

    /// <summary>Regroups bits (BIP-173 convertbits). Without padding, leftover bits must be fewer than <paramref name="fromBits"/> and zero.</summary>
    public static byte[] ConvertBits(ReadOnlySpan<byte> data, int fromBits, int toBits, bool pad)
    {
        var result = new List<byte>((data.Length * fromBits / toBits) + 1);
        var accumulator = 0;
        var bits = 0;
        var maxValue = (1 << toBits) - 1;
        foreach (var value in data)
        {
            if (value >> fromBits != 0)
            {
                throw new Bech32FormatException($"value {value} does not fit in {fromBits} bits", -1);
            }
            accumulator = ((accumulator << fromBits) | value) & 0xFFFF;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                result.Add((byte)((accumulator >> bits) & maxValue));
            }
        }
        if (pad)
        {
            if (bits > 0)
            {
                result.Add((byte)((accumulator << (toBits - bits)) & maxValue));
            }
        }
        else if (bits >= fromBits || ((accumulator << (toBits - bits)) & maxValue) != 0)
        {
            throw new Bech32FormatException("the data has invalid padding", -1);
        }
        return [.. result];
    }

    private static void CheckHrp(string hrp)
    {
        if (hrp.Length is < 1 or > 83)
        {
            throw new Bech32FormatException($"the human-readable part is {hrp.Length} characters; BIP-173 allows 1..83", -1);
        }
        for (var i = 0; i < hrp.Length; i++)
        {
            if (hrp[i] < 33 || hrp[i] > 126)
            {
                throw new Bech32FormatException($"character 0x{(int)hrp[i]:x2} is outside the printable range 33..126", i);
            }
        }
    }

    private static void CreateChecksum(string hrp, ReadOnlySpan<byte> data, Span<byte> checksum)
    {
        var values = new byte[data.Length + ChecksumLength];
        data.CopyTo(values);
        var polymod = Polymod(hrp, values) ^ 1;
        for (var i = 0; i < ChecksumLength; i++)
        {
            checksum[i] = (byte)((polymod >> (5 * (5 - i))) & 31);
        }
    }

    // BIP-173 bech32_polymod over hrp_expand(hrp) || values.
    private static uint Polymod(string hrp, ReadOnlySpan<byte> values)
    {
        uint chk = 1;
        foreach (var c in hrp)
        {
            chk = Step(chk, (byte)(c >> 5));
        }
        chk = Step(chk, 0);
        foreach (var c in hrp)
        {
            chk = Step(chk, (byte)(c & 31));
        }
        foreach (var v in values)
        {
            chk = Step(chk, v);
        }
        return chk;
    }

    private static uint Step(uint chk, byte value)
    {
        var top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        for (var i = 0; i < 5; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                chk ^= Generator[i];
            }
        }
        return chk;
    }
}

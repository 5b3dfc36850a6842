namespace Citrine.Crypto.Encoding;

/// <summary>Lower-case hexadecimal encoding; decoding accepts either case and an optional 0x prefix.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static string EncodeUpper(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    /// <summary>Decodes hex text (optionally 0x-prefixed, surrounding white space ignored).</summary>
    /// <exception cref="FormatException">odd length or a character that is not a hex digit; the message says where.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        {
            text = text[2..];
        }
        if ((text.Length & 1) != 0)
        {
            throw new FormatException($"hex text has an odd number of digits ({text.Length})");
        }
        var result = new byte[text.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var hi = Digit(text[2 * i], 2 * i);
            var lo = Digit(text[(2 * i) + 1], (2 * i) + 1);
            result[i] = (byte)((hi << 4) | lo);
        }
        return result;
    }

    /// <summary>Decodes hex text, or returns false without throwing.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        try
        {
            bytes = Decode(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static int Digit(char c, int position) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new FormatException($"'{c}' at position {position} is not a hex digit"),
    };
}

namespace Citrine.Crypto.Encoding;

/// <summary>Base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) with strict decoding.</summary>
public static class Base64
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes);

    /// <summary>Decodes padded standard base64. White space is not accepted.</summary>
    /// <exception cref="FormatException">not canonical base64.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().ContainsAny(" \t\r\n"))
        {
            throw new FormatException("base64 text contains white space");
        }
        var bytes = Convert.FromBase64String(text);
        // Reject encodings with non-zero padding bits, which would decode to the same bytes.
        if (!string.Equals(Convert.ToBase64String(bytes), text, StringComparison.Ordinal))
        {
            throw new FormatException("base64 text is not in canonical form (non-zero trailing bits)");
        }
        return bytes;
    }

    /// <summary>Decodes, or returns false without throwing.</summary>
    public static bool TryDecode(string text, out byte[] bytes)
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

    public static string EncodeUrl(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Decodes unpadded base64url.</summary>
    /// <exception cref="FormatException">not canonical base64url.</exception>
    public static byte[] DecodeUrl(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('='))
        {
            throw new FormatException("base64url text must not be padded");
        }
        byte[] bytes;
        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid base64url text: {e.Message}", e);
        }
        if (!string.Equals(EncodeUrl(bytes), text, StringComparison.Ordinal))
        {
            throw new FormatException("base64url text is not in canonical form");
        }
        return bytes;
    }
}

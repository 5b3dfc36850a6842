using System.Globalization;
using System.Text.Json;

namespace Citrine.Cli;

/// <summary>Reads option values and files, turning every malformed value into a <see cref="CliInputException"/>.</summary>
public static class CliInput
{
    public static byte[] Hex(string? value, string option)
    {
        if (value is null)
        {
            return [];
        }
        try
        {
            return Crypto.Encoding.Hex.Decode(value);
        }
        catch (FormatException e)
        {
            throw new CliInputException($"{option}: {e.Message}", e);
        }
    }

    public static byte[] ReadFile(string path, string option)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliInputException($"{option}: cannot read '{path}': {e.Message}", e);
        }
    }

    public static string ReadText(string path, string option) =>
        System.Text.Encoding.UTF8.GetString(ReadFile(path, option));

    /// <summary>Reads binary content that may also be given as hex text (optionally 0x-prefixed).</summary>
    public static byte[] ReadBinaryOrHex(string path, string option)
    {
        var bytes = ReadFile(path, option);
        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var isHexText = digits.Length > 0 && digits.Length % 2 == 0 && digits.All(char.IsAsciiHexDigit);
        return isHexText ? Crypto.Encoding.Hex.Decode(digits) : bytes;
    }

    /// <summary>Parses a time given as unix seconds or RFC 3339.</summary>
    public static DateTimeOffset Time(string value, string option)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            try
            {
                return DateTimeOffset.FromUnixTimeSeconds(unix);
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliInputException($"{option}: {value} is out of range", e);
            }
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        throw new CliInputException($"{option}: '{value}' is neither unix seconds nor an RFC 3339 time");
    }

    public static JsonDocument Json(string text, string option)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new CliInputException($"{option}: invalid JSON: {e.Message}", e);
        }
    }
}

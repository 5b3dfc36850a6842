using System.Globalization;
using System.Text;

namespace Citrine.Chain.Tests.Abci.Home;

/// <summary>
/// A strict reader for the TOML subset <c>TomlWriter</c> emits (comments, <c>[table]</c>, bare
/// keys, basic strings, integers, booleans): anything else throws, so a test that reads a file
/// back also proves it stays inside that subset. Keys come back as <c>table.key</c>.
/// </summary>
internal static class TomlReader
{
    public static Dictionary<string, object> Read(string text)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var tables = new HashSet<string>(StringComparer.Ordinal);
        var table = "";
        foreach (var (raw, number) in text.Split('\n').Select((l, i) => (l, i + 1)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (line[0] == '[')
            {
                if (line[^1] != ']' || !IsBareKey(line[1..^1]) || !tables.Add(line[1..^1]))
                {
                    throw new FormatException($"line {number}: bad or repeated table header '{line}'");
                }
                table = line[1..^1] + ".";
                continue;
            }
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (equals <= 0 || !IsBareKey(line[..equals]))
            {
                throw new FormatException($"line {number}: not 'key = value': '{line}'");
            }
            var key = table + line[..equals];
            var value = line[(equals + 3)..];
            object parsed = value switch
            {
                "true" => true,
                "false" => false,
                ['"', ..] => Unquote(value, number),
                _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
                _ => throw new FormatException($"line {number}: unsupported value '{value}'"),
            };
            if (!values.TryAdd(key, parsed))
            {
                throw new FormatException($"line {number}: '{key}' defined twice");
            }
        }
        return values;
    }

    private static bool IsBareKey(string key) => key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string Unquote(string value, int number)
    {
        var sb = new StringBuilder();
        var i = 1;
        while (true)
        {
            if (i >= value.Length)
            {
                throw new FormatException($"line {number}: unterminated string");
            }
            var c = value[i++];
            if (c == '"')
            {
                break;
            }
            if (c < ' ' || c == '\u007f')
            {
                throw new FormatException($"line {number}: raw control character U+{(int)c:X4} in a string");
            }
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            var e = value[i++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'b': sb.Append('\b'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case 'u':
                    sb.Append((char)int.Parse(value.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: throw new FormatException($"line {number}: unknown escape \\{e}");
            }
        }
        if (i != value.Length)
        {
            throw new FormatException($"line {number}: text after the closing quote");
        }
        return sb.ToString();
    }
}

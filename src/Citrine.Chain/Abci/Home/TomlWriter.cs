using System.Globalization;
using System.Text;

namespace Citrine.Chain.Abci.Home;

/// <summary>
/// Writes the subset of TOML v1.0 a CometBFT config needs: comments, tables, and key/value pairs
/// whose values are basic strings, integers and booleans. Keys must be bare keys.
/// </summary>
public sealed class TomlWriter
{
    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _tables = new(StringComparer.Ordinal);
    private HashSet<string> _keys = new(StringComparer.Ordinal);

    public TomlWriter Comment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            _text.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
        }
        return this;
    }

    public TomlWriter Table(string name)
    {
        CheckBareKey(name);
        if (!_tables.Add(name))
        {
            throw new InvalidOperationException($"table [{name}] written twice");
        }
        _keys = new HashSet<string>(StringComparer.Ordinal);
        _text.Append('\n').Append('[').Append(name).Append("]\n");
        return this;
    }

    public TomlWriter String(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Pair(key, Quote(value));
    }

    public TomlWriter Integer(string key, long value) => Pair(key, value.ToString(CultureInfo.InvariantCulture));

    public TomlWriter Boolean(string key, bool value) => Pair(key, value ? "true" : "false");

    public override string ToString() => _text.ToString();

    /// <summary>A TOML basic string: quote, backslash and control characters escaped (TOML v1.0, "String").</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ' or '\u007f':
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private TomlWriter Pair(string key, string value)
    {
        CheckBareKey(key);
        if (!_keys.Add(key))
        {
            throw new InvalidOperationException($"key '{key}' written twice in one table");
        }
        _text.Append(key).Append(" = ").Append(value).Append('\n');
        return this;
    }

    private static void CheckBareKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw new ArgumentException($"'{key}' is not a bare TOML key", nameof(key));
            }
        }
    }
}

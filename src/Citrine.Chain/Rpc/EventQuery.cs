using System.Globalization;
using System.Text.RegularExpressions;

namespace Citrine.Chain.Rpc;

/// <summary>
/// The subset of CometBFT's event query language (libs/pubsub/query) the devnet supports:
/// conditions joined by <c>AND</c>, each <c>key = 'text'</c>, <c>key = 5</c>, <c>key &lt; 5</c>
/// (also <c>&lt;= &gt; &gt;=</c> on numbers), <c>key CONTAINS 'text'</c> or <c>key EXISTS</c>.
/// An event matches when every condition holds for at least one of the key's values.
/// </summary>
public sealed partial class EventQuery
{
    private readonly List<(string Key, string Op, string? Text, decimal? Number)> _conditions;

    private EventQuery(string text, List<(string, string, string?, decimal?)> conditions)
    {
        Text = text;
        _conditions = conditions;
    }

    public string Text { get; }

    public static EventQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > 512)
        {
            throw new RpcException(RpcException.InvalidParams, "query must be 1..512 characters");
        }
        var conditions = new List<(string, string, string?, decimal?)>();
        foreach (var part in SplitAnd(text))
        {
            var m = Condition().Match(part);
            if (!m.Success)
            {
                throw new RpcException(RpcException.InvalidParams, $"failed to parse query: unsupported condition '{part.Trim()}'");
            }
            var op = m.Groups[2].Value.ToUpperInvariant();
            string? str = m.Groups[3].Success ? m.Groups[3].Value : null;
            decimal? num = m.Groups[4].Success ? decimal.Parse(m.Groups[4].Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;
            if ((op == "EXISTS") != (str is null && num is null) || (op is "<" or "<=" or ">" or ">=" && num is null) || (op == "CONTAINS" && str is null))
            {
                throw new RpcException(RpcException.InvalidParams, $"failed to parse query: bad operand in '{part.Trim()}'");
            }
            conditions.Add((m.Groups[1].Value, op, str, num));
        }
        return new EventQuery(text, conditions);
    }

    public bool Matches(IReadOnlyDictionary<string, List<string>> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var (key, op, text, number) in _conditions)
        {
            if (!events.TryGetValue(key, out var values) || values.Count == 0)
            {
                return false;
            }
            var any = op switch
            {
                "EXISTS" => true,
                "CONTAINS" => values.Any(v => v.Contains(text!, StringComparison.Ordinal)),
                "=" when text is not null => values.Any(v => v == text),
                _ => values.Any(v => decimal.TryParse(v, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x) && Compare(x, op, number!.Value)),
            };
            if (!any)
            {
                return false;
            }
        }
        return true;
    }

    private static bool Compare(decimal x, string op, decimal y) => op switch
    {
        "=" => x == y,
        "<" => x < y,
        "<=" => x <= y,
        ">" => x > y,
        _ => x >= y,
    };

    private static List<string> SplitAnd(string text)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && i + 5 <= text.Length && string.Compare(text, i, " AND ", 0, 5, StringComparison.OrdinalIgnoreCase) == 0)
            {
                parts.Add(text[start..i]);
                start = i + 5;
                i += 4;
            }
        }
        if (quoted)
        {
            throw new RpcException(RpcException.InvalidParams, "failed to parse query: unterminated quote");
        }
        parts.Add(text[start..]);
        return parts;
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9_.\-]+)\s*(<=|>=|=|<|>|CONTAINS|EXISTS)\s*(?:'([^']*)'|(-?\d+(?:\.\d+)?))?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Condition();
}

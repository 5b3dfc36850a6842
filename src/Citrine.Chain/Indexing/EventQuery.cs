using System.Globalization;
using System.Text;

namespace Citrine.Chain.Indexing;

/// <summary>A comparison in a query condition (CometBFT libs/pubsub/query/syntax tokens).</summary>
public enum QueryOp
{
    Eq,
    Lt,
    Leq,
    Gt,
    Geq,
    Contains,
    Exists,
}

/// <summary>The type of a condition's argument; <see cref="None"/> for <c>EXISTS</c>.</summary>
public enum QueryArgType
{
    None,
    String,
    Number,
    Time,
    Date,
}

/// <summary>One condition, <c>tag op argument</c>; <see cref="Arg"/> is the literal text (no quotes, no TIME/DATE label).</summary>
public sealed record QueryCondition(string Tag, QueryOp Op, QueryArgType ArgType, string Arg)
{
    public bool IsRange => Op is QueryOp.Lt or QueryOp.Leq or QueryOp.Gt or QueryOp.Geq;
}

/// <summary>A query does not parse; the message is CometBFT's (<c>offset N: got X, wanted Y</c>).</summary>
public sealed class QueryParseException : Exception
{
    public QueryParseException()
    {
    }

    public QueryParseException(string message)
        : base(message)
    {
    }

    public QueryParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public QueryParseException(int offset, string message)
        : base($"offset {offset.ToString(CultureInfo.InvariantCulture)}: {message}")
    {
        Offset = offset;
    }

    /// <summary>The UTF-8 byte offset of the token that failed.</summary>
    public int Offset { get; }
}

/// <summary>
/// CometBFT 0.38's event query language (libs/pubsub/query/syntax, doc.go grammar):
/// <code>
/// query      = condition {"AND" condition}
/// condition  = tag ("=" (string|number|time|date) | ("&lt;"|"&lt;="|"&gt;"|"&gt;=") (number|time|date)
///                  | "CONTAINS" string | "EXISTS")
/// </code>
/// Tags are <c>[letter_][letter digit . _ -]*</c>; strings are single-quoted with no escapes;
/// numbers are <c>\d+(\.\d+)?</c> (no sign); <c>TIME 2006-01-02T15:04:05Z07:00</c> (RFC 3339) and
/// <c>DATE 2006-01-02</c>, years 1900..2999. <c>AND</c>, <c>CONTAINS</c>, <c>EXISTS</c>, <c>TIME</c>
/// and <c>DATE</c> are upper case only. Error messages and byte offsets follow the Go scanner and
/// parser, so a client sees the same text from both.
/// </summary>
public sealed class EventQuery
{
    /// <summary>CometBFT rpc/core/events.go <c>maxQueryLength</c>.</summary>
    public const int MaxQueryLength = 512;

    private EventQuery(string text, IReadOnlyList<QueryCondition> conditions)
    {
        Text = text;
        Conditions = conditions;
    }

    public string Text { get; }

    public IReadOnlyList<QueryCondition> Conditions { get; }

    public static EventQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scanner = new Scanner(System.Text.Encoding.UTF8.GetBytes(text));
        var conditions = new List<QueryCondition> { ParseCondition(ref scanner) };
        while (scanner.Next() is var status && status != ScanStatus.Eof)
        {
            if (scanner.Token != Token.And)
            {
                // syntax/parser.go Parse: note "want" (not "wanted") in this one message.
                throw new QueryParseException(scanner.Pos, $"got {Label(scanner.Token)}, want {Label(Token.And)}");
            }
            conditions.Add(ParseCondition(ref scanner));
        }
        return new EventQuery(text, conditions);
    }

    public static bool TryParse(string text, out EventQuery? query, out string? error)
    {
        try
        {
            query = Parse(text);
            error = null;
            return true;
        }
        catch (QueryParseException e)
        {
            query = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Pubsub matching (libs/pubsub/query/query.go): every condition must hold for some value of
    /// its tag, where <paramref name="events"/> maps <c>type.key</c> to values; a tag naming an
    /// event type (the part before the last dot of a key) is matched against the empty string.
    /// </summary>
    public bool Matches(IReadOnlyDictionary<string, List<string>> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return false;
        }
        foreach (var c in Conditions)
        {
            var any = events.TryGetValue(c.Tag, out var values) && values.Any(v => MatchesValue(c, v));
            if (!any && events.Keys.Any(k => k.LastIndexOf('.') is var dot && dot > 0 && k.AsSpan(0, dot).SequenceEqual(c.Tag)))
            {
                any = MatchesValue(c, "");
            }
            if (!any)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether one attribute value satisfies <paramref name="c"/> (query.go opTypeMap).</summary>
    public static bool MatchesValue(QueryCondition c, string value)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(value);
        switch (c.Op)
        {
            case QueryOp.Exists:
                return true;
            case QueryOp.Contains:
                return value.Contains(c.Arg, StringComparison.Ordinal);
        }
        int cmp;
        switch (c.ArgType)
        {
            case QueryArgType.String:
                return c.Op == QueryOp.Eq && string.Equals(value, c.Arg, StringComparison.Ordinal);
            case QueryArgType.Number:
                if (!QueryNumber.TryParseAttribute(value, out var n))
                {
                    return false;
                }
                cmp = n.CompareTo(QueryNumber.Parse(c.Arg));
                break;
            case QueryArgType.Date:
                if (!TryParseDate(value, out var d))
                {
                    return false;
                }
                cmp = d.CompareTo(ParseDate(c.Arg));
                break;
            case QueryArgType.Time:
                if (!TryParseTime(value, out var t))
                {
                    return false;
                }
                cmp = t.CompareTo(ParseTime(c.Arg));
                break;
            default:
                return false;
        }
        return c.Op switch
        {
            QueryOp.Eq => cmp == 0,
            QueryOp.Lt => cmp < 0,
            QueryOp.Leq => cmp <= 0,
            QueryOp.Gt => cmp > 0,
            _ => cmp >= 0,
        };
    }

    public override string ToString() => Text;

    /// <summary>Go's <c>time.Parse(time.RFC3339, s)</c>: seconds, optional fraction, then <c>Z</c> or <c>±hh:mm</c>.</summary>
    public static bool TryParseTime(string s, out DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(s);
        value = default;
        var zone = s.EndsWith('Z') ? 1 : s.Length >= 6 && (s[^6] == '+' || s[^6] == '-') && s[^3] == ':' ? 6 : 0;
        if (zone == 0 || s.Length < 19 + zone || s[10] != 'T')
        {
            return false;
        }
        return DateTimeOffset.TryParseExact(s, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>Go's <c>time.Parse("2006-01-02", s)</c> (UTC midnight).</summary>
    public static bool TryParseDate(string s, out DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(s);
        var ok = DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date);
        value = ok ? new DateTimeOffset(date, TimeSpan.Zero) : default;
        return ok;
    }

    private static DateTimeOffset ParseTime(string s) => TryParseTime(s, out var t) ? t : default;

    private static DateTimeOffset ParseDate(string s) => TryParseDate(s, out var d) ? d : default;

    private static QueryCondition ParseCondition(ref Scanner s)
    {
        Require(ref s, Token.Tag);
        var tag = s.Text;
        Require(ref s, Token.Leq, Token.Geq, Token.Lt, Token.Gt, Token.Eq, Token.Contains, Token.Exists);
        var op = s.Token switch
        {
            Token.Eq => QueryOp.Eq,
            Token.Lt => QueryOp.Lt,
            Token.Leq => QueryOp.Leq,
            Token.Gt => QueryOp.Gt,
            Token.Geq => QueryOp.Geq,
            Token.Contains => QueryOp.Contains,
            _ => QueryOp.Exists,
        };
        switch (op)
        {
            case QueryOp.Exists:
                return new QueryCondition(tag, op, QueryArgType.None, "");
            case QueryOp.Eq:
                Require(ref s, Token.Number, Token.Time, Token.Date, Token.String);
                break;
            case QueryOp.Contains:
                Require(ref s, Token.String);
                break;
            default:
                Require(ref s, Token.Number, Token.Time, Token.Date);
                break;
        }
        var type = s.Token switch
        {
            Token.String => QueryArgType.String,
            Token.Number => QueryArgType.Number,
            Token.Time => QueryArgType.Time,
            _ => QueryArgType.Date,
        };
        return new QueryCondition(tag, op, type, s.Text);
    }

    private static void Require(ref Scanner s, params ReadOnlySpan<Token> tokens)
    {
        var status = s.Next();
        if (status != ScanStatus.Ok)
        {
            throw new QueryParseException(s.Pos, status == ScanStatus.Eof ? "EOF" : s.Error!);
        }
        foreach (var t in tokens)
        {
            if (t == s.Token)
            {
                return;
            }
        }
        var labels = tokens.Length == 1
            ? Label(tokens[0])
            : string.Join(", ", tokens[..^1].ToArray().Select(Label)) + " or " + Label(tokens[^1]);
        throw new QueryParseException(s.Pos, $"got {Label(s.Token)}, wanted {labels}");
    }

    private static string Label(Token t) => t switch
    {
        Token.Tag => "tag",
        Token.String => "string",
        Token.Number => "number",
        Token.Time => "timestamp",
        Token.Date => "datestamp",
        Token.And => "AND operator",
        Token.Contains => "CONTAINS operator",
        Token.Exists => "EXISTS operator",
        Token.Eq => "= operator",
        Token.Lt => "< operator",
        Token.Leq => "<= operator",
        Token.Gt => "> operator",
        Token.Geq => ">= operator",
        _ => "invalid token",
    };

    private enum Token
    {
        Invalid,
        Tag,
        String,
        Number,
        Time,
        Date,
        And,
        Contains,
        Exists,
        Eq,
        Lt,
        Leq,
        Gt,
        Geq,
    }

    private enum ScanStatus
    {
        Ok,
        Eof,
        Error,
    }

    /// <summary>syntax/scanner.go over UTF-8 bytes: <see cref="Pos"/> is a token's start, errors carry byte offsets.</summary>
    private ref struct Scanner(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;
        private int _end;
        private int _textStart;
        private int _textEnd;

        public Token Token { get; private set; }

        public int Pos { get; private set; }

        public string? Error { get; private set; }

        /// <summary>The token text (strings without quotes, TIME/DATE without their label).</summary>
        public readonly string Text => System.Text.Encoding.UTF8.GetString(_input[_textStart.._textEnd]);

        public ScanStatus Next()
        {
            Pos = _end;
            Token = Token.Invalid;
            Error = null;
            while (true)
            {
                if (!TryRune(out var ch))
                {
                    return ScanStatus.Eof;
                }
                if (Rune.IsWhiteSpace(ch))
                {
                    Pos = _end;
                    continue;
                }
                if (ch.Value is >= '0' and <= '9')
                {
                    return ScanNumber();
                }
                if (ch.Value == '_' || Rune.IsLetter(ch) || Rune.IsDigit(ch))
                {
                    return ScanTagLike();
                }
                return ch.Value switch
                {
                    '\'' => ScanString(),
                    '<' or '>' or '=' => ScanCompare(ch.Value),
                    _ => Fail($"invalid input {ch} at offset {_end.ToString(CultureInfo.InvariantCulture)}"),
                };
            }
        }

        private bool TryRune(out Rune rune)
        {
            if (_end >= _input.Length)
            {
                rune = default;
                return false;
            }
            Rune.DecodeFromUtf8(_input[_end..], out rune, out var consumed);
            _end += consumed;
            return true;
        }

        private readonly bool Peek(out Rune rune, out int length)
        {
            if (_end >= _input.Length)
            {
                rune = default;
                length = 0;
                return false;
            }
            Rune.DecodeFromUtf8(_input[_end..], out rune, out length);
            return true;
        }

        private ScanStatus Fail(string message)
        {
            Error = message;
            return ScanStatus.Error;
        }

        private void ScanWhile(Func<Rune, bool> ok)
        {
            while (Peek(out var r, out var n) && ok(r))
            {
                _end += n;
            }
        }

        private ScanStatus ScanNumber()
        {
            _textStart = _end - 1;
            ScanWhile(IsDigit);
            if (Peek(out var r, out var n) && r.Value == '.')
            {
                _end += n;
                ScanWhile(IsDigit);
            }
            _textEnd = _end;
            Token = Token.Number;
            return ScanStatus.Ok;
        }

        private ScanStatus ScanString()
        {
            _textStart = _end;
            while (true)
            {
                var before = _end;
                if (!TryRune(out var r))
                {
                    return ScanStatus.Eof;
                }
                if (r.Value == '\'')
                {
                    _textEnd = before;
                    Token = Token.String;
                    return ScanStatus.Ok;
                }
            }
        }

        private ScanStatus ScanCompare(int first)
        {
            _textStart = _end - 1;
            Token = first switch
            {
                '=' => Token.Eq,
                '<' => Token.Lt,
                _ => Token.Gt,
            };
            if (first != '=' && Peek(out var r, out var n) && r.Value == '=')
            {
                _end += n;
                Token = Token == Token.Lt ? Token.Leq : Token.Geq;
            }
            _textEnd = _end;
            return ScanStatus.Ok;
        }

        private ScanStatus ScanTagLike()
        {
            _textStart = _end - Utf8Length(_end);
            ScanWhile(IsTagRune);
            _textEnd = _end;
            var hasSpace = Peek(out var next, out var spaceLength) && next.Value == ' ';
            var text = _input[_textStart.._textEnd];
            if (hasSpace && (text.SequenceEqual("TIME"u8) || text.SequenceEqual("DATE"u8)))
            {
                var isTime = text[0] == (byte)'T';
                _end += spaceLength;
                _textStart = _end;
                ScanWhile(isTime ? IsTimeRune : IsDateRune);
                _textEnd = _end;
                var literal = Text;
                DateTimeOffset parsed;
                if (isTime ? !TryParseTime(literal, out parsed) : !TryParseDate(literal, out parsed))
                {
                    return Fail($"invalid {(isTime ? "TIME" : "DATE")} value: cannot parse \"{literal}\" as {(isTime ? "2006-01-02T15:04:05Z07:00" : "2006-01-02")}");
                }
                if (parsed.Year is < 1900 or > 2999)
                {
                    return Fail($"{(isTime ? "timestamp" : "datestamp")} year {parsed.Year.ToString(CultureInfo.InvariantCulture)} out of range");
                }
                Token = isTime ? Token.Time : Token.Date;
                return ScanStatus.Ok;
            }
            Token = text switch
            {
                _ when text.SequenceEqual("AND"u8) => Token.And,
                _ when text.SequenceEqual("EXISTS"u8) => Token.Exists,
                _ when text.SequenceEqual("CONTAINS"u8) => Token.Contains,
                _ => Token.Tag,
            };
            return ScanStatus.Ok;
        }

        private readonly int Utf8Length(int end)
        {
            // The first rune was consumed already; find its start by walking back over continuation bytes.
            var start = end - 1;
            while (start > 0 && (_input[start] & 0xC0) == 0x80)
            {
                start--;
            }
            return end - start;
        }

        private static bool IsDigit(Rune r) => r.Value is >= '0' and <= '9';

        private static bool IsTagRune(Rune r) => r.Value is '.' or '_' or '-' || Rune.IsLetter(r) || Rune.IsDigit(r);

        private static bool IsTimeRune(Rune r) => r.Value is '-' or 'T' or ':' or '+' or 'Z' || IsDigit(r);

        private static bool IsDateRune(Rune r) => r.Value == '-' || IsDigit(r);
    }
}

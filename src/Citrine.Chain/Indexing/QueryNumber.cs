namespace Citrine.Chain.Indexing;

/// <summary>
/// An exact decimal number of any size, for query comparisons. CometBFT compares with
/// <c>math/big</c> (integers exactly, fractions at 125 bits); comparing digit strings is exact for
/// both and needs no precision choice.
/// </summary>
public readonly struct QueryNumber : IComparable<QueryNumber>, IEquatable<QueryNumber>
{
    private readonly bool _negative;
    private readonly string _integer;
    private readonly string _fraction;

    private QueryNumber(bool negative, string integer, string fraction)
    {
        _integer = integer.TrimStart('0');
        _fraction = fraction.TrimEnd('0');
        _negative = negative && (_integer.Length > 0 || _fraction.Length > 0);
    }

    /// <summary>A query literal: <c>\d+(\.\d*)?</c> as the scanner produced it.</summary>
    public static QueryNumber Parse(string literal)
    {
        ArgumentNullException.ThrowIfNull(literal);
        return TryParseDecimal(literal, allowSign: false, out var n) ? n : throw new FormatException($"'{literal}' is not a query number");
    }

    /// <summary>
    /// An attribute value as pubsub reads it (query.go parseNumber): the whole value as a signed
    /// integer, else its leading <c>\d+(\.\d+)?</c> (so <c>8atom</c> is 8).
    /// </summary>
    public static bool TryParseAttribute(string value, out QueryNumber number)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsSignedInteger(value))
        {
            return TryParseDecimal(value, allowSign: true, out number);
        }
        var end = 0;
        while (end < value.Length && char.IsAsciiDigit(value[end]))
        {
            end++;
        }
        if (end == 0)
        {
            number = default;
            return false;
        }
        if (end + 1 < value.Length && value[end] == '.' && char.IsAsciiDigit(value[end + 1]))
        {
            end++;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }
        }
        return TryParseDecimal(value[..end], allowSign: false, out number);
    }

    /// <summary>
    /// An attribute value as the kv indexers read it for ranges (state/txindex/kv matchRange):
    /// the whole value as a signed integer or decimal; anything else is not a number.
    /// Exponents and <c>Inf</c>, which Go's <c>big.ParseFloat</c> also takes, are not accepted.
    /// </summary>
    public static bool TryParseIndexed(string value, out QueryNumber number)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParseDecimal(value, allowSign: true, out number);
    }

    public int CompareTo(QueryNumber other)
    {
        if (_negative != other._negative)
        {
            return _negative ? -1 : 1;
        }
        var magnitude = CompareMagnitude(this, other);
        return _negative ? -magnitude : magnitude;
    }

    public bool Equals(QueryNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is QueryNumber n && Equals(n);

    public override int GetHashCode() => HashCode.Combine(_negative, _integer, _fraction);

    public override string ToString() => (_negative ? "-" : "") + (_integer.Length == 0 ? "0" : _integer) + (_fraction.Length == 0 ? "" : "." + _fraction);

    public static bool operator ==(QueryNumber left, QueryNumber right) => left.Equals(right);

    public static bool operator !=(QueryNumber left, QueryNumber right) => !left.Equals(right);

    public static bool operator <(QueryNumber left, QueryNumber right) => left.CompareTo(right) < 0;

    public static bool operator <=(QueryNumber left, QueryNumber right) => left.CompareTo(right) <= 0;

    public static bool operator >(QueryNumber left, QueryNumber right) => left.CompareTo(right) > 0;

    public static bool operator >=(QueryNumber left, QueryNumber right) => left.CompareTo(right) >= 0;

    private static int CompareMagnitude(QueryNumber a, QueryNumber b)
    {
        var ai = a._integer ?? "";
        var bi = b._integer ?? "";
        if (ai.Length != bi.Length)
        {
            return ai.Length < bi.Length ? -1 : 1;
        }
        var c = string.CompareOrdinal(ai, bi);
        if (c != 0)
        {
            return Math.Sign(c);
        }
        return Math.Sign(string.CompareOrdinal(a._fraction ?? "", b._fraction ?? ""));
    }

    private static bool IsSignedInteger(string s)
    {
        var start = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        if (start == s.Length)
        {
            return false;
        }
        for (var i = start; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryParseDecimal(string s, bool allowSign, out QueryNumber number)
    {
        number = default;
        var i = 0;
        var negative = false;
        if (allowSign && s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            i = 1;
        }
        var intStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }
        var integer = s[intStart..i];
        var fraction = "";
        if (i < s.Length && s[i] == '.')
        {
            var fracStart = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            fraction = s[fracStart..i];
        }
        if (i != s.Length || (integer.Length == 0 && fraction.Length == 0))
        {
            return false;
        }
        number = new QueryNumber(negative, integer, fraction);
        return true;
    }
}

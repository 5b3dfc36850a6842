using System.Globalization;

namespace Citrine.CometBft.Types;

/// <summary>
/// A point in time with nanosecond precision, as CometBFT carries it (google.protobuf.Timestamp:
/// seconds since the Unix epoch and nanoseconds 0..999,999,999). <see cref="DateTimeOffset"/>
/// only holds 100 ns ticks, and header hashes and vote sign bytes cover every nanosecond.
/// </summary>
public readonly record struct Timestamp(long Seconds, int Nanos) : IComparable<Timestamp>
{
    /// <summary>0001-01-01T00:00:00Z, Go's zero time, which CometBFT writes for absent votes.</summary>
    public static readonly Timestamp GoZero = new(-62135596800, 0);

    /// <summary>Seconds of 0001-01-01 and of 10000-01-01: the range RFC 3339 (and protobuf Timestamp) allows.</summary>
    public const long MinSeconds = -62135596800;
    public const long MaxSeconds = 253402300799;

    public bool IsValid => Seconds >= MinSeconds && Seconds <= MaxSeconds && Nanos >= 0 && Nanos < 1_000_000_000;

    public int CompareTo(Timestamp other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanos.CompareTo(other.Nanos);

    public static bool operator <(Timestamp left, Timestamp right) => left.CompareTo(right) < 0;
    public static bool operator >(Timestamp left, Timestamp right) => left.CompareTo(right) > 0;
    public static bool operator <=(Timestamp left, Timestamp right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Timestamp left, Timestamp right) => left.CompareTo(right) >= 0;

    public static Timestamp FromDateTimeOffset(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new Timestamp(seconds, (int)(rest * 100));
    }

    /// <summary>The time truncated to 100 ns ticks.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(checked((Seconds * TimeSpan.TicksPerSecond) + (Nanos / 100)));

    /// <summary>This time plus a duration in nanoseconds, saturating at the representable range.</summary>
    public Timestamp AddNanoseconds(Int128 nanoseconds)
    {
        var total = ((Int128)Seconds * 1_000_000_000) + Nanos + nanoseconds;
        var seconds = Int128.DivRem(total, 1_000_000_000);
        var secs = seconds.Quotient;
        var nanos = seconds.Remainder;
        if (nanos < 0)
        {
            secs--;
            nanos += 1_000_000_000;
        }
        if (secs > long.MaxValue)
        {
            return new Timestamp(long.MaxValue, 999_999_999);
        }
        if (secs < long.MinValue)
        {
            return new Timestamp(long.MinValue, 0);
        }
        return new Timestamp((long)secs, (int)nanos);
    }

    /// <summary>Formats as Go's RFC3339Nano does (UTC, trailing zeros of the fraction dropped).</summary>
    public override string ToString()
    {
        if (Seconds < MinSeconds || Seconds > MaxSeconds)
        {
            return $"{Seconds}s+{Nanos}ns";
        }
        var date = DateTimeOffset.UnixEpoch.AddSeconds(Seconds);
        var text = date.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        if (Nanos != 0)
        {
            text += "." + Nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + "Z";
    }

    /// <summary>Parses RFC 3339 (<c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c>, up to 9 fraction digits).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Timestamp value)
    {
        value = default;
        if (text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't')
            || text[13] != ':' || text[16] != ':')
        {
            return false;
        }
        if (!Digits(text[..4], out var year) || !Digits(text.Slice(5, 2), out var month) || !Digits(text.Slice(8, 2), out var day)
            || !Digits(text.Slice(11, 2), out var hour) || !Digits(text.Slice(14, 2), out var minute)
            || !Digits(text.Slice(17, 2), out var second))
        {
            return false;
        }
        var position = 19;
        var nanos = 0;
        if (text[position] == '.')
        {
            position++;
            var start = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }
            var count = position - start;
            if (count is 0 or > 9)
            {
                return false;
            }
            for (var i = 0; i < 9; i++)
            {
                nanos = (nanos * 10) + (i < count ? text[start + i] - '0' : 0);
            }
        }
        if (position >= text.Length)
        {
            return false;
        }
        long offsetSeconds = 0;
        var zone = text[position..];
        if (zone is "Z" or "z")
        {
            offsetSeconds = 0;
        }
        else if (zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':'
            && Digits(zone.Slice(1, 2), out var offsetHours) && Digits(zone.Slice(4, 2), out var offsetMinutes)
            && offsetHours < 24 && offsetMinutes < 60)
        {
            offsetSeconds = ((offsetHours * 3600) + (offsetMinutes * 60)) * (zone[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        var seconds = ((local.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond) - offsetSeconds;
        value = new Timestamp(seconds, nanos);
        return value.IsValid;
    }

    private static bool Digits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }
}

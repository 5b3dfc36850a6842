namespace Citrine.CometBft.LightClient;

/// <summary>A fraction <c>Numerator/Denominator</c>, e.g. the trust threshold 1/3.</summary>
public readonly record struct Fraction(ulong Numerator, ulong Denominator)
{
    public static readonly Fraction OneThird = new(1, 3);
    public static readonly Fraction TwoThirds = new(2, 3);

    public override string ToString() => $"{Numerator}/{Denominator}";

    public static bool TryParse(string? text, out Fraction value)
    {
        value = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || !ulong.TryParse(text.AsSpan(0, slash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            || !ulong.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d))
        {
            return false;
        }
        value = new Fraction(n, d);
        return true;
    }
}

/// <summary>
/// The parameters of light-client trust (CometBFT light client spec, "Trust options"): the chain,
/// how long a verified header stays trusted, the fraction of trusted voting power that must sign a
/// header that skips heights (1/3 ≤ t ≤ 1), and how far a header's time may be ahead of ours.
/// </summary>
public sealed record TrustOptions(string ChainId, TimeSpan TrustingPeriod, Fraction TrustThreshold, TimeSpan MaxClockDrift)
{
    /// <summary>CometBFT's default clock drift (light/client.go <c>defaultMaxClockDrift</c>).</summary>
    public static readonly TimeSpan DefaultMaxClockDrift = TimeSpan.FromSeconds(10);

    public static TrustOptions Create(string chainId, TimeSpan trustingPeriod) =>
        new(chainId, trustingPeriod, Fraction.OneThird, DefaultMaxClockDrift);

    /// <summary>Why these options are unusable, or null when they are fine.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(ChainId))
        {
            return "chain id is empty";
        }
        if (TrustingPeriod <= TimeSpan.Zero)
        {
            return $"trusting period must be positive, got {TrustingPeriod}";
        }
        if (MaxClockDrift < TimeSpan.Zero)
        {
            return $"max clock drift must not be negative, got {MaxClockDrift}";
        }
        // CometBFT light/verifier.go ValidateTrustLevel: 1/3 <= t <= 1, denominator non-zero.
        var (n, d) = (TrustThreshold.Numerator, TrustThreshold.Denominator);
        if (d == 0 || (UInt128)n * 3 < d || n > d)
        {
            return $"trust threshold must be within [1/3, 1], got {TrustThreshold}";
        }
        return null;
    }
}

namespace Citrine.Fuzz;

/// <summary>
/// Marks a <c>static void Fuzz(ReadOnlySpan&lt;byte&gt;)</c>-shaped method as a fuzz target.
/// A target must only ever throw the parser's own documented exception type for bad input;
/// anything else escaping it is a finding.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class FuzzTargetAttribute(string name, params Type[] expectedExceptions) : Attribute
{
    public string Name { get; } = name;

    /// <summary>Exception types that are a clean rejection of bad input, not a crash.</summary>
    public IReadOnlyList<Type> ExpectedExceptions { get; } = expectedExceptions;
}

/// <summary>
/// Lets a target whose parser refuses by returning false (a Try method) say so, so that the
/// <c>mutate</c> mode can count refusals as it counts documented exceptions. Only bookkeeping:
/// under AFL and libFuzzer it changes nothing.
/// </summary>
internal static class Refusal
{
    [ThreadStatic]
    private static bool _refused;

    public static void Note() => _refused = true;

    /// <summary>Whether the last input was refused, clearing the note.</summary>
    public static bool Take()
    {
        var refused = _refused;
        _refused = false;
        return refused;
    }
}

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

using System.Diagnostics.CodeAnalysis;

namespace Citrine.Ics23.Verification;

/// <summary>A failed ICS23 check, with the code of the check that failed.</summary>
/// <remarks>
/// There is deliberately no constructor without a code: a verdict built from this exception takes
/// its code, and <see cref="Ics23Error.None"/> is what a valid verdict carries, so an exception
/// without a real failure code would turn into a success.
/// </remarks>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Every instance must carry a failure code; the parameterless and message-only constructors would default it to None (valid).")]
public sealed class Ics23VerificationException : Exception
{
    public Ics23VerificationException(Ics23Error error, string message)
        : base(message)
    {
        if (!Ics23Errors.IsFailure(error))
        {
            throw new ArgumentOutOfRangeException(nameof(error), error, "an ICS23 failure needs a failure code (not None, and defined)");
        }
        Error = error;
    }

    public Ics23Error Error { get; }
}

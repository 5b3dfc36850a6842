namespace Citrine.Ics23.Verification;

/// <summary>
/// The outcome of an ICS23 verification: valid, or the code and description of the first check
/// that failed. <see cref="Step"/> is the index of the proof in a chain (0 = innermost) that
/// failed, or -1. <see cref="Root"/> is the root the proof commits to when it is valid.
/// </summary>
public sealed class Ics23Verdict
{
    private readonly byte[]? _root;

    private Ics23Verdict(Ics23Error error, string detail, int step, byte[]? root)
    {
        Error = error;
        Detail = detail;
        Step = step;
        _root = root;
    }

    public bool IsValid => Error == Ics23Error.None && _root is not null;

    public Ics23Error Error { get; }

    public string Detail { get; }

    public int Step { get; }

    public ReadOnlyMemory<byte> Root => _root;

    internal static Ics23Verdict Valid(byte[] root) => new(Ics23Error.None, "verified", -1, root);

    internal static Ics23Verdict Fail(Ics23Error error, string detail, int step = -1)
    {
        // A failure whose code reads as None would report IsValid; refuse to build one.
        if (!Ics23Errors.IsFailure(error))
        {
            throw new ArgumentOutOfRangeException(nameof(error), error, "a failed verdict needs a failure code");
        }
        return new(error, detail, step, null);
    }

    internal static Ics23Verdict From(Ics23VerificationException e, int step = -1) => Fail(e.Error, e.Message, step);

    public override string ToString() => IsValid ? "valid" : $"{Error}: {Detail}";
}

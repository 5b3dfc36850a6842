using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Tests.Verification;

/// <summary>A rejection can never read as a success: no failure without a failure code.</summary>
public sealed class Ics23VerdictTests
{
    [Fact]
    public void Verification_exception_refuses_the_none_code()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Ics23VerificationException(Ics23Error.None, "oops"));
        Assert.Equal("error", e.ParamName);
    }

    [Fact]
    public void Verification_exception_refuses_an_undefined_code() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ics23VerificationException((Ics23Error)int.MaxValue, "oops"));

    [Fact]
    public void Verdict_from_a_verification_exception_is_a_failure_with_its_code()
    {
        foreach (var code in Enum.GetValues<Ics23Error>().Where(c => c != Ics23Error.None))
        {
            var verdict = Ics23Verdict.From(new Ics23VerificationException(code, "detail"), 1);
            Assert.False(verdict.IsValid);
            Assert.Equal(code, verdict.Error);
            Assert.Equal(1, verdict.Step);
            Assert.True(verdict.Root.IsEmpty);
        }
    }

    [Fact]
    public void Failed_verdict_refuses_the_none_code() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Ics23Verdict.Fail(Ics23Error.None, "oops"));

    [Fact]
    public void Only_defined_codes_other_than_none_are_failures()
    {
        Assert.False(Ics23Errors.IsFailure(Ics23Error.None));
        Assert.False(Ics23Errors.IsFailure((Ics23Error)(-1)));
        Assert.True(Ics23Errors.IsFailure(Ics23Error.RootMismatch));
    }
}

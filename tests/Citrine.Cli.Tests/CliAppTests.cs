namespace Citrine.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public void Version_prints_the_informational_version_and_exits_zero()
    {
        var result = CliRunner.Run("--version");
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("0.1.0", result.Output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_description_and_exits_zero()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Citrine", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_verb_is_bad_input_with_exit_code_2_and_no_stack_trace()
    {
        var result = CliRunner.Run("no-such-verb");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-verb", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }
}

namespace Citrine.Cli.Tests;

/// <summary>Runs the citrine command in-process and captures what it prints.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);

public static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

using System.Text.Json;

namespace Citrine.Cli.Tests;

/// <summary><c>citrine simulate dcap</c> output fed to <c>citrine attest verify</c>.</summary>
public sealed class SimulateCommandsTests : IDisposable
{
    private const string Now = "2026-03-01T12:00:00Z";
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-sim-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliResult Simulate(params string[] extra) =>
        CliRunner.Run(["simulate", "dcap", "--out", _dir, "--now", Now, .. extra]);

    private CliResult Verify(bool withRoot = true) =>
        CliRunner.Run([
            "attest", "verify", "--quote", Path.Combine(_dir, "quote.bin"), "--collateral", Path.Combine(_dir, "collateral.json"),
            "--now", Now, .. withRoot ? new[] { "--root", Path.Combine(_dir, "root.pem") } : [],
        ]);

    [Theory]
    [InlineData("sgx")]
    [InlineData("tdx")]
    public void Simulated_evidence_verifies_with_the_test_root(string tee)
    {
        var sim = Simulate("--tee", tee, "--report-data", new string('a', 128));
        Assert.Equal(0, sim.ExitCode);
        using var doc = JsonDocument.Parse(sim.Output);
        Assert.Contains("TEST PKI", doc.RootElement.GetProperty("warning").GetString(), StringComparison.Ordinal);
        var verify = Verify();
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
    }

    [Fact]
    public void Simulated_evidence_is_rejected_under_the_intel_root()
    {
        Assert.Equal(0, Simulate().ExitCode);
        Assert.Equal(1, Verify(withRoot: false).ExitCode);
    }

    [Fact]
    public void A_fault_makes_verification_fail()
    {
        Assert.Equal(0, Simulate("--fault", "QuoteSignatureInvalid").ExitCode);
        var verify = Verify();
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("QuoteSignatureInvalid", verify.Output + verify.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tee", "sev")]
    [InlineData("--fault", "NoSuchFault")]
    [InlineData("--report-data", "abcd")]
    [InlineData("--quote-version", "2")]
    public void Bad_arguments_exit_with_2(string option, string value) =>
        Assert.Equal(2, Simulate(option, value).ExitCode);
}

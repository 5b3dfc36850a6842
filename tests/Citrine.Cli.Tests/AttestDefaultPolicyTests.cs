using System.Globalization;
using System.Text;
using System.Text.Json;
using Citrine.Attestation.Testing;

namespace Citrine.Cli.Tests;

/// <summary>
/// <c>citrine attest verify</c> without <c>--policy</c> on simulated evidence (its own test root):
/// only UpToDate and SWHardeningNeeded platforms pass, debug enclaves and TDs are refused unless a
/// policy opts in, and the output names the policy that decided.
/// </summary>
public sealed class AttestDefaultPolicyTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<DcapSimulator> Simulator = new(() => new DcapSimulator(TestPkiKeys.FromSeed("citrine-cli-default-policy"u8)));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("citrine-attest-default-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private CliResult Verify(SimulatedQuoteRequest request, string? policyJson = null, bool json = false)
    {
        var evidence = Simulator.Value.Generate(request);
        var args = new List<string>
        {
            "attest", "verify",
            "--quote", Write("quote.bin", evidence.Quote),
            "--collateral", Write("collateral.json", Encoding.UTF8.GetBytes(evidence.CollateralJson)),
            "--root", Write("root.der", evidence.TrustedRootDer),
            "--now", Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (policyJson is not null)
        {
            args.AddRange(["--policy", Write("policy.json", Encoding.UTF8.GetBytes(policyJson))]);
        }
        if (json)
        {
            args.Add("--json");
        }
        return CliRunner.Run([.. args]);
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx, "OutOfDate")]
    [InlineData(SimulatedTee.Sgx, "OutOfDateConfigurationNeeded")]
    [InlineData(SimulatedTee.Tdx, "OutOfDate")]
    [InlineData(SimulatedTee.Tdx, "OutOfDateConfigurationNeeded")]
    [InlineData(SimulatedTee.Sgx, "ConfigurationNeeded")]
    public void Verify_without_a_policy_refuses_a_platform_that_is_not_up_to_date(SimulatedTee tee, string status)
    {
        var r = Verify(new SimulatedQuoteRequest { Now = Now, Tee = tee, QuoteVersion = 4, PlatformTcbStatus = status }, json: true);
        Assert.True(r.ExitCode == 1, r.Output + r.Error);
        using var doc = JsonDocument.Parse(r.Output);
        Assert.Equal("TcbStatusNotAccepted", doc.RootElement.GetProperty("reason").GetString());
        Assert.Equal(status, doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("default", doc.RootElement.GetProperty("policy").GetProperty("name").GetString());
    }

    [Fact]
    public void Verify_without_a_policy_accepts_sw_hardening_needed_and_lists_the_advisories()
    {
        var r = Verify(new SimulatedQuoteRequest { Now = Now, PlatformTcbStatus = "SWHardeningNeeded", PlatformAdvisories = ["INTEL-SA-00615"] });
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Contains("status: SWHardeningNeeded", r.Output, StringComparison.Ordinal);
        Assert.Contains("advisories: INTEL-SA-00615", r.Output, StringComparison.Ordinal);
        Assert.Contains("policy: default (ACCEPTED)", r.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SimulatedTee.Sgx, DcapFault.DebugEnclave, "DebugEnclave")]
    [InlineData(SimulatedTee.Tdx, DcapFault.DebugTd, "DebugTd")]
    public void Verify_refuses_a_debug_enclave_unless_a_named_policy_allows_debug(SimulatedTee tee, DcapFault fault, string reason)
    {
        var request = new SimulatedQuoteRequest { Now = Now, Tee = tee, QuoteVersion = 4, Fault = fault };
        var refused = Verify(request);
        Assert.True(refused.ExitCode == 1, refused.Output + refused.Error);
        Assert.StartsWith($"REJECTED: {reason}:", refused.Output, StringComparison.Ordinal);

        var allowed = Verify(request, "{\"name\":\"debug-lab\",\"allow_debug\":true}", json: true);
        Assert.True(allowed.ExitCode == 0, allowed.Output + allowed.Error);
        using var doc = JsonDocument.Parse(allowed.Output);
        Assert.Equal("debug-lab", doc.RootElement.GetProperty("policy").GetProperty("name").GetString());
        Assert.Equal("ACCEPTED", doc.RootElement.GetProperty("policy").GetProperty("result").GetString());
    }
}

using System.Text.Json;
using Citrine.Testing;

namespace Citrine.Cli.Tests;

/// <summary>
/// <c>citrine attest</c> against the shared DCAP vectors (skipped when absent). The OK case and
/// its time are discovered from dcap/EXPECTED.json.
/// </summary>
public sealed class AttestCommandsTests
{
    private sealed record QvlCase(string Quote, string Collateral, long Now, string Status, string[] Advisories, string? Root);

    private static QvlCase? FindCase(string expectedResult, Func<string, bool>? status = null)
    {
        var manifest = Vectors.Require("dcap/EXPECTED.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("expected").GetProperty("result").GetString() != expectedResult || !c.GetProperty("collateral").TryGetProperty("qvl_json", out var qvl))
            {
                continue;
            }
            var dir = Path.GetDirectoryName(manifest)!;
            var e = c.GetProperty("expected");
            if (status is not null && !status(e.TryGetProperty("status", out var st) ? st.GetString() ?? string.Empty : string.Empty))
            {
                continue;
            }
            return new QvlCase(
                Path.Combine(dir, c.GetProperty("quote").GetString()!),
                Path.Combine(dir, qvl.GetString()!),
                c.GetProperty("now_unix").GetInt64(),
                e.TryGetProperty("status", out var s) ? s.GetString()! : string.Empty,
                e.TryGetProperty("advisory_ids", out var a) ? [.. a.EnumerateArray().Select(x => x.GetString()!)] : [],
                Path.Combine(dir, c.GetProperty("root_ca").GetString()!));
        }
        return null;
    }

    private static QvlCase Require(string result, Func<string, bool>? status = null)
    {
        var c = FindCase(result, status);
        Skip.If(c is null, $"no {result} case with QuoteCollateralV3 JSON in the manifest");
        return c!;
    }

    /// <summary>The statuses the default policy accepts.</summary>
    private static bool AcceptedByDefault(string status) => status is "UpToDate" or "SWHardeningNeeded";

    [SkippableFact]
    public void Verify_prints_ok_json_and_exits_zero_for_a_good_quote()
    {
        var c = Require("OK", AcceptedByDefault);
        var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Output);
        var root = doc.RootElement;
        Assert.Equal("OK", root.GetProperty("result").GetString());
        Assert.Equal(c.Status, root.GetProperty("status").GetString());
        Assert.Equal(c.Advisories.Order(), root.GetProperty("advisory_ids").EnumerateArray().Select(x => x.GetString()!).Order());
        Assert.Equal(128, root.GetProperty("report_data").GetString()!.Length);
        Assert.Equal(12, root.GetProperty("fmspc").GetString()!.Length);
        Assert.True(root.TryGetProperty("measurement", out _));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("collateral_expires").GetString()));
        Assert.Equal("default", root.GetProperty("policy").GetProperty("name").GetString());
        Assert.Equal("ACCEPTED", root.GetProperty("policy").GetProperty("result").GetString());
    }

    [SkippableFact]
    public void Verify_without_a_policy_refuses_an_intel_platform_that_needs_configuration()
    {
        var c = Require("OK", s => !AcceptedByDefault(s));
        var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Output);
        Assert.Equal("TcbStatusNotAccepted", doc.RootElement.GetProperty("reason").GetString());
        Assert.Equal(c.Status, doc.RootElement.GetProperty("status").GetString());
        Assert.Equal("default", doc.RootElement.GetProperty("policy").GetProperty("name").GetString());
        Assert.Equal("REJECTED", doc.RootElement.GetProperty("policy").GetProperty("result").GetString());
    }

    [SkippableFact]
    public void Verify_accepts_rfc3339_time_and_an_explicit_root()
    {
        var c = Require("OK", AcceptedByDefault);
        var now = DateTimeOffset.FromUnixTimeSeconds(c.Now).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", now, "--root", c.Root!);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("OK", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_rejects_with_exit_one_when_the_collateral_has_expired()
    {
        var c = Require("OK");
        var later = (c.Now + (400L * 24 * 3600)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", later, "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Output);
        Assert.Equal("REJECTED", doc.RootElement.GetProperty("result").GetString());
        Assert.EndsWith("NotValidAtNow", doc.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_rejects_the_no_matching_tcb_level_case()
    {
        var c = Require("ERROR");
        var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("\"result\":\"REJECTED\"", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_applies_a_policy_file_and_reports_it()
    {
        var c = Require("OK");
        var dir = Directory.CreateTempSubdirectory("citrine-attest-");
        try
        {
            var policy = Path.Combine(dir.FullName, "policy.json");
            // Accepts nothing but a status this quote does not have.
            var other = c.Status == "UpToDate" ? "OutOfDate" : "UpToDate";
            File.WriteAllText(policy, $"{{\"accepted_tcb_statuses\":[\"{other}\"]}}");
            var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--policy", policy, "--json");
            Assert.Equal(1, r.ExitCode);
            using var doc = JsonDocument.Parse(r.Output);
            Assert.Equal("TcbStatusNotAccepted", doc.RootElement.GetProperty("reason").GetString());
            Assert.Equal("REJECTED", doc.RootElement.GetProperty("policy").GetProperty("result").GetString());

            File.WriteAllText(policy, $"{{\"accepted_tcb_statuses\":[\"{c.Status}\"]}}");
            r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--policy", policy, "--json");
            Assert.Equal(0, r.ExitCode);
            using var ok = JsonDocument.Parse(r.Output);
            Assert.Equal("ACCEPTED", ok.RootElement.GetProperty("policy").GetProperty("result").GetString());
            Assert.Equal(policy, ok.RootElement.GetProperty("policy").GetProperty("name").GetString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void Verify_exits_two_for_unreadable_inputs()
    {
        var c = Require("OK");
        var dir = Directory.CreateTempSubdirectory("citrine-attest-");
        try
        {
            var junk = Path.Combine(dir.FullName, "junk.bin");
            File.WriteAllBytes(junk, [1, 2, 3]);
            Assert.Equal(2, CliRunner.Run("attest", "verify", "--quote", junk, "--collateral", c.Collateral, "--now", "0").ExitCode);
            Assert.Equal(2, CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", junk, "--now", "0").ExitCode);
            Assert.Equal(2, CliRunner.Run("attest", "verify", "--quote", Path.Combine(dir.FullName, "missing"), "--collateral", c.Collateral).ExitCode);
            Assert.Equal(2, CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", "yesterday").ExitCode);
            var policy = Path.Combine(dir.FullName, "p.json");
            File.WriteAllText(policy, "{\"acepted_tcb_statuses\":[]}");
            var r = CliRunner.Run("attest", "verify", "--quote", c.Quote, "--collateral", c.Collateral, "--now", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture), "--policy", policy);
            Assert.Equal(2, r.ExitCode);
            Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void Inspect_dumps_every_quote_field_of_binary_and_hex_quotes()
    {
        var c = Require("OK");
        var r = CliRunner.Run("attest", "inspect", "--quote", c.Quote);
        Assert.Equal(0, r.ExitCode);
        foreach (var field in new[] { "version:", "tee_type:", "qe_vendor_id:", "report_data:", "qe_report:", "qe_auth_data:", "pck_fmspc:", "trailing_bytes:" })
        {
            Assert.Contains(field, r.Output, StringComparison.Ordinal);
        }
        var hex = Vectors.Require("dcap/phala-dcap-qvl/tdx-quote.hex");
        var t = CliRunner.Run("attest", "inspect", "--quote", hex);
        Assert.Equal(0, t.ExitCode);
        Assert.Contains("mrtd:", t.Output, StringComparison.Ordinal);
        Assert.Contains("rtmr3:", t.Output, StringComparison.Ordinal);
    }
}

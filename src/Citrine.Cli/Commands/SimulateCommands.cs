using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Testing;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine simulate dcap</c>: a DCAP quote + collateral + root from the TEST PKI, for running
/// the real verification path (<c>citrine attest verify --root</c>) without Intel hardware.
/// </summary>
internal static class SimulateCommands
{
    public static Command Create()
    {
        var group = new Command("simulate", "TEST/SIMULATION ONLY: evidence signed by a locally generated test PKI, not by Intel.");
        group.Subcommands.Add(Dcap());
        return group;
    }

    private static Command Dcap()
    {
        var output = CommonOptions.Required("--out", "Directory to write quote.bin, collateral.json (QuoteCollateralV3) and root.pem to.");
        var tee = CommonOptions.Optional("--tee", "sgx (default) or tdx.");
        var version = CommonOptions.Optional("--quote-version", "3 (SGX only), 4 or 5; default 3 for SGX, 4 for TDX.");
        var reportData = CommonOptions.Optional("--report-data", "64 bytes of report data, hex (default: zeros).");
        var now = CommonOptions.Optional("--now", "Time the collateral is valid around: unix seconds or RFC 3339 (default: the current time).");
        var seed = CommonOptions.Optional("--seed", "Seed of the test PKI keys (default: citrine-dev).");
        var fault = CommonOptions.Optional("--fault", "Break exactly one thing (a DcapFault name, e.g. QuoteSignatureInvalid).");
        var status = CommonOptions.Optional("--tcb-status", "TCB status of the platform's level (default UpToDate).");
        var cmd = new Command("dcap", "Write a simulated DCAP quote, its collateral and the test root to verify it with.")
        {
            output, tee, version, reportData, now, seed, fault, status,
        };
        cmd.SetAction(parsed =>
        {
            var teeValue = (parsed.GetValue(tee) ?? "sgx").ToUpperInvariant() switch
            {
                "SGX" => SimulatedTee.Sgx,
                "TDX" => SimulatedTee.Tdx,
                var other => throw new CliInputException($"--tee: '{other}' is neither sgx nor tdx"),
            };
            var versionValue = parsed.GetValue(version) is { } v
                ? int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : throw new CliInputException($"--quote-version: '{v}' is not a number")
                : teeValue == SimulatedTee.Tdx ? 4 : 3;
            var data = parsed.GetValue(reportData) is { } hex ? CliInput.Hex(hex, "--report-data") : new byte[64];
            var faultValue = parsed.GetValue(fault) is { } f
                ? Enum.TryParse<DcapFault>(f, ignoreCase: true, out var parsedFault) && Enum.IsDefined(parsedFault) ? parsedFault : throw new CliInputException($"--fault: unknown fault '{f}'")
                : DcapFault.None;
            var time = parsed.GetValue(now) is { } t ? CliInput.Time(t, "--now") : DateTimeOffset.UtcNow;
            using var keys = TestPkiKeys.FromSeed(Encoding.UTF8.GetBytes(parsed.GetValue(seed) ?? "citrine-dev"));
            SimulatedDcapEvidence evidence;
            try
            {
                evidence = new DcapSimulator(keys).Generate(new SimulatedQuoteRequest
                {
                    Now = time,
                    Tee = teeValue,
                    QuoteVersion = versionValue,
                    ReportData = data,
                    Fault = faultValue,
                    PlatformTcbStatus = parsed.GetValue(status) ?? "UpToDate",
                });
            }
            catch (ArgumentException e)
            {
                throw new CliInputException(e.Message, e);
            }
            var dir = parsed.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(dir);
                File.WriteAllBytes(Path.Combine(dir, "quote.bin"), evidence.Quote);
                File.WriteAllText(Path.Combine(dir, "collateral.json"), evidence.CollateralJson);
                File.WriteAllText(Path.Combine(dir, "root.pem"), PemEncoding.WriteString("CERTIFICATE", evidence.TrustedRootDer) + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException($"--out: {e.Message}", e);
            }
            CliOutput.WriteJson(parsed.InvocationConfiguration.Output, w =>
            {
                w.WriteString("warning", "TEST PKI: verifies only with --root root.pem, never under Intel's root");
                w.WriteString("quote", Path.Combine(dir, "quote.bin"));
                w.WriteString("collateral", Path.Combine(dir, "collateral.json"));
                w.WriteString("root", Path.Combine(dir, "root.pem"));
                w.WriteNumber("now", evidence.Now.ToUnixTimeSeconds());
                w.WriteString("fault", faultValue.ToString());
            });
            return CliApp.Ok;
        });
        return cmd;
    }
}

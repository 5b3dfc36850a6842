using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.Cli.Commands;

/// <summary><c>citrine light ...</c>: the CometBFT light client.</summary>
internal static class LightCommands
{
    /// <summary>CometBFT's light client default trusting period (one week).</summary>
    private static readonly TimeSpan DefaultTrustingPeriod = TimeSpan.FromHours(168);

    public static Command Create()
    {
        var group = new Command("light", "CometBFT light client.");
        group.Add(Verify());
        return group;
    }

    private static Command Verify()
    {
        var rpc = CommonOptions.Required("--rpc", "CometBFT JSON-RPC URL of the primary, e.g. http://127.0.0.1:26657");
        var chainId = CommonOptions.Required("--chain-id", "The chain id the trust root belongs to.");
        var trustedHeight = new Option<long>("--trusted-height") { Description = "Height of the trusted header.", Required = true };
        var trustedHash = CommonOptions.Required("--trusted-hash", "Hex hash of the trusted header.");
        var target = new Option<long>("--target") { Description = "Height to verify (default: the latest)." };
        var period = CommonOptions.Optional("--trusting-period", "How long a verified header stays trusted, e.g. 168h, 14d, 90m (default 168h).");
        var threshold = CommonOptions.Optional("--trust-threshold", "Fraction of trusted power needed to skip heights, 1/3..1 (default 1/3).");
        var drift = CommonOptions.Optional("--max-clock-drift", "How far a header may be ahead of now (default 10s).");
        var witness = new Option<string[]>("--witness") { Description = "RPC URL of a witness to cross-check against (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var now = CommonOptions.Optional("--now", "Verification time, unix seconds or RFC 3339 (default: the clock).");
        var timeout = CommonOptions.Optional("--timeout", "Per-request timeout (default 10s).");

        var cmd = new Command("verify", "Verify the chain from a trusted header to a target height and print the verified header.")
        {
            rpc, chainId, trustedHeight, trustedHash, target, period, threshold, drift, witness, now, timeout,
        };
        cmd.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var primaryUri = Url(parsed.GetValue(rpc)!, "--rpc");
            var witnesses = (parsed.GetValue(witness) ?? []).Select(w => Url(w, "--witness")).ToList();
            var height = parsed.GetValue(trustedHeight);
            if (height <= 0)
            {
                throw new CliInputException($"--trusted-height: must be positive, got {height}");
            }
            var hash = CliInput.Hex(parsed.GetValue(trustedHash), "--trusted-hash");
            if (hash.Length != 32)
            {
                throw new CliInputException($"--trusted-hash: a header hash is 32 bytes, got {hash.Length}");
            }
            var targetHeight = parsed.GetValue(target);
            if (targetHeight < 0)
            {
                throw new CliInputException($"--target: must be positive, got {targetHeight}");
            }
            var fraction = Fraction.OneThird;
            if (parsed.GetValue(threshold) is { } thresholdText && !Fraction.TryParse(thresholdText, out fraction))
            {
                throw new CliInputException($"--trust-threshold: '{thresholdText}' is not a fraction like 1/3");
            }
            var options = new TrustOptions(
                parsed.GetValue(chainId)!,
                parsed.GetValue(period) is { } p ? Duration(p, "--trusting-period") : DefaultTrustingPeriod,
                fraction,
                parsed.GetValue(drift) is { } d ? Duration(d, "--max-clock-drift") : TrustOptions.DefaultMaxClockDrift);
            if (options.Problem() is { } problem)
            {
                throw new CliInputException($"trust options: {problem}");
            }
            var time = parsed.GetValue(now) is { } nowText ? CliInput.Time(nowText, "--now") : DateTimeOffset.UtcNow;
            var providerOptions = new HttpProviderOptions
            {
                RequestTimeout = parsed.GetValue(timeout) is { } t ? Duration(t, "--timeout") : TimeSpan.FromSeconds(10),
            };
            RunVerify(output, primaryUri, witnesses, height, hash, targetHeight, options, time, providerOptions).GetAwaiter().GetResult();
            return CliApp.Ok;
        });
        return cmd;
    }

    private static async Task RunVerify(
        TextWriter output, Uri primaryUri, List<Uri> witnessUris, long trustedHeight, byte[] trustedHash, long target,
        TrustOptions options, DateTimeOffset now, HttpProviderOptions providerOptions)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var primary = new HttpRpcProvider(primaryUri, http, providerOptions);
        try
        {
            var (rootVerdict, root) = await Bisection.TrustRootAsync(trustedHeight, trustedHash, primary, options, now).ConfigureAwait(false);
            if (!rootVerdict.IsSuccess)
            {
                throw new CliFailureException($"trusted header {trustedHeight} rejected: {rootVerdict.Reason}: {rootVerdict.Message}");
            }
            var result = await Bisection.VerifyToHeightAsync(root!, target, primary, options, now).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new CliFailureException($"verification failed: {result.Verdict.Reason}: {result.Verdict.Message}");
            }
            var verified = result.Verified!;
            var witnesses = witnessUris.Select(u => new HttpRpcProvider(u, http, providerOptions)).ToList();
            var report = witnesses.Count == 0
                ? new ForkReport([], [])
                : await ForkDetector.DetectAsync(root!, verified, witnesses, options, now).ConfigureAwait(false);
            CliOutput.WriteJson(output, w => WriteResult(w, verified, result, report));
            if (report.ForkDetected)
            {
                var fork = report.Forks[0];
                throw new CliFailureException(
                    $"fork detected: witness {fork.WitnessId} has header {Convert.ToHexString(fork.Witness.Header.Hash())} at height {fork.Witness.Height}, primary has {Convert.ToHexString(fork.Primary.Header.Hash())}");
            }
        }
        catch (ProviderException e)
        {
            throw new CliFailureException($"cannot fetch light blocks: {e.Message}", e);
        }
    }

    private static void WriteResult(Utf8JsonWriter w, LightBlock verified, BisectionResult result, ForkReport report)
    {
        var header = verified.Header;
        w.WriteString("chain_id", header.ChainId);
        w.WriteNumber("height", header.Height);
        w.WriteString("hash", Convert.ToHexString(header.Hash()));
        w.WriteString("time", header.Time.ToString());
        w.WriteString("app_hash", Convert.ToHexString(header.AppHash));
        w.WriteString("validators_hash", Convert.ToHexString(header.ValidatorsHash));
        w.WriteString("next_validators_hash", Convert.ToHexString(header.NextValidatorsHash));
        w.WriteString("last_block_hash", Convert.ToHexString(header.LastBlockId.Hash));
        w.WriteString("proposer_address", Convert.ToHexString(header.ProposerAddress));
        w.WriteNumber("verification_steps", result.StepsVerified);
        w.WriteStartArray("trace");
        foreach (var block in result.Trace)
        {
            w.WriteNumberValue(block.Height);
        }
        w.WriteEndArray();
        w.WriteStartArray("fork_evidence");
        foreach (var fork in report.Forks)
        {
            w.WriteStartObject();
            w.WriteString("witness", fork.WitnessId);
            w.WriteNumber("height", fork.Witness.Height);
            w.WriteString("primary_hash", Convert.ToHexString(fork.Primary.Header.Hash()));
            w.WriteString("witness_hash", Convert.ToHexString(fork.Witness.Header.Hash()));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("witness_problems");
        foreach (var problem in report.WitnessProblems)
        {
            w.WriteStartObject();
            w.WriteString("witness", problem.WitnessId);
            w.WriteString("problem", problem.Problem);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static Uri Url(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new CliInputException($"{option}: '{text}' is not an http(s) URL");

    /// <summary>Parses durations like <c>168h</c>, <c>14d</c>, <c>1h30m</c>, <c>10s</c>, <c>500ms</c>.</summary>
    internal static TimeSpan Duration(string text, string option)
    {
        var total = TimeSpan.Zero;
        var i = 0;
        if (text.Length == 0)
        {
            throw new CliInputException($"{option}: empty duration");
        }
        try
        {
            while (i < text.Length)
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                var unitStart = i;
                while (i < text.Length && char.IsAsciiLetter(text[i]))
                {
                    i++;
                }
                if (start == unitStart || !double.TryParse(text.AsSpan(start, unitStart - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                {
                    throw new CliInputException($"{option}: '{text}' is not a duration like 168h, 14d or 90m");
                }
                total += text[unitStart..i] switch
                {
                    "ms" => TimeSpan.FromMilliseconds(value),
                    "s" => TimeSpan.FromSeconds(value),
                    "m" => TimeSpan.FromMinutes(value),
                    "h" => TimeSpan.FromHours(value),
                    "d" => TimeSpan.FromDays(value),
                    var unit => throw new CliInputException($"{option}: unknown unit '{unit}' in '{text}' (ms, s, m, h, d)"),
                };
            }
        }
        catch (OverflowException e)
        {
            throw new CliInputException($"{option}: '{text}' is too long a duration", e);
        }
        return total;
    }
}

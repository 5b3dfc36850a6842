using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Json;
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
        var witness = new Option<string[]>("--witness") { Description = "RPC URL of a witness to cross-check against (repeatable; at least one unless --no-witnesses).", Arity = ArgumentArity.ZeroOrMore };
        var noWitnesses = new Option<bool>("--no-witnesses") { Description = "Verify without cross-checking any witness (a lying primary then goes undetected)." };
        var submitEvidence = new Option<bool>("--submit-evidence") { Description = "On a detected attack, submit the evidence over broadcast_evidence (against the primary to the witness, against the witness to the primary)." };
        var blockLag = CommonOptions.Optional("--max-block-lag", "How long a lagging witness is given, on top of twice the clock drift (default 10s).");
        var now = CommonOptions.Optional("--now", "Verification time, unix seconds or RFC 3339 (default: the clock).");
        var timeout = CommonOptions.Optional("--timeout", "Per-request timeout (default 10s).");

        var cmd = new Command("verify", "Verify the chain from a trusted header to a target height, cross-check it with witnesses, and print the verified header.")
        {
            rpc, chainId, trustedHeight, trustedHash, target, period, threshold, drift, witness, noWitnesses, submitEvidence, blockLag, now, timeout,
        };
        cmd.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var primaryUri = Url(parsed.GetValue(rpc)!, "--rpc");
            var witnesses = (parsed.GetValue(witness) ?? []).Select(w => Url(w, "--witness")).ToList();
            var withoutWitnesses = parsed.GetValue(noWitnesses);
            if (withoutWitnesses && witnesses.Count > 0)
            {
                throw new CliInputException("--no-witnesses: cannot be combined with --witness");
            }
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
            var lag = parsed.GetValue(blockLag) is { } l ? Duration(l, "--max-block-lag") : DetectorOptions.DefaultMaxBlockLag;
            var time = parsed.GetValue(now) is { } nowText ? CliInput.Time(nowText, "--now") : DateTimeOffset.UtcNow;
            var providerOptions = new HttpProviderOptions
            {
                RequestTimeout = parsed.GetValue(timeout) is { } t ? Duration(t, "--timeout") : TimeSpan.FromSeconds(10),
            };
            if (witnesses.Count == 0 && !withoutWitnesses)
            {
                throw new CliFailureException(
                    $"fork detection refused: {VerdictReason.NoWitnesses}: no --witness given; pass at least one --witness URL, or --no-witnesses to trust the primary alone");
            }
            if (withoutWitnesses)
            {
                parsed.InvocationConfiguration.Error.WriteLine(
                    "citrine: warning: --no-witnesses: the verified header is not cross-checked; a primary that lies goes undetected");
            }
            var update = new UpdateOptions { WithoutWitnesses = withoutWitnesses, Detector = DetectorOptions.For(options, lag) };
            var request = new VerifyRequest(primaryUri, witnesses, height, hash, targetHeight, options, update, time, providerOptions, parsed.GetValue(submitEvidence));
            RunVerify(output, request).GetAwaiter().GetResult();
            return CliApp.Ok;
        });
        return cmd;
    }

    private sealed record VerifyRequest(
        Uri Primary, List<Uri> Witnesses, long TrustedHeight, byte[] TrustedHash, long Target, TrustOptions Options,
        UpdateOptions Update, DateTimeOffset Now, HttpProviderOptions ProviderOptions, bool SubmitEvidence);

    /// <summary>
    /// Prints the verified header only once every stage passed; a refusal prints nothing on stdout
    /// except, for a detected attack, the attack report with its evidence.
    /// </summary>
    private static async Task RunVerify(TextWriter output, VerifyRequest request)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var primary = new HttpRpcProvider(request.Primary, http, request.ProviderOptions);
        var witnesses = request.Witnesses.Select(u => new HttpRpcProvider(u, http, request.ProviderOptions)).ToList();
        UpdateResult result;
        try
        {
            var (rootVerdict, root) = await Bisection.TrustRootAsync(request.TrustedHeight, request.TrustedHash, primary, request.Options, request.Now).ConfigureAwait(false);
            if (!rootVerdict.IsSuccess)
            {
                throw new CliFailureException($"trusted header {request.TrustedHeight} rejected: {rootVerdict.Reason}: {rootVerdict.Message}");
            }
            result = await LightClientUpdate.VerifyToHeightAsync(root!, request.Target, primary, witnesses, request.Options, request.Now, store: null, request.Update).ConfigureAwait(false);
        }
        catch (ProviderException e)
        {
            throw new CliFailureException($"cannot fetch light blocks: {e.Message}", e);
        }
        if (result.Detection is { AttackDetected: true } detection)
        {
            var submissions = request.SubmitEvidence ? await SubmitAsync(detection.Attacks, primary, witnesses).ConfigureAwait(false) : [];
            CliOutput.WriteJson(output, w => WriteAttacks(w, detection, submissions));
            var failed = submissions.Where(s => s.Error is not null).Select(s => $"; evidence submission to {s.To} failed: {s.Error}");
            throw new CliFailureException($"light client attack detected: {detection.Verdict.Reason}: {detection.Verdict.Message}{string.Concat(failed)}");
        }
        if (!result.IsSuccess)
        {
            var stage = result.Detection is null ? "verification failed" : "fork detection refused";
            throw new CliFailureException($"{stage}: {result.Verdict.Reason}: {result.Verdict.Message}");
        }
        CliOutput.WriteJson(output, w => WriteResult(w, result));
    }

    private sealed record Submission(LightClientAttackEvidence Evidence, string To, string? Hash, string? Error);

    private static async Task<List<Submission>> SubmitAsync(IReadOnlyList<LightClientAttack> attacks, HttpRpcProvider primary, List<HttpRpcProvider> witnesses)
    {
        var submissions = new List<Submission>();
        foreach (var attack in attacks)
        {
            // As CometBFT's handleConflictingHeaders: evidence against the primary goes to the witness, and the reverse.
            var witness = witnesses.First(w => w.Id == attack.WitnessId);
            submissions.Add(await SubmitOneAsync(attack.AgainstPrimary, witness).ConfigureAwait(false));
            if (attack.AgainstWitness is { } againstWitness)
            {
                submissions.Add(await SubmitOneAsync(againstWitness, primary).ConfigureAwait(false));
            }
        }
        return submissions;
    }

    private static async Task<Submission> SubmitOneAsync(LightClientAttackEvidence evidence, HttpRpcProvider to)
    {
        try
        {
            return new Submission(evidence, to.Id, await to.ReportEvidenceAsync(evidence).ConfigureAwait(false), null);
        }
        catch (ProviderException e)
        {
            return new Submission(evidence, to.Id, null, e.Message);
        }
    }

    private static void WriteAttacks(Utf8JsonWriter w, ForkReport detection, List<Submission> submissions)
    {
        w.WriteString("verdict", detection.Verdict.Reason.ToString());
        w.WriteStartArray("light_client_attacks");
        foreach (var attack in detection.Attacks)
        {
            w.WriteStartObject();
            w.WriteString("witness", attack.WitnessId);
            w.WriteNumber("primary_height", attack.PrimaryBlock.Height);
            w.WriteString("primary_hash", Convert.ToHexString(attack.PrimaryBlock.Header.Hash()));
            w.WriteNumber("witness_height", attack.WitnessBlock.Height);
            w.WriteString("witness_hash", Convert.ToHexString(attack.WitnessBlock.Header.Hash()));
            w.WritePropertyName("evidence_against_primary");
            WriteEvidence(w, attack.AgainstPrimary, submissions);
            if (attack.AgainstWitness is { } againstWitness)
            {
                w.WritePropertyName("evidence_against_witness");
                WriteEvidence(w, againstWitness, submissions);
            }
            else
            {
                w.WriteString("evidence_against_witness_problem", attack.AgainstWitnessProblem);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteEvidence(Utf8JsonWriter w, LightClientAttackEvidence evidence, List<Submission> submissions)
    {
        w.WriteStartObject();
        w.WriteString("hash", Convert.ToHexString(evidence.Hash()));
        w.WriteNumber("common_height", evidence.CommonHeight);
        w.WriteNumber("conflicting_height", evidence.ConflictingBlock.Height);
        w.WriteNumber("total_voting_power", evidence.TotalVotingPower);
        w.WriteString("timestamp", evidence.Timestamp.ToString());
        w.WriteStartArray("byzantine_validators");
        foreach (var v in evidence.ByzantineValidators)
        {
            w.WriteStringValue(Convert.ToHexString(v.Address));
        }
        w.WriteEndArray();
        w.WriteString("protobuf", Convert.ToHexString(evidence.ToProtobuf()));
        w.WritePropertyName("json");
        EvidenceJson.WriteEvidence(w, evidence);
        if (submissions.FirstOrDefault(s => ReferenceEquals(s.Evidence, evidence)) is { } submission)
        {
            w.WriteStartObject("submission");
            w.WriteString("to", submission.To);
            if (submission.Error is null)
            {
                w.WriteString("hash", submission.Hash);
            }
            else
            {
                w.WriteString("error", submission.Error);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, UpdateResult result)
    {
        var verified = result.Verified!;
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
        w.WriteNumber("verification_steps", result.Bisection!.StepsVerified);
        w.WriteStartArray("trace");
        foreach (var block in result.Bisection.Trace)
        {
            w.WriteNumberValue(block.Height);
        }
        w.WriteEndArray();
        w.WriteStartArray("witnesses_agreed");
        foreach (var check in result.Detection?.Witnesses ?? [])
        {
            w.WriteStringValue(check.WitnessId);
        }
        w.WriteEndArray();
        w.WriteBoolean("cross_checked", result.Detection is not null);
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

using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.LightClient;

/// <summary>
/// tendermint-rs model-based single-step tests (SOURCES.md §2.1): each step's verdict must match;
/// the trusted state advances only on success. Trust threshold 1/3, clock drift 0, now = input.now.
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class MbtConformanceTests
{
    private const string Dir = "cometbft/tendermint-rs-mbt-single-step";

    public static TheoryData<string> Files() =>
        Vectors.Cases(Dir, dir => Directory.GetFiles(dir, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [SkippableTheory]
    [MemberData(nameof(Files))]
    public void Every_step_has_the_expected_verdict(string file)
    {
        Vectors.SkipIfMissing(file);
        var steps = Run(Path.Combine(Vectors.Require(Dir), file));
        Assert.NotEmpty(steps);
        foreach (var (index, expected, actual) in steps)
        {
            Assert.True(expected == actual.Status, $"{file} step {index}: expected {expected}, got {actual}");
        }
    }

    internal static List<(int Index, VerdictStatus Expected, Verdict Actual)> Run(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var initial = root.GetProperty("initial");
        var signedHeader = CometJson.ReadSignedHeader(initial.GetProperty("signed_header"));
        var nextValidators = CometJson.ReadValidatorSet(initial.GetProperty("next_validator_set"));
        var trusted = new LightBlock(signedHeader, nextValidators, nextValidators);
        var periodNanos = long.Parse(initial.GetProperty("trusting_period").GetString()!, CultureInfo.InvariantCulture);
        var options = new TrustOptions(signedHeader.Header.ChainId, TimeSpan.FromTicks(periodNanos / 100), Fraction.OneThird, TimeSpan.Zero);
        var results = new List<(int, VerdictStatus, Verdict)>();
        var index = 0;
        foreach (var input in root.GetProperty("input").EnumerateArray())
        {
            var block = CometJson.ReadLightBlock(input.GetProperty("block"));
            Assert.True(Timestamp.TryParse(input.GetProperty("now").GetString(), out var now));
            var expected = input.GetProperty("verdict").GetString() switch
            {
                "SUCCESS" => VerdictStatus.Success,
                "NOT_ENOUGH_TRUST" => VerdictStatus.NotEnoughTrust,
                "INVALID" => VerdictStatus.Invalid,
                var other => throw new InvalidDataException($"unknown verdict {other}"),
            };
            var verdict = Verifier.Verify(trusted, block, options, now);
            results.Add((index++, expected, verdict));
            if (verdict.IsSuccess)
            {
                trusted = block;
            }
        }
        return results;
    }
}

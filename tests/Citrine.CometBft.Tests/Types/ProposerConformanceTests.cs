using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Types;

/// <summary>
/// Real CometBFT 0.38 headers (SOURCES.md §2.2): next to a <c>genesis.json</c>, every header whose
/// validator set is still the genesis set must name as proposer the validator CometBFT's
/// algorithm picks at its height: <c>NewValidatorSet(genesis)</c> incremented once per height.
/// (The tendermint-rs MBT files carry no proposer priorities and their headers' proposers are
/// chosen by the test generator, not by this algorithm, so they are not cases here.)
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class ProposerConformanceTests
{
    private const string FixturesDir = "cometbft/tendermint-rs-rpc-fixtures";

    public static TheoryData<string> HeaderCases() => Vectors.Cases(FixturesDir, Discover);

    private static IEnumerable<string> Discover(string root)
    {
        foreach (var genesis in Directory.GetFiles(root, "genesis.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var dir = Path.GetDirectoryName(genesis)!;
            foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                foreach (var height in Headers(File.ReadAllBytes(file)).Select(h => h.Height).Distinct())
                {
                    yield return $"{Path.GetRelativePath(root, file)}#{height.ToString(CultureInfo.InvariantCulture)}";
                }
            }
        }
    }

    /// <summary>The headers in a <c>block</c>, <c>blockchain</c> or <c>commit</c> response; none for other files.</summary>
    private static IEnumerable<Header> Headers(byte[] response)
    {
        using var doc = JsonDocument.Parse(response);
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("result", out var result)
            || result.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        if (result.TryGetProperty("block_metas", out _))
        {
            return RpcResponses.ParseBlockchain(response).Select(m => m.Header).ToList();
        }
        if (result.TryGetProperty("block", out var block) && block.ValueKind == JsonValueKind.Object)
        {
            return [RpcResponses.ParseBlock(response).Header];
        }
        if (result.TryGetProperty("signed_header", out _))
        {
            return [RpcResponses.ParseCommit(response).SignedHeader.Header];
        }
        return [];
    }

    [SkippableTheory]
    [MemberData(nameof(HeaderCases))]
    public void Header_proposer_is_the_cometbft_proposer_of_the_genesis_set_at_its_height(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var root = Vectors.Require(FixturesDir);
        var hash = caseId.LastIndexOf('#');
        var file = Path.Combine(root, caseId[..hash]);
        var height = long.Parse(caseId[(hash + 1)..], CultureInfo.InvariantCulture);
        var header = Headers(File.ReadAllBytes(file)).First(h => h.Height == height);
        var genesis = RpcResponses.ParseGenesis(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(file)!, "genesis.json")));

        var set = ProposerPriority.NewValidatorSet(genesis.Validators);
        Skip.IfNot(set.Hash().AsSpan().SequenceEqual(header.ValidatorsHash), $"height {height}: the validator set changed since genesis");
        if (height > 1)
        {
            set = ProposerPriority.Increment(set, (int)(height - 1));
        }
        Assert.Equal(Convert.ToHexString(header.ProposerAddress), Convert.ToHexString(set.Proposer!.Address));
    }
}

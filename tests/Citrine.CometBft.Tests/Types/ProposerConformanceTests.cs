using System.Globalization;
using Citrine.CometBft.Tests.Json;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Types;

/// <summary>
/// Real CometBFT 0.38 headers (SOURCES.md §2.2, and any other chain's captures next to them):
/// every header must name as proposer the validator CometBFT's algorithm picks at its height. The
/// set comes from a <c>validators</c> response for the height (which carries the priorities at that
/// height: the proposer is the highest, <c>findProposer</c>), else from the genesis when it lists
/// validators and they are still the header's set (<c>NewValidatorSet(genesis)</c> incremented once
/// per height). A header neither can speak for — a gentx-based genesis without a validators
/// response, or a set that changed since genesis — is skipped with that reason.
/// (The tendermint-rs MBT files carry no proposer priorities and their headers' proposers are
/// chosen by the test generator, not by this algorithm, so they are not cases here.)
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class ProposerConformanceTests
{
    private const string Root = "cometbft";

    public static TheoryData<string> HeaderCases() => Vectors.Cases(Root, Discover);

    private static IEnumerable<string> Discover(string root)
    {
        foreach (var set in RpcFixtureSet.Discover(root))
        {
            foreach (var (file, height) in set.Headers().Select(h => (h.File, h.Header.Height)).Distinct())
            {
                yield return $"{Path.GetRelativePath(root, Path.Combine(set.Directory, file))}#{height.ToString(CultureInfo.InvariantCulture)}";
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(HeaderCases))]
    public void Header_proposer_is_the_cometbft_proposer_at_its_height(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var hash = caseId.LastIndexOf('#');
        var path = Path.Combine(Vectors.Require(Root), caseId[..hash]);
        var height = long.Parse(caseId[(hash + 1)..], CultureInfo.InvariantCulture);
        var set = RpcFixtureSet.Load(Path.GetDirectoryName(path)!);
        var header = set.Headers().First(h => h.File == Path.GetFileName(path) && h.Header.Height == height).Header;

        Validator? expected;
        if (set.ValidatorsFixtureAt(height) is { } atHeight)
        {
            Assert.Equal(Convert.ToHexString(header.ValidatorsHash), Convert.ToHexString(atHeight.Hash()));
            expected = ProposerPriority.HighestPriority(atHeight);
        }
        else
        {
            var genesis = set.Genesis;
            Skip.If(genesis is null, $"height {height}: no validators response for the height and no genesis next to it");
            Skip.If(genesis!.Validators.Count == 0, $"height {height}: no validators response for the height, and the genesis lists no validators (a gentx-based genesis)");
            var fromGenesis = ProposerPriority.NewValidatorSet(genesis.Validators);
            Skip.IfNot(fromGenesis.Hash().AsSpan().SequenceEqual(header.ValidatorsHash), $"height {height}: the validator set changed since genesis and no validators response gives the set at the height");
            expected = (height > genesis.InitialHeight ? ProposerPriority.Increment(fromGenesis, (int)(height - genesis.InitialHeight)) : fromGenesis).Proposer;
        }
        Assert.Equal(Convert.ToHexString(header.ProposerAddress), Convert.ToHexString(expected!.Address));
    }
}

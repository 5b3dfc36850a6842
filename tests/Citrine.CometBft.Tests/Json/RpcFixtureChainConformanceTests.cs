using Citrine.Testing;

namespace Citrine.CometBft.Tests.Json;

/// <summary>
/// Every folder of CometBFT RPC responses below the CometBFT vectors (SOURCES.md §2.2, and any
/// other chain's captures dropped next to them) is checked for everything its files allow — header
/// hashes against block ids, commits against their headers, last commits against the previous block
/// id, signatures against a validator set bound by a header, validator responses against headers —
/// with each check that the files cannot support skipped with its reason (see <see cref="RpcFixtureSet"/>).
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class RpcFixtureChainConformanceTests
{
    private const string Root = "cometbft";

    public static TheoryData<string> Cases() => Vectors.Cases(Root, root =>
        RpcFixtureSet.Discover(root).SelectMany(set => set.Cases().Select(c => $"{Path.GetRelativePath(root, set.Directory)}|{c}")));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Rpc_fixture_check_holds_or_is_skipped_with_its_reason(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var bar = caseId.IndexOf('|', StringComparison.Ordinal);
        var set = RpcFixtureSet.Load(Path.Combine(Vectors.Require(Root), caseId[..bar]));
        set.Check(caseId[(bar + 1)..]);
    }

    [SkippableFact]
    public void Discovery_finds_the_kvstore_fixture_chain_and_its_checks()
    {
        // Guards the theory above against silently finding nothing.
        var root = Vectors.Require(Root);
        var set = Assert.Single(RpcFixtureSet.Discover(root));
        var cases = set.Cases().ToList();
        Assert.Equal(12, cases.Count(c => c.StartsWith("header-hash|", StringComparison.Ordinal)));
        Assert.Contains("commit-signatures|commit_at_height_10.json|10", cases);
        Assert.Contains("last-commit-signatures|block_at_height_10.json|10", cases);
        Assert.Contains("genesis-validators|genesis.json|1", cases);
    }
}

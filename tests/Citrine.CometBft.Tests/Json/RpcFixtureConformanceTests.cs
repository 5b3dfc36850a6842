using System.Text.Json;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;
using Citrine.Testing;

namespace Citrine.CometBft.Tests.Json;

/// <summary>
/// Real CometBFT RPC responses (SOURCES.md §2.2, §2.3): every header listed in an
/// <c>EXPECTED*.json</c> must hash to the block id in its file, every commit must verify.
/// </summary>
[Trait("Category", "Conformance")]
[Trait("Area", "CometBft")]
public sealed class RpcFixtureConformanceTests
{
    private const string FixturesDir = "cometbft/tendermint-rs-rpc-fixtures";

    /// <summary>Collector files of this shape may sit next to any chain's captures below the CometBFT vectors.</summary>
    private const string ExpectedRoot = "cometbft";

    public static TheoryData<string> HeaderCases() => Vectors.Cases(ExpectedRoot, dir => Discover(dir, "headers"));

    public static TheoryData<string> CommitCases() => Vectors.Cases(ExpectedRoot, dir => Discover(dir, "commits"));

    private static IEnumerable<string> Discover(string root, string section)
    {
        foreach (var expected in Directory.GetFiles(root, "EXPECTED*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(expected));
            if (!doc.RootElement.TryGetProperty(section, out var list) || !doc.RootElement.TryGetProperty("dir", out _))
            {
                continue;
            }
            for (var i = 0; i < list.GetArrayLength(); i++)
            {
                yield return $"{Path.GetRelativePath(root, expected)}#{section}[{i}]";
            }
        }
    }

    private static (JsonElement Entry, string DataDir, JsonDocument Doc) Load(string caseId, string section)
    {
        var root = Vectors.Require(ExpectedRoot);
        var file = Path.Combine(root, caseId[..caseId.IndexOf('#', StringComparison.Ordinal)]);
        var index = int.Parse(caseId[(caseId.IndexOf('[', StringComparison.Ordinal) + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var dataDir = Path.Combine(Path.GetDirectoryName(file)!, doc.RootElement.GetProperty("dir").GetString()!);
        return (doc.RootElement.GetProperty(section)[index], dataDir, doc);
    }

    [SkippableTheory]
    [MemberData(nameof(HeaderCases))]
    public void Header_hash_equals_block_id_in_rpc_fixture(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var (entry, dataDir, doc) = Load(caseId, "headers");
        using (doc)
        {
            var height = long.Parse(entry.GetProperty("height").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            var bytes = File.ReadAllBytes(Path.Combine(dataDir, entry.GetProperty("file").GetString()!));
            var (blockId, header) = FindHeader(bytes, height);
            var expected = entry.GetProperty("computed_header_hash").GetString()!;
            Assert.Equal(expected, Convert.ToHexString(header.Hash()));
            Assert.Equal(Convert.ToHexString(blockId.Hash), Convert.ToHexString(header.Hash()));
            Assert.Equal(entry.GetProperty("match").GetBoolean(), blockId.Hash.AsSpan().SequenceEqual(header.Hash()));
        }
    }

    private static (BlockId, Header) FindHeader(byte[] response, long height)
    {
        using var doc = JsonDocument.Parse(response);
        var result = doc.RootElement.GetProperty("result");
        if (result.TryGetProperty("block_metas", out _))
        {
            return RpcResponses.ParseBlockchain(response).Single(m => m.Header.Height == height);
        }
        var block = RpcResponses.ParseBlock(response);
        Assert.Equal(height, block.Header.Height);
        return (block.BlockId, block.Header);
    }

    [SkippableTheory]
    [MemberData(nameof(CommitCases))]
    public void Commit_in_rpc_fixture_verifies_against_its_validator_set(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var (entry, dataDir, doc) = Load(caseId, "commits");
        using (doc)
        {
            var response = RpcResponses.ParseCommit(File.ReadAllBytes(Path.Combine(dataDir, entry.GetProperty("file").GetString()!)));
            var signed = response.SignedHeader;
            var chainId = entry.GetProperty("chain_id").GetString()!;
            Assert.Equal(chainId, signed.Header.ChainId);
            Assert.Equal(entry.GetProperty("computed_header_hash").GetString(), Convert.ToHexString(signed.Header.Hash()));
            Assert.Equal(entry.GetProperty("header_matches_commit").GetBoolean(),
                signed.Header.Hash().AsSpan().SequenceEqual(signed.Commit.BlockId.Hash));

            // The signers come from a validators response for the height, else from the genesis when
            // it lists them (a gentx-based genesis does not) and they are the header's set.
            var (found, source) = RpcFixtureSet.Load(dataDir).ValidatorsFor(signed.Commit.Height, signed.Header.ValidatorsHash);
            Skip.If(found is null, $"commit {signed.Commit.Height}: {source}");
            var validators = found!;
            Assert.Null(validators.Problem);
            Assert.Equal(entry.GetProperty("computed_validators_hash").GetString(), Convert.ToHexString(validators.Hash()));
            Assert.Equal(entry.GetProperty("validators_hash_match").GetBoolean(),
                validators.Hash().AsSpan().SequenceEqual(signed.Header.ValidatorsHash));

            var template = new VoteSignBytes(chainId, signed.Commit.Height, signed.Commit.Round, signed.Commit.BlockId);
            var expectedSigs = entry.GetProperty("signatures");
            Assert.Equal(expectedSigs.GetArrayLength(), signed.Commit.Signatures.Count);
            for (var i = 0; i < signed.Commit.Signatures.Count; i++)
            {
                var sig = signed.Commit.Signatures[i];
                var expected = expectedSigs[i];
                Assert.Equal(expected.GetProperty("validator_address").GetString(), Convert.ToHexString(sig.ValidatorAddress));
                Assert.Equal(expected.GetProperty("block_id_flag").GetInt32(), (int)sig.Flag);
                var validator = validators.Validators[validators.IndexOf(sig.ValidatorAddress)];
                Assert.Equal(expected.GetProperty("voting_power").GetInt64(), validator.VotingPower);
                var signBytes = template.Create(sig.Flag == BlockIdFlag.Commit, sig.Timestamp);
                if (i == 0 && entry.TryGetProperty("first_signature_sign_bytes_hex", out var hex))
                {
                    Assert.Equal(hex.GetString(), Convert.ToHexString(signBytes).ToLowerInvariant());
                }
                Assert.Equal(expected.GetProperty("valid").GetBoolean(), validator.VerifySignature(signBytes, sig.Signature));
            }
        }
    }

    [SkippableFact]
    public void Header_with_known_hash_hashes_to_the_upstream_value()
    {
        var path = Vectors.Require("cometbft/tendermint-rs-serialization/header_with_known_hash.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var header = CometJson.ReadHeader(doc.RootElement);
        // tendermint-rs tendermint/src/block/header.rs test header_hashing (SOURCES.md §2.3).
        Assert.Equal("F30A71F2409FB15AACAEDB6CC122DFA2525BEE9CAE521721B06BFDCA291B8D56", Convert.ToHexString(header.Hash()));
    }

    [SkippableFact]
    public void Status_abci_query_and_genesis_fixtures_decode()
    {
        var dir = Vectors.Require(FixturesDir + "/kvstore_v0_38");
        var status = RpcResponses.ParseStatus(File.ReadAllBytes(Path.Combine(dir, "status.json")));
        Assert.Equal("dockerchain", status.Network);
        Assert.Equal(232, status.LatestBlockHeight);
        Assert.Equal("2023-05-17T14:14:48.530153458Z", status.LatestBlockTime.ToString());
        var query = RpcResponses.ParseAbciQuery(File.ReadAllBytes(Path.Combine(dir, "abci_query_with_existing_key.json")));
        Assert.Equal("tx0"u8.ToArray(), query.Key);
        Assert.Equal("value"u8.ToArray(), query.Value);
        Assert.Equal(254, query.Height);
        Assert.Empty(query.ProofOps);
        var genesis = RpcResponses.ParseGenesis(File.ReadAllBytes(Path.Combine(dir, "genesis.json")));
        Assert.Equal("dockerchain", genesis.ChainId);
        Assert.Single(genesis.Validators);
        Assert.Equal(10, genesis.Validators[0].VotingPower);
    }
}

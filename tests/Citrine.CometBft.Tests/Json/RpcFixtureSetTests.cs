using System.Text.Json.Nodes;
using Citrine.CometBft.Json;
using Citrine.CometBft.Testing;
using Citrine.Testing;
using Xunit.Sdk;
using JsonNode = System.Text.Json.Nodes.JsonNode;
using SkipException = Xunit.SkipException;

namespace Citrine.CometBft.Tests.Json;

/// <summary>
/// The fixture suite on a chain whose genesis is gentx-based (no validators in genesis.json, as a
/// Cosmos SDK chain's): built at run time from the kvstore captures with the genesis validators
/// removed, then with the set served by a <c>validators</c> response instead.
/// </summary>
public sealed class RpcFixtureSetTests : IDisposable
{
    private const string Kvstore = "cometbft/tendermint-rs-rpc-fixtures/kvstore_v0_38";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-gentx-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private enum Outcome
    {
        Passed,
        Skipped,
        Failed,
    }

    private static Dictionary<string, (Outcome Outcome, string Detail)> RunAll(RpcFixtureSet set)
    {
        var outcomes = new Dictionary<string, (Outcome, string)>(StringComparer.Ordinal);
        foreach (var id in set.Cases())
        {
            try
            {
                set.Check(id);
                outcomes[id] = (Outcome.Passed, "");
            }
            catch (SkipException e)
            {
                outcomes[id] = (Outcome.Skipped, e.Message);
            }
            catch (XunitException e)
            {
                outcomes[id] = (Outcome.Failed, e.Message);
            }
        }
        return outcomes;
    }

    /// <summary>The kvstore captures without their genesis; returns the genesis validators that were removed.</summary>
    private JsonArray CopyWithGentxGenesis(bool rawGenesisDocument)
    {
        var source = Vectors.Require(Kvstore);
        Directory.CreateDirectory(_dir);
        foreach (var file in Directory.GetFiles(source, "*.json").Where(f => Path.GetFileName(f) != "genesis.json"))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }
        var response = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "genesis.json")))!;
        var genesis = response["result"]!["genesis"]!.AsObject();
        var validators = genesis["validators"]!.AsArray();
        genesis.Remove("validators");
        if (rawGenesisDocument)
        {
            genesis["validators"] = new JsonArray();
            File.WriteAllText(Path.Combine(_dir, "genesis.json"), genesis.ToJsonString());
        }
        else
        {
            File.WriteAllText(Path.Combine(_dir, "genesis.json"), response.ToJsonString());
        }
        return (JsonArray)validators.DeepClone();
    }

    private void WriteValidatorsResponse(long height, JsonArray genesisValidators)
    {
        var validators = new JsonArray();
        foreach (var v in genesisValidators)
        {
            validators.Add(new JsonObject
            {
                ["address"] = v!["address"]!.GetValue<string>(),
                ["pub_key"] = v["pub_key"]!.DeepClone(),
                ["voting_power"] = v["power"]!.GetValue<string>(),
                ["proposer_priority"] = "0",
            });
        }
        var response = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = -1,
            ["result"] = new JsonObject
            {
                ["block_height"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["validators"] = validators,
                ["count"] = validators.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["total"] = validators.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        File.WriteAllText(Path.Combine(_dir, $"validators_at_height_{height}.json"), response.ToJsonString());
    }

    [SkippableFact]
    public void Gentx_genesis_leaves_signature_checks_skipped_with_the_reason_and_fails_nothing()
    {
        CopyWithGentxGenesis(rawGenesisDocument: false);
        var outcomes = RunAll(RpcFixtureSet.Load(_dir));
        Assert.DoesNotContain(outcomes, o => o.Value.Outcome == Outcome.Failed);
        Assert.All(outcomes.Where(o => o.Key.StartsWith("header-hash|", StringComparison.Ordinal)), o => Assert.Equal(Outcome.Passed, o.Value.Outcome));
        Assert.Equal(Outcome.Passed, outcomes["commit-block-id|commit_at_height_10.json|10"].Outcome);
        Assert.Equal(Outcome.Passed, outcomes["last-commit-block-id|block_at_height_10.json|10"].Outcome);

        var genesis = outcomes["genesis-validators|genesis.json|1"];
        Assert.Equal(Outcome.Skipped, genesis.Outcome);
        Assert.Contains("gentx", genesis.Detail, StringComparison.Ordinal);
        var signatures = outcomes["commit-signatures|commit_at_height_10.json|10"];
        Assert.Equal(Outcome.Skipped, signatures.Outcome);
        Assert.Contains("genesis lists no validators", signatures.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.Skipped, outcomes["last-commit-signatures|block_at_height_10.json|10"].Outcome);
    }

    [SkippableFact]
    public void Gentx_genesis_document_with_a_validators_response_checks_the_commit_with_that_set()
    {
        var validators = CopyWithGentxGenesis(rawGenesisDocument: true);
        WriteValidatorsResponse(10, validators);
        var set = RpcFixtureSet.Load(_dir);
        Assert.NotNull(set.Genesis);
        Assert.Empty(set.Genesis!.Validators);
        var outcomes = RunAll(set);
        Assert.DoesNotContain(outcomes, o => o.Value.Outcome == Outcome.Failed);
        Assert.Equal(Outcome.Passed, outcomes["commit-signatures|commit_at_height_10.json|10"].Outcome);
        Assert.Equal(Outcome.Passed, outcomes["validators-hash|validators_at_height_10.json|10"].Outcome);
        // Height 9 has no validators response and the genesis names none: still skipped.
        Assert.Equal(Outcome.Skipped, outcomes["last-commit-signatures|block_at_height_10.json|10"].Outcome);
    }

    [SkippableFact]
    public void Cosmos_app_genesis_with_validators_under_consensus_is_checked_against_the_first_header()
    {
        var validators = CopyWithGentxGenesis(rawGenesisDocument: true);
        var path = Path.Combine(_dir, "genesis.json");
        var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        doc.Remove("validators");
        doc["consensus"] = new JsonObject { ["validators"] = validators };
        File.WriteAllText(path, doc.ToJsonString());
        var set = RpcFixtureSet.Load(_dir);
        Assert.Single(set.Genesis!.Validators);
        var outcomes = RunAll(set);
        Assert.Equal(Outcome.Passed, outcomes["genesis-validators|genesis.json|1"].Outcome);
        Assert.Equal(Outcome.Passed, outcomes["commit-signatures|commit_at_height_10.json|10"].Outcome);
    }

    [SkippableFact]
    public void Validators_response_with_a_secp256k1_key_is_skipped_with_the_reason()
    {
        var validators = CopyWithGentxGenesis(rawGenesisDocument: false);
        validators[0]!["pub_key"]!["type"] = "tendermint/PubKeySecp256k1";
        WriteValidatorsResponse(10, validators);
        var outcomes = RunAll(RpcFixtureSet.Load(_dir));
        var undecodable = outcomes["undecodable|validators_at_height_10.json|0"];
        Assert.Equal(Outcome.Skipped, undecodable.Outcome);
        Assert.Contains("unsupported public key type", undecodable.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(outcomes, o => o.Value.Outcome == Outcome.Failed);
    }

    [SkippableFact]
    public void Rpc_response_that_cannot_be_decoded_fails_its_own_case_only()
    {
        CopyWithGentxGenesis(rawGenesisDocument: false);
        File.WriteAllText(Path.Combine(_dir, "commit_broken.json"), "{\"jsonrpc\":\"2.0\",\"result\":{\"signed_header\":{\"header\":7}}}");
        var outcomes = RunAll(RpcFixtureSet.Load(_dir));
        Assert.Equal(Outcome.Failed, outcomes["undecodable|commit_broken.json|0"].Outcome);
        Assert.Equal(1, outcomes.Count(o => o.Value.Outcome == Outcome.Failed));
    }

    [SkippableFact]
    public void Validators_response_that_is_not_the_headers_set_fails_its_check()
    {
        CopyWithGentxGenesis(rawGenesisDocument: false);
        using var chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 1, Validators = 1 });
        var stranger = new JsonArray();
        foreach (var v in chain.ValidatorsAt(1).Validators)
        {
            var json = JsonNode.Parse(CometJson.ToUtf8(w => CometJson.WriteValidator(w, v)))!;
            stranger.Add(new JsonObject { ["address"] = json["address"]!.DeepClone(), ["pub_key"] = json["pub_key"]!.DeepClone(), ["power"] = json["voting_power"]!.DeepClone() });
        }
        WriteValidatorsResponse(10, stranger);
        var outcomes = RunAll(RpcFixtureSet.Load(_dir));
        Assert.Equal(Outcome.Failed, outcomes["validators-hash|validators_at_height_10.json|10"].Outcome);
        Assert.Equal(Outcome.Failed, outcomes["commit-signatures|commit_at_height_10.json|10"].Outcome);
        Assert.Equal(2, outcomes.Count(o => o.Value.Outcome == Outcome.Failed));
    }
}

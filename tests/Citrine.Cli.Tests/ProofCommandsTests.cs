using System.Text;
using System.Text.Json;
using Citrine.Crypto.Encoding;
using Citrine.Testing;

namespace Citrine.Cli.Tests;

/// <summary>
/// <c>citrine proof verify</c> on the real-chain chained proof (SOURCES.md §3.3) and on single-store
/// cosmos-ics23 vectors wrapped as one-op ProofOps. Files are written to a temp folder per test.
/// </summary>
[Trait("Area", "Ics23")]
public sealed class ProofCommandsTests : IDisposable
{
    private const string Eureka = "ics23/solidity-ibc-eureka/verify_membership_key_0.json";
    private const string EurekaDecoded = "ics23/solidity-ibc-eureka/verify_membership_key_0.DECODED-by-collector.json";
    private readonly string _dir = Directory.CreateTempSubdirectory("citrine-proof-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public void Verify_accepts_merkle_proof_hex_file_with_store()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("p.hex", f.ProofHex), "--store", "ibc");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("verified: present at ibc/clients/07-tendermint-0/clientState", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_accepts_merkle_proof_binary_file_with_any_store_and_names_the_store()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("p.bin", Hex.Decode(f.ProofHex)), "--any-store", "--json");
        Assert.True(r.ExitCode == 0, r.Error);
        using var doc = JsonDocument.Parse(r.Output);
        Assert.True(doc.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("ibc", doc.RootElement.GetProperty("store").GetString());
        Assert.Equal("iavl", doc.RootElement.GetProperty("storeSpec").GetString());
        Assert.Equal("696263", doc.RootElement.GetProperty("keyPath")[0].GetString());
    }

    [SkippableFact]
    public void Verify_any_store_prints_the_store_it_verified()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)), "--any-store");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("store ibc, as the proof names it", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_requires_a_store_choice()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--store", r.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("verified", r.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--any-store", "--no-store")]
    [InlineData("--store", "ibc", "--any-store")]
    [InlineData("--store", "ibc", "--no-store")]
    public void Verify_rejects_more_than_one_store_choice(params string[] choice)
    {
        var r = CliRunner.Run(["proof", "verify", "--app-hash", "00", "--key", "00", "--value", "00", "--proof", Write("p.hex", "00"), .. choice]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("exactly one of", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_unknown_store_spec()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--key", "00", "--value", "00", "--proof", Write("p.hex", "00"), "--store", "ibc", "--store-spec", "rocks");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--store-spec", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_rejects_proof_ops_whose_store_op_type_is_not_the_pinned_store_spec()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)), "--store", "ibc", "--store-spec", "smt");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ProofOpTypeMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_no_store_rejects_a_store_and_multistore_chain()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)), "--no-store");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ChainLengthMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_store_rejects_a_lone_store_proof()
    {
        var v = SingleVector("iavl/exist_left.json");
        var r = CliRunner.Run("proof", "verify", "--app-hash", v.Root, "--key", v.Key, "--value", v.Value, "--proof", Write("ops.json", OneOp("ics23:iavl", v.Key, v.Proof)), "--store", "ibc");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ChainLengthMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_accepts_whole_abci_query_response()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)), "--store", "ibc");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("proofOps", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_fails_with_reason_when_value_differs()
    {
        var f = LoadEureka();
        var value = "00" + f.Value[2..];
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", value, "--proof", Write("p.hex", f.ProofHex), "--store", "ibc");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ValueMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_fails_with_reason_when_app_hash_differs()
    {
        var f = LoadEureka();
        var appHash = (f.AppHash[0] == '0' ? "1" : "0") + f.AppHash[1..];
        var r = CliRunner.Run("proof", "verify", "--app-hash", appHash, "--key", f.Key, "--value", f.Value, "--proof", Write("q.json", AbciResponse(f)), "--store", "ibc");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("AppHashMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_fails_when_store_is_not_the_one_proven()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--value", f.Value, "--proof", Write("p.hex", f.ProofHex), "--store", "bank");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("KeyMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_absent_fails_on_a_membership_proof()
    {
        var f = LoadEureka();
        var r = CliRunner.Run("proof", "verify", "--app-hash", f.AppHash, "--key", f.Key, "--absent", "--proof", Write("p.hex", f.ProofHex), "--store", "ibc");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ProofKindMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_absent_accepts_single_store_non_existence_proof_ops()
    {
        var v = SingleVector("iavl/nonexist_left.json");
        var r = CliRunner.Run("proof", "verify", "--app-hash", v.Root, "--key", v.Key, "--absent", "--proof", Write("ops.json", OneOp("ics23:iavl", v.Key, v.Proof)), "--no-store");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("verified: absent", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_accepts_single_store_existence_proof_ops()
    {
        var v = SingleVector("smt/exist_right.json");
        var r = CliRunner.Run("proof", "verify", "--app-hash", v.Root, "--key", v.Key, "--value", v.Value, "--proof", Write("ops.json", OneOp("ics23:smt", v.Key, v.Proof)), "--no-store", "--store-spec", "smt");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("no store, smt store spec", r.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_rejects_single_store_proof_op_whose_type_is_not_the_pinned_spec()
    {
        // An SMT proof labelled ics23:smt, checked under the default pin (iavl): refused by type, before any hashing.
        var v = SingleVector("smt/exist_right.json");
        var r = CliRunner.Run("proof", "verify", "--app-hash", v.Root, "--key", v.Key, "--value", v.Value, "--proof", Write("ops.json", OneOp("ics23:smt", v.Key, v.Proof)), "--no-store");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ProofOpTypeMismatch", r.Error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Verify_absent_fails_for_a_present_key()
    {
        var v = SingleVector("iavl/exist_left.json");
        var r = CliRunner.Run("proof", "verify", "--app-hash", v.Root, "--key", v.Key, "--absent", "--proof", Write("ops.json", OneOp("ics23:iavl", v.Key, v.Proof)), "--no-store");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ProofKindMismatch", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_missing_required_option()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--value", "00", "--proof", Write("p.hex", "00"), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void Verify_rejects_bad_hex()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "zz", "--key", "00", "--value", "00", "--proof", Write("p.hex", "00"), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--app-hash", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_missing_proof_file()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--key", "00", "--value", "00", "--proof", Path.Combine(_dir, "none.json"), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void Verify_rejects_value_together_with_absent()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--key", "00", "--value", "00", "--absent", "--proof", Write("p.hex", "00"), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void Verify_rejects_membership_without_value()
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--key", "00", "--proof", Write("p.hex", "00"), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"result\":{\"response\":{\"proofOps\":null}}}")]
    [InlineData("0a05ffff")]
    [InlineData("garbage that is neither json nor protobuf \u0007")]
    public void Verify_rejects_unreadable_proof_file(string content)
    {
        var r = CliRunner.Run("proof", "verify", "--app-hash", "00", "--key", "00", "--value", "00", "--proof", Write("p", content), "--store", "ibc");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Error, StringComparison.Ordinal);
    }

    private string Write(string name, string content) => Write(name, Encoding.UTF8.GetBytes(content));

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private sealed record EurekaCase(string AppHash, string Key, string Value, string ProofHex, string[] ProofsHex);

    private static EurekaCase LoadEureka()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Vectors.Require(Eureka)));
        using var decoded = JsonDocument.Parse(File.ReadAllText(Vectors.Require(EurekaDecoded)));
        var msg = doc.RootElement.GetProperty("membership_msg");
        var key = Encoding.UTF8.GetBytes(msg.GetProperty("path")[1].GetString()!);
        var proofs = decoded.RootElement.GetProperty("proofs").EnumerateArray().Select(p => p.GetProperty("commitment_proof_hex").GetString()!).ToArray();
        return new EurekaCase(
            decoded.RootElement.GetProperty("root_app_hash").GetString()!,
            Hex.Encode(key),
            msg.GetProperty("value").GetString()!,
            msg.GetProperty("proof").GetString()!,
            proofs);
    }

    private static string AbciResponse(EurekaCase f)
    {
        var ops = new[]
        {
            new { type = "ics23:iavl", key = Convert.ToBase64String(Hex.Decode(f.Key)), data = Convert.ToBase64String(Hex.Decode(f.ProofsHex[0])) },
            new { type = "ics23:simple", key = Convert.ToBase64String("ibc"u8), data = Convert.ToBase64String(Hex.Decode(f.ProofsHex[1])) },
        };
        return JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = -1,
            result = new { response = new { code = 0, log = string.Empty, key = Convert.ToBase64String(Hex.Decode(f.Key)), value = Convert.ToBase64String(Hex.Decode(f.Value)), proofOps = new { ops }, height = "37" } },
        });
    }

    private sealed record SingleCase(string Key, string Value, string Root, string Proof);

    private static SingleCase SingleVector(string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Vectors.Require("ics23/cosmos-ics23/" + id)));
        var r = doc.RootElement;
        return new SingleCase(r.GetProperty("key").GetString()!, r.GetProperty("value").GetString()!, r.GetProperty("root").GetString()!, r.GetProperty("proof").GetString()!);
    }

    private static string OneOp(string type, string keyHex, string proofHex) =>
        JsonSerializer.Serialize(new { proofOps = new { ops = new[] { new { type, key = Convert.ToBase64String(Hex.Decode(keyHex)), data = Convert.ToBase64String(Hex.Decode(proofHex)) } } } });
}

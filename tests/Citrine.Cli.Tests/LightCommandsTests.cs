using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Testing;

namespace Citrine.Cli.Tests;

public sealed class LightCommandsTests : IDisposable
{
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions
    {
        ChainId = "cli-chain", Heights = 60, Validators = 5, ChurnInterval = 10, ChurnFraction = 0.6,
    });

    public void Dispose() => _chain.Dispose();

    private string Now => (_chain.HeaderAt(_chain.LatestHeight).Time.Seconds + 60).ToString(CultureInfo.InvariantCulture);

    /// <summary>The command line; without a <c>--witness</c> in <paramref name="extra"/>, <c>--no-witnesses</c>.</summary>
    private string[] Args(LoopbackRpcServer server, params string[] extra) =>
    [
        .. ArgsWithoutWitnessChoice(server, extra), .. extra.Contains("--witness") ? Array.Empty<string>() : ["--no-witnesses"],
    ];

    private string[] ArgsWithoutWitnessChoice(LoopbackRpcServer server, params string[] extra) =>
    [
        "light", "verify", "--rpc", server.Uri.ToString(), "--chain-id", "cli-chain",
        "--trusted-height", "2", "--trusted-hash", Convert.ToHexString(_chain.HeaderAt(2).Hash()),
        "--trusting-period", "14d", "--now", Now, "--timeout", "5s", "--max-block-lag", "0s", "--max-clock-drift", "0s", .. extra,
    ];

    [Fact]
    public void Light_verify_prints_the_verified_latest_header()
    {
        using var server = LoopbackRpcServer.ForChain(_chain, maxPerPage: 2);
        var result = CliRunner.Run(Args(server));
        Assert.True(result.ExitCode == 0, result.Error);
        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;
        Assert.Equal(60, root.GetProperty("height").GetInt64());
        Assert.Equal(Convert.ToHexString(_chain.HeaderAt(60).Hash()), root.GetProperty("hash").GetString());
        Assert.Equal(Convert.ToHexString(_chain.HeaderAt(60).AppHash), root.GetProperty("app_hash").GetString());
        Assert.Equal(_chain.HeaderAt(60).Time.ToString(), root.GetProperty("time").GetString());
        Assert.Equal(Convert.ToHexString(_chain.HeaderAt(60).ValidatorsHash), root.GetProperty("validators_hash").GetString());
        Assert.False(root.GetProperty("cross_checked").GetBoolean());
        Assert.Contains("warning: --no-witnesses", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Light_verify_verifies_to_an_explicit_target_with_a_witness()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(_chain);
        var result = CliRunner.Run(Args(server, "--target", "33", "--trust-threshold", "2/3", "--witness", witness.Uri.ToString()));
        Assert.True(result.ExitCode == 0, result.Error);
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal(33, doc.RootElement.GetProperty("height").GetInt64());
        Assert.True(doc.RootElement.GetProperty("cross_checked").GetBoolean());
        Assert.Equal(witness.Uri.ToString(), Assert.Single(doc.RootElement.GetProperty("witnesses_agreed").EnumerateArray()).GetString());
        Assert.True(witness.Requests > 0);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_when_a_witness_proves_a_fork()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 50 });
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(fork);
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString()));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("light client attack detected: LightClientAttack", result.Error, StringComparison.Ordinal);
        // The attack report, never the success object.
        using var doc = JsonDocument.Parse(result.Output);
        Assert.False(doc.RootElement.TryGetProperty("height", out _));
        var attack = Assert.Single(doc.RootElement.GetProperty("light_client_attacks").EnumerateArray());
        Assert.Equal(Convert.ToHexString(fork.HeaderAt(60).Hash()), attack.GetProperty("witness_hash").GetString());
        var evidence = attack.GetProperty("evidence_against_primary");
        Assert.Equal(Convert.ToHexString(_chain.HeaderAt(60).Hash()), evidence.GetProperty("json").GetProperty("value")
            .GetProperty("ConflictingBlock").GetProperty("signed_header").GetProperty("commit").GetProperty("block_id").GetProperty("hash").GetString());
        Assert.StartsWith("12", evidence.GetProperty("protobuf").GetString(), StringComparison.Ordinal);
        Assert.False(evidence.TryGetProperty("submission", out _));
        Assert.Empty(server.ReceivedEvidence);
        Assert.Empty(witness.ReceivedEvidence);
    }

    [Fact]
    public void Light_verify_submits_the_evidence_of_an_attack_to_both_sides_with_submit_evidence()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 50 });
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(fork);
        server.AcceptEvidence = true;
        witness.AcceptEvidence = true;
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString(), "--submit-evidence"));
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("submission to", result.Error, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(result.Output);
        var attack = Assert.Single(doc.RootElement.GetProperty("light_client_attacks").EnumerateArray());
        Assert.Equal(witness.Uri.ToString(), attack.GetProperty("evidence_against_primary").GetProperty("submission").GetProperty("to").GetString());
        Assert.Equal(server.Uri.ToString(), attack.GetProperty("evidence_against_witness").GetProperty("submission").GetProperty("to").GetString());
        // Evidence against the primary goes to the witness: its conflicting block is the primary's.
        using var received = JsonDocument.Parse(Assert.Single(witness.ReceivedEvidence));
        Assert.Equal("tendermint/LightClientAttackEvidence", received.RootElement.GetProperty("type").GetString());
        Assert.Equal(_chain.HeaderAt(60).Height.ToString(CultureInfo.InvariantCulture), received.RootElement.GetProperty("value")
            .GetProperty("ConflictingBlock").GetProperty("signed_header").GetProperty("header").GetProperty("height").GetString());
        Assert.Single(server.ReceivedEvidence);
    }

    [Fact]
    public void Light_verify_reports_a_node_that_refuses_the_evidence_as_an_error()
    {
        using var fork = SyntheticChain.Generate(_chain.Options with { ForkFromHeight = 50 });
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(fork);
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString(), "--submit-evidence"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"evidence submission to {witness.Uri} failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("Method not found", result.Error, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(result.Output);
        var submission = Assert.Single(doc.RootElement.GetProperty("light_client_attacks").EnumerateArray())
            .GetProperty("evidence_against_primary").GetProperty("submission");
        Assert.Contains("Method not found", submission.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(submission.TryGetProperty("hash", out _));
    }

    [Fact]
    public void Light_verify_refuses_without_a_witness_unless_no_witnesses_is_given()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var result = CliRunner.Run(ArgsWithoutWitnessChoice(server));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("NoWitnesses", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_and_prints_nothing_when_a_witness_is_unreachable()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(_chain);
        witness.FailNext = 100;
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString()));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fork detection refused: WitnessUnavailable", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_when_a_witness_conflicting_header_does_not_verify()
    {
        // Another validator set entirely: the witness's block 60 conflicts but cannot be verified from the trusted block 2.
        using var stranger = SyntheticChain.Generate(_chain.Options with { Seed = "stranger" });
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(stranger);
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString()));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fork detection refused: FaultyWitness", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_when_the_witness_is_behind_the_primary()
    {
        // The witness stops at 40, before the primary's block 60 in time, and is still there after the wait.
        using var behind = SyntheticChain.Generate(_chain.Options with { Heights = 40 });
        using var server = LoopbackRpcServer.ForChain(_chain);
        using var witness = LoopbackRpcServer.ForChain(behind);
        var result = CliRunner.Run(Args(server, "--witness", witness.Uri.ToString()));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("fork detection refused: WitnessBehind", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Light_verify_exits_2_when_no_witnesses_is_combined_with_a_witness()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var result = CliRunner.Run([.. Args(server, "--witness", server.Uri.ToString()), "--no-witnesses"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_and_the_reason_for_a_wrong_trusted_hash()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var args = Args(server);
        args[Array.IndexOf(args, "--trusted-hash") + 1] = Convert.ToHexString(_chain.HeaderAt(3).Hash());
        var result = CliRunner.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("TrustedHashMismatch", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_when_the_trusted_header_expired()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var args = Args(server);
        args[Array.IndexOf(args, "--trusting-period") + 1] = "1m";
        var result = CliRunner.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("TrustedHeaderExpired", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Light_verify_fails_with_exit_1_for_an_unreachable_node()
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        server.FailNext = 100;
        var result = CliRunner.Run(Args(server));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot fetch", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--trust-threshold", "1/4")]
    [InlineData("--trust-threshold", "half")]
    [InlineData("--trusting-period", "ten days")]
    [InlineData("--trusted-hash", "ABCD")]
    [InlineData("--trusted-height", "0")]
    [InlineData("--rpc", "not a url")]
    [InlineData("--now", "yesterday")]
    public void Light_verify_exits_2_for_bad_arguments(string option, string value)
    {
        using var server = LoopbackRpcServer.ForChain(_chain);
        var args = Args(server);
        args[Array.IndexOf(args, option) + 1] = value;
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Light_verify_exits_2_when_a_required_option_is_missing()
    {
        var result = CliRunner.Run("light", "verify", "--rpc", "http://127.0.0.1:1/");
        Assert.Equal(2, result.ExitCode);
    }
}

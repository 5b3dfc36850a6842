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

    private string[] Args(LoopbackRpcServer server, params string[] extra) =>
    [
        "light", "verify", "--rpc", server.Uri.ToString(), "--chain-id", "cli-chain",
        "--trusted-height", "2", "--trusted-hash", Convert.ToHexString(_chain.HeaderAt(2).Hash()),
        "--trusting-period", "14d", "--now", Now, "--timeout", "5s", .. extra,
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
        Assert.Equal(0, doc.RootElement.GetProperty("fork_evidence").GetArrayLength());
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
        Assert.Contains("fork detected", result.Error, StringComparison.Ordinal);
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

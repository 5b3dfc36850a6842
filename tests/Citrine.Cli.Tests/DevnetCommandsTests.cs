using System.Text.Json;
using Citrine.Chain.Devnet;
using Citrine.Chain.Node;

namespace Citrine.Cli.Tests;

public sealed class DevnetCommandsTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "citrine-cli-devnet-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public void Init_writes_a_devnet_and_reports_it_as_json()
    {
        var result = CliRunner.Run("devnet", "init", "--home", _home, "--validators", "3", "--chain-id", "my-devnet", "--json");
        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal("my-devnet", doc.RootElement.GetProperty("chain_id").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("validators").GetArrayLength());
        Assert.Equal(3, new DevnetHome(_home).LoadGenesis().Validators.Count);
    }

    [Fact]
    public void Init_twice_is_refused_with_exit_2()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home).ExitCode);
        var again = CliRunner.Run("devnet", "init", "--home", _home);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_rejects_a_bad_validator_count()
    {
        Assert.Equal(2, CliRunner.Run("devnet", "init", "--home", _home, "--validators", "0").ExitCode);
    }

    [Fact]
    public void Start_without_init_exits_2()
    {
        var result = CliRunner.Run("devnet", "start", "--home", _home);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("devnet init", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_refuses_a_non_loopback_rpc_address()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home).ExitCode);
        var result = CliRunner.Run("devnet", "start", "--home", _home, "--rpc", "0.0.0.0:26657");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("loopback", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_rejects_a_bad_block_time()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home).ExitCode);
        Assert.Equal(2, CliRunner.Run("devnet", "start", "--home", _home, "--block-time", "fast").ExitCode);
    }

    [Fact]
    public void Start_produces_blocks_persists_them_and_resumes_after_a_restart()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home, "--validators", "2").ExitCode);
        var first = CliRunner.Run("devnet", "start", "--home", _home, "--block-time", "50ms", "--rpc", "127.0.0.1:0", "--halt-height", "3");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("stopped at height 3", first.Output, StringComparison.Ordinal);
        var second = CliRunner.Run("devnet", "start", "--home", _home, "--block-time", "50ms", "--rpc", "127.0.0.1:0", "--halt-height", "5");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("at height 3;", second.Output, StringComparison.Ordinal);
        Assert.Contains("stopped at height 5", second.Output, StringComparison.Ordinal);
        using var node = ChainNode.Open(new DevnetHome(_home), SystemNodeClock.Instance);
        Assert.Equal(5, node.Height);
        var trust = CometBft.LightClient.TrustOptions.Create(node.ChainId, TimeSpan.FromDays(1));
        var now = SystemNodeClock.Instance.Now().AddNanoseconds(1_000_000_000);
        for (long h = 1; h < 5; h++)
        {
            var verdict = CometBft.LightClient.Verifier.Verify(node.LightBlockAt(h)!, node.LightBlockAt(h + 1)!, trust, now);
            Assert.True(verdict.IsSuccess, verdict.ToString());
        }
    }
}

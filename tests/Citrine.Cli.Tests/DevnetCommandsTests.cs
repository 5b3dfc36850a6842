using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Citrine.Chain.Devnet;
using Citrine.Chain.Node;
using Citrine.Chain.Txs;

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
    public void Init_pins_a_contract_by_the_sha256_of_its_file()
    {
        Directory.CreateDirectory(_home);
        var dll = Path.Combine(_home, "..", "citrine-cli-contract-" + Guid.NewGuid().ToString("N") + ".dll");
        // Any assembly that references no contract library: init reads its references, it loads nothing.
        File.Copy(typeof(Citrine.Crypto.Hashing).Assembly.Location, dll);
        try
        {
            var result = CliRunner.Run("devnet", "init", "--home", Path.Combine(_home, "h"), "--contract", $"Sample.Contract={dll}", "--json");
            Assert.True(result.ExitCode == 0, result.Error);
            var contract = Assert.Single(new DevnetHome(Path.Combine(_home, "h")).LoadGenesis().Contracts);
            Assert.Equal("Sample.Contract", contract.Name);
            Assert.Equal(Path.GetFullPath(dll), contract.AssemblyPath);
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dll)), contract.AssemblySha256);
            Assert.Empty(contract.Libraries);
            using var doc = JsonDocument.Parse(result.Output);
            Assert.Equal("Sample.Contract", doc.RootElement.GetProperty("contracts")[0].GetProperty("name").GetString());
        }
        finally
        {
            File.Delete(dll);
        }
    }

    [Theory]
    [InlineData("NoPath")]
    [InlineData("=x.dll")]
    [InlineData("Type=")]
    [InlineData("Type=/nonexistent/contract.dll")]
    public void Init_refuses_a_bad_contract_and_writes_nothing(string spec)
    {
        var result = CliRunner.Run("devnet", "init", "--home", _home, "--contract", spec);
        Assert.Equal(2, result.ExitCode);
        Assert.False(new DevnetHome(_home).IsInitialized);
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

    private static Process StartNodeProcess(string home)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "citrine.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "devnet", "start", "--home", home, "--block-time", "100ms", "--rpc", "127.0.0.1:0" })
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    private static async Task<Uri> WaitForRpc(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("node exited: " + await process.StandardError.ReadToEndAsync());
            var at = line.IndexOf("RPC on ", StringComparison.Ordinal);
            if (at >= 0)
            {
                return new Uri(line[(at + 7)..].Trim());
            }
        }
    }

    private static async Task<JsonElement> Rpc(HttpClient http, string method, object parameters)
    {
        using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.False(doc.RootElement.TryGetProperty("error", out var error), error.ToString());
        return doc.RootElement.GetProperty("result").Clone();
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task Real_node_process_commits_a_tx_over_rpc_and_keeps_it_across_a_kill_and_restart()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home, "--validators", "2").ExitCode);
        var home = new DevnetHome(_home);
        var genesis = home.LoadGenesis();
        var admin = home.LoadAccountKey(DevnetHome.AdminKeyName);
        var user = home.LoadAccountKey("user0");
        var tx = Tx.Create([new MsgSend(admin.Address, user.Address, 1234)], "", admin.PrivateKey, 0, 200_000, genesis.ChainId, 0).Encode();
        long height;
        using (var process = StartNodeProcess(_home))
        {
            try
            {
                using var http = new HttpClient { BaseAddress = await WaitForRpc(process), Timeout = TimeSpan.FromSeconds(30) };
                var committed = await Rpc(http, "broadcast_tx_commit", new { tx = Convert.ToBase64String(tx) });
                Assert.Equal(0, committed.GetProperty("tx_result").GetProperty("code").GetInt32());
                height = long.Parse(committed.GetProperty("height").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(height >= 1);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        using (var process = StartNodeProcess(_home))
        {
            try
            {
                using var http = new HttpClient { BaseAddress = await WaitForRpc(process), Timeout = TimeSpan.FromSeconds(30) };
                var found = await Rpc(http, "tx", new { hash = Convert.ToBase64String(Tx.HashOf(tx)) });
                Assert.Equal(height.ToString(System.Globalization.CultureInfo.InvariantCulture), found.GetProperty("height").GetString());
                var status = await Rpc(http, "status", new { });
                Assert.True(long.Parse(status.GetProperty("sync_info").GetProperty("latest_block_height").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= height);
                // The replayed tx is refused by the restarted node.
                var replay = await Rpc(http, "broadcast_tx_sync", new { tx = Convert.ToBase64String(tx) });
                Assert.NotEqual(0, replay.GetProperty("code").GetInt32());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task Query_account_against_a_node_without_blocks_answers_from_the_genesis_state()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home).ExitCode);
        var home = new DevnetHome(_home);
        using var node = ChainNode.Open(home, SystemNodeClock.Instance);
        await using var server = await Citrine.Chain.Rpc.RpcServer.StartAsync(node, "127.0.0.1:0", 1 << 20);
        var user = home.LoadGenesis().Bech32(home.LoadAccountKey("user1").Address);
        var account = await Task.Run(() => CliRunner.Run("query", "account", user, "--node", server.Address.ToString()));
        Assert.True(account.ExitCode == 0, account.Error);
        Assert.Equal(0, node.Height);
        using var doc = JsonDocument.Parse(account.Output);
        Assert.Equal(DevnetHome.DefaultBalance, doc.RootElement.GetProperty("balance").GetUInt64());
        Assert.Equal("0", doc.RootElement.GetProperty("height").GetString());
    }

    [Fact]
    public async Task Tx_send_and_query_account_talk_to_a_running_node()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home).ExitCode);
        var home = new DevnetHome(_home);
        await using var running = await InProcessNode.StartAsync(home);
        var genesis = home.LoadGenesis();
        var user = genesis.Bech32(home.LoadAccountKey("user1").Address);
        var url = running.Url;
        var sent = await Task.Run(() => CliRunner.Run("tx", "send", "--home", _home, "--node", url, "--to", user, "--amount", "321", "--json"));
        Assert.True(sent.ExitCode == 0, sent.Error + sent.Output);
        using (var doc = JsonDocument.Parse(sent.Output))
        {
            Assert.Equal(0, doc.RootElement.GetProperty("code").GetInt32());
        }
        var account = await Task.Run(() => CliRunner.Run("query", "account", user, "--node", url));
        Assert.True(account.ExitCode == 0, account.Error);
        using (var doc = JsonDocument.Parse(account.Output))
        {
            Assert.Equal(DevnetHome.DefaultBalance + 321, doc.RootElement.GetProperty("balance").GetUInt64());
        }
        var tooMuch = await Task.Run(() => CliRunner.Run("tx", "send", "--home", _home, "--node", url, "--to", user, "--amount", "99999999999999999"));
        Assert.Equal(1, tooMuch.ExitCode);
        Assert.Equal(2, CliRunner.Run("tx", "send", "--home", _home, "--node", url, "--to", "not-an-address", "--amount", "1").ExitCode);
        var block = await Task.Run(() => CliRunner.Run("query", "block", "--height", "1", "--node", url));
        Assert.Equal(0, block.ExitCode);
    }
}

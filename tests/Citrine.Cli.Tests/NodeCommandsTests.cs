using System.Text.Json;
using Citrine.Chain.Abci.Home;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Crypto;

namespace Citrine.Cli.Tests;

public sealed class NodeCommandsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-cli-node-" + Guid.NewGuid().ToString("N"));

    private string Home => Path.Combine(_dir, "net");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Init_writes_four_validators_and_reports_them_as_json()
    {
        var result = CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--chain-id", "citrine-net-1", "--accounts", "1", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var doc = JsonDocument.Parse(result.Output);
        var root = doc.RootElement;
        Assert.Equal(Path.GetFullPath(Home), root.GetProperty("home").GetString());
        Assert.Equal("citrine-net-1", root.GetProperty("chain_id").GetString());
        Assert.Equal("intel", root.GetProperty("attestation_root").GetString());
        Assert.Equal(Path.Combine(Path.GetFullPath(Home), "keys"), root.GetProperty("keys").GetString());
        Assert.Equal(2, root.GetProperty("accounts").GetArrayLength());
        var genesis = new DevnetHome(Home).LoadGenesis();
        Assert.Equal(genesis.Bech32(genesis.Admin), root.GetProperty("admin").GetString());
        Assert.Equal(genesis.Admin, new DevnetHome(Home).LoadAccountKey("admin").Address);

        var nodes = root.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(4, nodes.Count);
        var genesisBytes = File.ReadAllBytes(Path.Combine(Home, "config", "genesis.json"));
        var ports = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            var node = nodes[i];
            Assert.Equal($"node{i}", node.GetProperty("moniker").GetString());
            Assert.Equal("127.0.0.1", node.GetProperty("host").GetString());
            ports.AddRange([node.GetProperty("p2p_port").GetInt32(), node.GetProperty("rpc_port").GetInt32(), node.GetProperty("abci_port").GetInt32()]);
            Assert.Equal(26656 + (10 * i), node.GetProperty("p2p_port").GetInt32());
            var comet = node.GetProperty("cometbft_home").GetString()!;
            var app = node.GetProperty("app_home").GetString()!;
            Assert.Equal(Path.Combine(Path.GetFullPath(Home), $"node{i}", "cometbft"), comet);
            Assert.Equal(Path.Combine(Path.GetFullPath(Home), $"node{i}", "app"), app);
            Assert.Equal(genesisBytes, File.ReadAllBytes(Path.Combine(comet, "config", "genesis.json")));
            Assert.Equal(genesisBytes, File.ReadAllBytes(Path.Combine(app, "config", "genesis.json")));

            using var nodeKey = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(comet, "config", "node_key.json")));
            var value = Convert.FromBase64String(nodeKey.RootElement.GetProperty("priv_key").GetProperty("value").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(Hashing.Sha256(value.AsSpan(32))[..20]), node.GetProperty("node_id").GetString());

            using var pv = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(comet, "config", "priv_validator_key.json")));
            Assert.Equal(pv.RootElement.GetProperty("address").GetString(), node.GetProperty("validator_address").GetString());
            Assert.Equal(Convert.ToHexString(genesis.Validators[i].Address), node.GetProperty("validator_address").GetString());

            var peers = node.GetProperty("persistent_peers").EnumerateArray().Select(p => p.GetString()).ToList();
            var others = nodes.Where((_, j) => j != i).Select(n => $"{n.GetProperty("node_id").GetString()}@127.0.0.1:{n.GetProperty("p2p_port").GetInt32()}");
            Assert.Equal(others, peers);
            Assert.Contains($"persistent_peers = \"{string.Join(',', others)}\"\n", File.ReadAllText(Path.Combine(comet, "config", "config.toml")), StringComparison.Ordinal);
        }
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void Init_prints_how_to_start_each_node()
    {
        var result = CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--validators", "2");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("with 2 validator(s) for CometBFT v0.38", result.Output, StringComparison.Ordinal);
        Assert.Contains($"citrine node start --abci tcp://127.0.0.1:26668 --home {Path.Combine(Path.GetFullPath(Home), "node1", "app")}", result.Output, StringComparison.Ordinal);
        Assert.Contains($"cometbft start --home {Path.Combine(Path.GetFullPath(Home), "node1", "cometbft")}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_takes_hosts_ports_root_and_timeout_commit()
    {
        var result = CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--validators", "2", "--host", "172.28.0.10, 172.28.0.11",
            "--p2p-port", "36656", "--rpc-port", "36657", "--abci-port", "36658", "--root", "simulated", "--timeout-commit", "500ms", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var doc = JsonDocument.Parse(result.Output);
        Assert.Equal("simulated", doc.RootElement.GetProperty("attestation_root").GetString());
        Assert.True(new DevnetHome(Home).LoadGenesis().Attestation.IsSimulated);
        var node1 = doc.RootElement.GetProperty("nodes")[1];
        Assert.Equal("172.28.0.11", node1.GetProperty("host").GetString());
        Assert.Equal(36656, node1.GetProperty("p2p_port").GetInt32());
        var toml = File.ReadAllText(Path.Combine(node1.GetProperty("cometbft_home").GetString()!, "config", "config.toml"));
        Assert.Contains("proxy_app = \"tcp://127.0.0.1:36658\"\n", toml, StringComparison.Ordinal);
        Assert.Contains("laddr = \"tcp://0.0.0.0:36657\"\n", toml, StringComparison.Ordinal);
        Assert.Contains("allow_duplicate_ip = false\n", toml, StringComparison.Ordinal);
        Assert.Contains("timeout_commit = \"500ms\"\n", toml, StringComparison.Ordinal);
        Assert.Contains($"@172.28.0.10:36656\"\n", toml, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_without_cometbft_is_refused()
    {
        var result = CliRunner.Run("node", "init", "--home", Home);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cometbft", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Home));
    }

    [Fact]
    public void Init_twice_is_refused_and_keeps_the_first_network()
    {
        Assert.Equal(0, CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--validators", "1").ExitCode);
        var genesis = File.ReadAllBytes(Path.Combine(Home, "config", "genesis.json"));
        var again = CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--validators", "1");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists and is not empty", again.Error, StringComparison.Ordinal);
        Assert.Equal(genesis, File.ReadAllBytes(Path.Combine(Home, "config", "genesis.json")));
    }

    [Theory]
    [InlineData("validators must be between 1 and 100", "--validators", "0")]
    [InlineData("2 hosts for 4 validators", "--host", "10.0.0.1,10.0.0.2")]
    [InlineData("is not an IP address or a host name", "--host", "10.0.0.1:26656")]
    [InlineData("port collision on 127.0.0.1: 26666", "--rpc-port", "26666")]
    [InlineData("the abci port must be between 1 and 65535", "--abci-port", "70000")]
    [InlineData("--attestation-root must be intel or simulated", "--root", "amd")]
    [InlineData("accounts must be between 0 and 1000", "--accounts", "-1")]
    [InlineData("--timeout-commit", "--timeout-commit", "soon")]
    [InlineData("--contract expects", "--contract", "NoPath")]
    [InlineData("cannot read contract", "--contract", "T=/nonexistent/c.dll")]
    public void Init_refuses_bad_options_with_exit_2_and_writes_nothing(string message, string option, string value)
    {
        var result = CliRunner.Run("node", "init", "--cometbft", "--home", Home, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Home));
    }

    [Fact]
    public void Init_requires_a_home()
    {
        Assert.Equal(2, CliRunner.Run("node", "init", "--cometbft").ExitCode);
    }

    [Fact]
    public void The_written_genesis_parses_and_its_validators_are_the_CometBFT_keys()
    {
        Assert.Equal(0, CliRunner.Run("node", "init", "--cometbft", "--home", Home, "--validators", "3").ExitCode);
        var net = new NetworkHome(Home);
        var genesis = GenesisDoc.Parse(File.ReadAllBytes(net.CometHome(2).GenesisPath));
        for (var i = 0; i < 3; i++)
        {
            var reader = new DevnetHome(Path.Combine(_dir, "reader" + i));
            Directory.CreateDirectory(reader.ConfigDir);
            File.Copy(net.CometHome(i).PrivValidatorKeyPath, Path.Combine(reader.ConfigDir, "priv_validator_key_0.json"));
            using var key = Assert.Single(reader.LoadValidatorKeys());
            Assert.Equal(genesis.Validators[i].PublicKey, key.PublicKey.ToArray());
        }
    }
}

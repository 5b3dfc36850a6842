using System.Text.Json;
using Citrine.Chain.Abci.Home;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.CometBft.Types;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Abci.Home;

public sealed class NetworkHomeTests : IDisposable
{
    private static readonly Timestamp GenesisTime = new(1_760_000_000, 123_456_789);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-net-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A deterministic key source: SHA-256 of a label and a counter.</summary>
    internal static Action<Span<byte>> Seeded(string label)
    {
        var counter = 0;
        return buffer =>
        {
            for (var offset = 0; offset < buffer.Length; offset += 32)
            {
                var block = Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"{label}/{counter++}"));
                block.AsSpan(0, Math.Min(32, buffer.Length - offset)).CopyTo(buffer[offset..]);
            }
        };
    }

    private NetworkInfo Init(string sub = "net", NetworkOptions? options = null, string seed = "s") =>
        new NetworkHome(Path.Combine(_dir, sub)).Initialize(options ?? new NetworkOptions { ChainId = "citrine-test-1" }, GenesisTime, Seeded(seed));

    [Fact]
    public void Writes_an_app_home_and_a_CometBFT_home_per_validator()
    {
        var info = Init();
        var net = new NetworkHome(info.Root);
        Assert.Equal(4, info.Nodes.Count);
        foreach (var node in info.Nodes)
        {
            var i = node.Endpoints.Index;
            var app = net.AppHome(i);
            var comet = net.CometHome(i);
            Assert.Equal(app.Root, node.AppHome);
            Assert.Equal(comet.Root, node.CometBftHome);
            Assert.True(File.Exists(app.GenesisPath));
            Assert.True(Directory.Exists(app.DataDir));
            // The app signs nothing and holds no account keys.
            Assert.False(Directory.Exists(app.KeysDir));
            Assert.Equal(["genesis.json"], Directory.GetFiles(app.ConfigDir).Select(Path.GetFileName));
            Assert.Equal(
                ["config.toml", "genesis.json", "node_key.json", "priv_validator_key.json"],
                Directory.GetFiles(comet.ConfigDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["priv_validator_state.json"], Directory.GetFiles(comet.DataDir).Select(Path.GetFileName));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(comet.PrivValidatorKeyPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(comet.NodeKeyPath));
            }
        }
        Assert.Equal(["config", "keys", "node0", "node1", "node2", "node3"], Directory.GetFileSystemEntries(info.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_genesis_is_the_same_bytes_and_parses()
    {
        var info = Init();
        var net = new NetworkHome(info.Root);
        var reference = File.ReadAllBytes(net.Client.GenesisPath);
        foreach (var node in info.Nodes)
        {
            Assert.Equal(reference, File.ReadAllBytes(net.AppHome(node.Endpoints.Index).GenesisPath));
            Assert.Equal(reference, File.ReadAllBytes(net.CometHome(node.Endpoints.Index).GenesisPath));
        }
        var genesis = GenesisDoc.Parse(reference);
        Assert.Equal("citrine-test-1", genesis.ChainId);
        Assert.Equal(GenesisTime, genesis.GenesisTime);
        Assert.Equal(4, genesis.Validators.Count);
        Assert.All(genesis.Validators, v => Assert.Equal(10, v.Power));
        Assert.Equal(["node0", "node1", "node2", "node3"], genesis.Validators.Select(v => v.Name));
        Assert.Equal(3, genesis.Accounts.Count);
        Assert.Equal(genesis.ValidatorSet().Hash(), info.Genesis.ValidatorSet().Hash());
    }

    [Fact]
    public void Genesis_has_CometBFT_v038_consensus_params_with_vote_extensions_disabled()
    {
        var info = Init();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(new NetworkHome(info.Root).CometHome(0).GenesisPath));
        var p = doc.RootElement.GetProperty("consensus_params");
        Assert.Equal(["block", "evidence", "validator", "version", "abci"], p.EnumerateObject().Select(x => x.Name));
        Assert.Equal(["max_bytes", "max_gas"], p.GetProperty("block").EnumerateObject().Select(x => x.Name));
        Assert.Equal(["max_age_num_blocks", "max_age_duration", "max_bytes"], p.GetProperty("evidence").EnumerateObject().Select(x => x.Name));
        Assert.Equal("ed25519", p.GetProperty("validator").GetProperty("pub_key_types")[0].GetString());
        Assert.Equal("0", p.GetProperty("version").GetProperty("app").GetString());
        Assert.Equal("0", p.GetProperty("abci").GetProperty("vote_extensions_enable_height").GetString());
        Assert.Equal("1", doc.RootElement.GetProperty("initial_height").GetString());
        Assert.Equal("2025-10-09T08:53:20.123456789Z", doc.RootElement.GetProperty("genesis_time").GetString());
    }

    [Fact]
    public void Genesis_validators_are_the_priv_validator_keys_and_the_devnet_reader_loads_them()
    {
        var info = Init();
        var net = new NetworkHome(info.Root);
        var genesis = net.Client.LoadGenesis();
        foreach (var node in info.Nodes)
        {
            var path = net.CometHome(node.Endpoints.Index).PrivValidatorKeyPath;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var pub = Convert.FromBase64String(doc.RootElement.GetProperty("pub_key").GetProperty("value").GetString()!);
            Assert.Equal(Convert.ToHexString(Validator.AddressOf(pub)), doc.RootElement.GetProperty("address").GetString());
            Assert.Equal(node.ValidatorAddress, Validator.AddressOf(pub));
            var validator = genesis.Validators[node.Endpoints.Index];
            Assert.Equal(pub, validator.PublicKey);

            // The devnet's FilePV reader (priv_validator_key_<i>.json in a devnet config dir) accepts the file.
            var devnet = new DevnetHome(Path.Combine(_dir, "reader" + node.Endpoints.Index));
            Directory.CreateDirectory(devnet.ConfigDir);
            File.Copy(path, Path.Combine(devnet.ConfigDir, "priv_validator_key_0.json"));
            var keys = devnet.LoadValidatorKeys();
            using var key = Assert.Single(keys);
            Assert.Equal(pub, key.PublicKey.ToArray());
        }
    }

    [Fact]
    public void Node_ids_match_the_node_keys_and_every_node_peers_with_exactly_the_others()
    {
        var info = Init();
        var net = new NetworkHome(info.Root);
        var ids = new List<string>();
        foreach (var node in info.Nodes)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(net.CometHome(node.Endpoints.Index).NodeKeyPath));
            var value = Convert.FromBase64String(doc.RootElement.GetProperty("priv_key").GetProperty("value").GetString()!);
            Assert.Equal(64, value.Length);
            using var key = Crypto.Signatures.Ed25519PrivateKey.FromSeed(value.AsSpan(0, 32));
            Assert.Equal(key.PublicKey.ToArray(), value[32..]);
            var id = Convert.ToHexStringLower(Hashing.Sha256(value.AsSpan(32))[..20]);
            Assert.Equal(id, node.NodeId);
            ids.Add(id);
        }
        Assert.Equal(4, ids.Distinct().Count());
        // Node keys are not validator keys.
        Assert.DoesNotContain(info.Nodes, n => string.Equals(n.NodeId, Convert.ToHexStringLower(n.ValidatorAddress), StringComparison.Ordinal));
        foreach (var node in info.Nodes)
        {
            var toml = TomlReader.Read(File.ReadAllText(net.CometHome(node.Endpoints.Index).ConfigTomlPath));
            var peers = ((string)toml["p2p.persistent_peers"]).Split(',');
            var expected = info.Nodes.Where(n => n != node).Select(n => $"{n.NodeId}@127.0.0.1:{n.Endpoints.P2pPort}");
            Assert.Equal(expected, peers);
            Assert.Equal(expected, node.PersistentPeers);
        }
    }

    [Fact]
    public void Config_toml_parses_and_carries_the_node_settings()
    {
        var info = Init();
        var net = new NetworkHome(info.Root);
        var node = info.Nodes[2];
        var toml = TomlReader.Read(File.ReadAllText(net.CometHome(2).ConfigTomlPath));
        Assert.Equal("tcp://127.0.0.1:26678", toml["proxy_app"]);
        Assert.Equal("socket", toml["abci"]);
        Assert.Equal("node2", toml["moniker"]);
        Assert.Equal("goleveldb", toml["db_backend"]);
        Assert.Equal("config/priv_validator_key.json", toml["priv_validator_key_file"]);
        Assert.Equal("data/priv_validator_state.json", toml["priv_validator_state_file"]);
        Assert.Equal("config/node_key.json", toml["node_key_file"]);
        Assert.Equal("tcp://127.0.0.1:26677", toml["rpc.laddr"]);
        Assert.Equal("tcp://127.0.0.1:26676", toml["p2p.laddr"]);
        Assert.Equal(false, toml["p2p.addr_book_strict"]);
        Assert.Equal(true, toml["p2p.allow_duplicate_ip"]);
        Assert.Equal(true, toml["mempool.recheck"]);
        Assert.Equal((long)new NodeConfig().MaxTxBytes, toml["mempool.max_tx_bytes"]);
        Assert.Equal(false, toml["statesync.enable"]);
        Assert.Equal("168h0m0s", toml["statesync.trust_period"]);
        Assert.Equal("1s", toml["consensus.timeout_commit"]);
        Assert.Equal("kv", toml["tx_index.indexer"]);
        Assert.Equal((26676, 26677, 26678), (node.Endpoints.P2pPort, node.Endpoints.RpcPort, node.Endpoints.AbciPort));
    }

    [Fact]
    public void Nodes_on_separate_private_hosts_listen_on_all_interfaces_at_the_base_ports()
    {
        var hosts = new[] { "172.28.0.10", "172.28.0.11", "172.28.0.12", "172.28.0.13" };
        var info = Init(options: new NetworkOptions { ChainId = "c", Hosts = hosts, TimeoutCommit = TimeSpan.FromMilliseconds(500) });
        var net = new NetworkHome(info.Root);
        for (var i = 0; i < 4; i++)
        {
            var toml = TomlReader.Read(File.ReadAllText(net.CometHome(i).ConfigTomlPath));
            Assert.Equal("tcp://127.0.0.1:26658", toml["proxy_app"]);
            Assert.Equal("tcp://0.0.0.0:26657", toml["rpc.laddr"]);
            Assert.Equal("tcp://0.0.0.0:26656", toml["p2p.laddr"]);
            Assert.Equal(false, toml["p2p.allow_duplicate_ip"]);
            Assert.Equal(false, toml["p2p.addr_book_strict"]);
            Assert.Equal("500ms", toml["consensus.timeout_commit"]);
            Assert.Equal(hosts.Where((_, j) => j != i).Select(h => h + ":26656"), ((string)toml["p2p.persistent_peers"]).Split(',').Select(p => p[(p.IndexOf('@', StringComparison.Ordinal) + 1)..]));
        }
    }

    [Fact]
    public void Account_keys_are_in_the_client_home_and_fund_the_genesis_accounts()
    {
        var info = Init(options: new NetworkOptions { ChainId = "c", Validators = 1, Accounts = 3 });
        var client = new NetworkHome(info.Root).Client;
        var admin = client.LoadAccountKey(DevnetHome.AdminKeyName);
        Assert.Equal(info.Genesis.Admin, admin.Address);
        var addresses = new[] { "admin", "user0", "user1", "user2" }.Select(n => Convert.ToHexString(client.LoadAccountKey(n).Address));
        Assert.Equal(addresses, info.Genesis.Accounts.Select(a => Convert.ToHexString(a.Address)));
        Assert.All(info.Genesis.Accounts, a => Assert.Equal(DevnetHome.DefaultBalance, a.Balance));
    }

    [Fact]
    public void The_same_seed_writes_the_same_network()
    {
        var a = Init("a");
        var b = Init("b");
        var c = Init("c", seed: "other");
        Assert.Equal(a.Nodes.Select(n => n.NodeId), b.Nodes.Select(n => n.NodeId));
        foreach (var relative in new[] { "config/genesis.json", "keys/admin.json", "node3/cometbft/config/priv_validator_key.json", "node3/cometbft/config/node_key.json", "node3/cometbft/config/config.toml" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Root, relative)), File.ReadAllBytes(Path.Combine(b.Root, relative)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.Root, relative)), File.ReadAllBytes(Path.Combine(c.Root, relative)));
        }
    }

    [Fact]
    public void An_initialised_or_non_empty_directory_is_refused_and_left_alone()
    {
        var info = Init();
        var before = File.ReadAllBytes(Path.Combine(info.Root, "config", "genesis.json"));
        var e = Assert.Throws<NetworkHomeException>(() => Init(seed: "again"));
        Assert.Contains("already exists and is not empty", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(info.Root, "config", "genesis.json")));

        var other = Path.Combine(_dir, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        Assert.Throws<NetworkHomeException>(() => new NetworkHome(other).Initialize(new NetworkOptions { ChainId = "c" }, GenesisTime));
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(other).Select(Path.GetFileName));
    }

    [Fact]
    public void An_empty_existing_directory_is_used()
    {
        var empty = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(empty);
        var info = new NetworkHome(empty).Initialize(new NetworkOptions { ChainId = "c", Validators = 1 }, GenesisTime, Seeded("e"));
        Assert.Single(info.Nodes);
    }

    [Theory]
    [InlineData(0, 2, "127.0.0.1")]
    [InlineData(4, -1, "127.0.0.1")]
    [InlineData(4, 2, "10.0.0.1,10.0.0.2")]
    [InlineData(4, 2, "bad host")]
    public void Refused_options_write_nothing(int validators, int accounts, string hosts)
    {
        var root = Path.Combine(_dir, "refused");
        Assert.Throws<NetworkHomeException>(() => new NetworkHome(root).Initialize(
            new NetworkOptions { ChainId = "c", Validators = validators, Accounts = accounts, Hosts = hosts.Split(',') }, GenesisTime, Seeded("r")));
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public void A_chain_id_the_genesis_refuses_writes_nothing()
    {
        var root = Path.Combine(_dir, "refused");
        var e = Assert.Throws<NetworkHomeException>(() => new NetworkHome(root).Initialize(new NetworkOptions { ChainId = new string('x', 51) }, GenesisTime, Seeded("r")));
        Assert.Contains("chain_id", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));
    }
}

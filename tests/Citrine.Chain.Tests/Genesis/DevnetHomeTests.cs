using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.CometBft.Types;

namespace Citrine.Chain.Tests.Genesis;

public sealed class DevnetHomeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "citrine-home-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Init_writes_genesis_keys_and_config_that_load_back()
    {
        var home = new DevnetHome(_dir);
        var genesis = home.Initialize("citrine-devnet-1", 3, new Timestamp(1_760_000_000, 5));
        var loaded = home.LoadGenesis();
        Assert.Equal("citrine-devnet-1", loaded.ChainId);
        Assert.Equal(new Timestamp(1_760_000_000, 5), loaded.GenesisTime);
        Assert.Equal(3, loaded.Validators.Count);
        Assert.Equal(genesis.ValidatorSet().Hash(), loaded.ValidatorSet().Hash());
        Assert.Equal(3, loaded.Accounts.Count);
        var keys = home.LoadValidatorKeys();
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.Contains(loaded.Validators, v => v.PublicKey.AsSpan().SequenceEqual(k.PublicKey)));
        Assert.Equal(loaded.Admin, home.LoadAccountKey(DevnetHome.AdminKeyName).Address);
        Assert.Equal(TimeSpan.FromMilliseconds(500), home.LoadConfig().BlockTime);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void Init_refuses_to_overwrite_an_existing_devnet()
    {
        var home = new DevnetHome(_dir);
        home.Initialize("a", 1, new Timestamp(1, 0));
        Assert.Throws<DevnetHomeException>(() => home.Initialize("b", 1, new Timestamp(1, 0)));
    }

    [Fact]
    public void Initialized_home_runs_a_node_whose_blocks_the_light_client_accepts()
    {
        var home = new DevnetHome(_dir);
        var start = new Timestamp(1_760_000_000, 0);
        home.Initialize("citrine-devnet-1", 2, start);
        var clock = new ManualNodeClock(start);
        using (var node = ChainNode.Open(home, clock))
        {
            for (var i = 0; i < 3; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                node.ProduceBlock();
            }
            var trust = CometBft.LightClient.TrustOptions.Create("citrine-devnet-1", TimeSpan.FromDays(1));
            Assert.True(CometBft.LightClient.Verifier.Verify(node.LightBlockAt(1)!, node.LightBlockAt(3)!, trust, clock.Now()).IsSuccess);
        }
        using var reopened = ChainNode.Open(home, clock);
        Assert.Equal(3, reopened.Height);
    }

    [Theory]
    [InlineData("chain_id", "\"chain_id\": \"citrine-devnet-1\"", "chain_id must be")]
    [InlineData("power", "\"power\": \"10\"", "voting power must be positive")]
    [InlineData("balance", "\"balance\": \"1000000000000\"", "not an unsigned 64-bit integer")]
    [InlineData("genesis_time", "\"genesis_time\": \"", "not an RFC 3339 time")]
    public void Genesis_parse_names_the_bad_field(string what, string find, string expected)
    {
        var home = new DevnetHome(_dir);
        home.Initialize("citrine-devnet-1", 1, new Timestamp(1_760_000_000, 0));
        var text = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(home.GenesisPath));
        var index = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, what);
        var replacement = what switch
        {
            "chain_id" => "\"chain_id\": \"" + new string('x', 60) + "\"",
            "power" => "\"power\": \"0\"",
            "balance" => "\"balance\": \"-1\"",
            _ => "\"genesis_time\": \"yesterday",
        };
        var broken = text[..index] + replacement + text[(index + find.Length)..];
        if (what == "genesis_time")
        {
            broken = text[..index] + "\"genesis_time\": \"yesterday\"," + text[(text.IndexOf('\n', index) + 1)..];
        }
        var e = Assert.Throws<GenesisException>(() => GenesisDoc.Parse(System.Text.Encoding.UTF8.GetBytes(broken)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Genesis_parse_rejects_garbage_with_a_genesis_exception()
    {
        Assert.Throws<GenesisException>(() => GenesisDoc.Parse("{"u8));
        Assert.Throws<GenesisException>(() => GenesisDoc.Parse("[]"u8));
        Assert.Throws<GenesisException>(() => GenesisDoc.Parse("{\"genesis_time\":1}"u8));
    }
}

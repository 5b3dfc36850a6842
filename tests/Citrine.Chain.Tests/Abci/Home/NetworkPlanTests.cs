using Citrine.Chain.Abci.Home;

namespace Citrine.Chain.Tests.Abci.Home;

public sealed class NetworkPlanTests
{
    private static NetworkOptions Options(int validators = 4, params string[] hosts) =>
        new() { ChainId = "c", Validators = validators, Hosts = hosts.Length == 0 ? ["127.0.0.1"] : hosts };

    [Fact]
    public void Nodes_sharing_a_host_are_ten_ports_apart()
    {
        var nodes = NetworkPlan.Endpoints(Options());
        Assert.Equal([26656, 26666, 26676, 26686], nodes.Select(n => n.P2pPort));
        Assert.Equal([26657, 26667, 26677, 26687], nodes.Select(n => n.RpcPort));
        Assert.Equal([26658, 26668, 26678, 26688], nodes.Select(n => n.AbciPort));
        var all = nodes.SelectMany(n => new[] { n.P2pPort, n.RpcPort, n.AbciPort }).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.True(NetworkPlan.SharesHost(nodes));
        Assert.False(NetworkPlan.AllHostsRoutable(nodes));
        Assert.Equal(["node0", "node1", "node2", "node3"], nodes.Select(n => n.Moniker));
    }

    [Fact]
    public void Nodes_on_their_own_hosts_use_the_base_ports()
    {
        var nodes = NetworkPlan.Endpoints(Options(3, "203.0.113.1", "203.0.113.2", "203.0.113.3"));
        Assert.All(nodes, n => Assert.Equal((26656, 26657, 26658), (n.P2pPort, n.RpcPort, n.AbciPort)));
        Assert.False(NetworkPlan.SharesHost(nodes));
        Assert.True(NetworkPlan.AllHostsRoutable(nodes));
    }

    [Fact]
    public void Ports_are_offset_per_host_not_per_node()
    {
        var nodes = NetworkPlan.Endpoints(Options(4, "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"));
        Assert.Equal([26656, 26656, 26666, 26666], nodes.Select(n => n.P2pPort));
        Assert.True(NetworkPlan.SharesHost(nodes));
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.10")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("node0.example")]
    public void Private_loopback_and_named_hosts_turn_addr_book_strict_off(string host)
    {
        Assert.False(NetworkPlan.AllHostsRoutable(NetworkPlan.Endpoints(Options(1, host))));
    }

    [Fact]
    public void An_IPv6_host_is_bracketed_in_addresses()
    {
        var node = Assert.Single(NetworkPlan.Endpoints(Options(1, "::1")));
        Assert.Equal("[::1]", node.HostForAddress);
        Assert.True(NetworkPlan.IsLoopback(node.Host));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_validator_count_outside_1_to_100_is_refused(int count)
    {
        var e = Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(count)));
        Assert.Contains("validators must be between 1 and 100", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_list_of_neither_one_nor_n_entries_is_refused()
    {
        var e = Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(4, "10.0.0.1", "10.0.0.2")));
        Assert.Contains("2 hosts for 4 validators", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a host")]
    [InlineData("10.0.0.1:26656")]
    public void A_malformed_host_is_refused(string host)
    {
        Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(1, host)));
    }

    [Fact]
    public void Ports_that_collide_on_a_shared_host_are_refused()
    {
        // node1's p2p port (26656 + 10) is node0's rpc port.
        var e = Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(2) with { RpcPort = 26666 }));
        Assert.Contains("port collision on 127.0.0.1: 26666", e.Message, StringComparison.Ordinal);
        Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(1) with { AbciPort = 26656 }));
        // On separate hosts the same bases do not collide.
        _ = NetworkPlan.Endpoints(Options(2, "10.0.0.1", "10.0.0.2") with { RpcPort = 26666 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void A_port_outside_1_to_65535_is_refused(int port)
    {
        Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(1) with { P2pPort = port }));
    }

    [Fact]
    public void A_shared_host_whose_offsets_pass_65535_is_refused()
    {
        var e = Assert.Throws<NetworkHomeException>(() => NetworkPlan.Endpoints(Options(2) with { P2pPort = 65530, RpcPort = 100, AbciPort = 200 }));
        Assert.Contains("above 65535", e.Message, StringComparison.Ordinal);
    }
}

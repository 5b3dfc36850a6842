using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Citrine.Chain.Genesis;

namespace Citrine.Chain.Abci.Home;

/// <summary>A network cannot be written as asked: bad options, or the target directory is in use.</summary>
public sealed class NetworkHomeException : Exception
{
    public NetworkHomeException()
    {
    }

    public NetworkHomeException(string message)
        : base(message)
    {
    }

    public NetworkHomeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>What <see cref="NetworkHome.Initialize"/> writes: the chain, its validators and where each node listens.</summary>
public sealed record NetworkOptions
{
    public const int DefaultP2pPort = 26656;
    public const int DefaultRpcPort = 26657;
    public const int DefaultAbciPort = 26658;

    public required string ChainId { get; init; }
    public int Validators { get; init; } = 4;
    /// <summary>Funded user accounts besides the admin.</summary>
    public int Accounts { get; init; } = 2;
    public GenesisAttestation Attestation { get; init; } = GenesisAttestation.Intel;
    public IReadOnlyList<GenesisContract> Contracts { get; init; } = [];
    /// <summary>One host for every node, or one per node (IP address or DNS name).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = ["127.0.0.1"];
    public int P2pPort { get; init; } = DefaultP2pPort;
    public int RpcPort { get; init; } = DefaultRpcPort;
    public int AbciPort { get; init; } = DefaultAbciPort;
    /// <summary>CometBFT <c>[consensus] timeout_commit</c>: the pause after a commit before the next height starts.</summary>
    public TimeSpan TimeoutCommit { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>Where node <see cref="Index"/> runs and listens.</summary>
public sealed record NodeEndpoints(int Index, string Host, int P2pPort, int RpcPort, int AbciPort)
{
    public string Moniker => "node" + Index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The host as it appears in <c>host:port</c> (IPv6 in brackets).</summary>
    public string HostForAddress => NetworkPlan.IsIPv6(Host) ? $"[{Host}]" : Host;
}

/// <summary>
/// Assigns hosts and ports. Nodes on different hosts all use the base ports; the k-th node on a
/// host (k = 0, 1, ...) uses base + <see cref="PortStride"/> × k for each of its three ports, so
/// four validators on 127.0.0.1 listen on 26656/26657/26658, 26666/26667/26668, and so on.
/// </summary>
public static class NetworkPlan
{
    public const int PortStride = 10;
    public const int MaxValidators = 100;

    public static IReadOnlyList<NodeEndpoints> Endpoints(NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validators is < 1 or > MaxValidators)
        {
            throw new NetworkHomeException($"validators must be between 1 and {MaxValidators}, got {options.Validators}");
        }
        var hosts = options.Hosts;
        if (hosts.Count != 1 && hosts.Count != options.Validators)
        {
            throw new NetworkHomeException($"give one host for all nodes or one per node: {hosts.Count} hosts for {options.Validators} validators");
        }
        foreach (var host in hosts)
        {
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            {
                throw new NetworkHomeException($"'{host}' is not an IP address or a host name");
            }
        }
        foreach (var (name, port) in new[] { ("p2p", options.P2pPort), ("rpc", options.RpcPort), ("abci", options.AbciPort) })
        {
            if (port is < 1 or > 65535)
            {
                throw new NetworkHomeException($"the {name} port must be between 1 and 65535, got {port}");
            }
        }
        if (options.TimeoutCommit < TimeSpan.Zero || options.TimeoutCommit > TimeSpan.FromHours(1))
        {
            throw new NetworkHomeException($"timeout_commit must be between 0 and 1h, got {options.TimeoutCommit}");
        }
        var nodes = new List<NodeEndpoints>(options.Validators);
        var perHost = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Validators; i++)
        {
            var host = hosts.Count == 1 ? hosts[0] : hosts[i];
            var k = perHost.GetValueOrDefault(host);
            perHost[host] = k + 1;
            nodes.Add(new NodeEndpoints(i, host, options.P2pPort + (PortStride * k), options.RpcPort + (PortStride * k), options.AbciPort + (PortStride * k)));
        }
        CheckPorts(nodes);
        return nodes;
    }

    /// <summary>On each host every port (P2P, RPC, and the app's ABCI port) belongs to one node and one use.</summary>
    private static void CheckPorts(IReadOnlyList<NodeEndpoints> nodes)
    {
        foreach (var host in nodes.GroupBy(n => n.Host, StringComparer.OrdinalIgnoreCase))
        {
            var owners = new Dictionary<int, string>();
            foreach (var node in host)
            {
                foreach (var (use, port) in new[] { ("p2p", node.P2pPort), ("rpc", node.RpcPort), ("abci", node.AbciPort) })
                {
                    if (port > 65535)
                    {
                        throw new NetworkHomeException($"{node.Moniker}'s {use} port would be {port} (base + {PortStride} per node on {host.Key}), above 65535");
                    }
                    var owner = $"{node.Moniker}'s {use} port";
                    if (!owners.TryAdd(port, owner))
                    {
                        throw new NetworkHomeException($"port collision on {host.Key}: {port} would be both {owners[port]} and {owner} (nodes on one host are {PortStride} ports apart)");
                    }
                }
            }
        }
    }

    /// <summary>Whether two or more nodes share a host (CometBFT then needs <c>allow_duplicate_ip</c>).</summary>
    public static bool SharesHost(IReadOnlyList<NodeEndpoints> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return nodes.Select(n => n.Host).Distinct(StringComparer.OrdinalIgnoreCase).Count() < nodes.Count;
    }

    /// <summary>
    /// CometBFT's <c>addr_book_strict</c> drops non-routable addresses; it stays on only when every
    /// host is a public IP address (a name may resolve to a private one).
    /// </summary>
    public static bool AllHostsRoutable(IReadOnlyList<NodeEndpoints> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return nodes.All(n => IPAddress.TryParse(n.Host, out var ip) && IsRoutable(ip));
    }

    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    internal static bool IsIPv6(string host) => IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;

    private static bool IsRoutable(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            return false;
        }
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // fc00::/7 unique local, fe80::/10 link-local.
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal);
        }
        var b = ip.GetAddressBytes();
        // RFC 1918 private, 169.254/16 link-local, 100.64/10 shared address space.
        return !(b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127));
    }
}

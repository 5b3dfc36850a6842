using System.Globalization;
using System.Security.Cryptography;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Abci.Home;

/// <summary>One validator of a written network.</summary>
public sealed record NetworkNode(NodeEndpoints Endpoints, string NodeId, byte[] ValidatorAddress, string AppHome, string CometBftHome, IReadOnlyList<string> PersistentPeers)
{
    /// <summary>This node as its peers list it: <c>id@host:port</c>.</summary>
    public string PeerAddress => $"{NodeId}@{Endpoints.HostForAddress}:{Endpoints.P2pPort.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>What <see cref="NetworkHome.Initialize"/> wrote.</summary>
public sealed record NetworkInfo(string Root, GenesisDoc Genesis, IReadOnlyList<NetworkNode> Nodes);

/// <summary>
/// A Citrine network for CometBFT v0.38, one directory per validator:
/// <code>
/// ROOT/config/genesis.json          the genesis (the client's copy: 'citrine tx --home ROOT')
/// ROOT/keys/&lt;name&gt;.json            account keys (admin, user0, ...), as the devnet writes them
/// ROOT/node&lt;i&gt;/app/config/genesis.json   node i's Citrine app home ('citrine node start --home')
/// ROOT/node&lt;i&gt;/app/data/
/// ROOT/node&lt;i&gt;/cometbft/          node i's CometBFT home ('cometbft start --home')
/// </code>
/// Every genesis.json is the same bytes. No node directory holds an account key, and no app home
/// a validator key (CometBFT signs blocks, the app does not), so node&lt;i&gt;/ is what machine i needs.
/// </summary>
public sealed class NetworkHome
{
    public NetworkHome(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    /// <summary>The operator's client home: the genesis and the account keys, in the devnet layout.</summary>
    public DevnetHome Client => new(Root);

    public string NodeDir(int index) => Path.Combine(Root, "node" + index.ToString(CultureInfo.InvariantCulture));

    public DevnetHome AppHome(int index) => new(Path.Combine(NodeDir(index), "app"));

    public CometBftHome CometHome(int index) => new(Path.Combine(NodeDir(index), "cometbft"));

    /// <summary>
    /// Writes a new network. Every check runs before the first file is written: a refused request
    /// leaves nothing behind. Keys come from <paramref name="random"/> (the OS generator unless a
    /// test injects one), drawn in a fixed order: per node its validator seed then its node-key
    /// seed, then the admin's and the users' account keys.
    /// </summary>
    public NetworkInfo Initialize(NetworkOptions options, Timestamp genesisTime, Action<Span<byte>>? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Accounts is < 0 or > 1000)
        {
            throw new NetworkHomeException($"accounts must be between 0 and 1000, got {options.Accounts}");
        }
        var endpoints = NetworkPlan.Endpoints(options);
        if (File.Exists(Root) || (Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any()))
        {
            throw new NetworkHomeException($"{Root} already exists and is not empty; refusing to overwrite (an initialised network?)");
        }
        random ??= RandomNumberGenerator.Fill;

        var validatorSeeds = new List<byte[]>();
        var nodeSeeds = new List<byte[]>();
        var validatorKeys = new List<byte[]>();
        var nodeKeys = new List<byte[]>();
        try
        {
            foreach (var _ in endpoints)
            {
                validatorSeeds.Add(Draw(random));
                validatorKeys.Add(PublicKey(validatorSeeds[^1]));
                nodeSeeds.Add(Draw(random));
                nodeKeys.Add(PublicKey(nodeSeeds[^1]));
            }
            var accounts = new[] { DevnetHome.AdminKeyName }.Concat(Enumerable.Range(0, options.Accounts).Select(i => "user" + i.ToString(CultureInfo.InvariantCulture)))
                .Select(name => DevnetHome.NewAccountKey(name, random)).ToList();
            var genesis = new GenesisDoc
            {
                GenesisTime = genesisTime,
                ChainId = options.ChainId,
                Validators = [.. endpoints.Select(e => new GenesisValidator(validatorKeys[e.Index], 10, e.Moniker))],
                Admin = accounts[0].Address,
                Accounts = [.. accounts.Select(k => new GenesisAccount(k.Address, DevnetHome.DefaultBalance))],
                Attestation = options.Attestation,
                Contracts = options.Contracts,
            };
            if (genesis.Problem() is { } problem)
            {
                throw new NetworkHomeException($"genesis: {problem}");
            }
            var genesisJson = genesis.ToJson();
            var ids = nodeKeys.Select(k => CometBftHome.NodeId(k)).ToList();
            var peers = endpoints.Select(e => $"{ids[e.Index]}@{e.HostForAddress}:{e.P2pPort.ToString(CultureInfo.InvariantCulture)}").ToList();
            var strict = NetworkPlan.AllHostsRoutable(endpoints);
            var shared = NetworkPlan.SharesHost(endpoints);

            var client = Client;
            Directory.CreateDirectory(client.ConfigDir);
            DevnetHome.WriteAtomically(client.GenesisPath, genesisJson);
            foreach (var key in accounts)
            {
                client.SaveAccountKey(key);
            }
            var nodes = new List<NetworkNode>();
            foreach (var e in endpoints)
            {
                var app = AppHome(e.Index);
                Directory.CreateDirectory(app.ConfigDir);
                Directory.CreateDirectory(app.DataDir);
                DevnetHome.WriteAtomically(app.GenesisPath, genesisJson);

                var comet = CometHome(e.Index);
                Directory.CreateDirectory(comet.ConfigDir);
                Directory.CreateDirectory(comet.DataDir);
                var others = peers.Where((_, j) => j != e.Index).ToList();
                var config = new CometBftConfig
                {
                    Moniker = e.Moniker,
                    ProxyApp = "tcp://127.0.0.1:" + e.AbciPort.ToString(CultureInfo.InvariantCulture),
                    RpcListen = Listen(e, e.RpcPort),
                    P2pListen = Listen(e, e.P2pPort),
                    PersistentPeers = others,
                    AddrBookStrict = strict,
                    AllowDuplicateIp = shared,
                    TimeoutCommit = options.TimeoutCommit,
                };
                DevnetHome.WriteAtomically(comet.GenesisPath, genesisJson);
                DevnetHome.WriteAtomically(comet.ConfigTomlPath, System.Text.Encoding.UTF8.GetBytes(config.ToToml()));
                DevnetHome.WriteAtomically(comet.PrivValidatorKeyPath, CometBftHome.PrivValidatorKeyJson(validatorSeeds[e.Index], validatorKeys[e.Index]), secret: true);
                DevnetHome.WriteAtomically(comet.NodeKeyPath, CometBftHome.NodeKeyJson(nodeSeeds[e.Index], nodeKeys[e.Index]), secret: true);
                DevnetHome.WriteAtomically(comet.PrivValidatorStatePath, CometBftHome.InitialSignStateJson());
                nodes.Add(new NetworkNode(e, ids[e.Index], Validator.AddressOf(validatorKeys[e.Index]), app.Root, comet.Root, others));
            }
            return new NetworkInfo(Root, genesis, nodes);
        }
        finally
        {
            foreach (var seed in validatorSeeds.Concat(nodeSeeds))
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }
    }

    /// <summary>
    /// A node on a loopback host listens there only (several nodes share the machine and nothing
    /// else should reach them); on any other host it listens on all interfaces, as CometBFT's
    /// default P2P address does, so its peers (and a Docker port mapping) can reach it.
    /// </summary>
    private static string Listen(NodeEndpoints e, int port) =>
        $"tcp://{(NetworkPlan.IsLoopback(e.Host) ? e.HostForAddress : "0.0.0.0")}:{port.ToString(CultureInfo.InvariantCulture)}";

    private static byte[] Draw(Action<Span<byte>> random)
    {
        var seed = new byte[32];
        random(seed);
        return seed;
    }

    private static byte[] PublicKey(byte[] seed)
    {
        using var key = Ed25519PrivateKey.FromSeed(seed);
        return key.ExportPublicKey();
    }
}

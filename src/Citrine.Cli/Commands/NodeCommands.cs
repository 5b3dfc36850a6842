using System.CommandLine;
using System.Globalization;
using Citrine.Chain.Abci.Home;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.CometBft.Types;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine node init --cometbft</c>: write a Citrine network for CometBFT v0.38 — per validator
/// a Citrine app home and a CometBFT home — plus the operator's genesis and account keys. See
/// docs/multinode.md.
/// </summary>
internal static class NodeCommands
{
    public static Command Create()
    {
        var node = new Command("node", "Run the Citrine chain as an ABCI application under CometBFT.");
        node.Subcommands.Add(Init());
        return node;
    }

    private static Command Init()
    {
        var cometbft = new Option<bool>("--cometbft") { Description = "Write CometBFT v0.38 homes beside the app homes (required: the one kind of network today)." };
        var home = CommonOptions.Required("--home", "The network directory to create (must be absent or empty).");
        var validators = new Option<int>("--validators") { Description = $"Number of validators (1..{NetworkPlan.MaxValidators}).", DefaultValueFactory = _ => 4 };
        var chainId = new Option<string>("--chain-id") { Description = "The chain id.", DefaultValueFactory = _ => "citrine-1" };
        var accounts = new Option<int>("--accounts") { Description = "Funded user accounts besides the admin (0..1000).", DefaultValueFactory = _ => 2 };
        var root = new Option<string>("--attestation-root", "--root") { Description = "The root the attestation registry pins: intel, or simulated (the simulated-DCAP test PKI; proves nothing about hardware).", DefaultValueFactory = _ => GenesisAttestation.IntelRoot };
        var simulatedSeed = new Option<string>("--simulated-seed") { Description = "Seed of the simulated-DCAP test PKI (as 'citrine simulate --seed').", DefaultValueFactory = _ => "citrine-dev" };
        var contracts = new Option<string[]>("--contract")
        {
            Description = "Register a contract in genesis: <TypeName>=<path to its dll> (repeatable). The path is pinned by SHA-256 and must hold the same file on every node's machine.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var hosts = new Option<string>("--host") { Description = "The nodes' hosts, comma-separated: one for all or one per validator (IP address or DNS name).", DefaultValueFactory = _ => "127.0.0.1" };
        var p2p = new Option<int>("--p2p-port") { Description = $"CometBFT P2P port; nodes sharing a host add {NetworkPlan.PortStride} per node.", DefaultValueFactory = _ => NetworkOptions.DefaultP2pPort };
        var rpc = new Option<int>("--rpc-port") { Description = $"CometBFT RPC port; nodes sharing a host add {NetworkPlan.PortStride} per node.", DefaultValueFactory = _ => NetworkOptions.DefaultRpcPort };
        var abci = new Option<int>("--abci-port") { Description = $"The app's ABCI port (CometBFT's proxy_app); nodes sharing a host add {NetworkPlan.PortStride} per node.", DefaultValueFactory = _ => NetworkOptions.DefaultAbciPort };
        var timeoutCommit = new Option<string>("--timeout-commit") { Description = "CometBFT's pause after each commit, e.g. 1s or 500ms.", DefaultValueFactory = _ => "1s" };
        var json = CommonOptions.Json();
        var cmd = new Command("init", "Write a validator network: per node an app home (genesis) and a CometBFT v0.38 home (config.toml, genesis, keys); account keys in <home>/keys.")
        {
            cometbft, home, validators, chainId, accounts, root, simulatedSeed, contracts, hosts, p2p, rpc, abci, timeoutCommit, json,
        };
        cmd.SetAction(parsed =>
        {
            if (!parsed.GetValue(cometbft))
            {
                throw new CliInputException("node init writes a CometBFT network: pass --cometbft (for a one-process chain use 'citrine devnet init')");
            }
            var attestation = parsed.GetValue(root) switch
            {
                GenesisAttestation.IntelRoot => GenesisAttestation.Intel,
                GenesisAttestation.SimulatedRoot => DevnetCommands.SimulatedRoot(parsed.GetValue(simulatedSeed)!),
                var other => throw new CliInputException($"--attestation-root must be intel or simulated, got '{other}'"),
            };
            var network = new NetworkHome(parsed.GetValue(home)!);
            NetworkInfo info;
            try
            {
                var options = new NetworkOptions
                {
                    ChainId = parsed.GetValue(chainId)!,
                    Validators = parsed.GetValue(validators),
                    Accounts = parsed.GetValue(accounts),
                    Attestation = attestation,
                    Hosts = parsed.GetValue(hosts)!.Split(',', StringSplitOptions.TrimEntries),
                    P2pPort = parsed.GetValue(p2p),
                    RpcPort = parsed.GetValue(rpc),
                    AbciPort = parsed.GetValue(abci),
                    TimeoutCommit = ParseTimeoutCommit(parsed.GetValue(timeoutCommit)!),
                };
                // Checked before contracts are read, so a bad host list is reported as such.
                NetworkPlan.Endpoints(options);
                options = options with { Contracts = [.. (parsed.GetValue(contracts) ?? []).Select(DevnetCommands.PinContract)] };
                info = network.Initialize(options, Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()));
            }
            catch (Exception e) when (e is NetworkHomeException or DevnetHomeException or GenesisException or IOException or UnauthorizedAccessException)
            {
                throw new CliInputException(e.Message, e);
            }
            Report(parsed.InvocationConfiguration.Output, info, parsed.GetValue(json));
            return CliApp.Ok;
        });
        return cmd;
    }

    private static TimeSpan ParseTimeoutCommit(string text) =>
        text is "0" or "0s" ? TimeSpan.Zero : DevnetCommands.ParseDuration(text, "--timeout-commit");

    private static void Report(TextWriter output, NetworkInfo info, bool json)
    {
        var genesis = info.Genesis;
        if (json)
        {
            CliOutput.WriteJson(output, w =>
            {
                w.WriteString("home", info.Root);
                w.WriteString("chain_id", genesis.ChainId);
                w.WriteString("genesis_time", genesis.GenesisTime.ToString());
                w.WriteString("attestation_root", genesis.Attestation.Root);
                w.WriteString("keys", new NetworkHome(info.Root).Client.KeysDir);
                w.WriteString("admin", genesis.Bech32(genesis.Admin));
                w.WriteStartArray("accounts");
                foreach (var a in genesis.Accounts)
                {
                    w.WriteStringValue(genesis.Bech32(a.Address));
                }
                w.WriteEndArray();
                w.WriteStartArray("nodes");
                foreach (var n in info.Nodes)
                {
                    var e = n.Endpoints;
                    w.WriteStartObject();
                    w.WriteString("moniker", e.Moniker);
                    w.WriteString("node_id", n.NodeId);
                    w.WriteString("validator_address", Convert.ToHexString(n.ValidatorAddress));
                    w.WriteString("host", e.Host);
                    w.WriteNumber("p2p_port", e.P2pPort);
                    w.WriteNumber("rpc_port", e.RpcPort);
                    w.WriteNumber("abci_port", e.AbciPort);
                    w.WriteString("app_home", n.AppHome);
                    w.WriteString("cometbft_home", n.CometBftHome);
                    w.WriteStartArray("persistent_peers");
                    foreach (var peer in n.PersistentPeers)
                    {
                        w.WriteStringValue(peer);
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            return;
        }
        output.WriteLine($"Initialized '{genesis.ChainId}' with {info.Nodes.Count} validator(s) for CometBFT v0.38 in {info.Root}");
        output.WriteLine($"admin: {genesis.Bech32(genesis.Admin)} (keys in {new NetworkHome(info.Root).Client.KeysDir})");
        foreach (var n in info.Nodes)
        {
            var e = n.Endpoints;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Moniker} {n.NodeId}@{e.HostForAddress}:{e.P2pPort}  rpc {e.RpcPort}  abci {e.AbciPort}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  citrine node start --abci tcp://127.0.0.1:{e.AbciPort} --home {n.AppHome}"));
            output.WriteLine($"  cometbft start --home {n.CometBftHome}");
        }
    }
}

using System.CommandLine;
using System.Globalization;
using Citrine.Chain.Abci.App;
using Citrine.Chain.Abci.Home;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.CometBft.Types;
using Microsoft.Extensions.Logging;

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
        node.Subcommands.Add(Start());
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

    /// <summary>
    /// <c>citrine node start --abci ADDRESS --home APPHOME</c>: serve the application to CometBFT
    /// (socket on tcp:// or unix://, or gRPC on grpc://) until SIGTERM / Ctrl+C. The first line on
    /// stdout names the bound address (port 0 = any free port).
    /// </summary>
    private static Command Start()
    {
        var abci = CommonOptions.Required("--abci", "Where CometBFT's proxy_app connects: tcp://host:port or unix:///path (socket protocol), grpc://host:port (gRPC).");
        var home = CommonOptions.Required("--home", "The node's app home (node<i>/app from 'citrine node init --cometbft').");
        var snapshotInterval = new Option<long>("--snapshot-interval") { Description = "Take a state-sync snapshot every N heights (0 = never)." };
        var snapshotKeep = new Option<int>("--snapshot-keep-recent") { Description = "Snapshots to keep.", DefaultValueFactory = _ => 2 };
        var snapshotChunk = new Option<int>("--snapshot-chunk-size") { Description = "Largest snapshot chunk in bytes.", DefaultValueFactory = _ => StateSyncOptions.DefaultChunkSize };
        var minRetain = new Option<long>("--min-retain-blocks") { Description = "Blocks CometBFT must keep (Commit's retain_height); 0 = keep all." };
        var keepRecent = new Option<long>("--keep-recent") { Description = "State versions the app keeps for queries; 0 = all." };
        var cmd = new Command("start", "Serve the Citrine application to a CometBFT v0.38 node over ABCI 2.0 until stopped (Ctrl+C / SIGTERM).")
        {
            abci, home, snapshotInterval, snapshotKeep, snapshotChunk, minRetain, keepRecent,
        };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            AbciAddress address;
            try
            {
                address = AbciAddress.Parse(parsed.GetValue(abci)!);
            }
            catch (AbciAddressException e)
            {
                throw new CliInputException($"--abci: {e.Message}", e);
            }
            var interval = parsed.GetValue(snapshotInterval);
            var keep = parsed.GetValue(snapshotKeep);
            var chunk = parsed.GetValue(snapshotChunk);
            var retain = parsed.GetValue(minRetain);
            var versions = parsed.GetValue(keepRecent);
            if (interval < 0 || keep < 1 || chunk < 1 || retain < 0 || versions < 0)
            {
                throw new CliInputException("--snapshot-interval, --min-retain-blocks and --keep-recent must be >= 0; --snapshot-keep-recent and --snapshot-chunk-size >= 1");
            }
            var root = Path.GetFullPath(parsed.GetValue(home)!);
            if (!File.Exists(Path.Combine(root, "config", "genesis.json")))
            {
                throw new CliInputException($"{Path.Combine(root, "config", "genesis.json")} not found; run 'citrine node init --cometbft' and pass a node's app home");
            }
            using var stop = new Dev.TerminationSignal(cancellationToken);
            // Logs go to stderr: stdout carries the command's own lines (the first names the bound address).
            using var loggers = LoggerFactory.Create(b => b
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
                .AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Citrine", LogLevel.Information));
            CitrineAbciApp app;
            try
            {
                app = CitrineAbciApp.Open(
                    root,
                    new AbciAppOptions { MinRetainBlocks = retain, KeepRecent = versions },
                    state => new StateSync(state, new StateSyncOptions
                    {
                        Directory = Path.Combine(root, "data", "snapshots"),
                        Interval = interval,
                        KeepRecent = keep,
                        ChunkSize = chunk,
                    }, loggers.CreateLogger<StateSync>()),
                    loggers.CreateLogger<CitrineAbciApp>());
            }
            catch (Exception e) when (e is DevnetHomeException or GenesisException or Chain.Node.NodeStartException or Store.StoreException or IOException or UnauthorizedAccessException)
            {
                throw new CliFailureException($"cannot open the app: {e.Message}", e);
            }
            using (app)
            {
                await using IAsyncDisposable server = address.Transport == AbciTransport.Grpc
                    ? new AbciGrpcServer(app, address, loggers)
                    : new AbciSocketServer(app, address, loggers.CreateLogger<AbciSocketServer>());
                AbciAddress bound;
                try
                {
                    if (server is AbciGrpcServer grpc)
                    {
                        await grpc.StartAsync(stop.Token).ConfigureAwait(false);
                        bound = grpc.BoundAddress!;
                    }
                    else
                    {
                        var socket = (AbciSocketServer)server;
                        await socket.StartAsync(stop.Token).ConfigureAwait(false);
                        bound = socket.BoundAddress!;
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or AbciAddressException)
                {
                    throw new CliFailureException($"cannot listen on {address}: {e.Message}", e);
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"citrine app '{app.Genesis.ChainId}' at height {app.Height}; ABCI on {bound}"));
                output.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped.
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped at height {app.Height}"));
            }
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

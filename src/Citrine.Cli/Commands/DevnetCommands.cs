using System.CommandLine;
using System.Globalization;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;
using Citrine.CometBft.Types;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine devnet init|start</c>: create a single-machine devnet (genesis, validator and account
/// keys, config) and run its node with the CometBFT JSON-RPC on loopback. See docs/devnet.md.
/// </summary>
internal static class DevnetCommands
{
    public static Command Create()
    {
        var devnet = new Command("devnet", "Create and run a local CometBFT-format devnet.");
        devnet.Subcommands.Add(Init());
        devnet.Subcommands.Add(Start());
        return devnet;
    }

    private static Option<string?> HomeOption() =>
        CommonOptions.Optional("--home", "The devnet home directory (default ~/.citrine/devnet).");

    internal static string ResolveHome(string? home) =>
        home ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".citrine", "devnet");

    /// <summary>The root key of the simulated-DCAP PKI derived from <paramref name="seed"/> (the key only: certificates are made per quote).</summary>
    internal static GenesisAttestation SimulatedRoot(string seed)
    {
        using var keys = Citrine.Attestation.Testing.TestPkiKeys.FromSeed(System.Text.Encoding.UTF8.GetBytes(seed));
        var q = keys.Root.ExportParameters(false).Q;
        return GenesisAttestation.Simulated([.. q.X!, .. q.Y!]);
    }

    private static Command Init()
    {
        var home = HomeOption();
        var validators = new Option<int>("--validators") { Description = "Number of validators (1..100).", DefaultValueFactory = _ => 1 };
        var chainId = new Option<string>("--chain-id") { Description = "The chain id.", DefaultValueFactory = _ => "citrine-devnet-1" };
        var accounts = new Option<int>("--accounts") { Description = "Funded user accounts besides the admin (0..1000).", DefaultValueFactory = _ => 2 };
        var root = new Option<string>("--attestation-root") { Description = "The root the attestation registry pins: intel, or simulated (the simulated-DCAP test PKI; proves nothing about hardware).", DefaultValueFactory = _ => GenesisAttestation.IntelRoot };
        var seed = new Option<string>("--simulated-seed") { Description = "Seed of the simulated-DCAP test PKI (as 'citrine simulate --seed').", DefaultValueFactory = _ => "citrine-dev" };
        var contracts = new Option<string[]>("--contract")
        {
            Description = "Register a contract in genesis: <TypeName>=<path to its dll> (repeatable). Its SHA-256 and those of the libraries it references (Citrine.Contracts.dll, found beside it) are pinned.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = CommonOptions.Json();
        var cmd = new Command("init", "Write genesis, validator keys, account keys and config into the home directory.") { home, validators, chainId, accounts, root, seed, contracts, json };
        cmd.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var dir = new DevnetHome(ResolveHome(parsed.GetValue(home)));
            var count = parsed.GetValue(validators);
            if (count is < 1 or > 100)
            {
                throw new CliInputException($"--validators must be between 1 and 100, got {count}");
            }
            var accountCount = parsed.GetValue(accounts);
            if (accountCount is < 0 or > 1000)
            {
                throw new CliInputException($"--accounts must be between 0 and 1000, got {accountCount}");
            }
            var attestation = parsed.GetValue(root) switch
            {
                GenesisAttestation.IntelRoot => GenesisAttestation.Intel,
                GenesisAttestation.SimulatedRoot => SimulatedRoot(parsed.GetValue(seed)!),
                var other => throw new CliInputException($"--attestation-root must be intel or simulated, got '{other}'"),
            };
            GenesisDoc genesis;
            try
            {
                // Pinned before anything is written, so a bad --contract leaves no half-made home.
                var pinned = (parsed.GetValue(contracts) ?? []).Select(PinContract).ToList();
                genesis = dir.Initialize(parsed.GetValue(chainId)!, count, Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()), accountCount,
                    attestation: attestation, contracts: pinned);
            }
            catch (Exception e) when (e is DevnetHomeException or GenesisException or IOException or UnauthorizedAccessException)
            {
                throw new CliInputException(e.Message, e);
            }
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("home", dir.Root);
                    w.WriteString("chain_id", genesis.ChainId);
                    w.WriteString("attestation_root", genesis.Attestation.Root);
                    w.WriteString("genesis_time", genesis.GenesisTime.ToString());
                    w.WriteStartArray("validators");
                    foreach (var v in genesis.Validators)
                    {
                        w.WriteStringValue(Convert.ToHexString(v.Address));
                    }
                    w.WriteEndArray();
                    w.WriteString("admin", genesis.Bech32(genesis.Admin));
                    w.WriteStartArray("accounts");
                    foreach (var a in genesis.Accounts)
                    {
                        w.WriteStringValue(genesis.Bech32(a.Address));
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("contracts");
                    foreach (var c in genesis.Contracts)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", c.Name);
                        w.WriteString("assembly", c.AssemblyPath);
                        w.WriteString("sha256", Convert.ToHexStringLower(c.AssemblySha256));
                        w.WriteStartArray("libraries");
                        foreach (var library in c.Libraries)
                        {
                            w.WriteStartObject();
                            w.WriteString("assembly", library.AssemblyPath);
                            w.WriteString("sha256", Convert.ToHexStringLower(library.Sha256));
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
            }
            else
            {
                output.WriteLine($"Initialized devnet '{genesis.ChainId}' with {genesis.Validators.Count} validator(s) in {dir.Root}");
                output.WriteLine($"admin: {genesis.Bech32(genesis.Admin)}");
                foreach (var c in genesis.Contracts)
                {
                    output.WriteLine($"contract {c.Name}: {c.AssemblyPath} ({Convert.ToHexStringLower(c.AssemblySha256)}){string.Concat(c.Libraries.Select(l => $" + {Path.GetFileName(l.AssemblyPath)}"))}");
                }
            }
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>Parses <c>TypeName=path</c> and pins the contract and its libraries (<see cref="DevnetHome.PinContract"/>).</summary>
    internal static GenesisContract PinContract(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == spec.Length - 1)
        {
            throw new CliInputException($"--contract expects <TypeName>=<path to the contract dll>, got '{spec}'");
        }
        return DevnetHome.PinContract(spec[..equals].Trim(), spec[(equals + 1)..].Trim());
    }

    private static Command Start()
    {
        var home = HomeOption();
        var blockTime = CommonOptions.Optional("--block-time", "Time between blocks, e.g. 500ms or 1s (default from config, 500ms).");
        var rpc = CommonOptions.Optional("--rpc", "RPC listen address, loopback only (default from config, 127.0.0.1:26657; port 0 = any free port).");
        var haltHeight = new Option<long>("--halt-height") { Description = "Stop after committing this height (0 = run until stopped)." };
        var cmd = new Command("start", "Run the devnet node until stopped (Ctrl+C / SIGTERM); everything persists under the home directory.") { home, blockTime, rpc, haltHeight };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var dir = new DevnetHome(ResolveHome(parsed.GetValue(home)));
            if (!dir.IsInitialized)
            {
                throw new CliInputException($"{dir.GenesisPath} not found; run 'citrine devnet init --home {dir.Root}' first");
            }
            var config = dir.LoadConfig();
            if (parsed.GetValue(blockTime) is { } bt)
            {
                config = config with { BlockTime = ParseDuration(bt, "--block-time") };
            }
            var listen = parsed.GetValue(rpc) ?? config.RpcAddress;
            try
            {
                RpcServer.ParseLoopback(listen);
            }
            catch (ArgumentException e)
            {
                throw new CliInputException($"--rpc: {e.Message}", e);
            }
            dir.SaveConfig(config);
            var halt = parsed.GetValue(haltHeight);
            using var stop = new Dev.TerminationSignal(cancellationToken);
            ChainNode node;
            try
            {
                node = ChainNode.Open(dir, SystemNodeClock.Instance);
            }
            catch (Exception e) when (e is DevnetHomeException or GenesisException or NodeStartException or Chain.Blocks.BlockStoreException or Store.StoreException)
            {
                throw new CliFailureException($"cannot start the node: {e.Message}", e);
            }
            using (node)
            {
                if (halt > 0 && node.Height >= halt)
                {
                    output.WriteLine($"already at height {node.Height} >= --halt-height {halt}");
                    return CliApp.Ok;
                }
                if (halt > 0)
                {
                    node.BlockCommitted += (block, _) =>
                    {
                        if (block.Block.Height >= halt)
                        {
                            stop.Cancel();
                        }
                    };
                }
                await using var server = await RpcServer.StartAsync(node, listen, config.MaxRequestBytes, stop.Token).ConfigureAwait(false);
                output.WriteLine($"citrine devnet '{node.ChainId}' at height {node.Height}; RPC on {server.Address}");
                output.Flush();
                await node.RunAsync(stop.Token).ConfigureAwait(false);
                await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
                output.WriteLine($"stopped at height {node.Height}");
            }
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>Parses <c>500ms</c>, <c>2s</c>, <c>1.5s</c>, <c>1m</c>; 10 ms to 1 hour.</summary>
    internal static TimeSpan ParseDuration(string text, string option)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, double.NaN);
        if (double.IsNaN(unit) || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new CliInputException($"{option}: '{text}' is not a duration like 500ms, 2s or 1m");
        }
        var span = TimeSpan.FromMilliseconds(value * unit);
        if (span < TimeSpan.FromMilliseconds(10) || span > TimeSpan.FromHours(1))
        {
            throw new CliInputException($"{option}: {text} is outside 10ms..1h");
        }
        return span;
    }
}

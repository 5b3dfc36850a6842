using System.CommandLine;
using System.Diagnostics;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Cli.Dev;
using Citrine.CometBft.Types;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Execution;
using Citrine.Host.Handshake;
using Citrine.Host.Proofs;
using Citrine.Host.Transactions;
using Spectre.Console;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine dev</c>, the main job: from nothing, a devnet node and an enclave, each its own
/// process on loopback, the simulated collateral registered in the node's attestation registry,
/// the session contract instantiated and the three-step handshake run by the host relay (this
/// process), then the session printed and kept (re-attested before its attestation expires, a
/// child that dies restarted) until Ctrl-C. Every step resumes: run it again on the same home and
/// it continues where the last run stopped. With <c>--app transfers</c> it also runs the execution
/// relay and serves the Transfers page on 127.0.0.1 (<c>--web</c>) for as long as it runs.
/// </summary>
internal static class DevCommands
{
    public const string DefaultChainId = "citrine-dev-1";

    public static Command Create()
    {
        var home = CommonOptions.Optional("--home", "The dev home (devnet, enclave and host state; default ~/.citrine/dev).");
        var mode = new Option<string>("--mode") { Description = "The enclave's mode: simulated-dcap (the real DCAP path against a local test root) or mock.", DefaultValueFactory = _ => "simulated-dcap" };
        var tee = new Option<string>("--tee") { Description = "simulated-dcap: sgx or tdx quotes.", DefaultValueFactory = _ => "sgx" };
        var rpc = new Option<string>("--rpc") { Description = "The node's RPC address (loopback; port 0 = any free port).", DefaultValueFactory = _ => "127.0.0.1:26657" };
        var enclave = new Option<string>("--enclave-listen") { Description = "The enclave's gRPC address (loopback; port 0 = any free port).", DefaultValueFactory = _ => "127.0.0.1:7000" };
        var blockTime = new Option<string>("--block-time") { Description = "Time between blocks.", DefaultValueFactory = _ => "500ms" };
        var fresh = new Option<bool>("--fresh") { Description = "Delete the dev home first." };
        var once = new Option<bool>("--once") { Description = "Stop the node and the enclave and exit once the session is established (scripts, tests)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per line: progress events, then the session." };
        var app = new Option<string>("--app") { Description = "The app to run: none (the session sample) or transfers (the private-transfers contract, the enclave's transfers handler and the execution relay).", DefaultValueFactory = _ => "none" };
        var web = new Option<string>("--web") { Description = "With --app transfers: where the page is served (127.0.0.1 only; port 0 = any free port), or none.", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var cmd = new Command("dev", "Run the whole system on this machine: devnet, enclave, collateral, contract, handshake; keep it running until Ctrl-C.")
        {
            home, mode, tee, rpc, enclave, blockTime, fresh, once, json, app, web,
        };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var options = new DevOptions(
                parsed.GetValue(home) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".citrine", "dev"),
                parsed.GetValue(mode)!, parsed.GetValue(tee)!, parsed.GetValue(rpc)!, parsed.GetValue(enclave)!, parsed.GetValue(blockTime)!,
                parsed.GetValue(fresh), parsed.GetValue(once), parsed.GetValue(json), parsed.GetValue(app)!, parsed.GetValue(web)!);
            options.Validate();
            using var stop = new Dev.TerminationSignal(cancellationToken);
            return await new DevRun(options, parsed.InvocationConfiguration.Output).RunAsync(stop.Token).ConfigureAwait(false);
        });
        return cmd;
    }

    internal sealed record DevOptions(string Home, string Mode, string Tee, string Rpc, string EnclaveListen, string BlockTime, bool Fresh, bool Once, bool Json, string App = "none", string Web = "127.0.0.1:8080")
    {
        /// <summary>The contract type genesis registers and the handshake instantiates.</summary>
        public string ContractType => App == "transfers" ? HostWiring.TransfersContractType : HostWiring.SessionContractType;

        /// <summary>Its dll, beside this citrine under contracts/.</summary>
        public string ContractDll => App == "transfers" ? "Transfers.Contract.dll" : "Citrine.Samples.Session.dll";

        public void Validate()
        {
            if (App is not ("none" or "transfers"))
            {
                throw new CliInputException($"--app must be none or transfers, got '{App}'");
            }
            if (Mode is not ("simulated-dcap" or "mock"))
            {
                throw new CliInputException($"--mode must be simulated-dcap or mock, got '{Mode}' (gramine-sgx and tdx run on their hardware: 'citrine enclave start')");
            }
            if (Tee is not ("sgx" or "tdx"))
            {
                throw new CliInputException($"--tee must be sgx or tdx, got '{Tee}'");
            }
            DevnetCommands.ParseDuration(BlockTime, "--block-time");
            _ = WebPort;
        }

        /// <summary>
        /// The page's port from <c>--web</c>, or null for <c>none</c>: the page signs with devnet keys
        /// for whoever reaches it, so it is served on loopback only and the option takes no other host.
        /// </summary>
        public int? WebPort
        {
            get
            {
                if (Web == "none")
                {
                    return null;
                }
                var colon = Web.LastIndexOf(':');
                if (colon < 0 || Web[..colon] is not ("127.0.0.1" or "localhost")
                    || !int.TryParse(Web.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                    || port > System.Net.IPEndPoint.MaxPort)
                {
                    throw new CliInputException($"--web must be 127.0.0.1:PORT (loopback only; port 0 = any free port) or none, got '{Web}'");
                }
                return port;
            }
        }
    }

    /// <summary>One run of <c>citrine dev</c>: its children, its host wiring and its output.</summary>
    private sealed class DevRun(DevOptions options, TextWriter output)
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private ChildProcess? _node;
        private ChildProcess? _enclave;

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                var home = Prepare();
                _node = await StartNodeAsync(home, options.Rpc, cancellationToken).ConfigureAwait(false);
                var rpc = new Uri(After(_node.ReadyLine, "RPC on "));
                _enclave = await StartEnclaveAsync(home, options.EnclaveListen, cancellationToken).ConfigureAwait(false);
                var grpc = new Uri("http://" + After(_enclave.ReadyLine, EnclaveReadyMarker));
                using var host = HostWiring.Create(home, rpc, grpc, DevnetHome.AdminKeyName, Path.Combine(home.Root, "host"));
                // Collateral and the trust root are dated by the node's first committed block.
                var first = await host.FirstBlockAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
                if (options.Mode == "simulated-dcap")
                {
                    await RegisterCollateralAsync(host, first, cancellationToken).ConfigureAwait(false);
                }
                var measurement = options.Mode == "mock" ? null : HostWiring.SimulatedMeasurement(options.Tee);
                var summary = await SessionCommands.Guard(async () =>
                {
                    var config = await host.ConfigAsync(measurement, cancellationToken).ConfigureAwait(false);
                    var timer = new SessionCommands.HandshakeTimer(SessionCommands.Progress(output, options.Json));
                    var driver = host.Driver(timer);
                    var s = await driver.RunAsync(options.ContractType, config, cancellationToken).ConfigureAwait(false);
                    SessionCommands.WriteSummary(output, options.Json, host.Genesis, s, timer);
                    Say($"node RPC {rpc}  enclave gRPC {grpc}  home {home.Root}");
                    if (options.Once)
                    {
                        return CliApp.Ok;
                    }
                    await using var web = options is { App: "transfers", WebPort: { } port }
                        ? await TransfersWebServer.StartAsync(home, host.Genesis, rpc, host.Enclave, s.Contract, port, TransfersWebServer.DefaultRoot, cancellationToken).ConfigureAwait(false)
                        : null;
                    if (web is not null)
                    {
                        Web(web.Address);
                    }
                    Say("running; Ctrl-C to stop");
                    await KeepAsync(host, driver, s, rpc, grpc, home, cancellationToken).ConfigureAwait(false);
                    return CliApp.Ok;
                }).ConfigureAwait(false);
                return summary;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Say("stopping");
                return CliApp.Ok;
            }
            catch (ChildProcessException e)
            {
                throw new CliFailureException(e.Message, e);
            }
            finally
            {
                await StopAsync(_enclave).ConfigureAwait(false);
                await StopAsync(_node).ConfigureAwait(false);
            }
        }

        private const string EnclaveReadyMarker = EnclaveCommands.ReadyMarker;

        private DevnetHome Prepare()
        {
            if (options.Fresh && Directory.Exists(options.Home))
            {
                Directory.Delete(options.Home, recursive: true);
            }
            var home = new DevnetHome(options.Home);
            if (home.IsInitialized)
            {
                Say($"resuming in {home.Root}");
                return home;
            }
            var contract = Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "contracts", options.ContractDll);
            if (!File.Exists(contract))
            {
                throw new CliFailureException($"the contract is not beside this citrine ({contract}); build src/Citrine.Cli, which builds it");
            }
            try
            {
                // The registry pins the simulated-DCAP root in both modes: a mock session never asks it.
                var genesis = home.Initialize(DefaultChainId, 1, Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()), accounts: 2,
                    attestation: DevnetCommands.SimulatedRoot(EnclaveSeed), contracts: [DevnetHome.PinContract(options.ContractType, contract)]);
                Say($"initialised devnet '{genesis.ChainId}' in {home.Root} (attestation root: simulated, the local test PKI)");
            }
            catch (Exception e) when (e is DevnetHomeException or GenesisException or IOException or UnauthorizedAccessException)
            {
                throw new CliInputException(e.Message, e);
            }
            return home;
        }

        private const string EnclaveSeed = "citrine-dev";

        private async Task<ChildProcess> StartNodeAsync(DevnetHome home, string listen, CancellationToken cancellationToken)
        {
            var node = await ChildProcess.StartAsync("node", ["devnet", "start", "--home", home.Root, "--rpc", listen, "--block-time", options.BlockTime], "RPC on ", StartTimeout, cancellationToken).ConfigureAwait(false);
            Say($"node started (pid {node.Id}): {node.ReadyLine.Trim()}");
            return node;
        }

        private async Task<ChildProcess> StartEnclaveAsync(DevnetHome home, string listen, CancellationToken cancellationToken)
        {
            string[] arguments = ["enclave", "start", "--mode", options.Mode, "--listen", listen, "--data", Path.Combine(home.Root, "enclave"), "--tee", options.Tee, "--simulated-seed", EnclaveSeed];
            var enclave = await ChildProcess.StartAsync("enclave", options.App == "none" ? arguments : [.. arguments, "--app", options.App],
                EnclaveReadyMarker, StartTimeout, cancellationToken).ConfigureAwait(false);
            Say($"enclave started (pid {enclave.Id}): {enclave.ReadyLine.Trim()}");
            return enclave;
        }

        /// <summary>Uploads the simulated collateral; an update the registry already holds (or holds newer) is not an error.</summary>
        private async Task RegisterCollateralAsync(HostWiring host, Citrine.CometBft.Json.NodeStatus status, CancellationToken cancellationToken)
        {
            var block = await host.Chain.LightBlockAsync(status.LatestBlockHeight, cancellationToken).ConfigureAwait(false);
            var issuedAt = block.Header.Time.ToDateTimeOffset();
            var registered = 0;
            var updates = SimulatedCollateral.Updates(EnclaveSeed, issuedAt, host.Submitter.Sender.ToArray());
            foreach (var (what, update) in updates)
            {
                var outcome = await host.Submitter.SubmitAsync([update], cancellationToken).ConfigureAwait(false);
                if (outcome.IsOk)
                {
                    registered++;
                }
                else if (!SimulatedCollateral.AlreadyCurrent((int)outcome.Code))
                {
                    throw new CliFailureException($"the registry refused the simulated {what}: code {outcome.Code} {outcome.Log}");
                }
            }
            Progress("RegisterCollateral", $"simulated collateral: {registered} update(s) registered, {updates.Count - registered} already current", status.LatestBlockHeight);
        }

        /// <summary>
        /// Keeps the session, as the relay: follows the contract's events and the chain's blocks over
        /// the node's WebSocket (resuming from the last height after a dropped connection), reports
        /// every change of the session record that a tx makes (an admin removing the measurement
        /// ends it), re-attests when the attestation is within a tenth of its lifetime of expiring,
        /// and restarts a child that died (same home, same address, so its state and the host's
        /// clients carry on; a restarted enclave resumes from its sealed state).
        /// </summary>
        private async Task KeepAsync(HostWiring host, HandshakeDriver driver, HandshakeSummary summary, Uri rpc, Uri grpc, DevnetHome home, CancellationToken cancellationToken)
        {
            var expiry = summary.AttestationExpiry;
            var lifetime = expiry - DateTimeOffset.UtcNow;
            var condition = $"wasm._contract_address='{host.Genesis.Bech32(summary.Contract)}'";
            var from = (await host.Chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
            var relay = options.App == "none" ? null : host.Relay(summary.Contract, new RelayReporter(output, options.Json));
            while (true)
            {
                try
                {
                    using var subscription = new ChainSubscription(host.Chain, condition, from);
                    await foreach (var note in subscription.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        from = note.Height;
                        await RestartDeadAsync(host, driver, rpc, grpc, home, cancellationToken).ConfigureAwait(false);
                        if (note is TxNotification tx)
                        {
                            var (record, _) = await driver.ReadRecordAsync(summary.Contract, cancellationToken).ConfigureAwait(false);
                            var phase = record is null ? "absent" : Contracts.Session.SessionMessages.PhaseName(record.Phase);
                            Progress("ContractEvent", $"tx {tx.Tx.Hash} at height {tx.Tx.Height} (code {tx.Tx.Code}): session {record?.Id} is {phase}", tx.Tx.Height);
                            if (record is not null && record.AttestationExpiryUnixSeconds != expiry.ToUnixTimeSeconds())
                            {
                                expiry = DateTimeOffset.FromUnixTimeSeconds(record.AttestationExpiryUnixSeconds);
                            }
                        }
                        else if (DateTimeOffset.UtcNow >= expiry - (lifetime / 10))
                        {
                            summary = await driver.ReattestAsync(cancellationToken).ConfigureAwait(false);
                            expiry = summary.AttestationExpiry;
                            Progress("Reattest", $"attestation renewed until {expiry:u}", summary.VerifiedHeight);
                        }
                        if (relay is not null)
                        {
                            // The relay re-reads the queue itself; a pass after every block or contract tx keeps at most one output in flight.
                            await relay.DrainAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (RelayException e)
                {
                    throw new CliFailureException($"execution relay stopped: {e.Message}", e);
                }
                catch (Exception e) when (e is EnclaveClientException { Kind: EnclaveErrorKind.Unreachable }
                    or PublicationProofException { Error: ProofBuildError.NodeUnreachable }
                    or TxSubmitException { Kind: TxSubmitErrorKind.Unreachable or TxSubmitErrorKind.NotCommitted })
                {
                    // A child is down or restarting: bring it back; the relay resumes from the chain's queue and its own pending output.
                    Say($"relay paused: {e.Message}");
                    await RestartDeadAsync(host, driver, rpc, grpc, home, cancellationToken).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (ChainClientException e)
                {
                    // The node is unreachable (it died, or is restarting): bring it back, then follow on from the last height seen.
                    Say($"lost the node's event stream: {e.Message}");
                    await RestartDeadAsync(host, driver, rpc, grpc, home, cancellationToken).ConfigureAwait(false);
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private async Task RestartDeadAsync(HostWiring host, HandshakeDriver driver, Uri rpc, Uri grpc, DevnetHome home, CancellationToken cancellationToken)
        {
            if (_node!.HasExited)
            {
                Say($"node exited with code {_node.ExitCode}; restarting: {_node.Errors.Trim()}");
                _node.Dispose();
                _node = await StartNodeAsync(home, rpc.Authority, cancellationToken).ConfigureAwait(false);
            }
            if (_enclave!.HasExited)
            {
                Say($"enclave exited with code {_enclave.ExitCode}; restarting: {_enclave.Errors.Trim()}");
                _enclave.Dispose();
                _enclave = await StartEnclaveAsync(home, grpc.Authority, cancellationToken).ConfigureAwait(false);
                // It resumes from its sealed state; the driver checks it still holds the session's keys.
                await driver.RunAsync(options.ContractType, Convert.FromBase64String(new HandshakeStateFile(host.DataDirectory).Load()!.Config), cancellationToken).ConfigureAwait(false);
            }
        }

        private void Progress(string step, string detail, long height)
        {
            if (options.Json)
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("event", "progress");
                    w.WriteString("step", step);
                    w.WriteString("status", "Completed");
                    w.WriteString("detail", detail);
                    w.WriteNumber("height", height);
                    w.WriteNumber("elapsed_ms", Math.Round(_clock.Elapsed.TotalMilliseconds, 1));
                });
            }
            else
            {
                SessionCommands.Console(output).MarkupLine($"[green]done[/] [bold]{step,-16}[/] {Markup.Escape(detail)} [grey](height {height})[/]");
            }
            output.Flush();
        }

        /// <summary>Relay progress as lines: batches, lost races, and per batch the latency of its requests (blocks and block time from queued to applied).</summary>
        private sealed class RelayReporter(TextWriter output, bool json) : IProgress<RelayProgress>
        {
            public void Report(RelayProgress value)
            {
                if (value.Event == RelayEvent.Idle)
                {
                    return;
                }
                if (json)
                {
                    CliOutput.WriteJson(output, w =>
                    {
                        w.WriteString("event", "relay");
                        w.WriteString("step", value.Event.ToString());
                        w.WriteNumber("first_seq", value.FirstSeq);
                        w.WriteNumber("end_seq", value.EndSeq);
                        w.WriteNumber("height", value.Height);
                        w.WriteString("detail", value.Detail);
                        w.WriteNumber("batches", value.Totals.Batches);
                        w.WriteNumber("requests", value.Totals.Requests);
                        w.WriteNumber("lost_races", value.Totals.LostRaces);
                        if (value.Latencies.Count > 0)
                        {
                            w.WriteNumber("latency_blocks_max", value.Latencies.Max(l => l.Blocks));
                            w.WriteNumber("latency_blocks_mean", Math.Round(value.Latencies.Average(l => l.Blocks), 2));
                            w.WriteNumber("latency_ms_max", Math.Round(value.Latencies.Max(l => l.WallTime.TotalMilliseconds), 1));
                            w.WriteNumber("latency_ms_mean", Math.Round(value.Latencies.Average(l => l.WallTime.TotalMilliseconds), 1));
                        }
                        w.WriteNumber("elapsed_ms", Math.Round(value.Elapsed.TotalMilliseconds, 1));
                    });
                }
                else
                {
                    var latency = value.Latencies.Count == 0 ? ""
                        : $" — latency {value.Latencies.Average(l => l.Blocks):0.#} blocks, {value.Latencies.Average(l => l.WallTime.TotalSeconds):0.##} s mean";
                    output.WriteLine($"relay {value.Event,-14} [{value.FirstSeq}, {value.EndSeq}) {value.Detail}{latency} (total {value.Totals.Requests} requests in {value.Totals.Batches} batches)");
                }
                output.Flush();
            }
        }

        /// <summary>The page's address: a line of its own, and <c>{"event":"web","url":…}</c> under --json.</summary>
        private void Web(Uri url)
        {
            if (options.Json)
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("event", "web");
                    w.WriteString("url", url.ToString());
                });
            }
            else
            {
                output.WriteLine($"transfers page: {url}");
            }
            output.Flush();
        }

        private void Say(string line)
        {
            if (options.Json)
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("event", "info");
                    w.WriteString("message", line);
                });
            }
            else
            {
                output.WriteLine(line);
            }
            output.Flush();
        }

        private static async Task StopAsync(ChildProcess? child)
        {
            if (child is null)
            {
                return;
            }
            await child.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            child.Dispose();
        }

        private static string After(string line, string marker)
        {
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            return at < 0 ? throw new ChildProcessException($"'{line}' does not name an address after '{marker}'") : line[(at + marker.Length)..].Trim();
        }
    }
}

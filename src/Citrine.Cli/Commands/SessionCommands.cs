using System.CommandLine;
using System.Globalization;
using Citrine.Chain.Devnet;
using Citrine.Cli.Dev;
using Citrine.Contracts.Session;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Handshake;
using Citrine.Host.Proofs;
using Spectre.Console;

namespace Citrine.Cli.Commands;

/// <summary>
/// The host relay's steps as commands: <c>citrine contract instantiate</c> (step 1),
/// <c>citrine handshake</c> (all three, resuming wherever the chain and the enclave are) and
/// <c>citrine session show</c>. Each runs the host as its own process against a node and an
/// enclave on loopback; its state lives in the data directory, so a killed run continues.
/// </summary>
internal static class SessionCommands
{
    public static IEnumerable<Command> Create()
    {
        var contract = new Command("contract", "Deploy session contracts.");
        contract.Subcommands.Add(Instantiate());
        yield return contract;
        yield return Handshake();
        var session = new Command("session", "The contract's enclave session.");
        session.Subcommands.Add(Show());
        yield return session;
    }

    private sealed record HostOptions(Option<string?> Home, Option<string?> Node, Option<string?> Enclave, Option<string?> From, Option<string?> Data, Option<string?> Mode, Option<string?> Tee, Option<bool> Json)
    {
        public static HostOptions Create() => new(
            CommonOptions.Optional("--home", "The devnet home (genesis and account keys; default ~/.citrine/devnet)."),
            CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657)."),
            CommonOptions.Optional("--enclave", "The enclave's gRPC URL (default http://127.0.0.1:7000)."),
            CommonOptions.Optional("--from", "The host's account key name in <home>/keys (default admin)."),
            CommonOptions.Optional("--data", "The host's state directory (default <home>/host)."),
            CommonOptions.Optional("--measurement-of", "The measurement the config accepts, for a new deployment: mock (the enclave's own), simulated-sgx or simulated-tdx (the simulated-DCAP build's); default: from the enclave's mode."),
            CommonOptions.Optional("--tee", "With a simulated-dcap enclave: sgx (default) or tdx."),
            CommonOptions.Json());

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Home, Node, Enclave, From, Data, Mode, Tee, Json })
            {
                command.Options.Add(option);
            }
        }

        public HostWiring Wire(ParseResult parsed) => HostWiring.Create(
            new DevnetHome(DevnetCommands.ResolveHome(parsed.GetValue(Home))),
            Url(parsed.GetValue(Node) ?? "http://127.0.0.1:26657", "--node"),
            Url(parsed.GetValue(Enclave) ?? "http://127.0.0.1:7000", "--enclave"),
            parsed.GetValue(From) ?? DevnetHome.AdminKeyName,
            parsed.GetValue(Data));

        public async Task<Measurement?> MeasurementAsync(ParseResult parsed, HostWiring host, CancellationToken cancellationToken)
        {
            var choice = parsed.GetValue(Mode);
            if (choice is null)
            {
                var status = await host.Enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
                choice = status.Mode == "simulated-dcap" ? "simulated-" + (parsed.GetValue(Tee) ?? "sgx") : status.Mode;
            }
            return choice switch
            {
                "mock" => null,
                "simulated-sgx" => HostWiring.SimulatedMeasurement("sgx"),
                "simulated-tdx" => HostWiring.SimulatedMeasurement("tdx"),
                var other => throw new CliInputException($"--measurement-of: '{other}' is not mock, simulated-sgx or simulated-tdx (a real TEE's measurement comes from its signed build)"),
            };
        }
    }

    private static Command Instantiate() => HostCommand(
        "instantiate", "Step 1: the enclave attests to a new config and the session contract is instantiated with it.",
        async (host, config, output, json, cancellationToken) =>
        {
            var contract = await host.Driver(Progress(output, json)).InstantiateAsync(HostWiring.SessionContractType, config, cancellationToken).ConfigureAwait(false);
            if (json)
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("event", "instantiated");
                    w.WriteString("contract", host.Genesis.Bech32(contract));
                    w.WriteString("contract_hex", Convert.ToHexString(contract));
                });
            }
            else
            {
                output.WriteLine($"contract {host.Genesis.Bech32(contract)}");
            }
        });

    private static Command Handshake() => HostCommand(
        "handshake", "Run or resume the three-step handshake (instantiate, session create, session set pub key) between the contract and the enclave.",
        async (host, config, output, json, cancellationToken) =>
        {
            var timer = new HandshakeTimer(Progress(output, json));
            var summary = await host.Driver(timer).RunAsync(HostWiring.SessionContractType, config, cancellationToken).ConfigureAwait(false);
            WriteSummary(output, json, host.Genesis, summary, timer);
        });

    /// <summary>A host command: wire the host to the node and the enclave, settle this deployment's config, run <paramref name="run"/>; typed failures exit 1.</summary>
    private static Command HostCommand(string name, string description, Func<HostWiring, byte[], TextWriter, bool, CancellationToken, Task> run)
    {
        var options = HostOptions.Create();
        var cmd = new Command(name, description);
        options.AddTo(cmd);
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            using var host = options.Wire(parsed);
            return await Guard(async () =>
            {
                var config = await host.ConfigAsync(await options.MeasurementAsync(parsed, host, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                await run(host, config, parsed.InvocationConfiguration.Output, parsed.GetValue(options.Json), cancellationToken).ConfigureAwait(false);
                return CliApp.Ok;
            }).ConfigureAwait(false);
        });
        return cmd;
    }

    private static Command Show()
    {
        var home = CommonOptions.Optional("--home", "The devnet home (for the address prefix; default ~/.citrine/devnet).");
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var contract = CommonOptions.Optional("--contract", "The contract address (bech32 or hex); default: the one <home>/host deployed.");
        var history = new Option<bool>("--history") { Description = "Also list ended and replaced sessions." };
        var json = CommonOptions.Json();
        var cmd = new Command("show", "Show the contract's current session record (and its history).") { home, node, contract, history, json };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var dir = new DevnetHome(DevnetCommands.ResolveHome(parsed.GetValue(home)));
            var genesis = dir.LoadGenesis();
            var address = parsed.GetValue(contract) is { } text
                ? text.StartsWith(genesis.AddressPrefix, StringComparison.Ordinal) ? TxCommands.Address(text, genesis.AddressPrefix) : CliInput.Hex(text, "--contract")
                : new HandshakeStateFile(Path.Combine(dir.Root, "host")).Load()?.Contract is { } known ? Convert.FromHexString(known)
                : throw new CliInputException($"no --contract given and {Path.Combine(dir.Root, "host")} has deployed none");
            using var http = QueryCommands.Client(parsed.GetValue(node));
            var chain = new CometRpcClient(http.BaseAddress!, http);
            async Task<byte[]> Query(SessionQuery query)
            {
                var answer = await chain.AbciQueryAsync("/wasm/smart/" + Convert.ToHexString(address), SessionMessages.Query(query), 0, prove: false, cancellationToken).ConfigureAwait(false);
                return answer.IsOk && answer.Value is { } value ? value : throw new CliFailureException($"the node refused the session query: code {answer.Code} {answer.Log}");
            }
            SessionRecord? record;
            IReadOnlyList<SessionRecord> past = [];
            try
            {
                record = SessionMessages.ParseSessionAnswer(await Query(SessionQuery.Session).ConfigureAwait(false));
                if (parsed.GetValue(history))
                {
                    past = SessionMessages.ParseHistoryAnswer(await Query(SessionQuery.SessionHistory).ConfigureAwait(false));
                }
            }
            catch (ChainClientException e)
            {
                throw new CliFailureException(e.Message, e);
            }
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("contract", genesis.Bech32(address));
                    w.WritePropertyName("session");
                    if (record is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        SessionMessages.WriteRecord(w, record);
                    }
                    if (parsed.GetValue(history))
                    {
                        w.WriteStartArray("history");
                        foreach (var r in past)
                        {
                            SessionMessages.WriteRecord(w, r);
                        }
                        w.WriteEndArray();
                    }
                });
            }
            else if (record is null)
            {
                output.WriteLine($"contract {genesis.Bech32(address)}: no session");
            }
            else
            {
                output.WriteLine($"contract {genesis.Bech32(address)}");
                output.WriteLine($"session {record.Id} {SessionMessages.PhaseName(record.Phase)}, created at height {record.CreatedHeight}, verified height {record.VerifiedHeight}");
                output.WriteLine($"signing key    {Convert.ToHexStringLower(record.SigningKey)}");
                output.WriteLine($"encryption key {Convert.ToHexStringLower(record.EncryptionKey)}");
                output.WriteLine($"attestation expires {DateTimeOffset.FromUnixTimeSeconds(record.AttestationExpiryUnixSeconds):u}");
                foreach (var r in past)
                {
                    output.WriteLine($"history: session {r.Id} {SessionMessages.PhaseName(r.Phase)} ({SessionMessages.EndReasonName(r.EndReason)})");
                }
            }
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>Progress as text lines, or as one JSON object per line with <c>--json</c> (scripts read the stream).</summary>
    internal static IProgress<HandshakeProgress> Progress(TextWriter output, bool json) => new LineProgress(output, json);

    internal static void WriteSummary(TextWriter output, bool json, Chain.Genesis.GenesisDoc genesis, HandshakeSummary s, HandshakeTimer? timer = null)
    {
        // Latency only when this run did the whole handshake (a resumed run measures nothing).
        var latency = timer?.Latency(s);
        if (json)
        {
            CliOutput.WriteJson(output, w =>
            {
                w.WriteString("event", "established");
                w.WriteString("contract", genesis.Bech32(s.Contract));
                w.WriteString("contract_hex", Convert.ToHexString(s.Contract));
                w.WriteString("mode", s.Mode);
                w.WriteString("measurement", Convert.ToHexStringLower(s.Measurement));
                w.WriteNumber("session_id", s.SessionId);
                w.WriteString("nonce", Convert.ToHexStringLower(s.Nonce));
                w.WriteString("signing_key", Convert.ToHexStringLower(s.SigningKey));
                w.WriteString("encryption_key", Convert.ToHexStringLower(s.EncryptionKey));
                w.WriteNumber("instantiate_height", s.InstantiateHeight);
                w.WriteNumber("session_create_height", s.SessionCreateHeight);
                w.WriteNumber("verified_height", s.VerifiedHeight);
                w.WriteString("attestation_expiry", s.AttestationExpiry.ToString("O", CultureInfo.InvariantCulture));
                w.WriteBoolean("insecure", s.Mode is "mock" or "simulated-dcap");
                if (latency is { } l)
                {
                    w.WriteNumber("handshake_ms", Math.Round(l.Elapsed.TotalMilliseconds, 1));
                    w.WriteNumber("handshake_blocks", l.Blocks);
                }
            });
            return;
        }
        var console = Console(output);
        var insecure = s.Mode is "mock" or "simulated-dcap";
        console.WriteLine();
        console.MarkupLine(insecure
            ? $"[bold green]Session established[/] [yellow](INSECURE: {s.Mode} proves nothing about hardware)[/]"
            : "[bold green]Session established[/]");
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("field").AddColumn("value");
        table.AddRow("contract", Markup.Escape(genesis.Bech32(s.Contract)));
        table.AddRow("mode", Markup.Escape(s.Mode));
        table.AddRow("measurement", Convert.ToHexStringLower(s.Measurement));
        table.AddRow("session", $"{s.SessionId} (nonce {Convert.ToHexStringLower(s.Nonce)})");
        table.AddRow("signing key", $"{Convert.ToHexStringLower(s.SigningKey)} (Ed25519)");
        table.AddRow("encryption key", $"{Convert.ToHexStringLower(s.EncryptionKey)} (X25519, HPKE)");
        table.AddRow("heights", $"instantiate {s.InstantiateHeight}, session create {s.SessionCreateHeight}, verified {s.VerifiedHeight}");
        table.AddRow("attestation", $"valid until {s.AttestationExpiry:u}");
        if (latency is { } t)
        {
            table.AddRow("handshake", $"{t.Elapsed.TotalSeconds:0.00} s, {t.Blocks} blocks from the instantiate tx to the established session");
        }
        console.Write(table);
        output.Flush();
    }

    /// <summary>A Spectre console over <paramref name="output"/>: colours on a terminal, plain text into a file or a test's writer.</summary>
    internal static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (!console.Profile.Capabilities.Ansi)
        {
            // Not a terminal (a log file, a pipe): no width to fit, so keep keys and hashes on one line.
            console.Profile.Width = 200;
        }
        return console;
    }

    /// <summary>
    /// Times the handshake from the start of step 1 to the commit of SessionSetPubKey, in wall time
    /// and in blocks (the SetPubKey tx's height minus the instantiate tx's), passing every report on.
    /// </summary>
    internal sealed class HandshakeTimer(IProgress<HandshakeProgress> inner) : IProgress<HandshakeProgress>
    {
        private readonly System.Diagnostics.Stopwatch _clock = new();
        private TimeSpan? _elapsed;
        private long _established;

        public void Report(HandshakeProgress value)
        {
            if (value is { Step: HandshakeStep.Instantiate, Status: StepStatus.Started })
            {
                _clock.Restart();
            }
            else if (value is { Step: HandshakeStep.SessionSetPubKey, Status: StepStatus.Completed, Height: { } height } && _clock.IsRunning)
            {
                _elapsed = _clock.Elapsed;
                _established = height;
            }
            inner.Report(value);
        }

        public (TimeSpan Elapsed, long Blocks)? Latency(HandshakeSummary summary) =>
            _elapsed is { } elapsed ? (elapsed, _established - summary.InstantiateHeight) : null;
    }

    /// <summary>Maps the host's typed failures to exit codes: a refusal is 1 with its reason, never a stack trace.</summary>
    internal static async Task<int> Guard(Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (HandshakeException e)
        {
            throw new CliFailureException($"handshake: {e.Error}: {e.Message}", e);
        }
        catch (EnclaveClientException e)
        {
            throw new CliFailureException($"enclave: {e.Message}", e);
        }
        catch (ChainClientException e)
        {
            throw new CliFailureException($"node: {e.Message}", e);
        }
        catch (PublicationProofException e)
        {
            throw new CliFailureException($"proof: {e.Message}", e);
        }
        catch (SessionConfigException e)
        {
            throw new CliFailureException($"config: {e.Message}", e);
        }
    }

    private static Uri Url(string text, string option) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw new CliInputException($"{option}: '{text}' is not an http(s) URL");

    private sealed class LineProgress(TextWriter output, bool json) : IProgress<HandshakeProgress>
    {
        private readonly IAnsiConsole _console = Console(output);

        public void Report(HandshakeProgress value)
        {
            if (json)
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteString("event", "progress");
                    w.WriteString("step", value.Step.ToString());
                    w.WriteString("status", value.Status.ToString());
                    w.WriteString("detail", value.Detail);
                    if (value.Height is { } h)
                    {
                        w.WriteNumber("height", h);
                    }
                    w.WriteNumber("elapsed_ms", Math.Round(value.Elapsed.TotalMilliseconds, 1));
                });
            }
            else
            {
                var mark = value.Status switch { StepStatus.Completed => "[green]done[/]", StepStatus.Skipped => "[blue]skip[/]", _ => "[grey]....[/]" };
                _console.MarkupLine($"{mark} [bold]{value.Step,-16}[/] {Markup.Escape(value.Detail)}{(value.Height is { } h ? $" [grey](height {h})[/]" : "")} [grey]{value.Elapsed.TotalSeconds:0.00}s[/]");
            }
            output.Flush();
        }
    }
}

using System.CommandLine;
using Citrine.Attestation.Attestors;
using Citrine.Enclave.Execution;
using Citrine.Enclave.Modes;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Service;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine enclave start</c>: run the enclave runtime and its gRPC server (docs/enclave.md).
/// When it serves, it prints one line <c>citrine enclave (MODE) listening on HOST:PORT</c>, so a
/// parent process started with <c>--listen 127.0.0.1:0</c> can read the bound port; it runs until
/// Ctrl+C or SIGTERM.
/// </summary>
internal static class EnclaveCommands
{
    /// <summary>The text before the bound address in the ready line.</summary>
    public const string ReadyMarker = "listening on ";

    /// <param name="apps">The apps <c>--app NAME</c> may select (the CLI composes them; see <see cref="EnclaveApps"/>).</param>
    public static Command Create(EnclaveAppRegistry apps)
    {
        ArgumentNullException.ThrowIfNull(apps);
        var enclave = new Command("enclave", "Run the Citrine enclave (handshake, sealing, gRPC for the host).");
        enclave.Subcommands.Add(Start(apps));
        return enclave;
    }

    private static Command Start(EnclaveAppRegistry apps)
    {
        var mode = CommonOptions.Required("--mode", "mock | simulated-dcap | gramine-sgx | tdx.");
        var listen = new Option<string>("--listen") { Description = "gRPC listen address, loopback unless --allow-non-loopback (port 0 = any free port).", DefaultValueFactory = _ => "127.0.0.1:7000" };
        var data = CommonOptions.Required("--data", "Directory for sealed state (gramine-sgx: under the encrypted mount, /sealed).");
        var tee = new Option<string>("--tee") { Description = "simulated-dcap: sgx or tdx quotes.", DefaultValueFactory = _ => "sgx" };
        var seed = new Option<string>("--simulated-seed") { Description = "simulated-dcap: the test PKI seed, as 'citrine devnet init --simulated-seed'.", DefaultValueFactory = _ => EnclaveModeOptions.DefaultSimulatedSeed };
        var measurement = CommonOptions.Optional("--mock-measurement", "mock: the 32-byte measurement in hex (default: SHA-256 of the Citrine.Enclave assembly).");
        var sealedMount = new Option<string>("--sealed-mount") { Description = "gramine-sgx: the encrypted mount's path.", DefaultValueFactory = _ => EnclaveModeOptions.DefaultSealedMountPath };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Bind an address that is not loopback (the host normally runs beside the enclave)." };
        var app = CommonOptions.Optional("--app", $"The app whose handler Execute runs ({(apps.Names.Count == 0 ? "none registered" : string.Join(", ", apps.Names))}); without it Execute is refused.");
        var cmd = new Command("start", "Serve the enclave's gRPC protocol until stopped (Ctrl+C / SIGTERM).") { mode, listen, data, tee, seed, measurement, sealedMount, allowRemote, app };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var modeText = parsed.GetValue(mode);
            if (!EnclaveModes.TryParse(modeText, out var enclaveMode))
            {
                throw new CliInputException($"--mode must be mock, simulated-dcap, gramine-sgx or tdx, got '{modeText}'");
            }
            var teeKind = parsed.GetValue(tee) switch
            {
                "sgx" => TeeKind.Sgx,
                "tdx" => TeeKind.Tdx,
                var other => throw new CliInputException($"--tee must be sgx or tdx, got '{other}'"),
            };
            byte[]? mockMeasurement = null;
            if (parsed.GetValue(measurement) is { } hex)
            {
                try
                {
                    mockMeasurement = Convert.FromHexString(hex);
                }
                catch (FormatException e)
                {
                    throw new CliInputException($"--mock-measurement is not hex: {e.Message}", e);
                }
            }
            IEnclaveApp? enclaveApp = null;
            if (parsed.GetValue(app) is { } appName && !apps.TryCreate(appName, out enclaveApp))
            {
                throw new CliInputException($"--app: no app named '{appName}' (registered: {(apps.Names.Count == 0 ? "none" : string.Join(", ", apps.Names))})");
            }
            var allowNonLoopback = parsed.GetValue(allowRemote);
            var address = parsed.GetValue(listen)!;
            try
            {
                EnclaveServer.ParseListen(address, allowNonLoopback);
            }
            catch (ArgumentException e)
            {
                throw new CliInputException($"--listen: {e.Message}", e);
            }

            EnclaveComposition composition;
            try
            {
                composition = EnclaveModes.Compose(new EnclaveModeOptions
                {
                    Mode = enclaveMode,
                    DataDirectory = parsed.GetValue(data)!,
                    SimulatedTee = teeKind,
                    SimulatedSeed = parsed.GetValue(seed)!,
                    // The process edge: the one place the simulated mode's clock is the system's.
                    SimulatorClock = TimeProvider.System,
                    // A null byte[] converts to an empty ReadOnlyMemory, not to null: keep "not given" null.
                    MockMeasurement = mockMeasurement is { } given ? new ReadOnlyMemory<byte>(given) : (ReadOnlyMemory<byte>?)null,
                    SealedMountPath = parsed.GetValue(sealedMount)!,
                    App = enclaveApp,
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                throw new CliInputException($"--mode {modeText}: {e.Message}", e);
            }
            using (composition)
            {
                EnclaveRuntime runtime;
                try
                {
                    runtime = EnclaveRuntime.Open(composition.RuntimeOptions);
                }
                catch (EnclaveStartException e)
                {
                    throw new CliFailureException($"cannot resume the enclave: {e.Message}", e);
                }
                using (runtime)
                {
                    using var stop = new Dev.TerminationSignal(cancellationToken);
                    await using var server = await EnclaveServer.StartAsync(runtime, address, new EnclaveServerOptions { AllowNonLoopback = allowNonLoopback }, stop.Token).ConfigureAwait(false);
                    var status = runtime.Status();
                    output.WriteLine($"citrine enclave ({status.Mode}, {ProtocolMapping.PhaseName(status.Phase)}{(status.Insecure ? ", INSECURE" : "")}) {ReadyMarker}{server.Address}");
                    output.Flush();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
                    output.WriteLine("stopped");
                }
            }
            return CliApp.Ok;
        });
        return cmd;
    }
}

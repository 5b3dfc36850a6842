using System.Diagnostics;
using System.Globalization;
using Citrine.Cli.Commands;
using Grpc.Net.Client;
using Proto = Citrine.Enclave.Protocol.V1;

namespace Citrine.Cli.Tests;

public sealed class EnclaveCommandsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-enclave-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Start_refuses_an_unknown_mode()
    {
        var result = CliRunner.Run("enclave", "start", "--mode", "sgx", "--data", _directory);
        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Contains("--mode", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_refuses_a_non_loopback_listen_address_without_the_flag()
    {
        var result = CliRunner.Run("enclave", "start", "--mode", "mock", "--listen", "0.0.0.0:0", "--data", _directory);
        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Contains("loopback", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_refuses_gramine_sgx_outside_gramine()
    {
        var result = CliRunner.Run("enclave", "start", "--mode", "gramine-sgx", "--data", Path.Combine(_directory, "enclave"), "--sealed-mount", Path.Combine(_directory, "no-mount"));
        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Contains("encrypted mount", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_prints_the_bound_address_serves_gRPC_and_stops_on_SIGTERM()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "citrine.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "enclave", "start", "--mode", "mock", "--listen", "127.0.0.1:0", "--data", _directory, "--mock-measurement", new string('7', 64) })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"the enclave exited: {await process.StandardError.ReadToEndAsync(timeout.Token)}");
            Assert.Contains("INSECURE", line, StringComparison.Ordinal);
            var address = line[(line.IndexOf(EnclaveCommands.ReadyMarker, StringComparison.Ordinal) + EnclaveCommands.ReadyMarker.Length)..];
            Assert.StartsWith("127.0.0.1:", address, StringComparison.Ordinal);
            Assert.NotEqual(0, int.Parse(address["127.0.0.1:".Length..], CultureInfo.InvariantCulture));

            using var channel = GrpcChannel.ForAddress($"http://{address}");
            var status = await new Proto.Enclave.EnclaveClient(channel).StatusAsync(new Proto.StatusRequest(), cancellationToken: timeout.Token);
            Assert.Equal("mock", status.Mode);
            Assert.Equal("uninitialised", status.Phase);
            Assert.Equal(Convert.FromHexString(new string('7', 64)), status.Measurement.ToByteArray());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(timeout.Token);
            }
            await process.WaitForExitAsync(timeout.Token);
            var errors = await process.StandardError.ReadToEndAsync(timeout.Token);
            Assert.True(process.ExitCode == CliApp.Ok, $"exit {process.ExitCode}: {errors}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}

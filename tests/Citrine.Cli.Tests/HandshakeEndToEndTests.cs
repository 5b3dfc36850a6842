using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Citrine.Cli.Dev;

namespace Citrine.Cli.Tests;

/// <summary>
/// The handshake end to end with real processes on loopback: the devnet node and the enclave are
/// <c>citrine</c> processes, the host relay is <c>citrine dev</c> / <c>citrine handshake</c>; each
/// process is killed (SIGKILL: no shutdown code runs) at a point inside the handshake and started
/// again, and the handshake must finish with exactly one contract and one session.
/// </summary>
public sealed class HandshakeEndToEndTests : IDisposable
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "citrine-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly List<ChildProcess> _children = [];

    public void Dispose()
    {
        foreach (var child in _children)
        {
            child.Dispose();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A child may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    [Theory]
    [InlineData("simulated-dcap", "sgx")]
    [InlineData("simulated-dcap", "tdx")]
    [InlineData("mock", "sgx")]
    public void Dev_establishes_a_session_from_nothing(string mode, string tee)
    {
        var home = Path.Combine(_root, "dev");
        var run = CliRunner.Run("dev", "--home", home, "--fresh", "--once", "--json", "--mode", mode, "--tee", tee, "--rpc", "127.0.0.1:0", "--enclave-listen", "127.0.0.1:0");
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        var established = Event(run.Output, "established");
        Assert.Equal(mode, established.GetProperty("mode").GetString());
        Assert.True(established.GetProperty("insecure").GetBoolean());
        Assert.Equal(1, established.GetProperty("session_id").GetInt64());
        Assert.Equal(64, established.GetProperty("signing_key").GetString()!.Length);
        Assert.Equal(64, established.GetProperty("encryption_key").GetString()!.Length);
        Assert.NotEqual(established.GetProperty("signing_key").GetString(), established.GetProperty("encryption_key").GetString());
        // Instantiate, create and set-pub-key each need a block, and the proof of the Created record
        // needs the header after it: three blocks is the least a handshake can take.
        Assert.InRange(established.GetProperty("handshake_blocks").GetInt64(), 3, 6);
        if (mode == "simulated-dcap")
        {
            Assert.Contains(Events(run.Output, "progress"), e => e.GetProperty("step").GetString() == "RegisterCollateral");
        }
    }

    [Fact]
    public async Task A_handshake_whose_host_dies_after_session_create_finishes_after_the_node_and_the_enclave_restart_too()
    {
        var home = Path.Combine(_root, "net");
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", home, "--attestation-root", "simulated", "--contract", $"{HostWiring.SessionContractType}={SessionContractDll}").ExitCode);
        var (rpcPort, enclavePort) = (FreePort(), FreePort());
        var node = await StartNode(home, rpcPort);
        var enclave = await StartEnclave(home, enclavePort);
        await RegisterCollateral(home, rpcPort);

        // The host, as its own process, killed the moment SessionCreate has committed: the record
        // is Created with the enclave's nonce, SetPubKey not yet sent.
        var host = await ChildProcess.StartAsync("host", HostArgs(home, rpcPort, enclavePort), "\"step\":\"SessionCreate\",\"status\":\"Completed\"", Ready, CancellationToken.None);
        _children.Add(host);
        host.Kill();
        var afterCreate = ShowSession(home, rpcPort);
        Assert.Equal("created", afterCreate.GetProperty("session").GetProperty("phase").GetString());

        // Every other process dies too, and comes back on the same home and address.
        enclave.Kill();
        node.Kill();
        await StartNode(home, rpcPort);
        await StartEnclave(home, enclavePort);

        var resumed = CliRunner.Run(HostArgs(home, rpcPort, enclavePort));
        Assert.True(resumed.ExitCode == 0, resumed.Error + resumed.Output);
        var steps = Events(resumed.Output, "progress").Select(e => (e.GetProperty("step").GetString(), e.GetProperty("status").GetString())).ToList();
        Assert.Contains(("Instantiate", "Skipped"), steps);
        Assert.Contains(("SessionCreate", "Skipped"), steps);
        Assert.Contains(("SessionSetPubKey", "Completed"), steps);
        var established = Event(resumed.Output, "established");
        Assert.Equal(afterCreate.GetProperty("contract").GetString(), established.GetProperty("contract").GetString());
        Assert.Equal(afterCreate.GetProperty("session").GetProperty("nonce").GetString(), established.GetProperty("nonce").GetString());
        Assert.Equal(1, established.GetProperty("session_id").GetInt64());

        var final = ShowSession(home, rpcPort, history: true);
        Assert.Equal("established", final.GetProperty("session").GetProperty("phase").GetString());
        Assert.Equal(established.GetProperty("signing_key").GetString(), final.GetProperty("session").GetProperty("signing_key").GetString());
        Assert.Empty(final.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task An_enclave_killed_after_instantiate_continues_from_its_sealed_state()
    {
        var home = Path.Combine(_root, "net");
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", home, "--attestation-root", "simulated", "--contract", $"{HostWiring.SessionContractType}={SessionContractDll}").ExitCode);
        var (rpcPort, enclavePort) = (FreePort(), FreePort());
        await StartNode(home, rpcPort);
        var enclave = await StartEnclave(home, enclavePort);
        await RegisterCollateral(home, rpcPort);

        var instantiated = CliRunner.Run(["contract", "instantiate", .. HostArgs(home, rpcPort, enclavePort)[1..]]);
        Assert.True(instantiated.ExitCode == 0, instantiated.Error + instantiated.Output);
        var contract = Event(instantiated.Output, "instantiated").GetProperty("contract").GetString();

        enclave.Kill();
        await StartEnclave(home, enclavePort);

        var finished = CliRunner.Run(HostArgs(home, rpcPort, enclavePort));
        Assert.True(finished.ExitCode == 0, finished.Error + finished.Output);
        Assert.Contains(Events(finished.Output, "progress"), e => e.GetProperty("step").GetString() == "Instantiate" && e.GetProperty("status").GetString() == "Skipped");
        Assert.Equal(contract, Event(finished.Output, "established").GetProperty("contract").GetString());
    }

    [Fact]
    public async Task A_contract_refusal_reaches_the_host_with_its_code_and_nothing_is_instantiated()
    {
        // No collateral registered: the attestation module refuses the simulated quote, and the
        // session core reports which check failed; the host exits 1 with that reason.
        var home = Path.Combine(_root, "net");
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", home, "--attestation-root", "simulated", "--contract", $"{HostWiring.SessionContractType}={SessionContractDll}").ExitCode);
        var (rpcPort, enclavePort) = (FreePort(), FreePort());
        await StartNode(home, rpcPort);
        await StartEnclave(home, enclavePort);
        var run = CliRunner.Run(HostArgs(home, rpcPort, enclavePort));
        Assert.Equal(CliApp.Failed, run.ExitCode);
        Assert.Contains("ChainRefused", run.Error, StringComparison.Ordinal);
        Assert.Contains("[QuoteRefused]", run.Error, StringComparison.Ordinal);
        Assert.Contains("TcbInfoMissing", run.Error, StringComparison.Ordinal);
    }

    private static string SessionContractDll => Path.Combine(AppContext.BaseDirectory, "contracts", "Citrine.Samples.Session.dll");

    private static string[] HostArgs(string home, int rpcPort, int enclavePort) =>
        ["handshake", "--json", "--home", home, "--node", $"http://127.0.0.1:{rpcPort}", "--enclave", $"http://127.0.0.1:{enclavePort}"];

    private async Task<ChildProcess> StartNode(string home, int port)
    {
        var node = await ChildProcess.StartAsync("node", ["devnet", "start", "--home", home, "--rpc", $"127.0.0.1:{port}", "--block-time", "500ms"], "RPC on ", Ready, CancellationToken.None);
        _children.Add(node);
        return node;
    }

    private async Task<ChildProcess> StartEnclave(string home, int port)
    {
        var enclave = await ChildProcess.StartAsync("enclave", ["enclave", "start", "--mode", "simulated-dcap", "--listen", $"127.0.0.1:{port}", "--data", Path.Combine(home, "enclave")], "listening on ", Ready, CancellationToken.None);
        _children.Add(enclave);
        return enclave;
    }

    /// <summary>The simulated collateral, signed and sent as 'citrine dev' does (each update verified by the node against the pinned test root).</summary>
    private async Task RegisterCollateral(string home, int rpcPort)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{rpcPort}/") };
        using var host = HostWiring.Create(new Chain.Devnet.DevnetHome(home), http.BaseAddress, new Uri("http://127.0.0.1:1"), "admin", Path.Combine(home, "collateral-host"));
        // The node's first block dates the collateral (none may be issued after the block that checks it).
        var status = await host.FirstBlockAsync(Ready, CancellationToken.None);
        var block = await host.Chain.LightBlockAsync(status.LatestBlockHeight);
        foreach (var (what, update) in SimulatedCollateral.Updates("citrine-dev", block.Header.Time.ToDateTimeOffset(), host.Submitter.Sender.ToArray()))
        {
            var outcome = await host.Submitter.SubmitAsync([update], CancellationToken.None);
            Assert.True(outcome.IsOk, $"{what}: {outcome.Log}");
        }
    }

    private static JsonElement ShowSession(string home, int rpcPort, bool history = false)
    {
        string[] args = ["session", "show", "--json", "--home", home, "--node", $"http://127.0.0.1:{rpcPort}"];
        var show = CliRunner.Run(history ? [.. args, "--history"] : args);
        Assert.True(show.ExitCode == 0, show.Error);
        using var doc = JsonDocument.Parse(show.Output);
        return doc.RootElement.Clone();
    }

    private static IEnumerable<JsonElement> Events(string output, string kind)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("event").GetString() == kind)
            {
                yield return doc.RootElement.Clone();
            }
        }
    }

    private static JsonElement Event(string output, string kind) => Assert.Single(Events(output, kind));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

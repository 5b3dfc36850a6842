using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Citrine.Chain.Devnet;
using Citrine.Cli.Dev;
using Citrine.CometBft.Types;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Handshake;
using Citrine.Transfers.Tests.Web;

namespace Citrine.Cli.Tests;

/// <summary>
/// The Transfers page as <c>citrine dev --app transfers</c> serves it, used in headless chromium
/// (Debian's package, driven by playwright-core) against the real system: node, enclave, host relay
/// and the page, each as the dev process runs them. The same scenario as the Transfers tests'
/// PageTests (examples/Transfers/web-tests/page.mjs), with two devnet accounts. Skipped when
/// chromium, node or scripts/web-setup's packages are missing, except under CI=true, where that fails.
/// </summary>
[Trait("Category", "Web")]
public sealed class TransfersPageTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "citrine-page-" + Guid.NewGuid().ToString("N"));
    private readonly List<ChildProcess> _children = [];

    public void Dispose()
    {
        foreach (var child in _children)
        {
            child.Dispose();
        }
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A child may still hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    [SkippableFact]
    public async Task A_person_deposits_and_transfers_on_the_page_dev_serves_and_the_chain_holds_the_deposits()
    {
        var (node, chromium) = WebTools.RequireBrowser();
        var shipped = Path.Combine(TransfersWebServer.DefaultRoot, "vendor", "@hpke", "core", "esm", "mod.js");
        if (!File.Exists(shipped))
        {
            const string reason = "the CLI build shipped the page without vendor/: run scripts/web-setup, then build again";
            Assert.False(WebTools.Ci, reason + " (CI=true: scripts/test runs scripts/web-setup before the build, so this is a failure)");
            Skip.If(true, reason);
        }
        var rpcPort = FreePort();
        string[] arguments = ["dev", "--app", "transfers", "--mode", "mock", "--fresh", "--home", _home, "--json",
            "--rpc", $"127.0.0.1:{rpcPort}", "--enclave-listen", $"127.0.0.1:{FreePort()}", "--web", "127.0.0.1:0"];
        var dev = await ChildProcess.StartAsync("dev", arguments, "\"event\":\"web\"", TimeSpan.FromSeconds(120), CancellationToken.None);
        _children.Add(dev);
        var url = new Uri(JsonDocument.Parse(dev.ReadyLine).RootElement.GetProperty("url").GetString()!);
        Assert.Equal("127.0.0.1", url.Host);

        var scenario = JsonSerializer.Serialize(new { from = "user0", to = "user1", recipientDeposit = 5, deposit = 1000, transfer = 250, timeoutMs = 90_000 });
        var (exit, stdout, stderr) = await WebTools.RunAsync(node, WebTools.WebTests, ["page.mjs", url.ToString(), chromium, scenario],
            new Dictionary<string, string>(), TimeSpan.FromMinutes(5));

        Assert.True(exit == 0, $"page.mjs exited {exit}\n{stdout}\n{stderr}\ndev stderr: {dev.Errors}");
        var steps = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(steps[^1].GetProperty("ok").GetBoolean(), stdout);
        var status = steps.Single(s => Step(s) == "status");
        Assert.Equal("mock", status.GetProperty("mode").GetString());
        Assert.Equal("750", steps.Single(s => Step(s) == "transfer").GetProperty("balance").GetString());
        Assert.Equal("255", steps.Single(s => Step(s) == "recipient").GetProperty("balance").GetString());

        // The chain side: the page's API reports the deposits gone from both bank balances, and the
        // contract holds exactly the deposited tokens (a transfer moves nothing on chain).
        using var http = new HttpClient { BaseAddress = url };
        using var accounts = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/accounts", UriKind.Relative)));
        var bank = accounts.RootElement.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("bank_balance").GetUInt64());
        Assert.Equal(["user0", "user1"], bank.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(DevnetHome.DefaultBalance - 1000, bank["user0"]);
        Assert.Equal(DevnetHome.DefaultBalance - 5, bank["user1"]);
        var contract = Convert.FromHexString(new HandshakeStateFile(Path.Combine(_home, "host")).Load()!.Contract!);
        using var rpc = new HttpClient();
        var held = await new CometRpcClient(new Uri($"http://127.0.0.1:{rpcPort}/"), rpc).AbciQueryAsync("/store/bank/key", contract, 0, prove: false);
        Assert.Equal(1005UL, BinaryPrimitives.ReadUInt64BigEndian(held.Value));
        await dev.StopAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_page_is_not_served_without_the_modules_its_import_map_names()
    {
        var home = new DevnetHome(_home);
        var genesis = home.Initialize("citrine-page-1", 1, Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch));
        var root = Path.Combine(_home, "web");
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(WebTools.WebRoot, "index.html"), Path.Combine(root, "index.html"));
        using var enclave = EnclaveClient.Connect(new Uri("http://127.0.0.1:1"));

        var e = await Assert.ThrowsAsync<CliFailureException>(() => TransfersWebServer.StartAsync(
            home, genesis, new Uri("http://127.0.0.1:1/"), enclave, new byte[20], 0, root, CancellationToken.None));

        Assert.Contains("scripts/web-setup", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "vendor", "@hpke"), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:8080")]
    [InlineData("192.168.1.2:8080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:70000")]
    public void Dev_takes_only_a_loopback_address_for_the_page(string web)
    {
        var run = CliRunner.Run(["dev", "--app", "transfers", "--home", _home, "--web", web]);

        Assert.Equal(CliApp.BadInput, run.ExitCode);
        Assert.Contains("--web must be 127.0.0.1:PORT", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_home));
    }

    private static string? Step(JsonElement line) => line.TryGetProperty("step", out var step) ? step.GetString() : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

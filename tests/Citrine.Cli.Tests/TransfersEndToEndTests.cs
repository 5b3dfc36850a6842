using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Citrine.Chain.Devnet;
using Citrine.Cli.Dev;
using Citrine.Contracts.Execution;
using Citrine.Host.Chain;
using Citrine.Host.Execution;
using Citrine.Host.Handshake;
using Transfers.Protocol;

namespace Citrine.Cli.Tests;

/// <summary>
/// The private-transfers app end to end with real processes on loopback: <c>citrine dev --app
/// transfers</c> runs the node, the enclave (with the transfers handler) and the host (handshake,
/// then the execution relay); users send encrypted requests with <c>citrine transfers</c> in a
/// seeded random order, and a plain model of the ledger predicts every answer. In the middle, the
/// whole dev tree (host, node and enclave) is killed with SIGKILL while requests wait in the queue,
/// and started again on the same home: every request queued before the kill is answered once, and
/// the balances (read through sealed balance reports) and the contract's token holdings equal the model.
/// </summary>
public sealed class TransfersEndToEndTests : IDisposable
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(120);
    private readonly string _home = Path.Combine(Path.GetTempPath(), "citrine-transfers-" + Guid.NewGuid().ToString("N"));
    private readonly int _rpcPort = FreePort();
    private readonly int _enclavePort = FreePort();
    private readonly Dictionary<string, ulong> _model = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deposited = new(StringComparer.Ordinal);
    private readonly List<ChildProcess> _children = [];
    private ulong _held;

    private string Node => $"http://127.0.0.1:{_rpcPort}/";

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

    [Fact]
    public async Task Users_deposit_transfer_and_withdraw_in_random_order_and_a_killed_system_loses_no_request_and_applies_none_twice()
    {
        var dev = await StartDevAsync(fresh: true);
        // The admin key is the host's account (it sends the outputs), so users are the other two.
        var users = new[] { "user0", "user1" };
        var random = new Random(20_261_206);

        // Before the kill: random requests, each waited for.
        for (var i = 0; i < 12; i++)
        {
            RandomRequest(random, users, i < 3 ? "deposit" : null);
        }

        // Queue requests without waiting, then kill every process with requests still in the queue.
        var queued = new List<(string User, string Kind, ulong Amount, string? To, ulong Seq)>();
        var genesis = new DevnetHome(_home).LoadGenesis();
        var contract = Convert.FromHexString(new HandshakeStateFile(Path.Combine(_home, "host")).Load()!.Contract!);
        using (var http = new HttpClient { BaseAddress = new Uri(Node) })
        {
            var chain = new CometRpcClient(new Uri(Node), http);
            foreach (var (user, kind, amount, to) in new[] { ("user0", "withdraw", 3UL, (string?)null), ("user1", "deposit", 40UL, null), ("user1", "transfer", 5UL, "user0"), ("user0", "transfer", 1UL, "user1") })
            {
                using var tx = new ChainTxClient(http, new DevnetHome(_home).LoadAccountKey(user), genesis.ChainId);
                var client = new RequestClient(chain, tx, genesis.ChainId, contract);
                var plaintext = kind switch
                {
                    "withdraw" => new WithdrawRequest(amount).Encode(),
                    "transfer" => new TransferRequest(Address(to!), amount).Encode(),
                    _ => [],
                };
                var (request, _) = await client.SendAsync(kind, plaintext, kind == "deposit" ? amount : 0);
                queued.Add((user, kind, amount, to, request.Seq));
            }
        }
        dev.Kill();
        dev = await StartDevAsync(fresh: false);

        // Every request queued before the kill is answered exactly as the model says, in queue order.
        using (var http = new HttpClient { BaseAddress = new Uri(Node) })
        {
            var chain = new CometRpcClient(new Uri(Node), http);
            using var tx = new ChainTxClient(http, new DevnetHome(_home).LoadAccountKey("user0"), genesis.ChainId);
            var client = new RequestClient(chain, tx, genesis.ChainId, contract);
            foreach (var (user, kind, amount, to, seq) in queued.OrderBy(q => q.Seq))
            {
                var response = await client.WaitForResponseAsync(seq, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
                Assert.Equal(Apply(user, kind, amount, to), response.Status == ResponseStatus.Ok ? null : System.Text.Encoding.UTF8.GetString(response.Payload));
            }
        }

        // After the restart: more random requests.
        for (var i = 0; i < 8; i++)
        {
            RandomRequest(random, users, null);
        }

        foreach (var user in users)
        {
            var balance = Transfers("balance", user);
            Assert.Equal("ok", balance.GetProperty("status").GetString());
            Assert.Equal(_model.GetValueOrDefault(user), balance.GetProperty("balance").GetUInt64());
        }
        using (var http = new HttpClient { BaseAddress = new Uri(Node) })
        {
            var held = await new CometRpcClient(new Uri(Node), http).AbciQueryAsync("/store/bank/key", contract, 0, prove: false);
            Assert.Equal(_held, held.Value is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(held.Value));
        }
        await dev.StopAsync(TimeSpan.FromSeconds(20));
    }

    private void RandomRequest(Random random, string[] users, string? kind)
    {
        var user = users[random.Next(users.Length)];
        kind ??= new[] { "deposit", "transfer", "transfer", "withdraw" }[random.Next(4)];
        var amount = (ulong)random.Next(1, 60);
        var to = users[random.Next(users.Length)];
        string[] extra = kind switch
        {
            "deposit" or "withdraw" => ["--amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            _ => ["--to", new DevnetHome(_home).LoadGenesis().Bech32(Address(to)), "--amount", amount.ToString(System.Globalization.CultureInfo.InvariantCulture)],
        };
        var answer = Transfers(kind, user, extra);
        var expected = Apply(user, kind, amount, kind == "transfer" ? to : null);
        Assert.Equal(expected is null ? "ok" : "refused", answer.GetProperty("status").GetString());
        if (expected is not null)
        {
            Assert.Equal(expected, answer.GetProperty("reason").GetString());
        }
    }

    /// <summary>The model (docs/transfers.md): the refusal reason, or null when the request is applied.</summary>
    private string? Apply(string user, string kind, ulong amount, string? to)
    {
        var balance = _model.GetValueOrDefault(user);
        switch (kind)
        {
            case "deposit":
                _model[user] = balance + amount;
                _deposited.Add(user);
                _held += amount;
                return null;
            case "withdraw":
                if (amount > balance)
                {
                    return RefusalReason.Overdraft;
                }
                _model[user] = balance - amount;
                _held -= amount;
                return null;
            default:
                if (!_deposited.Contains(to!))
                {
                    return RefusalReason.UnknownRecipient;
                }
                if (amount > balance)
                {
                    return RefusalReason.Overdraft;
                }
                _model[user] = balance - amount;
                _model[to!] = _model.GetValueOrDefault(to!) + amount;
                return null;
        }
    }

    private JsonElement Transfers(string kind, string user, params string[] extra)
    {
        var run = CliRunner.Run(["transfers", kind, "--home", _home, "--node", Node, "--from", user, "--json", "--wait", "90s", .. extra]);
        Assert.True(run.ExitCode is CliApp.Ok or CliApp.Failed && run.Output.Length > 0, run.Error + run.Output);
        return JsonDocument.Parse(run.Output).RootElement.Clone();
    }

    private byte[] Address(string user) => new DevnetHome(_home).LoadAccountKey(user).Address;

    private async Task<ChildProcess> StartDevAsync(bool fresh)
    {
        string[] arguments = ["dev", "--app", "transfers", "--mode", "mock", "--home", _home, "--json", "--rpc", $"127.0.0.1:{_rpcPort}", "--enclave-listen", $"127.0.0.1:{_enclavePort}",
            "--web", "none"]; // the page has its own test (TransfersPageTests); this one needs no npm
        var dev = await ChildProcess.StartAsync("dev", fresh ? [.. arguments, "--fresh"] : arguments, "running; Ctrl-C to stop", Ready, CancellationToken.None);
        _children.Add(dev);
        return dev;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

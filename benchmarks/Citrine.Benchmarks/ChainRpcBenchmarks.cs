using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Citrine.Chain.Blocks;
using Citrine.Chain.Devnet;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;

namespace Citrine.Benchmarks;

/// <summary>
/// Devnet bank-send throughput through the real path: a devnet home on disk (RocksDB multistore,
/// JSON block files, RocksDB tx index), the node producing a block every 500 ms, the CometBFT
/// JSON-RPC server on loopback, and <see cref="Clients"/> concurrent HTTP clients sending pre-signed
/// sends with <c>broadcast_tx_sync</c>. One operation = <see cref="TxsPerOp"/> txs sent until the
/// last of them is committed; tx/s = TxsPerOp / mean. Floor: the one secp256k1 verification per tx
/// a node cannot avoid (CheckTx verifies it; DeliverTx finds it in the verified-signature cache),
/// for the same signers, timed alone.
/// Run without --job / --inProcess (the class brings its own job: 1 warmup + 3 measured ops).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ChainRpcBenchmarks
{
    public const int Clients = 8;
    public const int TxsPerOp = 2000;

    // Enough for a send (every DeliverTx is checked to succeed), as a wallet's simulate-and-multiply
    // would set it; lets a 100M-gas block hold 1,250 sends (the CLI's 200,000 would cap a block at 500).
    private const ulong GasLimit = 80_000;

    private string _dir = "";
    private ChainNode _node = null!;
    private RpcServer _server = null!;
    private CancellationTokenSource _stop = null!;
    private Task _producing = Task.CompletedTask;
    private HttpClient[] _http = [];
    private AccountKey[] _senders = [];
    private byte[][] _publicKeys = [];
    private ulong[] _accountNumbers = [];
    private ulong[] _sequences = [];
    private byte[] _recipient = [];
    private string _chainId = "";
    private byte[][][] _batches = [];
    private byte[] _floorMessage = [];
    private byte[][] _floorSignatures = [];
    private long _committedTxs;
    private long _failedTxs;
    private long _blocks;
    private TimeSpan _sendCpu;
    private long _sendOps;
    private TimeSpan _floorCpu;
    private long _floorOps;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Dry
            .WithStrategy(RunStrategy.Monitoring)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithId("Monitoring-InProcess"));
    }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "citrine-chain-rpc-bench-" + Guid.NewGuid().ToString("N"));
        var home = new DevnetHome(_dir);
        var genesis = home.Initialize("bench-rpc", 1, Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()), Clients + 1);
        home.SaveConfig(home.LoadConfig() with { BlockTime = TimeSpan.FromMilliseconds(500) });
        _chainId = genesis.ChainId;
        _senders = [.. Enumerable.Range(0, Clients).Select(i => home.LoadAccountKey($"user{i}"))];
        _publicKeys = [.. _senders.Select(s => s.PublicKey)];
        _recipient = home.LoadAccountKey($"user{Clients}").Address;
        _sequences = new ulong[Clients];
        _node = ChainNode.Open(home, SystemNodeClock.Instance);
        _accountNumbers = [.. _senders.Select(s => _node.Read(app => app.GetAccount(s.Address)!.Number))];
        _node.BlockCommitted += OnBlock;
        _server = RpcServer.StartAsync(_node, "127.0.0.1:0", 1 << 20).GetAwaiter().GetResult();
        _http = [.. Enumerable.Range(0, Clients).Select(_ => new HttpClient { BaseAddress = _server.Address, Timeout = TimeSpan.FromSeconds(60) })];
        _stop = new CancellationTokenSource();
        _producing = _node.RunAsync(_stop.Token);
        _floorMessage = new byte[200];
        _floorSignatures = [.. _senders.Select(s => Secp256k1.Sign(s.PrivateKey, _floorMessage))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _producing.GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _node.Dispose();
        foreach (var http in _http)
        {
            http.Dispose();
        }
        Console.WriteLine($"// committed {_committedTxs} sends ({_failedTxs} failed) in {_blocks} blocks");
        // Process CPU time (node, RPC server and the in-process HTTP clients together) is not
        // inflated by waiting for a core on a loaded machine, unlike the wall-clock means.
        if (_sendOps > 0)
        {
            Console.WriteLine($"// process CPU per send (node + RPC + clients): {_sendCpu.TotalMicroseconds / (_sendOps * (double)TxsPerOp):F0} us");
        }
        if (_floorOps > 0)
        {
            Console.WriteLine($"// process CPU per secp256k1 verification (floor): {_floorCpu.TotalMicroseconds / (_floorOps * 2.0 * TxsPerOp):F0} us");
        }
        Directory.Delete(_dir, recursive: true);
    }

    private void OnBlock(StoredBlock block, BlockResults results)
    {
        Interlocked.Increment(ref _blocks);
        Interlocked.Add(ref _committedTxs, results.TxResults.Count(r => r.Code == 0));
        Interlocked.Add(ref _failedTxs, results.TxResults.Count(r => r.Code != 0));
    }

    // Signing is not the node's cost: every op's txs are signed before it starts.
    [IterationSetup(Target = nameof(BankSendsOverRpc))]
    public void SignBatch()
    {
        _batches = [.. Enumerable.Range(0, Clients).Select(c => Enumerable.Range(0, TxsPerOp / Clients).Select(_ =>
            Tx.Create([new MsgSend(_senders[c].Address, _recipient, 1)], "", _senders[c].PrivateKey, _sequences[c]++, GasLimit, _chainId, _accountNumbers[c]).Encode()).ToArray())];
    }

    [Benchmark(Description = "2000 bank sends over HTTP broadcast_tx_sync until committed (500 ms blocks, RocksDB)")]
    public long BankSendsOverRpc()
    {
        var target = Interlocked.Read(ref _committedTxs) + Interlocked.Read(ref _failedTxs) + TxsPerOp;
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Send(_http[c], _batches[c]))).GetAwaiter().GetResult();
        while (Interlocked.Read(ref _committedTxs) + Interlocked.Read(ref _failedTxs) < target)
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"only {target - Interlocked.Read(ref _committedTxs)} of {TxsPerOp} sends left uncommitted after 2 minutes");
            }
            Thread.Sleep(5);
        }
        if (Interlocked.Read(ref _failedTxs) > 0)
        {
            throw new InvalidOperationException($"{_failedTxs} sends failed in DeliverTx");
        }
        _sendCpu += Process.GetCurrentProcess().TotalProcessorTime - cpu;
        _sendOps++;
        return target;
    }

    private static async Task Send(HttpClient http, byte[][] txs)
    {
        foreach (var tx in txs)
        {
            using var response = await http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method = "broadcast_tx_sync", @params = new { tx = Convert.ToBase64String(tx) } }).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false));
            var code = doc.RootElement.GetProperty("result").GetProperty("code").GetInt32();
            if (code != 0)
            {
                throw new InvalidOperationException($"CheckTx refused a send: {doc.RootElement.GetProperty("result")}");
            }
        }
    }

    [Benchmark(Baseline = true, Description = "floor: 2000 secp256k1 verifications (1 per send, 8 signers)")]
    public int SignatureFloor()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var ok = 0;
        for (var i = 0; i < TxsPerOp; i++)
        {
            var c = i % Clients;
            ok += Secp256k1.Verify(_publicKeys[c], _floorMessage, _floorSignatures[c]) == Secp256k1Verdict.Valid ? 1 : 0;
        }
        _floorCpu += Process.GetCurrentProcess().TotalProcessorTime - cpu;
        _floorOps++;
        return ok;
    }
}

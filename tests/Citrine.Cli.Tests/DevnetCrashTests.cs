using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Txs;
using Citrine.CometBft.LightClient;
using Citrine.Store.Multistore;
using Xunit.Abstractions;

namespace Citrine.Cli.Tests;

/// <summary>
/// The real node process (RocksDB state, JSON block files) under a load of bank sends, SIGKILLed
/// at seeded-random moments and restarted, again and again. After each restart: the node starts,
/// its height is not below any height seen before, every tx seen committed is still there with the
/// same result, balances and sequences equal what the committed sends imply (a replayed block is
/// not applied twice), and at the end the light client verifies every block from genesis to the tip.
/// Seed and cycle count: CITRINE_CRASH_SEED, CITRINE_CRASH_CYCLES.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class DevnetCrashTests(ITestOutputHelper log) : IDisposable
{
    private const int Senders = 3;
    private const int Window = 6;
    private const string BlockTime = "50ms";
    private const ulong GasLimit = 200_000;

    private readonly string _home = Path.Combine(Path.GetTempPath(), "citrine-cli-crash-" + Guid.NewGuid().ToString("N"));
    private readonly object _gate = new();
    private readonly Dictionary<string, Confirmed> _confirmed = new(StringComparer.Ordinal);
    private readonly List<Sent>[] _pending = [.. Enumerable.Range(0, Senders).Select(_ => new List<Sent>())];
    private readonly ulong[] _next = new ulong[Senders];
    private readonly Dictionary<long, string> _seenBlockHashes = [];
    private readonly List<string> _refusals = [];
    private long _seenHeight;

    private sealed record Sent(int Sender, ulong Sequence, int To, ulong Amount, byte[] Bytes)
    {
        public string Hash { get; } = Convert.ToHexString(Tx.HashOf(Bytes));
    }

    private sealed record Confirmed(Sent Tx, long Height, int Index, string Result, int Cycle);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    [Fact]
    public async Task Node_killed_at_random_points_keeps_every_confirmed_tx_applies_none_twice_and_stays_verifiable()
    {
        var seed = Setting("CITRINE_CRASH_SEED", 20261123);
        var cycles = Setting("CITRINE_CRASH_CYCLES", 8);
        var random = new Random(seed);
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home, "--validators", "2", "--accounts", Senders.ToString(CultureInfo.InvariantCulture)).ExitCode);
        var home = new DevnetHome(_home);
        var chainId = home.LoadGenesis().ChainId;
        var users = Enumerable.Range(0, Senders).Select(i => home.LoadAccountKey($"user{i}")).ToArray();
        var addresses = users.Select(u => u.Address).ToArray();
        var accountNumbers = new ulong[Senders];
        byte[]? genesisBlockHash = null;
        var total = Stopwatch.StartNew();
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        log.WriteLine($"seed {seed}, {cycles} kills, block time {BlockTime}");

        for (var cycle = 0; cycle <= cycles; cycle++)
        {
            using var node = await StartAndCheck(home, cycle);
            if (cycle == 0)
            {
                for (var i = 0; i < Senders; i++)
                {
                    var account = await node.QueryStore(ChainApp.AccountStore, addresses[i]) ?? throw new InvalidOperationException($"user{i} has no account");
                    accountNumbers[i] = ChainApp.DecodeAccount(account).Number;
                }
                while (await node.HeightAsync() < 1)
                {
                    await Task.Delay(20);
                }
                using var http = new HttpClient();
                genesisBlockHash = (await new HttpRpcProvider(node.Rpc, http).GetLightBlockAsync(1)).Header.Hash();
            }
            if (cycle == cycles)
            {
                await VerifyChainWithLightClient(node, chainId, genesisBlockHash!);
                break;
            }

            // Load, then SIGKILL at a random moment: with 50 ms blocks the kill lands anywhere in
            // block production (signing, block file write, execution, results write, state commit).
            var killAfter = TimeSpan.FromMilliseconds(random.Next(150, 2500));
            using var stop = new CancellationTokenSource();
            var loops = Enumerable.Range(0, Senders)
                .Select(i => Tolerate(SendLoop(node, i, users[i].PrivateKey, addresses, accountNumbers[i], chainId, seed + (cycle * 100) + i, cycle, stop.Token)))
                .Append(Tolerate(WatchHeight(node, stop.Token)))
                .ToList();
            await Task.Delay(killAfter);
            Assert.False(node.HasExited, $"cycle {cycle}: the node exited by itself: {node.Errors}");
            node.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(loops);
            var phase = KillPhase(home);
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            lock (_gate)
            {
                Assert.True(_refusals.Count == 0, string.Join("\n", _refusals));
                log.WriteLine($"cycle {cycle}: killed after {killAfter.TotalMilliseconds} ms at height >= {_seenHeight} ({phase}); {_confirmed.Count} txs confirmed, {_pending.Sum(p => p.Count)} in flight");
            }
        }
        log.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s, {_confirmed.Count} confirmed txs, final height >= {_seenHeight}; kills: {string.Join(", ", phases.Select(p => $"{p.Value} {p.Key}"))}");
        Assert.True(_confirmed.Count > cycles, $"the load confirmed only {_confirmed.Count} txs");
    }

    // Where in block production the kill landed, read from what it left on disk (the node is dead,
    // so the state database can be opened to read its version).
    private static string KillPhase(DevnetHome home)
    {
        var blocks = Directory.GetFiles(Path.Combine(home.DataDir, "blocks"));
        var results = Directory.GetFiles(Path.Combine(home.DataDir, "results"));
        long stateVersion;
        using (var state = MultiStore.OpenRocks(Path.Combine(home.DataDir, "state"), ChainApp.StoreNames))
        {
            stateVersion = state.LatestVersion;
        }
        var blockCount = blocks.Count(f => f.EndsWith(".json", StringComparison.Ordinal));
        var resultCount = results.Count(f => f.EndsWith(".json", StringComparison.Ordinal));
        var where = blocks.Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)) ? "mid block file write"
            : results.Any(f => f.EndsWith(".tmp", StringComparison.Ordinal)) ? "mid results file write"
            : stateVersion == blockCount ? "between blocks"
            : resultCount == blockCount ? "in the state commit"
            : "in block execution";
        return stateVersion < blockCount ? where + ", block replayed on restart" : where;
    }

    private async Task<DevnetNodeProcess> StartAndCheck(DevnetHome home, int cycle)
    {
        var node = await DevnetNodeProcess.StartAsync(home.Root, BlockTime);
        try
        {
            var height = await node.HeightAsync();
            Assert.True(height >= _seenHeight, $"cycle {cycle}: restarted at height {height}, below the height {_seenHeight} seen before the kill");
            await ResolveInFlight(node, cycle);
            await CheckConfirmedTxs(node, cycle);
            await CheckAccounts(node, home, cycle);
            return node;
        }
        catch (HttpRequestException e)
        {
            await Task.Delay(500);
            var exited = node.HasExited;
            node.Dispose();
            throw new InvalidOperationException($"cycle {cycle}: the restarted node {(exited ? "died" : "stopped answering")}: {node.Errors}", e);
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    // A tx sent before the kill is either committed (found by `tx`) or gone with the mempool; for
    // one sender the committed ones are a prefix of its sequence numbers.
    private async Task ResolveInFlight(DevnetNodeProcess node, int cycle)
    {
        for (var i = 0; i < Senders; i++)
        {
            var dropped = false;
            foreach (var sent in _pending[i])
            {
                var found = await node.TryCall("tx", new { hash = Convert.ToBase64String(Convert.FromHexString(sent.Hash)) });
                if (found is { } result)
                {
                    Assert.False(dropped, $"cycle {cycle}: user{i} sequence {sent.Sequence} is committed after a lower sequence was lost");
                    Confirm(sent, result, cycle);
                }
                else
                {
                    dropped = true;
                }
            }
            _pending[i].Clear();
            _next[i] = _confirmed.Values.Where(c => c.Tx.Sender == i).Select(c => c.Tx.Sequence + 1).DefaultIfEmpty(0UL).Max();
        }
    }

    private async Task CheckConfirmedTxs(DevnetNodeProcess node, int cycle, bool all = false)
    {
        foreach (var c in _confirmed.Values)
        {
            // Every tx of the last cycle (those nearest the kill), every 8th older one, and all at the end.
            if (!all && c.Cycle < cycle - 1 && c.Tx.Sequence % 8 != 0)
            {
                continue;
            }
            var found = await node.TryCall("tx", new { hash = Convert.ToBase64String(Convert.FromHexString(c.Tx.Hash)) });
            Assert.True(found is not null, $"cycle {cycle}: tx {c.Tx.Hash} (user{c.Tx.Sender} seq {c.Tx.Sequence}) confirmed at height {c.Height} is lost");
            var result = found.Value;
            Assert.Equal(c.Height, long.Parse(result.GetProperty("height").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(c.Index, result.GetProperty("index").GetInt32());
            Assert.Equal(c.Result, result.GetProperty("tx_result").GetRawText());
        }
    }

    // Balances and sequences are exactly those of the confirmed sends: a block executed twice on
    // recovery would move funds twice and bump sequences twice.
    private async Task CheckAccounts(DevnetNodeProcess node, DevnetHome home, int cycle)
    {
        for (var i = 0; i < Senders; i++)
        {
            var address = home.LoadAccountKey($"user{i}").Address;
            var expected = DevnetHome.DefaultBalance;
            foreach (var c in _confirmed.Values)
            {
                expected = c.Tx.Sender == i ? expected - c.Tx.Amount : expected;
                expected = c.Tx.To == i ? expected + c.Tx.Amount : expected;
            }
            var balance = await node.QueryStore(ChainApp.BankStore, address) ?? throw new InvalidOperationException($"user{i} has no balance");
            Assert.True(BinaryPrimitives.ReadUInt64BigEndian(balance) == expected, $"cycle {cycle}: user{i} balance {BinaryPrimitives.ReadUInt64BigEndian(balance)}, expected {expected}");
            var account = await node.QueryStore(ChainApp.AccountStore, address) ?? throw new InvalidOperationException($"user{i} has no account");
            Assert.True(ChainApp.DecodeAccount(account).Sequence == _next[i], $"cycle {cycle}: user{i} sequence {ChainApp.DecodeAccount(account).Sequence}, expected {_next[i]}");
        }
    }

    private void Confirm(Sent sent, JsonElement result, int cycle)
    {
        var txResult = result.GetProperty("tx_result");
        if (txResult.GetProperty("code").GetInt32() != 0)
        {
            throw new InvalidOperationException($"tx user{sent.Sender} seq {sent.Sequence} failed in the block: {txResult}");
        }
        var height = long.Parse(result.GetProperty("height").GetString()!, CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _confirmed[sent.Hash] = new Confirmed(sent, height, result.GetProperty("index").GetInt32(), txResult.GetRawText(), cycle);
            _seenHeight = Math.Max(_seenHeight, height);
        }
    }

    private async Task SendLoop(DevnetNodeProcess node, int sender, byte[] key, byte[][] addresses, ulong accountNumber, string chainId, int seed, int cycle, CancellationToken stop)
    {
        var amounts = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            int inFlight;
            lock (_gate)
            {
                inFlight = _pending[sender].Count;
            }
            if (inFlight < Window)
            {
                var to = (sender + 1 + amounts.Next(Senders - 1)) % Senders;
                var amount = (ulong)amounts.Next(1, 1000);
                var bytes = Tx.Create([new MsgSend(addresses[sender], addresses[to], amount)], "", key, _next[sender], GasLimit, chainId, accountNumber).Encode();
                var sent = new Sent(sender, _next[sender], to, amount, bytes);
                // In flight from before the request: the node may commit it even if the answer is lost.
                lock (_gate)
                {
                    _pending[sender].Add(sent);
                    _next[sender]++;
                }
                var check = await node.Call("broadcast_tx_sync", new { tx = Convert.ToBase64String(bytes) }, stop);
                if (check.GetProperty("code").GetInt32() != 0)
                {
                    lock (_gate)
                    {
                        _refusals.Add($"user{sender} seq {sent.Sequence}: CheckTx refused: {check}");
                    }
                    return;
                }
            }
            Sent oldest;
            lock (_gate)
            {
                oldest = _pending[sender][0];
            }
            var found = await node.TryCall("tx", new { hash = Convert.ToBase64String(Convert.FromHexString(oldest.Hash)) }, stop);
            if (found is { } result)
            {
                Confirm(oldest, result, cycle);
                lock (_gate)
                {
                    _pending[sender].RemoveAt(0);
                }
            }
            else if (inFlight >= Window)
            {
                await Task.Delay(10, stop);
            }
        }
    }

    private async Task WatchHeight(DevnetNodeProcess node, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var block = await node.Call("block", new { }, stop);
            var height = long.Parse(block.GetProperty("block").GetProperty("header").GetProperty("height").GetString()!, CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _seenHeight = Math.Max(_seenHeight, height);
                _seenBlockHashes[height] = block.GetProperty("block_id").GetProperty("hash").GetString()!;
            }
            await Task.Delay(40, stop);
        }
    }

    // The loops end when the node is killed under them: a refused connection, a reset or a cancelled request.
    private static async Task Tolerate(Task loop)
    {
        try
        {
            await loop;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or SocketException or JsonException)
        {
        }
    }

    private async Task VerifyChainWithLightClient(DevnetNodeProcess node, string chainId, byte[] genesisBlockHash)
    {
        await CheckConfirmedTxs(node, int.MaxValue, all: true);
        using var http = new HttpClient();
        var provider = new HttpRpcProvider(node.Rpc, http);
        var options = TrustOptions.Create(chainId, TimeSpan.FromDays(1));
        var now = TimeProvider.System.GetUtcNow().AddSeconds(1);
        var (rootVerdict, root) = await Bisection.TrustRootAsync(1, genesisBlockHash, provider, options, now);
        Assert.True(rootVerdict.IsSuccess, rootVerdict.ToString());
        var tip = await node.HeightAsync();
        Assert.True(tip >= _seenHeight);
        // Every block in sequence (adjacent verification links each header to the previous one).
        var trusted = root!;
        for (var h = 2L; h <= tip; h++)
        {
            var next = await provider.GetLightBlockAsync(h);
            var verdict = Verifier.Verify(trusted, next, options, now);
            Assert.True(verdict.IsSuccess, $"height {h}: {verdict}");
            if (_seenBlockHashes.TryGetValue(h, out var seen))
            {
                Assert.True(seen == Convert.ToHexString(next.Header.Hash()), $"block {h} changed across restarts");
            }
            trusted = next;
        }
        var skipping = await Bisection.VerifyToHeightAsync(root!, tip, provider, options, now);
        Assert.True(skipping.IsSuccess, skipping.Verdict.ToString());
        log.WriteLine($"light client: verified blocks 1..{tip} one by one and by bisection in {skipping.StepsVerified} step(s); {_seenBlockHashes.Count} block hashes seen before kills unchanged");
    }
}

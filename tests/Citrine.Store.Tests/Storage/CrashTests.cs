using System.Diagnostics;
using Citrine.Crypto.Encoding;
using Citrine.Store.CrashHelper;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;
using Xunit.Abstractions;

namespace Citrine.Store.Tests.Storage;

/// <summary>
/// Kills a real process that commits versions on RocksDB in a loop, at seeded random moments, and
/// checks after each kill that the store reopens at a committed version whose app hash equals the
/// hash recomputed independently (in memory) from the exact writes of versions 1..N, and that every
/// node of every kept version is present and hash-consistent.
/// </summary>
[Trait("Category", "Crash")]
public sealed class CrashTests(ITestOutputHelper log)
{
    private static string HelperPath =>
        Path.Combine(AppContext.BaseDirectory, "Citrine.Store.CrashHelper.dll");

    private static (long LastPrinted, string Output) RunAndKill(string dbPath, int killAfterMs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HelperPath);
        info.ArgumentList.Add(dbPath);
        using var process = Process.Start(info)!;
        var lines = new List<string>();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (gate)
                {
                    lines.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();
        // Wait until the helper has opened the store, then let it run for the random delay.
        var opened = Stopwatch.StartNew();
        while (opened.Elapsed < TimeSpan.FromSeconds(60))
        {
            lock (gate)
            {
                if (lines.Count > 0)
                {
                    break;
                }
            }
            if (process.HasExited)
            {
                break;
            }
            Thread.Sleep(5);
        }
        Thread.Sleep(killAfterMs);
        if (process.HasExited)
        {
            Assert.Fail("the helper exited on its own: " + stderr.Result);
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        lock (gate)
        {
            var committed = lines.Where(l => l.StartsWith("committed ", StringComparison.Ordinal)).ToList();
            var last = committed.Count == 0 ? -1 : long.Parse(committed[^1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            return (last, string.Join('\n', lines));
        }
    }

    private static byte[] ExpectedAppHash(long version, Dictionary<long, byte[]> cache)
    {
        if (cache.TryGetValue(version, out var known))
        {
            return known;
        }
        var memory = new MultiStore(new MemoryKeyValueDb(), CrashWorkload.StoreNames);
        byte[] hash = [];
        for (var v = 1; v <= version; v++)
        {
            CrashWorkload.Apply(memory, v);
            hash = memory.Commit();
            cache[v] = hash;
        }
        return hash;
    }

    [Fact]
    public void Killing_the_writer_at_random_moments_never_corrupts_the_store()
    {
        Assert.True(File.Exists(HelperPath), $"crash helper not built at {HelperPath}");
        using var dir = new TempDirectory();
        var dbPath = Path.Combine(dir.Path, "db");
        var rng = new Random(20261123);
        var expected = new Dictionary<long, byte[]>();
        long previous = 0;
        for (var round = 0; round < 6; round++)
        {
            var (lastPrinted, output) = RunAndKill(dbPath, rng.Next(20, 900));

            using var store = MultiStore.OpenRocks(dbPath, CrashWorkload.StoreNames);
            var latest = store.LatestVersion;
            // A commit is printed only after its synced write, so it must be there; at most the one
            // being printed when the kill came may be there beyond it.
            Assert.True(latest >= lastPrinted, $"round {round}: reopened at {latest}, but {lastPrinted} was reported committed\n{output}");
            Assert.True(lastPrinted < 0 || latest <= lastPrinted + 1, $"round {round}: reopened at {latest}, beyond {lastPrinted} + 1");
            Assert.True(latest >= previous, $"round {round}: went back from {previous} to {latest}");
            previous = latest;
            log.WriteLine($"round {round}: last reported {lastPrinted}, reopened at {latest} (kept from {store.FirstVersion})");
            if (latest == 0)
            {
                continue;
            }
            Assert.Equal(Hex.Encode(ExpectedAppHash(latest, expected)), Hex.Encode(store.LastAppHash));
            for (var v = store.FirstVersion; v <= latest; v++)
            {
                Assert.Equal(Hex.Encode(ExpectedAppHash(v, expected)), Hex.Encode(store.GetCommitInfo(v).AppHash));
                foreach (var name in CrashWorkload.StoreNames)
                {
                    var tree = store.Store(name).GetImmutable(v);
                    tree.Verify();
                    Assert.Equal(store.GetCommitInfo(v).Stores.Single(s => s.Name == name).Hash, tree.RootHash);
                }
            }
        }
        Assert.True(previous > 0, "the helper never committed a version");
    }
}

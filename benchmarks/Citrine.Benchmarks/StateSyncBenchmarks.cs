using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Snapshots;
using Citrine.Store.Storage;

namespace Citrine.Benchmarks;

/// <summary>
/// State sync of a multistore holding 100,000 keys across the five chain stores (committed over 10
/// versions, in memory): a whole snapshot export cut into 4 MiB chunk files (SHA-256 per chunk, each
/// file flushed to disk), and the import of those chunks into an empty multistore (decode, every node
/// hash recomputed, records written, app hash checked). Floors beside them: reading every key of the
/// version (the export cannot read less), and SHA-256 over the snapshot's bytes (the chunk hashes a
/// restore cannot skip).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class StateSyncBenchmarks
{
    private const int Keys = 100_000;
    private static readonly string[] Names = ["acc", "attestation", "bank", "staking", "wasm"];

    private string _dir = null!;
    private MultiStore _store = null!;
    private StateSync _sync = null!;
    private Snapshot _snapshot = null!;
    private byte[][] _chunks = [];
    private byte[] _appHash = [];
    private byte[] _stream = [];
    private List<SnapshotItem> _items = [];

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"));
    }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "citrine-statesync-bench-" + Guid.NewGuid().ToString("N"));
        _store = new MultiStore(new MemoryKeyValueDb(), Names);
        for (var v = 0; v < 10; v++)
        {
            for (var i = v; i < Keys; i += 10)
            {
                var key = SHA256.HashData(BitConverter.GetBytes(i));
                var value = new byte[24 + (i % 40)];
                key.AsSpan(0, Math.Min(key.Length, value.Length)).CopyTo(value);
                _store.Store(Names[i % Names.Length]).Set(key, value);
            }
            _store.Commit();
        }
        _appHash = _store.LastAppHash;
        _sync = new StateSync(_store, new StateSyncOptions { Directory = _dir, KeepRecent = 1 });
        _snapshot = _sync.CreateSnapshot(_store.LatestVersion);
        _chunks = [.. Enumerable.Range(0, (int)_snapshot.Chunks).Select(i =>
            _sync.LoadSnapshotChunk(new RequestLoadSnapshotChunk { Height = _snapshot.Height, Format = 1, Chunk = (uint)i }).Chunk.ToByteArray())];
        _stream = [.. _chunks.SelectMany(c => c)];
        using (var export = _store.Export(_store.LatestVersion))
        {
            _items = [.. export.Items()];
        }
        Console.WriteLine($"// snapshot: {_chunks.Sum(c => (long)c.Length):N0} bytes in {_chunks.Length} chunks");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Description = "export + chunk files (headline)")]
    public uint ExportAndChunk() => _sync.CreateSnapshot(_store.LatestVersion).Chunks;

    [Benchmark(Description = "floor: read every key of the version")]
    public long ReadAllKeys()
    {
        long n = 0;
        foreach (var name in Names)
        {
            foreach (var entry in _store.Store(name).GetImmutable(_store.LatestVersion).Range())
            {
                n += entry.Value.Length;
            }
        }
        return n;
    }

    [Benchmark(Description = "import: decode + rebuild + app hash (headline)")]
    public long Import()
    {
        using var target = new MultiStore(new MemoryKeyValueDb(), Names);
        using var input = new MemoryStream(_stream, writable: false);
        return target.Import(_store.LatestVersion, SnapshotItemCodec.Read(input), _appHash).Version;
    }

    [Benchmark(Description = "floor: SHA-256 of the chunk bytes")]
    public int HashChunks()
    {
        var x = 0;
        foreach (var chunk in _chunks)
        {
            x ^= SHA256.HashData(chunk)[0];
        }
        return x;
    }

    /// <summary>
    /// The hashing an import cannot avoid: every node's hash from its children (leaves: SHA-256 of
    /// the value, then of the leaf header; inner nodes: one SHA-256), from items already decoded.
    /// </summary>
    [Benchmark(Description = "floor: recompute every node hash of the version")]
    public int HashNodes()
    {
        var stack = new Stack<(byte[] Hash, long Size)>();
        var stores = 0;
        foreach (var item in _items)
        {
            switch (item)
            {
                case SnapshotStoreItem:
                    stack.Clear();
                    stores++;
                    break;
                case SnapshotNodeItem { Height: 0 } leaf:
                    stack.Push((IavlHashing.LeafHash(leaf.Key, leaf.Value!, leaf.Version), 1));
                    break;
                case SnapshotNodeItem inner:
                    var right = stack.Pop();
                    var left = stack.Pop();
                    stack.Push((IavlHashing.InnerHash(inner.Height, left.Size + right.Size, inner.Version, left.Hash, right.Hash), left.Size + right.Size));
                    break;
            }
        }
        return stores;
    }
}

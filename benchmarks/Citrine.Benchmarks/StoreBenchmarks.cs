using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Ics23.Proofs;
using Citrine.Store.Iavl;
using Citrine.Store.Storage;

namespace Citrine.Benchmarks;

/// <summary>
/// IAVL on RocksDB: get, ICS23 proof generation, and 1000 sets + a synced commit, each next to its
/// RocksDB floor (one raw get; 1000 raw puts in one synced batch) in the same database. The tree is
/// built once (CITRINE_STORE_BENCH_KEYS keys, default 1,000,000, 10,000 per version) in a fixed temp
/// directory that later benchmark processes reopen; the build time is written next to it.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const int BatchSize = 1000;
    private static readonly byte[] RawPrefix = "raw/"u8.ToArray();
    private static readonly byte[] TreePrefix = "t/"u8.ToArray();

    private RocksKeyValueDb _db = null!;
    private MutableTree _tree = null!;
    private ImmutableTree _snapshot = null!;
    private int _keys;
    private long _cursor;

    private static int KeyCount =>
        int.TryParse(Environment.GetEnvironmentVariable("CITRINE_STORE_BENCH_KEYS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1_000_000;

    private static byte[] KeyOf(long i)
    {
        Span<byte> seed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seed, i);
        return SHA256.HashData(seed)[..20];
    }

    private static byte[] ValueOf(long i, long version)
    {
        var value = new byte[32];
        BinaryPrimitives.WriteInt64BigEndian(value, i);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), version);
        return value;
    }

    [GlobalSetup]
    public void Setup()
    {
        _keys = KeyCount;
        var dir = Path.Combine(Path.GetTempPath(), $"citrine-store-bench-{_keys}");
        var marker = Path.Combine(dir, "BUILT");
        if (!File.Exists(marker))
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
            var watch = Stopwatch.StartNew();
            using (var db = RocksKeyValueDb.Open(Path.Combine(dir, "db")))
            {
                var tree = new MutableTree(db, TreePrefix);
                for (long i = 0; i < _keys; i++)
                {
                    tree.Set(KeyOf(i), ValueOf(i, 1));
                    if ((i + 1) % 10_000 == 0 || i == _keys - 1)
                    {
                        tree.SaveVersion();
                        if (tree.Version > 1)
                        {
                            tree.DeleteVersionsTo(tree.Version - 1);
                        }
                    }
                }
                var treeTime = watch.Elapsed;
                var batch = db.CreateBatch();
                for (long i = 0; i < _keys; i++)
                {
                    batch.Put([.. RawPrefix, .. KeyOf(i)], ValueOf(i, 1));
                    if (batch.Count == 10_000)
                    {
                        db.Write(batch);
                        batch.Dispose();
                        batch = db.CreateBatch();
                    }
                }
                db.Write(batch);
                batch.Dispose();
                var proofBytes = 0L;
                var snapshot = tree.GetImmutable(tree.Version);
                for (long i = 0; i < 1000; i++)
                {
                    proofBytes += ProofCodec.Encode(snapshot.GetProof(KeyOf(i * 997 % _keys))).Length;
                }
                File.WriteAllText(Path.Combine(dir, "setup.txt"), string.Create(CultureInfo.InvariantCulture,
                    $"keys={_keys} tree_build_s={treeTime.TotalSeconds:F1} raw_build_s={(watch.Elapsed - treeTime).TotalSeconds:F1} versions={tree.Version} mean_existence_proof_bytes={proofBytes / 1000.0:F1} tree_nodes_verified={snapshot.Verify()}\n"));
            }
            File.WriteAllText(marker, "ok");
        }
        Console.WriteLine("// store setup: " + File.ReadAllText(Path.Combine(dir, "setup.txt")).Trim());
        _db = RocksKeyValueDb.Open(Path.Combine(dir, "db"));
        _tree = new MutableTree(_db, TreePrefix);
        _snapshot = _tree.GetImmutable(_tree.Version);
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    private long NextIndex() => (_cursor = (_cursor + 7_919) % _keys);

    [Benchmark(Description = "IAVL get (1 key)")]
    public byte[]? IavlGet() => _snapshot.Get(KeyOf(NextIndex()));

    [Benchmark(Description = "floor: RocksDB get (1 key)")]
    public byte[]? RocksGet() => _db.TryGet([.. RawPrefix, .. KeyOf(NextIndex())]);

    [Benchmark(Description = "IAVL ICS23 existence proof (1 key)")]
    public CommitmentProof IavlProof() => _snapshot.GetProof(KeyOf(NextIndex()));

    [Benchmark(Description = "IAVL 1000 sets + synced commit, per set", OperationsPerInvoke = BatchSize)]
    public long IavlSetAndCommit()
    {
        var version = _tree.Version + 1;
        for (var i = 0; i < BatchSize; i++)
        {
            var index = NextIndex();
            _tree.Set(KeyOf(index), ValueOf(index, version));
        }
        return _tree.SaveVersion().Version;
    }

    [Benchmark(Description = "floor: RocksDB 1000 puts + synced batch, per put", OperationsPerInvoke = BatchSize)]
    public int RocksPutAndSync()
    {
        using var batch = _db.CreateBatch();
        for (var i = 0; i < BatchSize; i++)
        {
            var index = NextIndex();
            batch.Put([.. RawPrefix, .. KeyOf(index)], ValueOf(index, 2));
        }
        _db.Write(batch);
        return batch.Count;
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Store.Iavl;
using Citrine.Store.Multistore;
using Citrine.Store.Storage;

namespace Citrine.Benchmarks;

/// <summary>
/// IAVL on RocksDB inside a Cosmos-style multistore: get, ICS23 proof generation, the full query
/// proof (IAVL + simple-Merkle chain to the app hash), its verification with Citrine.Ics23, and
/// 1000 sets + a synced multistore commit, each next to its floor in the same database (one raw
/// RocksDB get; 1000 raw puts in one synced batch; the SHA-256 calls a proof check cannot avoid).
/// The store (CITRINE_STORE_BENCH_KEYS keys in store "bank", default 1,000,000, committed 10,000 per
/// version with the previous version pruned) is built once in a fixed temp directory that later runs
/// reopen; the build time and proof sizes are written next to it and printed.
/// Run without --job / --inProcess: the class brings its own in-process short job with a timeout
/// long enough for the 1M-key build.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class StoreBenchmarks
{
    private const int BatchSize = 1000;
    private const string StoreName = "bank";
    private static readonly string[] StoreNames = ["acc", StoreName, "staking", "wasm"];
    private static readonly byte[] RawPrefix = "raw/"u8.ToArray();
    private static readonly MultiStoreOptions Options = new() { KeepRecent = 1 };

    private RocksKeyValueDb _db = null!;
    private CountingKeyValueDb _counted = null!;
    private MultiStore _store = null!;
    private ImmutableTree _snapshot = null!;
    private (IReadOnlyList<ProofOp> Ops, byte[] AppHash, ReadOnlyMemory<byte>[] Path, byte[] Value)[] _proofs = [];
    private byte[][] _hashInputs = [];
    private int _keys;
    private long _cursor;
    private int _proofCursor;
    private long _iavlOps;

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(2), logOutput: true)).WithId("ShortRun-InProcess"));
    }

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
        var dir = Path.Combine(Path.GetTempPath(), $"citrine-store-bench-ms-{_keys}");
        var marker = Path.Combine(dir, "BUILT");
        if (!File.Exists(marker))
        {
            Build(dir);
            File.WriteAllText(marker, "ok");
        }
        Console.WriteLine("// store setup: " + File.ReadAllText(Path.Combine(dir, "setup.txt")).Trim());
        _db = RocksKeyValueDb.Open(Path.Combine(dir, "db"));
        // The store reads through a counter (the raw floors use _db directly), so each case prints
        // how many database reads one operation cost: a regression in the read path shows there.
        _counted = new CountingKeyValueDb(_db);
        _store = new MultiStore(_counted, StoreNames, Options);
        _snapshot = _store.Store(StoreName).GetImmutable(_store.LatestVersion);
        // Proofs to verify, and the floor: one SHA-256 per hashing step of a proof (leaf + inner ops
        // of the IAVL proof, leaf + inner ops of the simple proof), over inputs of the same sizes.
        var proofs = new List<(IReadOnlyList<ProofOp>, byte[], ReadOnlyMemory<byte>[], byte[])>();
        var hashInputs = new List<byte[]>();
        for (long i = 0; i < 64; i++)
        {
            var key = KeyOf(i * 15_485_863 % _keys);
            var result = _store.Query(StoreName, key, prove: true);
            proofs.Add((result.ProofOps!, result.AppHash, [System.Text.Encoding.UTF8.GetBytes(StoreName), key], result.Value!));
            if (i == 0)
            {
                foreach (var op in result.ProofOps!)
                {
                    var exist = ProofCodec.DecodeCommitmentProof(op.Data.Span).Exist!;
                    // Both specs prehash the value with SHA-256, then hash the leaf, then each inner op.
                    hashInputs.Add(new byte[exist.Value.Length]);
                    hashInputs.Add(new byte[exist.Key.Length + 32 + 8]);
                    hashInputs.AddRange(exist.Path.Select(inner => new byte[inner.Prefix.Length + inner.Suffix.Length + 32]));
                }
            }
        }
        _proofs = [.. proofs];
        _hashInputs = [.. hashInputs];
        Console.WriteLine($"// proof check floor: {_hashInputs.Length} SHA-256 calls over {_hashInputs.Sum(h => h.Length)} bytes");
        _counted.Reset();
        _iavlOps = 0;
    }

    private void Build(string dir)
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        var watch = Stopwatch.StartNew();
        using var db = RocksKeyValueDb.Open(Path.Combine(dir, "db"));
        using (var store = new MultiStore(db, StoreNames, Options))
        {
            var tree = store.Store(StoreName);
            for (long i = 0; i < _keys; i++)
            {
                tree.Set(KeyOf(i), ValueOf(i, 1));
                if ((i + 1) % 10_000 == 0 || i == _keys - 1)
                {
                    store.Commit();
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
            long iavlBytes = 0, simpleBytes = 0, innerOps = 0;
            const int Samples = 1000;
            for (long i = 0; i < Samples; i++)
            {
                var result = store.Query(StoreName, KeyOf(i * 997 % _keys), prove: true);
                iavlBytes += result.ProofOps![0].Data.Length;
                simpleBytes += result.ProofOps[1].Data.Length;
                innerOps += ProofCodec.DecodeCommitmentProof(result.ProofOps[0].Data.Span).Exist!.Path.Count;
            }
            File.WriteAllText(Path.Combine(dir, "setup.txt"), string.Create(CultureInfo.InvariantCulture,
                $"keys={_keys} multistore_build_s={treeTime.TotalSeconds:F1} (10,000 sets per synced commit, KeepRecent=1) raw_build_s={(watch.Elapsed - treeTime).TotalSeconds:F1} versions={store.LatestVersion} "
                + $"mean_iavl_proof_bytes={iavlBytes / (double)Samples:F1} mean_iavl_inner_ops={innerOps / (double)Samples:F1} simple_proof_bytes={simpleBytes / (double)Samples:F1} "
                + $"mean_chained_proof_bytes={(iavlBytes + simpleBytes) / (double)Samples:F1}\n"));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_iavlOps > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// store reads per IAVL operation: {_counted.Gets / (double)_iavlOps:F2} point reads, {_counted.Ranges / (double)_iavlOps:F4} range scans ({_iavlOps} operations)"));
        }
        _store.Dispose();
        _db.Dispose();
    }

    private long NextIndex() => _cursor = (_cursor + 7_919) % _keys;

    [Benchmark(Description = "IAVL get (1 key)")]
    public byte[]? IavlGet()
    {
        _iavlOps++;
        return _snapshot.Get(KeyOf(NextIndex()));
    }

    [Benchmark(Description = "floor: RocksDB get (1 key)")]
    public byte[]? RocksGet() => _db.TryGet([.. RawPrefix, .. KeyOf(NextIndex())]);

    [Benchmark(Description = "IAVL ICS23 existence proof (1 key)")]
    public CommitmentProof IavlProof()
    {
        _iavlOps++;
        return _snapshot.GetProof(KeyOf(NextIndex()));
    }

    [Benchmark(Description = "multistore query + proof chain (IAVL + simple), encoded")]
    public StoreQueryResult QueryWithProof()
    {
        _iavlOps++;
        return _store.Query(StoreName, KeyOf(NextIndex()), prove: true);
    }

    [Benchmark(Description = "Citrine.Ics23 verify of the chained proof to the app hash")]
    public bool VerifyChainedProof()
    {
        var (ops, appHash, path, value) = _proofs[_proofCursor = (_proofCursor + 1) % _proofs.Length];
        return ProofOps.VerifyMembership(ops, appHash, path, value).IsValid;
    }

    [Benchmark(Description = "floor: the proof's SHA-256 calls alone")]
    public int ProofHashFloor()
    {
        Span<byte> digest = stackalloc byte[32];
        var total = 0;
        foreach (var input in _hashInputs)
        {
            total += SHA256.HashData(input, digest);
        }
        return total;
    }

    [Benchmark(Description = "IAVL 1000 sets + synced multistore commit, per set", OperationsPerInvoke = BatchSize)]
    public long IavlSetAndCommit()
    {
        var tree = _store.Store(StoreName);
        var version = _store.LatestVersion + 1;
        _iavlOps += BatchSize;
        for (var i = 0; i < BatchSize; i++)
        {
            var index = NextIndex();
            tree.Set(KeyOf(index), ValueOf(index, version));
        }
        _store.Commit();
        return _store.LatestVersion;
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

using BenchmarkDotNet.Attributes;
using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using Citrine.CometBft.Types;
using Citrine.Store.Storage;

namespace Citrine.Benchmarks;

/// <summary>
/// The devnet's tx/block index on RocksDB: indexing one block of <see cref="TxsPerBlock"/> bank
/// sends (the events the app emits for a send: 12 indexed attributes) beside its floor, one
/// synced RocksDB batch of the same number of puts; and tx_search lookups on an index of
/// <see cref="Blocks"/> such blocks.
/// </summary>
[MemoryDiagnoser]
public class IndexingBenchmarks
{
    public const int TxsPerBlock = 100;
    public const int Blocks = 200;

    private string _dir = "";
    private ChainIndexer _index = null!;
    private RocksKeyValueDb _floorDb = null!;
    private long _nextHeight;
    private long _floorRound;
    private int _putsPerBlock;
    private EventQuery _heightRange = null!;
    private EventQuery _recipient = null!;
    private EventQuery _hash = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "citrine-index-bench-" + Guid.NewGuid().ToString("N"));
        _index = ChainIndexer.OpenRocks(Path.Combine(_dir, "index"));
        _floorDb = RocksKeyValueDb.Open(Path.Combine(_dir, "floor"));
        for (long h = 1; h <= Blocks; h++)
        {
            var (block, results) = MakeBlock(h);
            _index.Index(block, results);
        }
        _nextHeight = Blocks + 1;
        // Per tx: by hash, by height, and one key per indexed attribute.
        _putsPerBlock = TxsPerBlock * (2 + 12) + 2;
        _heightRange = EventQuery.Parse("tx.height >= 100 AND tx.height <= 101");
        _recipient = EventQuery.Parse("transfer.recipient = 'citrine1recipient57'");
        _hash = EventQuery.Parse($"tx.hash = '{Convert.ToHexString(Citrine.Chain.Txs.Tx.HashOf(TxBytes(150, 7)))}'");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _floorDb.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "index one 100-tx block (RocksDB, synced)")]
    public void IndexBlock()
    {
        var (block, results) = MakeBlock(_nextHeight++);
        _index.Index(block, results);
    }

    [Benchmark(Description = "floor: one synced RocksDB batch of the same puts")]
    public void FloorSyncedBatch()
    {
        using var batch = _floorDb.CreateBatch();
        var round = _floorRound++;
        Span<byte> key = stackalloc byte[48];
        for (var i = 0; i < _putsPerBlock; i++)
        {
            BitConverter.TryWriteBytes(key, round);
            BitConverter.TryWriteBytes(key[8..], i);
            batch.Put(key, key[..32]);
        }
        _floorDb.Write(batch);
    }

    [Benchmark(Description = "tx_search tx.height in [100, 101] (200 txs)")]
    public int SearchHeightRange() => _index.SearchTxs(_heightRange).Count;

    [Benchmark(Description = "tx_search transfer.recipient = one of 100 (200 txs of 20,000)")]
    public int SearchRecipient() => _index.SearchTxs(_recipient).Count;

    [Benchmark(Description = "tx_search tx.hash")]
    public int SearchHash() => _index.SearchTxs(_hash).Count;

    private static byte[] TxBytes(long height, int index) => System.Text.Encoding.UTF8.GetBytes($"tx-{height}-{index}-padding-to-look-like-a-signed-send-of-about-two-hundred-bytes");

    private static (Block, BlockResults) MakeBlock(long height)
    {
        var txs = new List<byte[]>(TxsPerBlock);
        var results = new List<TxResult>(TxsPerBlock);
        for (var i = 0; i < TxsPerBlock; i++)
        {
            txs.Add(TxBytes(height, i));
            var sender = $"citrine1sender{i}";
            var recipient = $"citrine1recipient{i}";
            results.Add(new TxResult(0, [], "", 80_000, 30_000,
            [
                new AbciEvent("tx", [new EventAttr("acc_seq", $"{sender}/{height}")]),
                new AbciEvent("tx", [new EventAttr("signature", "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJlLXNpZ25hdHVyZQ==")]),
                new AbciEvent("message", [new EventAttr("action", "/citrine.bank.MsgSend"), new EventAttr("sender", sender), new EventAttr("module", "bank")]),
                new AbciEvent("coin_spent", [new EventAttr("spender", sender), new EventAttr("amount", "5ucit")]),
                new AbciEvent("coin_received", [new EventAttr("receiver", recipient), new EventAttr("amount", "5ucit")]),
                new AbciEvent("transfer", [new EventAttr("recipient", recipient), new EventAttr("sender", sender), new EventAttr("amount", "5ucit")]),
            ]));
        }
        var header = new Header
        {
            Version = new ConsensusVersion(Header.BlockProtocol, 0),
            ChainId = "bench",
            Height = height,
            Time = new Timestamp(1_750_000_000 + height, 0),
            LastBlockId = BlockId.Empty,
            LastCommitHash = [],
            DataHash = [],
            ValidatorsHash = [],
            NextValidatorsHash = [],
            ConsensusHash = [],
            AppHash = [],
            LastResultsHash = [],
            EvidenceHash = [],
            ProposerAddress = new byte[20],
        };
        return (new Block(BlockId.Empty, header, txs, null, new Commit(height, 0, BlockId.Empty, [])), new BlockResults(height, results, [], new byte[32]));
    }
}

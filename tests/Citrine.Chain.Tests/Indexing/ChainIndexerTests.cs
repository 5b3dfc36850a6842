using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;
using Citrine.Store.Storage;

namespace Citrine.Chain.Tests.Indexing;

public sealed class ChainIndexerTests : IDisposable
{
    private readonly ChainIndexer _index = ChainIndexer.InMemory();

    public void Dispose() => _index.Dispose();

    internal static Block BlockAt(long height, params byte[][] txs) => new(
        BlockId.Empty,
        new Header
        {
            Version = new ConsensusVersion(Header.BlockProtocol, 0),
            ChainId = "index-test",
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
        },
        txs,
        null,
        new Commit(height, 0, BlockId.Empty, []));

    internal static TxResult Result(params AbciEvent[] events) => new(0, [], "", 0, 0, events);

    internal static AbciEvent Event(string type, params (string Key, string Value)[] attrs) =>
        new(type, [.. attrs.Select(a => new EventAttr(a.Key, a.Value))]);

    private static byte[] TxBytes(string label) => System.Text.Encoding.UTF8.GetBytes(label);

    private void Index(long height, params (string Tx, AbciEvent[] Events)[] txs) =>
        _index.Index(BlockAt(height, [.. txs.Select(t => TxBytes(t.Tx))]), new BlockResults(height, [.. txs.Select(t => Result(t.Events))], [], new byte[32]));

    private List<string> Search(string query) =>
        [.. _index.SearchTxs(EventQuery.Parse(query)).OrderBy(l => l.Height).ThenBy(l => l.Index).Select(l => $"{l.Height}/{l.Index}")];

    /// <summary>The fixture of CometBFT's TestTxSearch (state/txindex/kv/kv_test.go): number and owner in separate events.</summary>
    private void IndexCometFixture() => Index(1, ("HELLO WORLD", [
        Event("account", ("number", "1")),
        Event("account", ("owner", "/Ivan/")),
        Event("", ("not_allowed", "Vlad")),
    ]));

    [Theory]
    [InlineData("account.number = 1", 1)]
    [InlineData("account.number = 1 AND account.owner = 'Ivan'", 0)]
    [InlineData("account.owner = '/Ivan/'", 1)]
    [InlineData("account.number = 1 AND account.owner = '/Ivan/'", 0)] // different events: no match since 0.34.26
    [InlineData("account.number >= 1 AND account.owner = 'Vlad'", 0)]
    [InlineData("account.number <= 0", 0)]
    [InlineData("account.owner = 'Iv'", 0)]
    [InlineData("account.number >= 1 AND account.number <= 5", 1)]
    [InlineData("account.number >= 1", 1)]
    [InlineData("account.number <= 1", 1)]
    [InlineData("account.number < 1", 0)]
    [InlineData("account.number > 1", 0)]
    [InlineData("not_allowed = 'boom'", 0)]
    [InlineData("not_allowed = 'Vlad'", 0)]
    [InlineData("account.number >= 2 AND account.number <= 5 AND tx.height > 0", 0)]
    [InlineData("account.date >= TIME 2013-05-03T14:45:00Z", 0)]
    [InlineData("account.owner CONTAINS 'an'", 1)]
    [InlineData("account.owner CONTAINS 'Vlad'", 0)]
    [InlineData("account.owner CONTAINS 'Ivann'", 0)]
    [InlineData("account.number CONTAINS 'Iv'", 0)]
    [InlineData("account.number EXISTS", 1)]
    [InlineData("account.date EXISTS", 0)]
    [InlineData("not_allowed EXISTS", 0)]
    [InlineData("account EXISTS", 0)] // the indexer needs the full type.key
    [InlineData("tm.event = 'Tx'", 0)] // tm.event is not indexed by the kv indexer
    [InlineData("tx.height = 1", 1)]
    [InlineData("tx.height = 2", 0)]
    public void Search_finds_what_CometBfts_kv_indexer_finds(string query, int expected)
    {
        IndexCometFixture();
        Assert.Equal(expected, Search(query).Count);
    }

    [Fact]
    public void Conditions_match_within_one_event()
    {
        Index(1, ("a", [Event("account", ("number", "1"), ("owner", "Ana"))]));
        Index(10, ("b", [Event("account", ("number", "1"), ("owner", "/Ivan/.test"))]));
        Assert.Equal(["1/0"], Search("account.number = 1 AND account.owner = 'Ana'"));
        Assert.Equal(["1/0", "10/0"], Search("tx.height >= 1 AND tx.height <= 10 AND account.number=1"));
        Assert.Equal(["1/0"], Search("tx.height >= 1 AND tx.height <= 5 AND account.number=1"));
        Assert.Empty(Search("tx.height >= 2 AND tx.height <= 5"));
        Assert.Equal(["10/0"], Search("account.number <= 2 AND account.owner CONTAINS '/Iv' AND account.owner CONTAINS 'an' AND tx.height = 10"));
        Assert.Empty(Search("tx.height < 2 AND account.number = 3 AND account.number = 2 AND account.number = 5"));
    }

    [Fact]
    public void Height_equality_follows_dedupHeight()
    {
        Index(1, ("a", [Event("account", ("number", "2"))]));
        // The first "=" on tx.height wins; a range on tx.height anywhere drops every "=".
        Assert.Equal(["1/0"], Search("account.number >= 1 AND tx.height = 1 AND tx.height = 2 AND tx.height = 3"));
        Assert.Empty(Search("account.number >= 1 AND tx.height = 3 AND tx.height = 2 AND tx.height = 1"));
        Assert.Equal(["1/0"], Search("account.number >= 1 AND tx.height = 3 AND tx.height > 0"));
        Assert.Equal(["1/0"], Search("account.number >= 1 AND tx.height > 0 AND tx.height = 3"));
        Assert.Equal(["1/0"], Search("tx.height = 1 AND tx.height = 1"));
        // EXISTS/CONTAINS on tx.height count as ranges for dedupHeight and match the height entries.
        Assert.Equal(["1/0"], Search("tx.height EXISTS"));
        Assert.Equal(["1/0"], Search("tx.height EXISTS AND tx.height = 5"));
        Assert.Equal(["1/0"], Search("tx.height CONTAINS '1'"));
        Assert.Empty(Search("tx.height CONTAINS '2'"));
        Assert.Empty(Search("tx.height EXISTS AND account.number = 2"));
    }

    [Fact]
    public void Ranges_merge_per_tag_and_compare_numbers_exactly()
    {
        const string Big = "10000000000000000000000000000000000000000000000";
        Index(1, ("a", [Event("account", ("number", Big)), Event("account", ("number", "1.5"), ("amount", "5"))]));
        Index(2, ("b", [Event("account", ("number", "-3")), Event("account", ("number", "8ucit"))]));
        Assert.Equal(["1/0"], Search($"account.number >= {Big}"));
        Assert.Equal(["1/0"], Search("account.number > 1.4 AND account.number < 1.6"));
        Assert.Equal(["1/0"], Search("account.number > 1 AND account.amount = 5"));
        Assert.Empty(Search($"account.number >= {Big} AND account.amount = 5")); // other event
        Assert.Equal(["2/0"], Search("account.number < 0")); // signed values are numbers to the indexer
        Assert.Empty(Search("account.number = 8")); // "=" compares the text: "8ucit" is not "8"
        Assert.Empty(Search("account.number > 7 AND account.number < 9")); // nor a number for ranges
        Assert.Empty(Search("account.number > TIME 2013-05-03T14:45:00Z")); // time ranges are not implemented
    }

    [Fact]
    public void Attributes_not_marked_for_indexing_and_reserved_keys_are_not_searchable()
    {
        _index.Index(BlockAt(1, TxBytes("a")), new BlockResults(1, [Result(
            new AbciEvent("hidden", [new EventAttr("k", "v", Index: false)]),
            new AbciEvent("tx", [new EventAttr("height", "99"), new EventAttr("hash", "AA")]),
            new AbciEvent("empty", [new EventAttr("", "v")]))], [], new byte[32]));
        Assert.Empty(Search("hidden.k = 'v'"));
        Assert.Empty(Search("tx.height = 99"));
        Assert.Empty(Search("empty. EXISTS"));
        Assert.Equal(["1/0"], Search("tx.height = 1"));
    }

    [Fact]
    public void Tx_hash_condition_answers_alone()
    {
        IndexCometFixture();
        var hash = Convert.ToHexString(Txs.Tx.HashOf(TxBytes("HELLO WORLD")));
        Assert.Equal(["1/0"], Search($"tx.hash = '{hash}'"));
        Assert.Equal(["1/0"], Search($"tx.hash = '{hash.ToLowerInvariant()}' AND account.owner = 'nobody'"));
        Assert.Empty(Search($"tx.hash = '{new string('0', 64)}'"));
    }

    [Theory]
    [InlineData("tx.hash = 'zz'", "error during searching for a hash in the query: encoding/hex: invalid byte: U+007A 'z'")]
    [InlineData("tx.hash = 'abc'", "error during searching for a hash in the query: encoding/hex: odd length hex string")]
    [InlineData("tx.hash = 'abz'", "error during searching for a hash in the query: encoding/hex: invalid byte: U+007A 'z'")]
    [InlineData("tx.hash EXISTS", "error while retrieving the result: transaction hash cannot be empty")]
    [InlineData("tx.hash = ''", "error while retrieving the result: transaction hash cannot be empty")]
    public void Bad_tx_hash_conditions_fail_with_CometBfts_message(string query, string message) =>
        Assert.Equal(message, Assert.Throws<IndexSearchException>(() => _index.SearchTxs(EventQuery.Parse(query))).Message);

    [Fact]
    public void Finds_txs_by_hash_and_records_the_indexed_height()
    {
        Index(3, ("x", []), ("y", []));
        Assert.Equal(new TxLocation(3, 1), _index.FindTx(Txs.Tx.HashOf(TxBytes("y"))));
        Assert.Null(_index.FindTx(Txs.Tx.HashOf(TxBytes("z"))));
        Assert.Null(_index.FindTx([]));
        Assert.Equal(3, _index.Height);
    }

    [Fact]
    public void Index_refuses_results_that_do_not_match_the_block() =>
        Assert.Throws<ArgumentException>(() => _index.Index(BlockAt(1, TxBytes("a")), new BlockResults(1, [], [], new byte[32])));

    [Fact]
    public void Tx_height_ranges_seek_the_height_index_instead_of_scanning()
    {
        var db = new CountingDb();
        using var index = new ChainIndexer(db, ownsDb: true);
        for (long h = 1; h <= 200; h++)
        {
            index.Index(BlockAt(h, TxBytes($"tx-{h}")), new BlockResults(h, [Result(Event("transfer", ("amount", "1")))], [], new byte[32]));
        }
        db.Visited = 0;
        var found = index.SearchTxs(EventQuery.Parse("tx.height >= 100 AND tx.height <= 102"));
        Assert.Equal([100L, 101, 102], found.Select(l => l.Height).Order());
        Assert.InRange(db.Visited, 3, 3);
        db.Visited = 0;
        Assert.Equal([150L], index.SearchBlocks(EventQuery.Parse("block.height > 149 AND block.height < 151")));
        Assert.InRange(db.Visited, 1, 1);
    }

    [Fact]
    public void Block_search_by_height_and_block_events()
    {
        for (long h = 1; h <= 5; h++)
        {
            _index.Index(BlockAt(h), new BlockResults(h, [], [], new byte[32]), h == 4 ? [Event("upgrade", ("name", "v2"))] : null);
        }
        Assert.Equal([3L], _index.SearchBlocks(EventQuery.Parse("block.height = 3")));
        Assert.Empty(_index.SearchBlocks(EventQuery.Parse("block.height = 6")));
        Assert.Equal([2L, 3, 4], _index.SearchBlocks(EventQuery.Parse("block.height >= 2 AND block.height < 5")).Order());
        Assert.Equal([4L], _index.SearchBlocks(EventQuery.Parse("upgrade.name = 'v2'")));
        Assert.Empty(_index.SearchBlocks(EventQuery.Parse("upgrade.name = 'v2' AND block.height = 3")));
        Assert.Equal([4L], _index.SearchBlocks(EventQuery.Parse("upgrade.name EXISTS AND block.height > 1")));
    }

    [Fact]
    public void The_RocksDb_index_survives_a_reopen()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-index-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var index = ChainIndexer.OpenRocks(dir))
            {
                index.Index(BlockAt(1, TxBytes("a")), new BlockResults(1, [Result(Event("transfer", ("recipient", "bob")))], [], new byte[32]));
            }
            using (var reopened = ChainIndexer.OpenRocks(dir))
            {
                Assert.Equal(1, reopened.Height);
                Assert.Equal(new TxLocation(1, 0), reopened.FindTx(Txs.Tx.HashOf(TxBytes("a"))));
                Assert.Single(reopened.SearchTxs(EventQuery.Parse("transfer.recipient = 'bob'")));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_node_whose_index_is_behind_the_block_store_reindexes_the_missing_heights_at_start()
    {
        using var chain = new TestChain(validators: 1);
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.IsOk);
        chain.Produce();
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 2, 6, 1)).Result.IsOk);
        chain.Produce(2);
        var hash = Txs.Tx.HashOf(chain.Send(0, 2, 6, 1));
        Assert.Equal(new TxLocation(2, 0), chain.Node.FindTx(hash));

        // A second index that saw only block 1 (the crash window between commit and indexing).
        using var behind = ChainIndexer.InMemory();
        behind.Index(chain.Node.GetBlock(1)!.Block, chain.Node.GetResults(1)!);
        var caughtUp = behind.CatchUp(chain.Node.Height, chain.Node.GetBlock, chain.Node.GetResults);
        Assert.Equal(2, caughtUp);
        Assert.Equal(3, behind.Height);
        Assert.Equal(new TxLocation(2, 0), behind.FindTx(hash));
        Assert.Single(behind.SearchTxs(EventQuery.Parse($"transfer.recipient = '{chain.Genesis.Bech32(chain.Address(2))}'")));
    }

    [Fact]
    public void A_restarted_node_keeps_tx_and_tx_search_from_the_persisted_index()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-node-index-" + Guid.NewGuid().ToString("N"));
        try
        {
            byte[] hash;
            string recipient;
            using (var chain = new TestChain(validators: 1))
            {
                recipient = chain.Genesis.Bech32(chain.Address(1));
                var tx = chain.Send(0, 1, 5, 0);
                hash = Txs.Tx.HashOf(tx);
                using var node = OpenNode(chain, dir);
                Assert.True(node.SubmitTx(tx).Result.IsOk);
                chain.Clock.Advance(TimeSpan.FromSeconds(1));
                node.ProduceBlock();
            }
            using (var chain = new TestChain(validators: 1))
            {
                using var node = OpenNode(chain, dir);
                Assert.Equal(1, node.Index.Height);
                Assert.Equal(new TxLocation(1, 0), node.FindTx(hash));
                Assert.Single(node.Index.SearchTxs(EventQuery.Parse($"transfer.recipient = '{recipient}'")));
                // The index is ahead of an empty block store: refused, not silently trusted.
            }
            using (var chain = new TestChain(validators: 1))
            {
                var index = ChainIndexer.OpenRocks(Path.Combine(dir, "index"));
                var e = Assert.Throws<NodeStartException>(() => new ChainNode(chain.Genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(),
                    chain.ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s)), chain.Clock, index: index));
                Assert.Equal("the index is at height 1 but the block store ends at 0", e.Message);
                index.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_node_whose_index_was_lost_rebuilds_it_from_the_block_store_at_start()
    {
        var dir = Path.Combine(Path.GetTempPath(), "citrine-node-reindex-" + Guid.NewGuid().ToString("N"));
        try
        {
            var hashes = new List<byte[]>();
            using (var chain = new TestChain(validators: 1))
            {
                using var node = OpenNode(chain, dir);
                for (ulong i = 0; i < 3; i++)
                {
                    var tx = chain.Send(0, 1, 5 + i, i);
                    hashes.Add(Txs.Tx.HashOf(tx));
                    Assert.True(node.SubmitTx(tx).Result.IsOk);
                    chain.Clock.Advance(TimeSpan.FromSeconds(1));
                    node.ProduceBlock();
                }
            }
            // The index directory is gone (or behind): the node must re-index heights 1..3 before serving.
            Directory.Delete(Path.Combine(dir, "index"), recursive: true);
            using (var chain = new TestChain(validators: 1))
            {
                using var node = OpenNode(chain, dir);
                Assert.Equal(3, node.Index.Height);
                Assert.Equal([new TxLocation(1, 0), new TxLocation(2, 0), new TxLocation(3, 0)], hashes.Select(h => node.FindTx(h)));
                Assert.Equal(3, node.Index.SearchTxs(EventQuery.Parse("tx.height >= 1")).Count);
                // A replayed tx is still refused after the rebuild.
                Assert.Equal(TxCodes.TxInMempoolCache, node.SubmitTx(chain.Send(0, 1, 5, 0)).Result.Code);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static ChainNode OpenNode(TestChain chain, string dir) => new(
        chain.Genesis,
        MultiStoreState.OpenRocks(Path.Combine(dir, "state"), ChainApp.StoreNames),
        new BlockStore(dir),
        chain.ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s)),
        chain.Clock,
        index: ChainIndexer.OpenRocks(Path.Combine(dir, "index")));

    /// <summary>An in-memory database that counts the entries range scans return.</summary>
    private sealed class CountingDb : IKeyValueDb
    {
        private readonly MemoryKeyValueDb _inner = new();

        public int Visited { get; set; }

        public byte[]? TryGet(ReadOnlySpan<byte> key) => _inner.TryGet(key);

        public IEnumerable<KeyValuePair<byte[], byte[]>> Range(byte[] start, byte[] endExclusive)
        {
            foreach (var entry in _inner.Range(start, endExclusive))
            {
                Visited++;
                yield return entry;
            }
        }

        public IWriteBatch CreateBatch() => _inner.CreateBatch();

        public void Write(IWriteBatch batch) => _inner.Write(batch);

        public void Dispose() => _inner.Dispose();
    }
}

using System.Buffers.Binary;
using System.Globalization;
using Citrine.Chain.Blocks;
using Citrine.Chain.Node;
using Citrine.Store.Storage;

namespace Citrine.Chain.Indexing;

/// <summary>A search could not run (CometBFT returns these as JSON-RPC internal errors).</summary>
public sealed class IndexSearchException : Exception
{
    public IndexSearchException()
    {
    }

    public IndexSearchException(string message)
        : base(message)
    {
    }

    public IndexSearchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The tx and block indexes of CometBFT's kv indexers (state/txindex/kv, state/indexer/block/kv),
/// kept in one <see cref="IKeyValueDb"/> (RocksDB under <c>data/index</c> on a devnet home).
/// Each block is indexed in one atomic, synced batch that also records the indexed height, so
/// after a crash the index is either at the block or before it; <see cref="CatchUp"/> re-indexes
/// the heights the block store has and the index lacks.
/// <para>Key layout (big-endian integers, so byte order is height order):</para>
/// <list type="bullet">
/// <item><c>00 "height"</c> → last indexed height (8 bytes)</item>
/// <item><c>01 hash</c> → height (8) ‖ index (4): tx by hash</item>
/// <item><c>02 height index</c> → hash: txs by height (tx.height ranges seek here)</item>
/// <item><c>03 tag value height index seq</c>: an indexed tx event attribute</item>
/// <item><c>04 height</c>: an indexed block</item>
/// <item><c>05 tag value height 0 seq</c>: an indexed block event attribute</item>
/// </list>
/// Tags and values are length-prefixed (u16, u32), so no value can forge another key.
/// </summary>
public sealed class ChainIndexer : IDisposable
{
    public const string TxHashKey = "tx.hash";
    public const string TxHeightKey = "tx.height";
    public const string BlockHeightKey = "block.height";

    private const byte MetaPrefix = 0x00;
    private const byte TxByHashPrefix = 0x01;
    private const byte TxByHeightPrefix = 0x02;
    private const byte TxEventPrefix = 0x03;
    private const byte BlockPrefix = 0x04;
    private const byte BlockEventPrefix = 0x05;
    private static readonly byte[] HeightKey = [MetaPrefix, .. "height"u8];

    private readonly IKeyValueDb _db;
    private readonly bool _ownsDb;
    private readonly Lock _writeLock = new();

    public ChainIndexer(IKeyValueDb db, bool ownsDb)
    {
        ArgumentNullException.ThrowIfNull(db);
        _db = db;
        _ownsDb = ownsDb;
        var stored = db.TryGet(HeightKey);
        Height = stored is { Length: 8 } ? BinaryPrimitives.ReadInt64BigEndian(stored) : 0;
    }

    public static ChainIndexer InMemory() => new(new MemoryKeyValueDb(), ownsDb: true);

    public static ChainIndexer OpenRocks(string path) => new(RocksKeyValueDb.Open(path), ownsDb: true);

    /// <summary>The last indexed height (0 when nothing is indexed).</summary>
    public long Height { get; private set; }

    /// <summary>Indexes block <paramref name="block"/>'s txs and the block (with <paramref name="blockEvents"/>, if any) in one batch.</summary>
    public void Index(Block block, BlockResults results, IReadOnlyList<AbciEvent>? blockEvents = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(results);
        if (results.TxResults.Count != block.Txs.Count)
        {
            throw new ArgumentException($"block {block.Height} has {block.Txs.Count} txs but {results.TxResults.Count} results", nameof(results));
        }
        lock (_writeLock)
        {
            using var batch = _db.CreateBatch();
            var height = block.Height;
            for (var i = 0; i < block.Txs.Count; i++)
            {
                var hash = Txs.Tx.HashOf(block.Txs[i]);
                var location = new byte[12];
                BinaryPrimitives.WriteInt64BigEndian(location, height);
                BinaryPrimitives.WriteUInt32BigEndian(location.AsSpan(8), (uint)i);
                batch.Put([TxByHashPrefix, .. hash], location);
                batch.Put([TxByHeightPrefix, .. location], hash);
                WriteEvents(batch, TxEventPrefix, results.TxResults[i].Events, height, (uint)i, TxHeightKey);
            }
            var blockKey = new byte[9];
            blockKey[0] = BlockPrefix;
            BinaryPrimitives.WriteInt64BigEndian(blockKey.AsSpan(1), height);
            batch.Put(blockKey, []);
            WriteEvents(batch, BlockEventPrefix, blockEvents ?? [], height, 0, BlockHeightKey);
            var newHeight = Math.Max(Height, height);
            var heightValue = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(heightValue, newHeight);
            batch.Put(HeightKey, heightValue);
            _db.Write(batch);
            Height = newHeight;
        }
    }

    /// <summary>Indexes every height after <see cref="Height"/> up to <paramref name="target"/> from the stored blocks and results.</summary>
    public int CatchUp(long target, Func<long, StoredBlock?> block, Func<long, BlockResults?> results)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(results);
        var done = 0;
        for (var h = Height + 1; h <= target; h++)
        {
            var b = block(h) ?? throw new IndexSearchException($"cannot index height {h}: the block is not stored");
            var r = results(h) ?? throw new IndexSearchException($"cannot index height {h}: its results are not stored");
            Index(b.Block, r);
            done++;
        }
        return done;
    }

    public TxLocation? FindTx(ReadOnlySpan<byte> hash)
    {
        if (hash.IsEmpty)
        {
            return null;
        }
        var key = new byte[hash.Length + 1];
        key[0] = TxByHashPrefix;
        hash.CopyTo(key.AsSpan(1));
        var value = _db.TryGet(key);
        return value is { Length: 12 } ? new TxLocation(BinaryPrimitives.ReadInt64BigEndian(value), (int)BinaryPrimitives.ReadUInt32BigEndian(value.AsSpan(8))) : null;
    }

    public bool HasBlock(long height)
    {
        var key = new byte[9];
        key[0] = BlockPrefix;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), height);
        return height > 0 && _db.TryGet(key) is not null;
    }

    /// <summary>
    /// The txs matching <paramref name="query"/>, in no particular order (the caller sorts), as
    /// state/txindex/kv TxIndex.Search finds them: a <c>tx.hash</c> condition answers alone;
    /// <c>tx.height</c> conditions restrict heights (the first <c>=</c> wins and any range
    /// overrides it); all other conditions must hold within one event of the tx (CometBFT ≥ 0.34.26).
    /// </summary>
    public List<TxLocation> SearchTxs(EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var hashCondition = query.Conditions.FirstOrDefault(c => c.Tag == TxHashKey);
        if (hashCondition is not null)
        {
            var hash = DecodeGoHex(hashCondition.Arg);
            if (hash.Length == 0)
            {
                throw new IndexSearchException("error while retrieving the result: transaction hash cannot be empty");
            }
            return FindTx(hash) is { } found ? [found] : [];
        }
        return Search(query, TxHeightKey, TxEventPrefix, heightOnly: range => ScanTxHeights(range));
    }

    /// <summary>The heights of the blocks matching <paramref name="query"/> (state/indexer/block/kv BlockerIndexer.Search).</summary>
    public List<long> SearchBlocks(EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return [.. Search(query, BlockHeightKey, BlockEventPrefix, heightOnly: range => ScanBlockHeights(range)).Select(l => l.Height)];
    }

    public void Dispose()
    {
        if (_ownsDb)
        {
            _db.Dispose();
        }
    }

    private List<TxLocation> Search(EventQuery query, string heightTag, byte eventPrefix, Func<HeightFilter, IEnumerable<TxLocation>> heightOnly)
    {
        // dedupHeight (state/txindex/kv/utils.go): the first numeric "=" on the height key is kept
        // unless a range on it exists anywhere in the query; every other condition stays.
        long heightEq = 0;
        var found = false;
        var rangeExists = false;
        var rest = new List<QueryCondition>();
        foreach (var c in query.Conditions)
        {
            if (c.Tag != heightTag)
            {
                rest.Add(c);
            }
            else if (c.Op == QueryOp.Eq)
            {
                if (!found && !rangeExists && QueryNumber.TryParseIndexed(c.Arg, out var n))
                {
                    heightEq = TruncateToInt64(n);
                    found = true;
                }
            }
            else
            {
                rangeExists = true;
            }
        }
        // LookForRangesWithHeight (state/indexer/query_range.go): ranges merge per tag, a later
        // bound replacing an earlier one; the "include" flags, once set, stay set.
        var ranges = new Dictionary<string, MergedRange>(StringComparer.Ordinal);
        var ordered = new List<object>();
        foreach (var c in query.Conditions.Where(c => c.IsRange))
        {
            if (!ranges.TryGetValue(c.Tag, out var r))
            {
                ranges[c.Tag] = r = new MergedRange(c.Tag);
                if (c.Tag != heightTag)
                {
                    ordered.Add(r);
                }
            }
            r.Add(c);
        }
        var filter = new HeightFilter(rangeExists ? 0 : heightEq, ranges.GetValueOrDefault(heightTag));
        var others = rest.Where(c => !c.IsRange).ToList();
        // CONTAINS/EXISTS on the height key match the height entries themselves, whose event
        // sequence (0) no event attribute has: alone they filter heights, with others nothing.
        var heightOthers = query.Conditions.Where(c => c.Tag == heightTag && c.Op is QueryOp.Contains or QueryOp.Exists).ToList();
        if (ordered.Count == 0 && others.Count == 0)
        {
            return found || rangeExists
                ? [.. heightOnly(filter).Where(l => heightOthers.All(c => c.Op == QueryOp.Exists || l.Height.ToString(CultureInfo.InvariantCulture).Contains(c.Arg, StringComparison.Ordinal)))]
                : [];
        }
        if (heightOthers.Count > 0)
        {
            return [];
        }
        HashSet<(long Height, uint Index, uint Seq)>? matches = null;
        foreach (var item in ordered.Concat(others))
        {
            var hits = new HashSet<(long, uint, uint)>();
            var tag = item is MergedRange mr ? mr.Tag : ((QueryCondition)item).Tag;
            var eq = item is QueryCondition { Op: QueryOp.Eq } cond ? cond.Arg : null;
            foreach (var (value, height, index, seq) in ScanEvents(eventPrefix, tag, eq))
            {
                if (!filter.Allows(height))
                {
                    continue;
                }
                var ok = item switch
                {
                    MergedRange range => range.Contains(value),
                    QueryCondition { Op: QueryOp.Contains } c => value.Trim().Contains(c.Arg, StringComparison.Ordinal),
                    _ => true, // Eq (exact value by key prefix) and Exists
                };
                if (ok)
                {
                    hits.Add((height, index, seq));
                }
            }
            if (matches is null)
            {
                matches = hits;
            }
            else
            {
                matches.IntersectWith(hits);
            }
            if (matches.Count == 0)
            {
                return [];
            }
        }
        return [.. matches!.Select(m => (m.Height, m.Index)).Distinct().Select(m => new TxLocation(m.Height, (int)m.Index))];
    }

    private IEnumerable<TxLocation> ScanTxHeights(HeightFilter filter)
    {
        var (from, to) = filter.Bounds();
        if (from > to)
        {
            yield break;
        }
        var start = new byte[13];
        start[0] = TxByHeightPrefix;
        BinaryPrimitives.WriteInt64BigEndian(start.AsSpan(1), from);
        var end = new byte[13];
        end[0] = TxByHeightPrefix;
        BinaryPrimitives.WriteInt64BigEndian(end.AsSpan(1), to == long.MaxValue ? long.MaxValue : to + 1);
        if (to == long.MaxValue)
        {
            end = [TxByHeightPrefix + 1];
        }
        foreach (var (key, _) in _db.Range(start, end))
        {
            if (key.Length == 13)
            {
                var height = BinaryPrimitives.ReadInt64BigEndian(key.AsSpan(1));
                if (filter.Allows(height))
                {
                    yield return new TxLocation(height, (int)BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(9)));
                }
            }
        }
    }

    private IEnumerable<TxLocation> ScanBlockHeights(HeightFilter filter)
    {
        var (from, to) = filter.Bounds();
        if (from > to)
        {
            yield break;
        }
        var start = new byte[9];
        start[0] = BlockPrefix;
        BinaryPrimitives.WriteInt64BigEndian(start.AsSpan(1), from);
        byte[] end;
        if (to == long.MaxValue)
        {
            end = [BlockPrefix + 1];
        }
        else
        {
            end = new byte[9];
            end[0] = BlockPrefix;
            BinaryPrimitives.WriteInt64BigEndian(end.AsSpan(1), to + 1);
        }
        foreach (var (key, _) in _db.Range(start, end))
        {
            if (key.Length == 9)
            {
                var height = BinaryPrimitives.ReadInt64BigEndian(key.AsSpan(1));
                if (filter.Allows(height))
                {
                    yield return new TxLocation(height, 0);
                }
            }
        }
    }

    private IEnumerable<(string Value, long Height, uint Index, uint Seq)> ScanEvents(byte prefix, string tag, string? exactValue)
    {
        var start = EventKeyPrefix(prefix, tag, exactValue);
        var end = (byte[])start.Clone();
        // The smallest key after every key with this prefix: increment the last byte that is not 0xFF.
        var i = end.Length - 1;
        while (i >= 0 && end[i] == 0xFF)
        {
            i--;
        }
        if (i < 0)
        {
            yield break;
        }
        end[i]++;
        end = end[..(i + 1)];
        foreach (var (key, _) in _db.Range(start, end))
        {
            if (TryReadEventKey(key, out var value, out var height, out var index, out var seq))
            {
                yield return (value, height, index, seq);
            }
        }
    }

    private static byte[] EventKeyPrefix(byte prefix, string tag, string? value)
    {
        var tagBytes = System.Text.Encoding.UTF8.GetBytes(tag);
        var valueBytes = value is null ? [] : System.Text.Encoding.UTF8.GetBytes(value);
        var key = new byte[1 + 2 + tagBytes.Length + (value is null ? 0 : 4 + valueBytes.Length)];
        key[0] = prefix;
        BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(1), (ushort)tagBytes.Length);
        tagBytes.CopyTo(key, 3);
        if (value is not null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(3 + tagBytes.Length), (uint)valueBytes.Length);
            valueBytes.CopyTo(key, 7 + tagBytes.Length);
        }
        return key;
    }

    private static bool TryReadEventKey(byte[] key, out string value, out long height, out uint index, out uint seq)
    {
        value = "";
        height = 0;
        index = 0;
        seq = 0;
        if (key.Length < 3)
        {
            return false;
        }
        var tagLength = BinaryPrimitives.ReadUInt16BigEndian(key.AsSpan(1));
        var at = 3 + tagLength;
        if ((uint)at + 4 > (uint)key.Length)
        {
            return false;
        }
        var valueLength = BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(at));
        at += 4;
        if ((ulong)at + valueLength + 16 != (ulong)key.Length)
        {
            return false;
        }
        value = System.Text.Encoding.UTF8.GetString(key, at, (int)valueLength);
        at += (int)valueLength;
        height = BinaryPrimitives.ReadInt64BigEndian(key.AsSpan(at));
        index = BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(at + 8));
        seq = BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(at + 12));
        return true;
    }

    private static void WriteEvents(IWriteBatch batch, byte prefix, IReadOnlyList<AbciEvent> events, long height, uint index, string reservedHeightKey)
    {
        for (var seq = 0; seq < events.Count; seq++)
        {
            var e = events[seq];
            if (e.Type.Length == 0)
            {
                continue;
            }
            foreach (var a in e.Attributes)
            {
                var tag = e.Type + "." + a.Key;
                // CometBFT refuses the whole batch for a reserved key; a committed block cannot be
                // refused here, so such attributes are not indexed (they could never be queried apart
                // from the built-in keys anyway).
                if (!a.Index || a.Key.Length == 0 || tag == TxHashKey || tag == reservedHeightKey || System.Text.Encoding.UTF8.GetByteCount(tag) > ushort.MaxValue)
                {
                    continue;
                }
                var head = EventKeyPrefix(prefix, tag, a.Value);
                var key = new byte[head.Length + 16];
                head.CopyTo(key, 0);
                BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(head.Length), height);
                BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(head.Length + 8), index);
                BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(head.Length + 12), (uint)seq + 1);
                batch.Put(key, []);
            }
        }
    }

    private static long TruncateToInt64(QueryNumber n)
    {
        var text = n.ToString();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integer = dot < 0 ? text : text[..dot];
        return long.TryParse(integer, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : integer.StartsWith('-') ? long.MinValue : long.MaxValue;
    }

    private static bool IsInteger(string literal) => QueryNumber.Parse(literal).ToString().IndexOf('.', StringComparison.Ordinal) < 0;

    /// <summary>Go's <c>hex.DecodeString</c> with its error texts, as lookForHash wraps them.</summary>
    private static byte[] DecodeGoHex(string text)
    {
        const string Prefix = "error during searching for a hash in the query: encoding/hex: ";
        var pairs = text.Length / 2 * 2;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiHexDigit(text[i]) && (i < pairs || text.Length % 2 == 1))
            {
                throw new IndexSearchException($"{Prefix}invalid byte: U+{((int)text[i]).ToString("X4", CultureInfo.InvariantCulture)} '{text[i]}'");
            }
        }
        if (text.Length % 2 == 1)
        {
            throw new IndexSearchException(Prefix + "odd length hex string");
        }
        return Convert.FromHexString(text);
    }

    /// <summary>The height restriction of a query: an "=" height, or a range (checkHeightConditions).</summary>
    private sealed class HeightFilter(long equal, MergedRange? range)
    {
        public bool Allows(long height)
        {
            if (range is not null)
            {
                return range.Contains(height.ToString(CultureInfo.InvariantCulture));
            }
            return equal == 0 || height == equal;
        }

        /// <summary>A superset of the allowed heights as [from, to], for seeking.</summary>
        public (long From, long To) Bounds()
        {
            if (range is null)
            {
                return equal == 0 ? (1, long.MaxValue) : (equal, equal);
            }
            return range.HeightBounds();
        }
    }

    /// <summary>One tag's merged range (QueryRange): bounds are number, time or date literals.</summary>
    private sealed class MergedRange(string tag)
    {
        private QueryCondition? _lower;
        private QueryCondition? _upper;
        private bool _includeLower;
        private bool _includeUpper;

        public string Tag { get; } = tag;

        public void Add(QueryCondition c)
        {
            switch (c.Op)
            {
                case QueryOp.Gt:
                    _lower = c;
                    break;
                case QueryOp.Geq:
                    _lower = c;
                    _includeLower = true;
                    break;
                case QueryOp.Lt:
                    _upper = c;
                    break;
                default:
                    _upper = c;
                    _includeUpper = true;
                    break;
            }
        }

        /// <summary>
        /// Whether <paramref name="value"/> lies in the range (internal/indexer CheckBounds). Only
        /// numeric ranges match: the kv indexers do not compare times ("not yet implemented").
        /// </summary>
        public bool Contains(string value)
        {
            if (_lower is { ArgType: not QueryArgType.Number } || _upper is { ArgType: not QueryArgType.Number })
            {
                return false;
            }
            if (!QueryNumber.TryParseIndexed(value, out var v))
            {
                return false;
            }
            if (_lower is not null)
            {
                var c = v.CompareTo(QueryNumber.Parse(_lower.Arg));
                if (c < 0 || (c == 0 && !_includeLower))
                {
                    return false;
                }
            }
            if (_upper is not null)
            {
                var c = v.CompareTo(QueryNumber.Parse(_upper.Arg));
                if (c > 0 || (c == 0 && !_includeUpper))
                {
                    return false;
                }
            }
            return true;
        }

        public (long From, long To) HeightBounds()
        {
            if (_lower is { ArgType: not QueryArgType.Number } || _upper is { ArgType: not QueryArgType.Number })
            {
                return (1, 0);
            }
            // Integer heights only: an exclusive or fractional bound moves to the next integer inside.
            var from = 1L;
            if (_lower is not null)
            {
                var lower = TruncateToInt64(QueryNumber.Parse(_lower.Arg));
                from = Math.Max(1, _includeLower && IsInteger(_lower.Arg) ? lower : lower == long.MaxValue ? lower : lower + 1);
            }
            var to = long.MaxValue;
            if (_upper is not null)
            {
                var upper = TruncateToInt64(QueryNumber.Parse(_upper.Arg));
                to = !_includeUpper && IsInteger(_upper.Arg) && upper > long.MinValue ? upper - 1 : upper;
            }
            return (from, to);
        }
    }
}

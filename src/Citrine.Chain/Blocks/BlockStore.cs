using System.Globalization;
using System.Text.Json;
using Citrine.Chain.Devnet;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.Chain.Blocks;

/// <summary>A block with the validator sets of its height and the next.</summary>
public sealed record StoredBlock(Block Block, ValidatorSet Validators, ValidatorSet NextValidators);

/// <summary>A stored block or results file is unreadable.</summary>
public sealed class BlockStoreException : Exception
{
    public BlockStoreException()
    {
    }

    public BlockStoreException(string message)
        : base(message)
    {
    }

    public BlockStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Blocks and their execution results. Given a directory, each height is one JSON file under
/// <c>blocks/</c> and <c>results/</c>, written atomically (temp file, fsync, rename) before the
/// next step, so a crash leaves complete files only. Files are read on demand and only the most
/// recent <see cref="CacheSize"/> heights read or written stay in memory; opening a store finds
/// the last height with O(log n) existence probes (the files are contiguous from height 1, as
/// <see cref="Save"/> only appends) and reads only that block, so a damaged last block is
/// reported at once. Without a directory everything stays in memory (tests). Blocks are in
/// CometBFT's JSON shapes, read back with Citrine.CometBft's codecs.
/// </summary>
public sealed class BlockStore
{
    public const int DefaultCacheSize = 256;

    private readonly string? _directory;
    private readonly RecentCache<StoredBlock> _blocks;
    private readonly RecentCache<BlockResults> _results;
    private readonly object _gate = new();

    /// <exception cref="BlockStoreException">the last stored block is unreadable.</exception>
    public BlockStore(string? directory = null, int cacheSize = DefaultCacheSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheSize);
        _directory = directory;
        CacheSize = cacheSize;
        _blocks = new RecentCache<StoredBlock>(directory is null ? int.MaxValue : cacheSize);
        _results = new RecentCache<BlockResults>(directory is null ? int.MaxValue : cacheSize);
        if (directory is null)
        {
            return;
        }
        Directory.CreateDirectory(Path.Combine(directory, "blocks"));
        Directory.CreateDirectory(Path.Combine(directory, "results"));
        Height = LastContiguousHeight(h => File.Exists(BlockPath(h)));
        if (Height > 0)
        {
            _blocks.Add(Height, ReadBlock(BlockPath(Height), Height));
        }
    }

    public long Height { get; private set; }

    /// <summary>How many recent heights of blocks (and of results) are kept in memory.</summary>
    public int CacheSize { get; }

    /// <summary>The block at <paramref name="height"/>, or null when it is not stored.</summary>
    /// <exception cref="BlockStoreException">its file is unreadable.</exception>
    public StoredBlock? Get(long height)
    {
        lock (_gate)
        {
            if (height < 1 || height > Height)
            {
                return null;
            }
            if (_blocks.TryGet(height, out var cached) || _directory is null)
            {
                return cached;
            }
        }
        var block = ReadBlock(BlockPath(height), height);
        lock (_gate)
        {
            _blocks.Add(height, block);
        }
        return block;
    }

    /// <summary>The results of <paramref name="height"/>, or null when they are not stored (yet).</summary>
    /// <exception cref="BlockStoreException">their file is unreadable.</exception>
    public BlockResults? GetResults(long height)
    {
        lock (_gate)
        {
            if (height < 1 || height > Height)
            {
                return null;
            }
            if (_results.TryGet(height, out var cached) || _directory is null)
            {
                return cached;
            }
        }
        var path = ResultsPath(height);
        if (!File.Exists(path))
        {
            return null;
        }
        var results = ReadResults(path, height);
        lock (_gate)
        {
            _results.Add(height, results);
        }
        return results;
    }

    public void Save(StoredBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Block.Height != Height + 1)
        {
            throw new InvalidOperationException($"block {block.Block.Height} does not follow {Height}");
        }
        if (_directory is not null)
        {
            DevnetHome.WriteAtomically(BlockPath(block.Block.Height), CometJson.ToUtf8(w => WriteBlock(w, block)));
        }
        lock (_gate)
        {
            _blocks.Add(block.Block.Height, block);
            Height = block.Block.Height;
        }
    }

    public void SaveResults(BlockResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (_directory is not null)
        {
            DevnetHome.WriteAtomically(ResultsPath(results.Height), CometJson.ToUtf8(w => WriteResults(w, results)));
        }
        lock (_gate)
        {
            _results.Add(results.Height, results);
        }
    }

    /// <summary>
    /// The largest h with <paramref name="exists"/>(1..h) all true, assuming the present heights
    /// are a prefix: doubling until a height is missing, then bisecting.
    /// </summary>
    internal static long LastContiguousHeight(Func<long, bool> exists)
    {
        if (!exists(1))
        {
            return 0;
        }
        long present = 1, missing = 2;
        while (exists(missing))
        {
            present = missing;
            missing = missing > long.MaxValue / 2 ? long.MaxValue : missing * 2;
        }
        while (missing - present > 1)
        {
            var middle = present + ((missing - present) / 2);
            if (exists(middle))
            {
                present = middle;
            }
            else
            {
                missing = middle;
            }
        }
        return present;
    }

    private string BlockPath(long height) => Path.Combine(_directory!, "blocks", DevnetHome.HeightName(height) + ".json");

    private string ResultsPath(long height) => Path.Combine(_directory!, "results", DevnetHome.HeightName(height) + ".json");

    private static void WriteBlock(Utf8JsonWriter w, StoredBlock stored)
    {
        var block = stored.Block;
        w.WriteStartObject();
        w.WritePropertyName("block_id");
        CometJson.WriteBlockId(w, block.BlockId);
        w.WritePropertyName("header");
        CometJson.WriteHeader(w, block.Header);
        w.WriteStartArray("txs");
        foreach (var tx in block.Txs)
        {
            w.WriteStringValue(Convert.ToBase64String(tx));
        }
        w.WriteEndArray();
        if (block.LastCommit is null)
        {
            w.WriteNull("last_commit");
        }
        else
        {
            w.WritePropertyName("last_commit");
            CometJson.WriteCommit(w, block.LastCommit);
        }
        w.WritePropertyName("commit");
        CometJson.WriteCommit(w, block.Commit);
        w.WritePropertyName("validators");
        CometJson.WriteValidatorSet(w, stored.Validators);
        w.WritePropertyName("next_validators");
        CometJson.WriteValidatorSet(w, stored.NextValidators);
        // The proposer of the next height's set is not in its JSON form; the header of this height names this set's.
        if (stored.NextValidators.Proposer is { } next)
        {
            w.WriteString("next_proposer_address", Convert.ToHexString(next.Address));
        }
        w.WriteEndObject();
    }

    private static StoredBlock ReadBlock(string path, long height) => Read(path, bytes => ParseBlock(bytes, height));

    /// <summary>Reads and parses one file; every way it can be damaged is a <see cref="BlockStoreException"/> naming it.</summary>
    private static T Read<T>(string path, Func<byte[], T> parse)
    {
        try
        {
            return parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlockStoreException($"{path}: {e.Message}", e);
        }
        catch (BlockStoreException e)
        {
            throw new BlockStoreException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Parses a stored block file of <paramref name="height"/>; its block id must be its header's hash.</summary>
    public static StoredBlock ParseBlock(byte[] json, long height)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var txs = root.GetProperty("txs").EnumerateArray().Select(t => Convert.FromBase64String(Str(t))).ToList();
            var last = root.GetProperty("last_commit");
            var block = new Block(
                CometJson.ReadBlockId(root.GetProperty("block_id")),
                CometJson.ReadHeader(root.GetProperty("header")),
                txs,
                last.ValueKind == JsonValueKind.Null ? null : CometJson.ReadCommit(last),
                CometJson.ReadCommit(root.GetProperty("commit")));
            if (block.Height != height)
            {
                throw new BlockStoreException($"holds block {block.Height}, expected {height}");
            }
            if (!block.BlockId.Hash.AsSpan().SequenceEqual(block.Header.Hash()))
            {
                throw new BlockStoreException($"block id {Convert.ToHexString(block.BlockId.Hash)} is not the hash of the stored header");
            }
            var validators = WithProposer(CometJson.ReadValidatorSet(root.GetProperty("validators")), block.Header.ProposerAddress, "validators");
            var next = CometJson.ReadValidatorSet(root.GetProperty("next_validators"));
            if (root.TryGetProperty("next_proposer_address", out var nextProposer))
            {
                next = WithProposer(next, Convert.FromHexString(Str(nextProposer)), "next_validators");
            }
            return new StoredBlock(block, validators, next);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException
            or OverflowException or ArgumentException or CometJsonException)
        {
            throw new BlockStoreException(e.Message, e);
        }
    }

    /// <summary>A JSON string value; anything else (null included) is a format error.</summary>
    private static string Str(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException($"expected a string, got {element.ValueKind}");

    private static ValidatorSet WithProposer(ValidatorSet set, byte[] address, string field)
    {
        var index = set.IndexOf(address);
        if (index < 0)
        {
            throw new InvalidOperationException($"{field}: proposer {Convert.ToHexString(address)} is not in the set");
        }
        return new ValidatorSet(set.Validators, set.Validators[index]);
    }

    internal static void WriteTxResult(Utf8JsonWriter w, TxResult r)
    {
        w.WriteStartObject();
        w.WriteNumber("code", r.Code);
        if (r.Data.Length == 0)
        {
            w.WriteNull("data");
        }
        else
        {
            w.WriteString("data", Convert.ToBase64String(r.Data));
        }
        w.WriteString("log", r.Log);
        w.WriteString("info", "");
        w.WriteString("gas_wanted", r.GasWanted.ToString(CultureInfo.InvariantCulture));
        w.WriteString("gas_used", r.GasUsed.ToString(CultureInfo.InvariantCulture));
        WriteEvents(w, r.Events);
        w.WriteString("codespace", r.Codespace);
        w.WriteEndObject();
    }

    internal static void WriteEvents(Utf8JsonWriter w, IReadOnlyList<AbciEvent> events)
    {
        w.WriteStartArray("events");
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteString("type", e.Type);
            w.WriteStartArray("attributes");
            foreach (var a in e.Attributes)
            {
                w.WriteStartObject();
                w.WriteString("key", a.Key);
                w.WriteString("value", a.Value);
                w.WriteBoolean("index", a.Index);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteResults(Utf8JsonWriter w, BlockResults results)
    {
        w.WriteStartObject();
        w.WriteString("height", results.Height.ToString(CultureInfo.InvariantCulture));
        w.WriteString("app_hash", Convert.ToHexString(results.AppHash));
        w.WriteStartArray("txs_results");
        foreach (var r in results.TxResults)
        {
            WriteTxResult(w, r);
        }
        w.WriteEndArray();
        w.WriteStartArray("validator_updates");
        foreach (var u in results.ValidatorUpdates)
        {
            w.WriteStartObject();
            w.WriteStartObject("pub_key");
            w.WriteString("type", "tendermint/PubKeyEd25519");
            w.WriteString("value", Convert.ToBase64String(u.PublicKey));
            w.WriteEndObject();
            w.WriteString("power", u.Power.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static BlockResults ReadResults(string path, long height) => Read(path, bytes => ParseResults(bytes, height));

    /// <summary>Parses a stored results file of <paramref name="height"/>.</summary>
    public static BlockResults ParseResults(byte[] json, long height)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var txs = new List<TxResult>();
            foreach (var r in root.GetProperty("txs_results").EnumerateArray())
            {
                var events = new List<AbciEvent>();
                foreach (var e in r.GetProperty("events").EnumerateArray())
                {
                    var attrs = e.GetProperty("attributes").EnumerateArray()
                        .Select(a => new EventAttr(Str(a.GetProperty("key")), Str(a.GetProperty("value")), a.GetProperty("index").GetBoolean()))
                        .ToList();
                    events.Add(new AbciEvent(Str(e.GetProperty("type")), attrs));
                }
                var data = r.GetProperty("data");
                txs.Add(new TxResult(
                    r.GetProperty("code").GetUInt32(),
                    data.ValueKind == JsonValueKind.Null ? [] : Convert.FromBase64String(Str(data)),
                    Str(r.GetProperty("log")),
                    long.Parse(Str(r.GetProperty("gas_wanted")), CultureInfo.InvariantCulture),
                    long.Parse(Str(r.GetProperty("gas_used")), CultureInfo.InvariantCulture),
                    events,
                    Str(r.GetProperty("codespace"))));
            }
            var updates = root.GetProperty("validator_updates").EnumerateArray()
                .Select(u => new ValidatorUpdate(Convert.FromBase64String(Str(u.GetProperty("pub_key").GetProperty("value"))),
                    long.Parse(Str(u.GetProperty("power")), CultureInfo.InvariantCulture)))
                .ToList();
            var results = new BlockResults(
                long.Parse(Str(root.GetProperty("height")), CultureInfo.InvariantCulture), txs, updates,
                Convert.FromHexString(Str(root.GetProperty("app_hash"))));
            return results.Height == height ? results : throw new BlockStoreException($"holds the results of {results.Height}, expected {height}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException
            or OverflowException or ArgumentException)
        {
            throw new BlockStoreException(e.Message, e);
        }
    }
}

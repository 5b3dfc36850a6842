using System.Globalization;
using System.Text.Json;
using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using Citrine.Chain.Node;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.Chain.Rpc;

/// <summary>A JSON-RPC error (JSON-RPC 2.0 section 5.1 codes, as CometBFT's rpc/jsonrpc/types uses them).</summary>
public sealed class RpcException : Exception
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    public RpcException()
    {
    }

    public RpcException(string message)
        : base(message)
    {
    }

    public RpcException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RpcException(int code, string data)
        : base(data)
    {
        Code = code;
    }

    public int Code { get; } = InternalError;

    /// <summary>The standard message of the code (CometBFT writes these exact strings).</summary>
    public string CodeMessage => Code switch
    {
        ParseError => "Parse error. Invalid JSON",
        InvalidRequest => "Invalid Request",
        MethodNotFound => "Method not found",
        InvalidParams => "Invalid params",
        _ => "Internal error",
    };
}

/// <summary>
/// Request parameters from either transport: JSON-RPC params (an object; byte fields base64 unless
/// noted) or URI query arguments (strings in double quotes, bytes as <c>0x</c> hex), as CometBFT's
/// rpc/jsonrpc/server reads them.
/// </summary>
public sealed class RpcParams
{
    private readonly Dictionary<string, string> _values;
    private readonly bool _fromUri;

    private RpcParams(Dictionary<string, string> values, bool fromUri)
    {
        _values = values;
        _fromUri = fromUri;
    }

    public static RpcParams FromJson(JsonElement element)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in element.EnumerateObject())
            {
                try
                {
                    values[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString()!,
                        JsonValueKind.Null => "",
                        _ => p.Value.GetRawText(),
                    };
                }
                catch (InvalidOperationException)
                {
                    // JsonElement.GetString (and Name) refuse a string that is not valid UTF-8.
                    throw new RpcException(RpcException.InvalidParams, "error converting json params to arguments: a parameter is not valid UTF-8");
                }
            }
        }
        else if (element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new RpcException(RpcException.InvalidParams, "params must be an object");
        }
        return new RpcParams(values, false);
    }

    public static RpcParams FromQuery(IEnumerable<KeyValuePair<string, string>> query) =>
        new(query.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), true);

    public static RpcParams Empty { get; } = new([], false);

    public string? String(string name)
    {
        if (!_values.TryGetValue(name, out var v) || v.Length == 0)
        {
            return null;
        }
        return _fromUri && v.Length >= 2 && v[0] == '"' && v[^1] == '"' ? v[1..^1] : v;
    }

    public long? Int64(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : throw new RpcException(RpcException.InvalidParams, $"error converting {name}: '{text}' is not an integer");
    }

    public bool Bool(string name) => String(name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new RpcException(RpcException.InvalidParams, $"error converting {name}: '{other}' is not a boolean"),
    };

    /// <summary>Bytes: <c>0x</c> hex from a URI (or a quoted string's UTF-8), base64 (or hex when <paramref name="jsonHex"/>) from JSON.</summary>
    public byte[]? Bytes(string name, bool jsonHex = false)
    {
        if (!_values.TryGetValue(name, out var raw) || raw.Length == 0)
        {
            return null;
        }
        try
        {
            if (_fromUri)
            {
                if (raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    return Convert.FromHexString(raw.AsSpan(2));
                }
                return raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? System.Text.Encoding.UTF8.GetBytes(raw[1..^1]) : Convert.FromHexString(raw);
            }
            return jsonHex ? Convert.FromHexString(raw) : Convert.FromBase64String(raw);
        }
        catch (FormatException)
        {
            throw new RpcException(RpcException.InvalidParams, $"error converting {name}: not {(_fromUri ? "0x-hex" : jsonHex ? "hex" : "base64")}");
        }
    }
}

/// <summary>
/// The CometBFT 0.38 RPC methods over a <see cref="ChainNode"/>: each writes the <c>result</c>
/// object in CometBFT's field names and encodings (int64 as strings, hashes upper-case hex,
/// bytes base64). Every method reads through the node's visible height (<see cref="ChainNode.Height"/>),
/// never the block store or index directly, so none shows a height before its state is committed.
/// </summary>
public sealed class RpcHandler
{
    public const string CometVersion = "0.38.17";
    private const int MaxBlockchainRange = 20;
    private const int DefaultPerPage = 30;
    private const int MaxPerPage = 100;

    private readonly ChainNode _node;
    private readonly string _rpcAddress;
    private readonly TimeSpan _commitTimeout;

    public RpcHandler(ChainNode node, string rpcAddress = "", TimeSpan? commitTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _rpcAddress = rpcAddress;
        _commitTimeout = commitTimeout ?? TimeSpan.FromSeconds(10);
    }

    public static IReadOnlyList<string> Methods { get; } =
    [
        "health", "status", "net_info", "genesis", "block", "block_results", "blockchain", "commit", "header", "validators",
        "abci_info", "abci_query", "broadcast_tx_sync", "broadcast_tx_async", "broadcast_tx_commit", "tx",
        "tx_search", "block_search", "unconfirmed_txs", "num_unconfirmed_txs", "check_tx", "consensus_params",
    ];

    /// <summary>Runs <paramref name="method"/> and writes its result object.</summary>
    public async Task HandleAsync(string method, RpcParams p, Utf8JsonWriter w, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(w);
        switch (method)
        {
            case "health":
                w.WriteStartObject();
                w.WriteEndObject();
                break;
            case "status": Status(w); break;
            case "net_info": NetInfo(w); break;
            case "genesis":
                w.WriteStartObject();
                w.WritePropertyName("genesis");
                _node.Genesis.WriteJson(w);
                w.WriteEndObject();
                break;
            case "block": BlockResult(w, Height(p)); break;
            case "block_results": BlockResultsResult(w, Height(p)); break;
            case "blockchain": Blockchain(w, p); break;
            case "commit": CommitResult(w, Height(p)); break;
            case "header": HeaderResult(w, Height(p)); break;
            case "validators": Validators(w, p); break;
            case "abci_info": AbciInfo(w); break;
            case "abci_query": AbciQuery(w, p); break;
            case "broadcast_tx_sync":
            case "broadcast_tx_async": BroadcastSync(w, p); break;
            case "broadcast_tx_commit": await BroadcastCommitAsync(w, p, cancellationToken).ConfigureAwait(false); break;
            case "tx": TxResultMethod(w, p); break;
            case "tx_search": TxSearch(w, p); break;
            case "block_search": BlockSearch(w, p); break;
            case "unconfirmed_txs": UnconfirmedTxs(w, p.Int64("limit"), listTxs: true); break;
            case "num_unconfirmed_txs": UnconfirmedTxs(w, null, listTxs: false); break;
            case "check_tx": CheckTx(w, p); break;
            case "consensus_params": ConsensusParams(w, p); break;
            default: throw new RpcException(RpcException.MethodNotFound, $"method '{method}' not found");
        }
    }

    private long Height(RpcParams p) => Height(p, _node.Height);

    // CometBFT 0.38 rpc/core getHeight(latestHeight, heightPtr): no height means latestHeight.
    private static long Height(RpcParams p, long latest)
    {
        var height = p.Int64("height") ?? 0;
        if (height == 0)
        {
            return latest == 0 ? throw new RpcException(RpcException.InternalError, "no blocks yet") : latest;
        }
        if (height < 0)
        {
            throw new RpcException(RpcException.InternalError, $"height must be greater than 0, but got {height}");
        }
        if (height > latest)
        {
            throw new RpcException(RpcException.InternalError, $"height {height} must be less than or equal to the current blockchain height {latest}");
        }
        return height;
    }

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);

    private void Status(Utf8JsonWriter w)
    {
        var height = _node.Height;
        var latest = height > 0 ? _node.GetBlock(height) : null;
        var first = height > 0 ? _node.GetBlock(1) : null;
        var validators = _node.ValidatorsAt(Math.Max(height, 1))!;
        var me = validators.Validators[0];
        w.WriteStartObject();
        w.WriteStartObject("node_info");
        w.WriteStartObject("protocol_version");
        w.WriteString("p2p", "8");
        w.WriteString("block", S((long)Header.BlockProtocol));
        w.WriteString("app", "0");
        w.WriteEndObject();
        w.WriteString("id", Convert.ToHexStringLower(me.Address));
        // cosmjs requires a non-empty listen_addr; CometBFT reports its P2P address, the devnet has none but the RPC one.
        w.WriteString("listen_addr", _rpcAddress.Length == 0 ? "tcp://127.0.0.1:0" : _rpcAddress);
        w.WriteString("network", _node.ChainId);
        w.WriteString("version", CometVersion);
        w.WriteString("channels", "");
        w.WriteString("moniker", "citrine-devnet");
        w.WriteStartObject("other");
        w.WriteString("tx_index", "on");
        w.WriteString("rpc_address", _rpcAddress);
        // CometBFT clients ignore unknown "other" keys; "simulated" tells a reader no Intel root is pinned.
        w.WriteString("attestation_root", _node.Genesis.Attestation.Root);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("sync_info");
        w.WriteString("latest_block_hash", latest is null ? "" : Convert.ToHexString(latest.Block.BlockId.Hash));
        w.WriteString("latest_app_hash", latest is null ? "" : Convert.ToHexString(latest.Block.Header.AppHash));
        w.WriteString("latest_block_height", S(height));
        w.WriteString("latest_block_time", latest is null ? _node.Genesis.GenesisTime.ToString() : latest.Block.Header.Time.ToString());
        w.WriteString("earliest_block_hash", first is null ? "" : Convert.ToHexString(first.Block.BlockId.Hash));
        w.WriteString("earliest_app_hash", first is null ? "" : Convert.ToHexString(first.Block.Header.AppHash));
        w.WriteString("earliest_block_height", S(first is null ? 0 : 1));
        w.WriteString("earliest_block_time", first is null ? _node.Genesis.GenesisTime.ToString() : first.Block.Header.Time.ToString());
        w.WriteBoolean("catching_up", false);
        w.WriteEndObject();
        w.WriteStartObject("validator_info");
        w.WriteString("address", Convert.ToHexString(me.Address));
        w.WriteStartObject("pub_key");
        w.WriteString("type", CometJson.Ed25519KeyType);
        w.WriteString("value", Convert.ToBase64String(me.PublicKey));
        w.WriteEndObject();
        w.WriteString("voting_power", S(me.VotingPower));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void NetInfo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("listening", true);
        w.WriteStartArray("listeners");
        w.WriteEndArray();
        w.WriteString("n_peers", "0");
        w.WriteStartArray("peers");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void BlockResult(Utf8JsonWriter w, long height)
    {
        var block = _node.GetBlock(height)!.Block;
        w.WriteStartObject();
        w.WritePropertyName("block_id");
        CometJson.WriteBlockId(w, block.BlockId);
        w.WritePropertyName("block");
        WriteBlock(w, block);
        w.WriteEndObject();
    }

    /// <summary>A block as CometBFT writes it: header, data.txs (base64), evidence, last_commit.</summary>
    internal static void WriteBlock(Utf8JsonWriter w, Block block)
    {
        w.WriteStartObject();
        w.WritePropertyName("header");
        CometJson.WriteHeader(w, block.Header);
        w.WriteStartObject("data");
        w.WriteStartArray("txs");
        foreach (var tx in block.Txs)
        {
            w.WriteStringValue(Convert.ToBase64String(tx));
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("evidence");
        w.WriteStartArray("evidence");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WritePropertyName("last_commit");
        // Height 1 carries CometBFT's empty commit: height 0, zero block id, no signatures.
        CometJson.WriteCommit(w, block.LastCommit ?? new Commit(0, 0, BlockId.Empty, []));
        w.WriteEndObject();
    }

    private void BlockResultsResult(Utf8JsonWriter w, long height)
    {
        var results = _node.GetResults(height) ?? throw new RpcException(RpcException.InternalError, $"could not find results for height #{height}");
        w.WriteStartObject();
        w.WriteString("height", S(height));
        w.WriteStartArray("txs_results");
        foreach (var r in results.TxResults)
        {
            BlockStore.WriteTxResult(w, r);
        }
        w.WriteEndArray();
        w.WriteStartArray("finalize_block_events");
        w.WriteEndArray();
        w.WriteStartArray("validator_updates");
        foreach (var u in results.ValidatorUpdates)
        {
            w.WriteStartObject();
            w.WriteStartObject("pub_key");
            w.WriteString("type", CometJson.Ed25519KeyType);
            w.WriteString("value", Convert.ToBase64String(u.PublicKey));
            w.WriteEndObject();
            w.WriteString("power", S(u.Power));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNull("consensus_param_updates");
        w.WriteString("app_hash", Convert.ToBase64String(results.AppHash));
        w.WriteEndObject();
    }

    private void Blockchain(Utf8JsonWriter w, RpcParams p)
    {
        var latest = _node.Height;
        // CometBFT rpc/core/blocks.go filterMinMax: negative heights are an error, 0 means the default.
        if (p.Int64("minHeight") is < 0 || p.Int64("maxHeight") is < 0)
        {
            throw new RpcException(RpcException.InternalError, "heights must be non-negative");
        }
        var max = p.Int64("maxHeight") is { } mx and > 0 ? Math.Min(mx, latest) : latest;
        var min = p.Int64("minHeight") is { } mn and > 0 ? mn : Math.Max(1, max - MaxBlockchainRange + 1);
        if (min > max)
        {
            throw new RpcException(RpcException.InternalError, $"min height {min} can't be greater than max height {max}");
        }
        min = Math.Max(min, max - MaxBlockchainRange + 1);
        w.WriteStartObject();
        w.WriteString("last_height", S(latest));
        w.WriteStartArray("block_metas");
        for (var h = max; h >= min && h >= 1; h--)
        {
            var block = _node.GetBlock(h)!.Block;
            w.WriteStartObject();
            w.WritePropertyName("block_id");
            CometJson.WriteBlockId(w, block.BlockId);
            // BlockMeta.BlockSize = Block.Size(): the protobuf size of the whole block.
            w.WriteString("block_size", S(CometBft.Encoding.BlockEncoder.EncodeBlockMemory(block.Header, block.Txs, block.LastCommit ?? BlockHashes.EmptyCommit).Length));
            w.WritePropertyName("header");
            CometJson.WriteHeader(w, block.Header);
            w.WriteString("num_txs", S(block.Txs.Count));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void CommitResult(Utf8JsonWriter w, long height)
    {
        var block = _node.GetBlock(height)!.Block;
        w.WriteStartObject();
        w.WritePropertyName("signed_header");
        CometJson.WriteSignedHeader(w, new SignedHeader(block.Header, block.Commit));
        // The latest block's commit is the node's own "seen commit", not yet in a block: not canonical.
        w.WriteBoolean("canonical", height < _node.Height);
        w.WriteEndObject();
    }

    /// <summary>rpc/core/blocks.go Header: <c>{"header": …}</c> of the block at the height (default the latest).</summary>
    private void HeaderResult(Utf8JsonWriter w, long height)
    {
        var block = _node.GetBlock(height)!.Block;
        w.WriteStartObject();
        w.WritePropertyName("header");
        CometJson.WriteHeader(w, block.Header);
        w.WriteEndObject();
    }

    private void Validators(Utf8JsonWriter w, RpcParams p)
    {
        // CometBFT 0.38 rpc/core Validators: heights up to latestUncommittedHeight = store height + 1
        // (the next set is known once the last block is committed), which is also the default.
        var latest = _node.Height;
        if (latest == 0)
        {
            throw new RpcException(RpcException.InternalError, "no blocks yet");
        }
        var height = Height(p, latest + 1);
        var set = height <= latest ? _node.GetBlock(height)!.Validators : _node.GetBlock(latest)!.NextValidators;
        var perPage = (int)Math.Clamp(p.Int64("per_page") ?? 30, 1, 100);
        var pages = Math.Max(1, (set.Count + perPage - 1) / perPage);
        var page = p.Int64("page") ?? 1;
        if (page < 1 || page > pages)
        {
            throw new RpcException(RpcException.InternalError, $"page should be within [1, {pages}] range, given {page}");
        }
        var slice = set.Validators.Skip((int)(page - 1) * perPage).Take(perPage).ToList();
        w.WriteStartObject();
        w.WriteString("block_height", S(height));
        w.WriteStartArray("validators");
        foreach (var v in slice)
        {
            CometJson.WriteValidator(w, v);
        }
        w.WriteEndArray();
        w.WriteString("count", S(slice.Count));
        w.WriteString("total", S(set.Count));
        w.WriteEndObject();
    }

    private void AbciInfo(Utf8JsonWriter w)
    {
        var tip = _node.Tip;
        w.WriteStartObject();
        w.WriteStartObject("response");
        w.WriteString("data", "citrine-devnet");
        w.WriteString("version", "0.1.0");
        w.WriteString("app_version", "0");
        w.WriteString("last_block_height", S(tip.Height));
        w.WriteString("last_block_app_hash", Convert.ToBase64String(tip.AppHash.Span));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>abci_query</c> with Cosmos paths: <c>/store/&lt;name&gt;/key</c> reads a raw key (with ICS23
    /// proof ops when <c>prove</c>); height 0 reads the latest visible height, which before block 1
    /// is the genesis state at height 0. A failed query is a response with a non-zero code, as
    /// CometBFT returns it. The paths are <see cref="App.AppQuery"/>'s, shared with the ABCI app.
    /// </summary>
    private void AbciQuery(Utf8JsonWriter w, RpcParams p)
    {
        var path = p.String("path") ?? "";
        var data = p.Bytes("data", jsonHex: true) ?? [];
        var height = p.Int64("height") ?? 0;
        var prove = p.Bool("prove");
        var (code, log, value, version, ops) = App.AppQuery.Run(_node, path, data, height, prove);
        w.WriteStartObject();
        w.WriteStartObject("response");
        w.WriteNumber("code", code);
        w.WriteString("log", log);
        w.WriteString("info", "");
        w.WriteString("index", "0");
        w.WriteString("key", Convert.ToBase64String(data));
        if (value is null)
        {
            w.WriteNull("value");
        }
        else
        {
            w.WriteString("value", Convert.ToBase64String(value));
        }
        if (ops is null)
        {
            w.WriteNull("proofOps");
        }
        else
        {
            w.WriteStartObject("proofOps");
            w.WriteStartArray("ops");
            foreach (var op in ops)
            {
                w.WriteStartObject();
                w.WriteString("type", op.Type);
                w.WriteString("key", Convert.ToBase64String(op.Key.Span));
                w.WriteString("data", Convert.ToBase64String(op.Data.Span));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteString("height", S(version));
        w.WriteString("codespace", code == 0 ? "" : App.TxCodes.Codespace);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static byte[] TxParam(RpcParams p) =>
        p.Bytes("tx") ?? throw new RpcException(RpcException.InvalidParams, "missing parameter 'tx'");

    private void BroadcastSync(Utf8JsonWriter w, RpcParams p)
    {
        var (result, hash) = _node.SubmitTx(TxParam(p));
        w.WriteStartObject();
        w.WriteNumber("code", result.Code);
        w.WriteString("data", Convert.ToBase64String(result.Data));
        w.WriteString("log", result.Log);
        w.WriteString("codespace", result.Codespace);
        w.WriteString("hash", Convert.ToHexString(hash));
        w.WriteEndObject();
    }

    private async Task BroadcastCommitAsync(Utf8JsonWriter w, RpcParams p, CancellationToken cancellationToken)
    {
        var tx = TxParam(p);
        var hash = Txs.Tx.HashOf(tx);
        var committed = new TaskCompletionSource<(long, TxResult)>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnBlock(StoredBlock block, BlockResults results)
        {
            for (var i = 0; i < block.Block.Txs.Count; i++)
            {
                if (block.Block.Txs[i].AsSpan().SequenceEqual(tx))
                {
                    committed.TrySetResult((block.Block.Height, results.TxResults[i]));
                }
            }
        }
        _node.BlockCommitted += OnBlock;
        try
        {
            var (check, _) = _node.SubmitTx(tx);
            long height = 0;
            TxResult? deliver = null;
            if (check.IsOk)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_commitTimeout);
                try
                {
                    (height, deliver) = await committed.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new RpcException(RpcException.InternalError, "timed out waiting for tx to be included in a block");
                }
            }
            w.WriteStartObject();
            w.WritePropertyName("check_tx");
            BlockStore.WriteTxResult(w, check);
            w.WritePropertyName("tx_result");
            BlockStore.WriteTxResult(w, deliver ?? new TxResult(0, [], "", 0, 0, []));
            w.WriteString("hash", Convert.ToHexString(hash));
            w.WriteString("height", S(height));
            w.WriteEndObject();
        }
        finally
        {
            _node.BlockCommitted -= OnBlock;
        }
    }

    /// <summary><c>tx</c> (rpc/core/tx.go Tx): a missing hash is CometBFT's "transaction hash cannot be empty".</summary>
    private void TxResultMethod(Utf8JsonWriter w, RpcParams p)
    {
        var hash = p.Bytes("hash") ?? [];
        if (hash.Length == 0)
        {
            throw new RpcException(RpcException.InternalError, "transaction hash cannot be empty");
        }
        var location = _node.FindTx(hash) ?? throw new RpcException(RpcException.InternalError, $"tx ({Convert.ToHexString(hash)}) not found");
        WriteResultTx(w, location, p.Bool("prove"));
    }

    /// <summary>
    /// <c>tx_search</c> (rpc/core/tx.go TxSearch): checks in CometBFT's order — query length, query
    /// syntax, the search, <c>order_by</c>, then the page — each failure an internal error with
    /// CometBFT's text.
    /// </summary>
    private void TxSearch(Utf8JsonWriter w, RpcParams p)
    {
        // Parameters convert first (CometBFT's jsonParamsToArgs: a wrong type is invalid params).
        var text = p.String("query") ?? "";
        var prove = p.Bool("prove");
        var page = p.Int64("page");
        var perPage = p.Int64("per_page");
        var orderBy = p.String("order_by") ?? "";
        if (System.Text.Encoding.UTF8.GetByteCount(text) > EventQuery.MaxQueryLength)
        {
            throw new RpcException(RpcException.InternalError, "maximum query length exceeded");
        }
        var query = ParseQuery(text);
        List<TxLocation> found;
        try
        {
            found = _node.SearchTxs(query);
        }
        catch (IndexSearchException e)
        {
            throw new RpcException(RpcException.InternalError, e.Message);
        }
        found = orderBy switch
        {
            "" or "asc" => [.. found.OrderBy(l => l.Height).ThenBy(l => l.Index)],
            "desc" => [.. found.OrderByDescending(l => l.Height).ThenByDescending(l => l.Index)],
            _ => throw new RpcException(RpcException.InternalError, "expected order_by to be either `asc` or `desc` or empty"),
        };
        var (skip, take) = Page(page, perPage, found.Count);
        w.WriteStartObject();
        w.WriteStartArray("txs");
        foreach (var location in found.Skip(skip).Take(take))
        {
            WriteResultTx(w, location, prove);
        }
        w.WriteEndArray();
        w.WriteString("total_count", S(found.Count));
        w.WriteEndObject();
    }

    /// <summary><c>block_search</c> (rpc/core/blocks.go BlockSearch): as tx_search, but newest first by default.</summary>
    private void BlockSearch(Utf8JsonWriter w, RpcParams p)
    {
        var text = p.String("query") ?? "";
        var page = p.Int64("page");
        var perPage = p.Int64("per_page");
        var orderBy = p.String("order_by") ?? "";
        var query = ParseQuery(text);
        var heights = _node.SearchBlocks(query);
        heights = orderBy switch
        {
            "" or "desc" => [.. heights.OrderDescending()],
            "asc" => [.. heights.Order()],
            _ => throw new RpcException(RpcException.InternalError, "expected order_by to be either `asc` or `desc` or empty"),
        };
        var (skip, take) = Page(page, perPage, heights.Count);
        w.WriteStartObject();
        w.WriteStartArray("blocks");
        foreach (var height in heights.Skip(skip).Take(take))
        {
            BlockResult(w, height);
        }
        w.WriteEndArray();
        w.WriteString("total_count", S(heights.Count));
        w.WriteEndObject();
    }

    /// <summary>
    /// rpc/core/mempool.go UnconfirmedTxs (<c>limit</c> read like per_page: default 30, at most 100)
    /// and NumUnconfirmedTxs (counts only, <c>txs</c> null).
    /// </summary>
    private void UnconfirmedTxs(Utf8JsonWriter w, long? limit, bool listTxs)
    {
        var all = _node.MempoolTxs();
        var take = limit is null or < 1 ? DefaultPerPage : (int)Math.Min(limit.Value, MaxPerPage);
        var txs = listTxs ? all.Take(take).ToList() : null;
        w.WriteStartObject();
        w.WriteString("n_txs", S(txs?.Count ?? all.Count));
        w.WriteString("total", S(all.Count));
        w.WriteString("total_bytes", S(all.Sum(t => (long)t.Length)));
        if (txs is null)
        {
            w.WriteNull("txs");
        }
        else
        {
            w.WriteStartArray("txs");
            foreach (var tx in txs)
            {
                w.WriteStringValue(Convert.ToBase64String(tx));
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>rpc/core/mempool.go CheckTx: the app's CheckTx against the committed state, without touching the mempool.</summary>
    private void CheckTx(Utf8JsonWriter w, RpcParams p)
    {
        var tx = TxParam(p);
        var result = tx.Length > _node.Config.MaxTxBytes
            ? new TxResult(App.TxCodes.TxTooLarge, [], $"tx is {tx.Length} bytes, at most {_node.Config.MaxTxBytes}", 0, 0, [], App.TxCodes.Codespace)
            : _node.Read(app => app.CheckTx(tx).Result);
        BlockStore.WriteTxResult(w, result);
    }

    /// <summary>
    /// rpc/core/consensus.go ConsensusParams: heights up to the next (uncommitted) one; the devnet's
    /// parameters never change, so every height has the genesis parameters.
    /// </summary>
    private void ConsensusParams(Utf8JsonWriter w, RpcParams p)
    {
        var latest = _node.Height + 1;
        var height = p.Int64("height") ?? latest;
        if (height <= 0)
        {
            throw new RpcException(RpcException.InternalError, $"height must be greater than 0, but got {height}");
        }
        if (height > latest)
        {
            throw new RpcException(RpcException.InternalError, $"height {height} must be less than or equal to the current blockchain height {latest}");
        }
        using var genesis = JsonDocument.Parse(CometJson.ToUtf8(_node.Genesis.WriteJson));
        w.WriteStartObject();
        w.WriteString("block_height", S(height));
        w.WritePropertyName("consensus_params");
        genesis.RootElement.GetProperty("consensus_params").WriteTo(w);
        w.WriteEndObject();
    }

    private static EventQuery ParseQuery(string text)
    {
        try
        {
            return EventQuery.Parse(text);
        }
        catch (QueryParseException e)
        {
            throw new RpcException(RpcException.InternalError, e.Message);
        }
    }

    /// <summary>rpc/core/env.go validatePerPage (default 30, at most 100, below 1 = default) and validatePage.</summary>
    private static (int Skip, int Take) Page(long? page, long? perPageArg, int total)
    {
        var perPage = perPageArg is null or < 1 ? DefaultPerPage : (int)Math.Min(perPageArg.Value, MaxPerPage);
        if (page is null)
        {
            return (0, perPage);
        }
        // Go's integer division truncates toward zero: no results is one (empty) page.
        var pages = ((total - 1) / perPage) + 1;
        if (page <= 0 || page > pages)
        {
            throw new RpcException(RpcException.InternalError, $"page should be within [1, {pages}] range, given {page}");
        }
        return ((int)(page.Value - 1) * perPage, perPage);
    }

    /// <summary>A ResultTx (rpc/core/types ResultTx): <c>proof</c> only when asked (omitempty of a zero TxProof).</summary>
    private void WriteResultTx(Utf8JsonWriter w, TxLocation location, bool prove)
    {
        var block = _node.GetBlock(location.Height)!.Block;
        var result = _node.GetResults(location.Height)!.TxResults[location.Index];
        var tx = block.Txs[location.Index];
        w.WriteStartObject();
        w.WriteString("hash", Convert.ToHexString(Txs.Tx.HashOf(tx)));
        w.WriteString("height", S(location.Height));
        w.WriteNumber("index", location.Index);
        w.WritePropertyName("tx_result");
        BlockStore.WriteTxResult(w, result);
        w.WriteString("tx", Convert.ToBase64String(tx));
        if (prove)
        {
            w.WritePropertyName("proof");
            TxProof.Write(w, block.Txs, location.Index);
        }
        w.WriteEndObject();
    }
}

using System.Text.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Json;

/// <summary>The <c>status</c> response: node identity and sync info.</summary>
public sealed record NodeStatus(
    string Network, string NodeId, string Version, long LatestBlockHeight, byte[] LatestBlockHash,
    byte[] LatestAppHash, Timestamp LatestBlockTime, long EarliestBlockHeight, bool CatchingUp);

/// <summary>The <c>block</c> response (header, the block id, and the last commit carried in the block).</summary>
public sealed record BlockResponse(BlockId BlockId, Header Header, Commit? LastCommit, int TxCount);

/// <summary>The <c>commit</c> response.</summary>
public sealed record CommitResponse(SignedHeader SignedHeader, bool Canonical);

/// <summary>One page of the <c>validators</c> response.</summary>
public sealed record ValidatorsPage(long BlockHeight, IReadOnlyList<Validator> Validators, int Count, int Total);

/// <summary>The <c>genesis</c> response (the fields a light client needs).</summary>
public sealed record GenesisResponse(string ChainId, Timestamp GenesisTime, long InitialHeight, IReadOnlyList<Validator> Validators, byte[] AppHash);

/// <summary>The <c>abci_query</c> response. Proof ops are kept raw (ICS23 decoding lives in Citrine.Ics23).</summary>
public sealed record AbciQueryResponse(
    uint Code, string Codespace, string Log, string Info, long Index, byte[] Key, byte[] Value, long Height,
    IReadOnlyList<ProofOp> ProofOps);

/// <summary>One proof operation: <c>{type, key (base64), data (base64)}</c>.</summary>
public sealed record ProofOp(string Type, byte[] Key, byte[] Data);

/// <summary>Decoders of CometBFT JSON-RPC responses (0.34, 0.37 and 0.38 share these shapes).</summary>
public static class RpcResponses
{
    public static NodeStatus ParseStatus(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var nodeInfo = result.Get("node_info");
        var sync = result.Get("sync_info");
        return new NodeStatus(
            nodeInfo.Get("network").String(),
            nodeInfo.Get("id").String(),
            nodeInfo.Get("version").String(),
            sync.Get("latest_block_height").Int64(),
            sync.Get("latest_block_hash").Hex(),
            sync.Get("latest_app_hash").Hex(),
            sync.Get("latest_block_time").Time(),
            sync.Optional("earliest_block_height")?.Int64() ?? 0,
            sync.Optional("catching_up")?.Bool() ?? false);
    });

    public static BlockResponse ParseBlock(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var block = result.Get("block");
        var lastCommit = block.Optional("last_commit");
        var txs = block.Optional("data")?.Optional("txs");
        return new BlockResponse(
            CometJson.ReadBlockId(result.Get("block_id")),
            CometJson.ReadHeader(block.Get("header")),
            lastCommit is { } c ? CometJson.ReadCommit(c) : null,
            txs is { } t ? t.ArrayLength() : 0);
    });

    public static CommitResponse ParseCommit(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
        new CommitResponse(
            CometJson.ReadSignedHeader(result.Get("signed_header")),
            result.Optional("canonical")?.Bool() ?? false));

    public static ValidatorsPage ParseValidators(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var validators = new List<Validator>();
        foreach (var item in result.Get("validators").Items())
        {
            validators.Add(CometJson.ReadValidator(item));
        }
        var count = result.Optional("count")?.Int32() ?? validators.Count;
        var total = result.Optional("total")?.Int32() ?? validators.Count;
        if (count != validators.Count)
        {
            throw result.Get("count").Fail($"count {count} but {validators.Count} validators listed");
        }
        if (total < count)
        {
            throw result.Get("total").Fail($"total {total} is less than count {count}");
        }
        return new ValidatorsPage(result.Get("block_height").Int64(), validators, count, total);
    });

    public static GenesisResponse ParseGenesis(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var genesis = result.Get("genesis");
        var validators = new List<Validator>();
        if (genesis.Optional("validators") is { } list)
        {
            foreach (var item in list.Items())
            {
                validators.Add(CometJson.ReadValidator(item));
            }
        }
        return new GenesisResponse(
            genesis.Get("chain_id").String(),
            genesis.Get("genesis_time").Time(),
            genesis.Optional("initial_height")?.Int64() ?? 1,
            validators,
            genesis.Optional("app_hash")?.Hex() ?? []);
    });

    public static AbciQueryResponse ParseAbciQuery(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var r = result.Get("response");
        var ops = new List<ProofOp>();
        // 0.34+ write "proofOps" ({ops:[...]}) or null; older nodes wrote "proof".
        if (r.OptionalAny("proofOps", "proof_ops") is { } proof && proof.Optional("ops") is { } list)
        {
            foreach (var op in list.Items())
            {
                ops.Add(new ProofOp(op.Get("type").String(), op.Optional("key")?.Base64() ?? [], op.Optional("data")?.Base64() ?? []));
            }
        }
        var code = r.Optional("code")?.Int64() ?? 0;
        if (code is < 0 or > uint.MaxValue)
        {
            throw r.Get("code").Fail($"code {code} out of range");
        }
        return new AbciQueryResponse(
            (uint)code,
            r.Optional("codespace")?.String() ?? "",
            r.Optional("log")?.String() ?? "",
            r.Optional("info")?.String() ?? "",
            r.Optional("index")?.Int64() ?? 0,
            r.Optional("key")?.Base64() ?? [],
            r.Optional("value")?.Base64() ?? [],
            r.Optional("height")?.Int64() ?? 0,
            ops);
    });

    /// <summary>The <c>blockchain</c> response: (block id, header) per block meta.</summary>
    public static IReadOnlyList<(BlockId BlockId, Header Header)> ParseBlockchain(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
    {
        var metas = new List<(BlockId, Header)>();
        foreach (var meta in result.Get("block_metas").Items())
        {
            metas.Add((CometJson.ReadBlockId(meta.Get("block_id")), CometJson.ReadHeader(meta.Get("header"))));
        }
        return (IReadOnlyList<(BlockId, Header)>)metas;
    });

    /// <summary><c>broadcast_evidence</c>: <c>{hash}</c> (bytes, base64 in CometBFT's JSON).</summary>
    public static string ParseBroadcastEvidence(ReadOnlySpan<byte> utf8) => WithResult(utf8, result =>
        result.Optional("hash")?.Element.ToString() ?? throw result.Fail("missing hash"));

    private static T WithResult<T>(ReadOnlySpan<byte> utf8, Func<JsonNode, T> read)
    {
        using var doc = CometJson.Parse(utf8);
        var root = new JsonNode(doc.RootElement, "$");
        if (root.Element.ValueKind != JsonValueKind.Object)
        {
            throw root.Fail("expected a JSON-RPC response object");
        }
        if (root.Optional("error") is { } error)
        {
            throw new RpcErrorException(
                error.Optional("code")?.Int64() ?? 0,
                error.Optional("message")?.Element.ToString() ?? "",
                error.Optional("data")?.Element.ToString() ?? "");
        }
        try
        {
            return read(root.Get("result"));
        }
        catch (InvalidOperationException e)
        {
            throw new CometJsonException("$.result", e.Message, e);
        }
    }
}

using System.Text.Json;
using Citrine.Chain.Encoding;
using Citrine.Chain.Indexing;
using Citrine.Chain.Rpc;
using Citrine.Chain.Txs;

namespace Citrine.Fuzz;

/// <summary>
/// The devnet node's parsers of untrusted input: transactions (<see cref="ProtoDecodeException"/>),
/// JSON-RPC request parameters (<see cref="RpcException"/>; malformed JSON is the framework's
/// <see cref="JsonException"/>, which RpcServer answers with -32700) and event queries
/// (<see cref="QueryParseException"/>).
/// </summary>
internal static class ChainTargets
{
    private static readonly Dictionary<string, List<string>> Events = new(StringComparer.Ordinal)
    {
        ["tm.event"] = ["Tx"],
        ["tx.height"] = ["5"],
        ["wasm._contract_address"] = ["citrine1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3z4g4p"],
        ["transfer.amount"] = ["250"],
        ["block.time"] = ["2026-11-23T10:00:00Z"],
    };

    [FuzzTarget("chain-tx", typeof(ProtoDecodeException))]
    public static void FuzzTx(ReadOnlySpan<byte> data)
    {
        var tx = Tx.Decode(data);
        // Whatever decodes is re-encoded and its sign doc built, as the ante handler does.
        _ = Tx.EncodeBody(tx.Messages, tx.Memo);
        _ = Tx.SignDocBytes(tx.BodyBytes, tx.AuthInfoBytes, "citrine-fuzz", 0);
        _ = tx.Encode();
    }

    [FuzzTarget("chain-rpc-request", typeof(RpcException), typeof(JsonException))]
    public static void FuzzRpcRequest(ReadOnlySpan<byte> data)
    {
        // The POST path: the JSON-RPC object's params, as RpcServer reads them (MaxDepth 32).
        using (var document = JsonDocument.Parse(data.ToArray(), new JsonDocumentOptions { MaxDepth = 32 }))
        {
            var root = document.RootElement;
            var parameters = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("params", out var p) ? p : default;
            ReadAll(RpcParams.FromJson(parameters), parameters.ValueKind == JsonValueKind.Object ? [.. parameters.EnumerateObject().Select(x => x.Name)] : []);
        }
    }

    [FuzzTarget("chain-rpc-uri", typeof(RpcException))]
    public static void FuzzRpcUri(ReadOnlySpan<byte> data)
    {
        // The GET path: key=value pairs as ASP.NET hands them over after URL decoding.
        var pairs = System.Text.Encoding.UTF8.GetString(data).Split('&')
            .Select(part => part.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(kv[0], kv.Length > 1 ? kv[1] : ""))
            .DistinctBy(kv => kv.Key, StringComparer.Ordinal)
            .ToList();
        ReadAll(RpcParams.FromQuery(pairs), [.. pairs.Select(kv => kv.Key)]);
    }

    [FuzzTarget("chain-event-query", typeof(QueryParseException))]
    public static void FuzzEventQuery(ReadOnlySpan<byte> data)
    {
        var query = EventQuery.Parse(System.Text.Encoding.UTF8.GetString(data));
        _ = query.Matches(Events);
    }

    private static void ReadAll(RpcParams parameters, IReadOnlyList<string> names)
    {
        foreach (var name in names.Concat(["height", "prove", "data", "tx", "hash", "query", "page"]))
        {
            _ = parameters.String(name);
            Try(() => parameters.Int64(name));
            Try(() => parameters.Bool(name));
            Try(() => parameters.Bytes(name));
            Try(() => parameters.Bytes(name, jsonHex: true));
        }
    }

    /// <summary>Each accessor on its own: one refusing its field must not hide a crash in the next.</summary>
    private static void Try<T>(Func<T> read)
    {
        try
        {
            _ = read();
        }
        catch (RpcException)
        {
        }
    }
}

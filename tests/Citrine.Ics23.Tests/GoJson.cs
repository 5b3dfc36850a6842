using System.Text.Json;
using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Tests;

/// <summary>
/// Reads ICS23 messages in the Go JSON form the reference test data uses: snake_case fields,
/// enums as numbers, bytes as base64, absent fields at their proto3 default.
/// </summary>
internal static class GoJson
{
    public static byte[] Bytes(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? Convert.FromBase64String(v.GetString()!)
            : [];

    public static bool IsNull(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null;

    public static int Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

    public static LeafOp Leaf(JsonElement e) => new()
    {
        Hash = (HashOp)Int(e, "hash"),
        PrehashKey = (HashOp)Int(e, "prehash_key"),
        PrehashValue = (HashOp)Int(e, "prehash_value"),
        Length = (LengthOp)Int(e, "length"),
        Prefix = Bytes(e, "prefix"),
    };

    public static InnerOp Inner(JsonElement e) => new()
    {
        Hash = (HashOp)Int(e, "hash"),
        Prefix = Bytes(e, "prefix"),
        Suffix = Bytes(e, "suffix"),
    };

    public static ExistenceProof Existence(JsonElement e) => new()
    {
        Key = Bytes(e, "key"),
        Value = Bytes(e, "value"),
        Leaf = IsNull(e, "leaf") ? null : Leaf(e.GetProperty("leaf")),
        Path = e.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.Array
            ? [.. path.EnumerateArray().Select(Inner)]
            : [],
    };

    public static ProofSpec Spec(JsonElement e) => new()
    {
        LeafSpec = IsNull(e, "leaf_spec") ? null : Leaf(e.GetProperty("leaf_spec")),
        InnerSpec = IsNull(e, "inner_spec") ? null : InnerSpec(e.GetProperty("inner_spec")),
        MaxDepth = Int(e, "max_depth"),
        MinDepth = Int(e, "min_depth"),
        PrehashKeyBeforeComparison = e.TryGetProperty("prehash_key_before_comparison", out var p) && p.ValueKind == JsonValueKind.True,
    };

    public static InnerSpec InnerSpec(JsonElement e) => new()
    {
        ChildOrder = e.TryGetProperty("child_order", out var order) && order.ValueKind == JsonValueKind.Array
            ? [.. order.EnumerateArray().Select(x => x.GetInt32())]
            : [],
        ChildSize = Int(e, "child_size"),
        MinPrefixLength = Int(e, "min_prefix_length"),
        MaxPrefixLength = Int(e, "max_prefix_length"),
        EmptyChild = Bytes(e, "empty_child"),
        Hash = (HashOp)Int(e, "hash"),
    };
}

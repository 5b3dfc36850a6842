using System.Text.Json;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Ics23.Abci;

/// <summary>
/// ABCI <c>ProofOps</c> as CometBFT's <c>abci_query</c> returns them with <c>prove=true</c>, and
/// their verification as a chain (Cosmos SDK store/types proof operators: <c>ics23:iavl</c>,
/// <c>ics23:simple</c>, <c>ics23:smt</c>; each op's data is a protobuf CommitmentProof).
/// </summary>
public static class ProofOps
{
    public const string IavlType = "ics23:iavl";
    public const string SimpleType = "ics23:simple";
    public const string SmtType = "ics23:smt";

    /// <summary>The spec a ProofOp type commits to, or null for a type this library does not verify.</summary>
    public static ProofSpec? SpecFor(string type) => type switch
    {
        IavlType => ProofSpecs.Iavl,
        SimpleType => ProofSpecs.Tendermint,
        SmtType => ProofSpecs.Smt,
        _ => null,
    };

    /// <summary>
    /// Reads the ops from JSON: a whole JSON-RPC <c>abci_query</c> response, its <c>result</c> or
    /// <c>response</c> object, a <c>{"proofOps": ...}</c> object or the ProofOps object
    /// <c>{"ops": [{"type", "key" (base64), "data" (base64)}]}</c> itself.
    /// </summary>
    public static IReadOnlyList<ProofOp> ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 64 });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new Ics23FormatException($"invalid JSON: {e.Message}", "ProofOps", -1, e);
        }
        using (doc)
        {
            var ops = FindOps(doc.RootElement);
            var result = new List<ProofOp>(ops.GetArrayLength());
            var index = 0;
            foreach (var op in ops.EnumerateArray())
            {
                var where = $"ops[{index}]";
                if (op.ValueKind != JsonValueKind.Object)
                {
                    throw new Ics23FormatException("expected an object", where, -1);
                }
                result.Add(new ProofOp(
                    RequiredString(op, "type", where),
                    Base64(op, "key", where),
                    Base64(op, "data", where)));
                index++;
            }
            return result;
        }
    }

    /// <summary>Writes <c>{"ops":[{"type","key","data"}]}</c> as CometBFT's JSON-RPC does (bytes as base64).</summary>
    public static void WriteJson(Utf8JsonWriter writer, IReadOnlyList<ProofOp> ops)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(ops);
        writer.WriteStartObject();
        writer.WriteStartArray("ops");
        foreach (var op in ops)
        {
            writer.WriteStartObject();
            writer.WriteString("type", op.Type);
            writer.WriteBase64String("key", op.Key.Span);
            writer.WriteBase64String("data", op.Data.Span);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Protobuf <c>tendermint.crypto.ProofOps { repeated ProofOp ops = 1; }</c>, <c>ProofOp { string type = 1; bytes key = 2; bytes data = 3; }</c> (ABCI ResponseQuery.proof_ops).</summary>
    public static byte[] EncodeProto(IReadOnlyList<ProofOp> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var w = new ProtoWriter();
        foreach (var op in ops)
        {
            var inner = new ProtoWriter();
            inner.WriteBytes(1, System.Text.Encoding.UTF8.GetBytes(op.Type));
            inner.WriteBytes(2, op.Key.Span);
            inner.WriteBytes(3, op.Data.Span);
            w.WriteMessage(1, inner.WrittenSpan);
        }
        return w.ToArray();
    }

    /// <summary>Reads protobuf <c>tendermint.crypto.ProofOps</c>; see <see cref="EncodeProto"/>.</summary>
    public static IReadOnlyList<ProofOp> DecodeProto(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadProto(data);
        }
        catch (ProtoFormatException e)
        {
            throw Ics23FormatException.From(e);
        }
    }

    private static List<ProofOp> ReadProto(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "ProofOps");
        var ops = new List<ProofOp>();
        while (!r.End)
        {
            var (field, type) = r.ReadTag();
            if (field != 1)
            {
                r.Skip(type, "unknown");
                continue;
            }
            r.Expect(type, WireType.LengthDelimited, "ops");
            var body = r.ReadLengthDelimited("ops", out var at);
            var o = new ProtoReader(body, "ProofOp", at);
            string opType = string.Empty;
            byte[] key = [], payload = [];
            while (!o.End)
            {
                var (f, t) = o.ReadTag();
                switch (f)
                {
                    case 1:
                        {
                            o.Expect(t, WireType.LengthDelimited, "type");
                            var start = o.Offset;
                            var text = o.ReadLengthDelimited("type", out _);
                            try
                            {
                                opType = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text);
                            }
                            catch (System.Text.DecoderFallbackException e)
                            {
                                throw new Ics23FormatException("not valid UTF-8", "ProofOp.type", start, e);
                            }
                            break;
                        }
                    case 2:
                        o.Expect(t, WireType.LengthDelimited, "key");
                        key = o.ReadBytes("key").ToArray();
                        break;
                    case 3:
                        o.Expect(t, WireType.LengthDelimited, "data");
                        payload = o.ReadBytes("data").ToArray();
                        break;
                    default:
                        o.Skip(t, "unknown");
                        break;
                }
            }
            ops.Add(new ProofOp(opType, key, payload));
        }
        return ops;
    }

    /// <summary>
    /// Turns ops (innermost first) into chain steps for <paramref name="keyPath"/> (outermost first,
    /// e.g. [store name, key]), checking op i against the spec the caller pinned for it,
    /// <paramref name="specs"/>[i] (innermost first; null pins the Cosmos SDK layout
    /// <see cref="ProofSpecs.SdkChain"/>). The op's type must name that same spec and its key must
    /// be the matching key path element; the spec used is always the pinned one, never the one the
    /// op type names, because the proof comes from the untrusted host and the caller knows the store
    /// layout. Throws <see cref="Ics23VerificationException"/> for a wrong shape and
    /// <see cref="Ics23FormatException"/> for undecodable op data.
    /// </summary>
    public static IReadOnlyList<ProofStep> ToSteps(IReadOnlyList<ProofOp> ops, IReadOnlyList<ReadOnlyMemory<byte>> keyPath, IReadOnlyList<ProofSpec>? specs = null)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(keyPath);
        specs ??= ProofSpecs.SdkChain;
        if (ops.Count != keyPath.Count || ops.Count != specs.Count)
        {
            throw new Ics23VerificationException(Ics23Error.ChainLengthMismatch, $"{ops.Count} proof ops, {keyPath.Count} key path elements and {specs.Count} pinned specs must all be equal");
        }
        var steps = new List<ProofStep>(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var pinned = specs[i] ?? throw new ArgumentException($"pinned spec {i} is null", nameof(specs));
            var named = SpecFor(op.Type) ?? throw new Ics23VerificationException(Ics23Error.UnsupportedProofOpType, $"proof op {i} has unsupported type '{op.Type}'");
            if (!ProofSpecs.SpecEquals(named, pinned))
            {
                throw new Ics23VerificationException(Ics23Error.ProofOpTypeMismatch, $"proof op {i} has type '{op.Type}', which is not the spec pinned for step {i}");
            }
            var expectedKey = keyPath[keyPath.Count - 1 - i];
            if (!op.Key.Span.SequenceEqual(expectedKey.Span))
            {
                throw new Ics23VerificationException(Ics23Error.ChainKeyMismatch, $"proof op {i} is for key {Convert.ToHexString(op.Key.Span)}, the key path expects {Convert.ToHexString(expectedKey.Span)}");
            }
            steps.Add(new ProofStep(pinned, op.Key, ProofCodec.DecodeCommitmentProof(op.Data.Span)));
        }
        return steps;
    }

    /// <summary>
    /// Verifies that <paramref name="keyPath"/> holds <paramref name="value"/> under
    /// <paramref name="appHash"/>, each op checked against its pinned spec (see <see cref="ToSteps"/>).
    /// Never throws for bad proof input: undecodable op data is <see cref="Ics23Error.ProofOpMalformed"/>.
    /// </summary>
    public static Ics23Verdict VerifyMembership(IReadOnlyList<ProofOp> ops, ReadOnlySpan<byte> appHash, IReadOnlyList<ReadOnlyMemory<byte>> keyPath, ReadOnlySpan<byte> value, IReadOnlyList<ProofSpec>? specs = null)
    {
        try
        {
            return ChainedProofVerifier.VerifyMembership(ToSteps(ops, keyPath, specs), appHash, value);
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
        catch (Ics23FormatException e)
        {
            return Ics23Verdict.Fail(Ics23Error.ProofOpMalformed, $"proof op data does not decode: {e.Message}");
        }
    }

    /// <summary>
    /// Verifies that the last element of <paramref name="keyPath"/> is absent from its store under
    /// <paramref name="appHash"/>, each op checked against its pinned spec (see <see cref="ToSteps"/>).
    /// </summary>
    public static Ics23Verdict VerifyNonMembership(IReadOnlyList<ProofOp> ops, ReadOnlySpan<byte> appHash, IReadOnlyList<ReadOnlyMemory<byte>> keyPath, IReadOnlyList<ProofSpec>? specs = null)
    {
        try
        {
            return ChainedProofVerifier.VerifyNonMembership(ToSteps(ops, keyPath, specs), appHash);
        }
        catch (Ics23VerificationException e)
        {
            return Ics23Verdict.From(e);
        }
        catch (Ics23FormatException e)
        {
            return Ics23Verdict.Fail(Ics23Error.ProofOpMalformed, $"proof op data does not decode: {e.Message}");
        }
    }

    private static JsonElement FindOps(JsonElement e)
    {
        // Descend through the envelopes an abci_query response may come in.
        for (var depth = 0; depth < 8; depth++)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                break;
            }
            if (e.TryGetProperty("ops", out var ops))
            {
                return ops.ValueKind == JsonValueKind.Array ? ops : throw new Ics23FormatException("expected an array", "ops", -1);
            }
            if (TryProperty(e, out var next, "proofOps", "proof_ops", "response", "result"))
            {
                if (next.ValueKind == JsonValueKind.Null)
                {
                    throw new Ics23FormatException("the response carries no proof (was the query made with prove=true?)", "proofOps", -1);
                }
                e = next;
                continue;
            }
            break;
        }
        throw new Ics23FormatException("no proof ops found (expected proofOps.ops)", "proofOps", -1);
    }

    private static bool TryProperty(JsonElement e, out JsonElement value, params string[] names)
    {
        foreach (var name in names)
        {
            if (e.TryGetProperty(name, out value))
            {
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string RequiredString(JsonElement obj, string name, string where)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
        {
            throw new Ics23FormatException("missing or not a string", $"{where}.{name}", -1);
        }
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json validates UTF-8 only when a string is materialised.
            throw new Ics23FormatException("not valid UTF-8", $"{where}.{name}", -1, e);
        }
    }

    private static byte[] Base64(JsonElement obj, string name, string where)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (v.ValueKind != JsonValueKind.String || !v.TryGetBytesFromBase64(out var bytes))
        {
            throw new Ics23FormatException("not valid base64", $"{where}.{name}", -1);
        }
        return bytes;
    }
}

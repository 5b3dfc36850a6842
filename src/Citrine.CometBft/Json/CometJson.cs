using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Json;

/// <summary>
/// Readers and writers for CometBFT's JSON forms of the core types, as the RPC of CometBFT 0.34,
/// 0.37 and 0.38 writes them (rpc/core/types, via cmtjson): int64/uint64 as decimal strings, hashes
/// and addresses as upper-case hex, signatures and keys as base64, times as RFC 3339 with
/// nanoseconds. The block id's part-set header is <c>parts</c> in RPC output and
/// <c>part_set_header</c> in tendermint-rs serializations; both are read.
/// </summary>
public static class CometJson
{
    public const string Ed25519KeyType = "tendermint/PubKeyEd25519";

    public static Header ReadHeader(JsonElement element, string path = "header") => ReadHeader(new JsonNode(element, path));

    public static Commit ReadCommit(JsonElement element, string path = "commit") => ReadCommit(new JsonNode(element, path));

    public static SignedHeader ReadSignedHeader(JsonElement element, string path = "signed_header") =>
        ReadSignedHeader(new JsonNode(element, path));

    public static BlockId ReadBlockId(JsonElement element, string path = "block_id") => ReadBlockId(new JsonNode(element, path));

    /// <summary>Reads <c>{validators: [...], proposer?}</c>, or a bare array of validators.</summary>
    public static ValidatorSet ReadValidatorSet(JsonElement element, string path = "validator_set") =>
        ReadValidatorSet(new JsonNode(element, path));

    /// <summary>Reads tendermint-rs's <c>{signed_header, validator_set, next_validator_set}</c> light block.</summary>
    public static LightBlock ReadLightBlock(JsonElement element, string path = "light_block")
    {
        var node = new JsonNode(element, path);
        return new LightBlock(
            ReadSignedHeader(node.Get("signed_header")),
            ReadValidatorSet(node.Get("validator_set")),
            ReadValidatorSet(node.Get("next_validator_set")));
    }

    internal static SignedHeader ReadSignedHeader(JsonNode node) =>
        new(ReadHeader(node.Get("header")), ReadCommit(node.Get("commit")));

    internal static Header ReadHeader(JsonNode node)
    {
        var version = node.Get("version");
        var lastBlockId = node.Optional("last_block_id");
        return new Header
        {
            Version = new ConsensusVersion(version.Get("block").UInt64(), version.Optional("app")?.UInt64() ?? 0),
            ChainId = node.Get("chain_id").String(),
            Height = node.Get("height").Int64(),
            Time = node.Get("time").Time(),
            LastBlockId = lastBlockId is { } id ? ReadBlockId(id) : BlockId.Empty,
            LastCommitHash = node.Get("last_commit_hash").Hex(),
            DataHash = node.Get("data_hash").Hex(),
            ValidatorsHash = node.Get("validators_hash").Hex(),
            NextValidatorsHash = node.Get("next_validators_hash").Hex(),
            ConsensusHash = node.Get("consensus_hash").Hex(),
            AppHash = node.Get("app_hash").Hex(),
            LastResultsHash = node.Get("last_results_hash").Hex(),
            EvidenceHash = node.Get("evidence_hash").Hex(),
            ProposerAddress = node.Get("proposer_address").Hex(),
        };
    }

    internal static BlockId ReadBlockId(JsonNode node)
    {
        var parts = node.OptionalAny("parts", "part_set_header");
        var partSet = parts is { } p
            ? new PartSetHeader(p.Get("total").UInt32(), p.Get("hash").Hex())
            : PartSetHeader.Empty;
        return new BlockId(node.Get("hash").Hex(), partSet);
    }

    internal static Commit ReadCommit(JsonNode node)
    {
        var signatures = new List<CommitSig>();
        // A commit without signatures is written as null by Go's encoder; verification rejects it.
        if (node.Optional("signatures") is { } list)
        {
            foreach (var item in list.Items())
            {
                signatures.Add(ReadCommitSig(item));
            }
        }
        return new Commit(node.Get("height").Int64(), node.Get("round").Int32(), ReadBlockId(node.Get("block_id")), signatures);
    }

    internal static CommitSig ReadCommitSig(JsonNode node)
    {
        var flagValue = node.Get("block_id_flag").Int64();
        var flag = flagValue is >= 1 and <= 3 ? (BlockIdFlag)flagValue : BlockIdFlag.Unknown;
        var address = node.Optional("validator_address")?.Hex() ?? [];
        var timestamp = node.Optional("timestamp")?.Time() ?? Timestamp.GoZero;
        var signature = node.Optional("signature")?.Base64() ?? [];
        return new CommitSig(flag, address, timestamp, signature);
    }

    internal static ValidatorSet ReadValidatorSet(JsonNode node)
    {
        var list = node.Element.ValueKind == JsonValueKind.Array ? node : node.Get("validators");
        var validators = new List<Validator>();
        foreach (var item in list.Items())
        {
            validators.Add(ReadValidator(item));
        }
        Validator? proposer = null;
        if (node.Element.ValueKind == JsonValueKind.Object && node.Optional("proposer") is { } p)
        {
            proposer = ReadValidator(p);
        }
        return new ValidatorSet(validators, proposer);
    }

    /// <summary>A validator; the power is <c>voting_power</c> (RPC) or <c>power</c> (genesis).</summary>
    internal static Validator ReadValidator(JsonNode node)
    {
        var key = ReadPublicKey(node.Get("pub_key"));
        var address = node.Optional("address")?.Hex() ?? Validator.AddressOf(key);
        var power = node.GetAny("voting_power", "power").Int64();
        var priority = node.Optional("proposer_priority")?.Int64() ?? 0;
        return new Validator(address, key, power, priority);
    }

    internal static byte[] ReadPublicKey(JsonNode node)
    {
        var type = node.Get("type").String();
        if (type != Ed25519KeyType)
        {
            throw node.Fail($"unsupported public key type '{type}' (only {Ed25519KeyType})");
        }
        return node.Get("value").Base64();
    }

    // ---- writers (the same shapes, as a CometBFT 0.38 node writes them) ----

    public static void WriteHeader(Utf8JsonWriter w, Header header)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(header);
        w.WriteStartObject();
        w.WriteStartObject("version");
        w.WriteString("block", header.Version.Block.ToString(CultureInfo.InvariantCulture));
        w.WriteString("app", header.Version.App.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteString("chain_id", header.ChainId);
        w.WriteString("height", header.Height.ToString(CultureInfo.InvariantCulture));
        w.WriteString("time", header.Time.ToString());
        w.WritePropertyName("last_block_id");
        WriteBlockId(w, header.LastBlockId);
        w.WriteString("last_commit_hash", Convert.ToHexString(header.LastCommitHash));
        w.WriteString("data_hash", Convert.ToHexString(header.DataHash));
        w.WriteString("validators_hash", Convert.ToHexString(header.ValidatorsHash));
        w.WriteString("next_validators_hash", Convert.ToHexString(header.NextValidatorsHash));
        w.WriteString("consensus_hash", Convert.ToHexString(header.ConsensusHash));
        w.WriteString("app_hash", Convert.ToHexString(header.AppHash));
        w.WriteString("last_results_hash", Convert.ToHexString(header.LastResultsHash));
        w.WriteString("evidence_hash", Convert.ToHexString(header.EvidenceHash));
        w.WriteString("proposer_address", Convert.ToHexString(header.ProposerAddress));
        w.WriteEndObject();
    }

    public static void WriteBlockId(Utf8JsonWriter w, BlockId id)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(id);
        w.WriteStartObject();
        w.WriteString("hash", Convert.ToHexString(id.Hash));
        w.WriteStartObject("parts");
        w.WriteNumber("total", id.PartSetHeader.Total);
        w.WriteString("hash", Convert.ToHexString(id.PartSetHeader.Hash));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteCommit(Utf8JsonWriter w, Commit commit)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(commit);
        w.WriteStartObject();
        w.WriteString("height", commit.Height.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("round", commit.Round);
        w.WritePropertyName("block_id");
        WriteBlockId(w, commit.BlockId);
        w.WriteStartArray("signatures");
        foreach (var sig in commit.Signatures)
        {
            w.WriteStartObject();
            w.WriteNumber("block_id_flag", (int)sig.Flag);
            w.WriteString("validator_address", Convert.ToHexString(sig.ValidatorAddress));
            w.WriteString("timestamp", sig.Timestamp.ToString());
            if (sig.Signature.Length == 0)
            {
                w.WriteNull("signature");
            }
            else
            {
                w.WriteString("signature", Convert.ToBase64String(sig.Signature));
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteSignedHeader(Utf8JsonWriter w, SignedHeader signedHeader)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(signedHeader);
        w.WriteStartObject();
        w.WritePropertyName("header");
        WriteHeader(w, signedHeader.Header);
        w.WritePropertyName("commit");
        WriteCommit(w, signedHeader.Commit);
        w.WriteEndObject();
    }

    public static void WriteValidator(Utf8JsonWriter w, Validator validator)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(validator);
        w.WriteStartObject();
        w.WriteString("address", Convert.ToHexString(validator.Address));
        w.WriteStartObject("pub_key");
        w.WriteString("type", Ed25519KeyType);
        w.WriteString("value", Convert.ToBase64String(validator.PublicKey));
        w.WriteEndObject();
        w.WriteString("voting_power", validator.VotingPower.ToString(CultureInfo.InvariantCulture));
        w.WriteString("proposer_priority", validator.ProposerPriority.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    public static void WriteValidatorSet(Utf8JsonWriter w, ValidatorSet set)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(set);
        w.WriteStartObject();
        w.WriteStartArray("validators");
        foreach (var v in set.Validators)
        {
            WriteValidator(w, v);
        }
        w.WriteEndArray();
        w.WriteString("total_voting_power", set.TotalVotingPowerWide.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    public static void WriteLightBlock(Utf8JsonWriter w, LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(block);
        w.WriteStartObject();
        w.WritePropertyName("signed_header");
        WriteSignedHeader(w, block.SignedHeader);
        w.WritePropertyName("validator_set");
        WriteValidatorSet(w, block.Validators);
        w.WritePropertyName("next_validator_set");
        WriteValidatorSet(w, block.NextValidators);
        w.WriteEndObject();
    }

    /// <summary>Serializes with <paramref name="body"/> into UTF-8 bytes.</summary>
    public static byte[] ToUtf8(Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            body(w);
        }
        return stream.ToArray();
    }

    /// <summary>Parses a document, turning malformed JSON into <see cref="CometJsonException"/>.</summary>
    public static JsonDocument Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CometJsonException("$", $"invalid JSON: {e.Message}", e);
        }
    }

    public static LightBlock ParseLightBlock(ReadOnlySpan<byte> utf8)
    {
        using var doc = Parse(utf8);
        return ReadLightBlock(doc.RootElement, "$");
    }
}

using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Json;

/// <summary>
/// Light-client attack evidence in the JSON that CometBFT's RPC decodes for <c>broadcast_evidence</c>
/// (rpc/client/http <c>BroadcastEvidence</c> sends <c>{"evidence": ev}</c>; libs/json writes a
/// registered interface value as <c>{"type": "tendermint/LightClientAttackEvidence", "value": ...}</c>,
/// int64 as strings, and uses Go field names where the struct has no json tags, as
/// <c>LightClientAttackEvidence</c> has none).
/// </summary>
public static class EvidenceJson
{
    public const string LightClientAttackType = "tendermint/LightClientAttackEvidence";

    public static void WriteEvidence(Utf8JsonWriter w, LightClientAttackEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(evidence);
        w.WriteStartObject();
        w.WriteString("type", LightClientAttackType);
        w.WriteStartObject("value");
        w.WriteStartObject("ConflictingBlock");
        w.WritePropertyName("signed_header");
        CometJson.WriteSignedHeader(w, evidence.ConflictingBlock.SignedHeader);
        w.WriteStartObject("validator_set");
        w.WriteStartArray("validators");
        foreach (var v in evidence.ConflictingBlock.Validators.Validators)
        {
            CometJson.WriteValidator(w, v);
        }
        w.WriteEndArray();
        // Go's ValidatorSet.ValidateBasic refuses a set without a proposer (see EvidenceEncoder).
        if ((evidence.ConflictingBlock.Validators.Proposer ?? ProposerPriority.HighestPriority(evidence.ConflictingBlock.Validators)) is { } proposer)
        {
            w.WritePropertyName("proposer");
            CometJson.WriteValidator(w, proposer);
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("CommonHeight", evidence.CommonHeight.ToString(CultureInfo.InvariantCulture));
        w.WriteStartArray("ByzantineValidators");
        foreach (var v in evidence.ByzantineValidators)
        {
            CometJson.WriteValidator(w, v);
        }
        w.WriteEndArray();
        w.WriteString("TotalVotingPower", evidence.TotalVotingPower.ToString(CultureInfo.InvariantCulture));
        w.WriteString("Timestamp", evidence.Timestamp.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A JSON-RPC 2.0 request for <c>broadcast_evidence</c>.</summary>
    public static byte[] BroadcastRequest(LightClientAttackEvidence evidence, long id = 1) => CometJson.ToUtf8(w =>
    {
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        w.WriteNumber("id", id);
        w.WriteString("method", "broadcast_evidence");
        w.WriteStartObject("params");
        w.WritePropertyName("evidence");
        WriteEvidence(w, evidence);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>
    /// The <c>hash</c> of a <c>broadcast_evidence</c> answer (<c>ResultBroadcastEvidence{hash}</c>);
    /// a JSON-RPC error is thrown as <see cref="RpcErrorException"/>.
    /// </summary>
    public static string ParseBroadcastResult(ReadOnlySpan<byte> utf8) => RpcResponses.ParseBroadcastEvidence(utf8);
}

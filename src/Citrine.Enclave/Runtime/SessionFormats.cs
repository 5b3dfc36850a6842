using Citrine.Enclave.LightClient;

namespace Citrine.Enclave.Runtime;

/// <summary>What the runtime needs of a parsed config: the chain and the light-client trust root.</summary>
internal sealed record ConfigFacts(string ChainId, TrustRoot TrustRoot);

/// <summary>The session record phases (docs/session.md, "Session record").</summary>
internal enum RecordPhase
{
    Created = 1,
    Established = 2,
    Ended = 3,
}

/// <summary>What the runtime needs of a proven session record.</summary>
internal sealed record RecordFacts(RecordPhase Phase, byte[] Nonce, byte[] SigningKey, byte[] EncryptionKey, ulong VerifiedHeight);

/// <summary>
/// The seam to the one codec of each session format (<c>SessionConfig.Parse</c>,
/// <c>SessionRecord.TryDecode</c> in Citrine.Contracts): the runtime never parses them itself.
/// </summary>
internal static class SessionFormats
{
    /// <summary>The node's store for contract state.</summary>
    public const string Store = "wasm";

    public static bool TryParseConfig(ReadOnlySpan<byte> config, out ConfigFacts? facts, out string error)
    {
        _ = config;
        facts = null;
        error = "the session config codec (SessionConfig.Parse) is not merged yet";
        return false;
    }

    public static bool TryDecodeRecord(ReadOnlySpan<byte> record, out RecordFacts? facts, out string error)
    {
        _ = record;
        facts = null;
        error = "the session record codec (SessionRecord.TryDecode) is not merged yet";
        return false;
    }

    /// <summary>The state key of a contract's session record: <c>0x03 ‖ contract ‖ "session"</c>.</summary>
    public static byte[] RecordKey(ReadOnlySpan<byte> contract) => [0x03, .. contract, .. "session"u8];
}

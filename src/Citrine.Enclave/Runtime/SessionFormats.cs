using Citrine.CometBft.LightClient;
using Citrine.Contracts.Session;
using Citrine.Enclave.LightClient;

namespace Citrine.Enclave.Runtime;

/// <summary>What the runtime needs of a parsed config: the chain and the light-client trust root.</summary>
internal sealed record ConfigFacts(string ChainId, TrustRoot TrustRoot);

/// <summary>
/// The runtime's bridge to the one codec of each session format (<see cref="SessionConfig.Parse"/>,
/// <see cref="SessionRecord.TryDecode"/> in Citrine.Contracts): the runtime never parses them itself.
/// </summary>
internal static class SessionFormats
{
    /// <summary>The node's store for contract state (docs/session.md, "Session record").</summary>
    public const string Store = "wasm";

    /// <summary>The node's prefix of contract state keys in that store.</summary>
    public const byte ContractStatePrefix = 0x03;

    public static bool TryParseConfig(ReadOnlySpan<byte> config, out ConfigFacts? facts, out string error)
    {
        facts = null;
        if (!SessionConfig.TryParse(config, out var parsed, out error))
        {
            return false;
        }
        var root = parsed!.TrustRoot;
        const long maxSeconds = long.MaxValue / TimeSpan.TicksPerSecond;
        if (root.TrustingPeriodSeconds > maxSeconds || root.MaxClockDriftSeconds > maxSeconds)
        {
            error = $"trust_root: a trusting period or clock drift above {maxSeconds} s does not fit a TimeSpan";
            return false;
        }
        // The parser has range-checked every value; TrustedState.Initialise re-checks them as a TrustRoot.
        facts = new ConfigFacts(root.ChainId, new TrustRoot(
            root.ChainId,
            root.TrustedHeight,
            (byte[])root.TrustedHash.Clone(),
            TimeSpan.FromSeconds(root.TrustingPeriodSeconds),
            new Fraction(root.TrustThresholdNumerator, root.TrustThresholdDenominator),
            TimeSpan.FromSeconds(root.MaxClockDriftSeconds),
            root.MaxBlockLag));
        return true;
    }

    public static bool TryDecodeRecord(ReadOnlySpan<byte> bytes, out SessionRecord? record, out string error) =>
        SessionRecord.TryDecode(bytes, out record, out error);

    /// <summary>The state key of a contract's session record: <c>0x03 ‖ contract ‖ "session"</c>.</summary>
    public static byte[] RecordKey(ReadOnlySpan<byte> contract) => ContractKey(contract, SessionRecord.StateKey);

    /// <summary>The wasm-store key of a contract's state key: <c>0x03 ‖ contract ‖ key</c>.</summary>
    public static byte[] ContractKey(ReadOnlySpan<byte> contract, ReadOnlySpan<byte> key) => [ContractStatePrefix, .. contract, .. key];
}

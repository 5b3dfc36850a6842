using System.Text;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Tests.Session;

/// <summary>Values the session tests share: a valid config and measurements of each kind.</summary>
internal static class SessionFixtures
{
    public const string ChainId = "citrine-devnet-1";

    public static byte[] Bytes(byte value, int length) => [.. Enumerable.Repeat(value, length)];

    public static Measurement Sgx(byte seed = 1, ushort prodId = 7, ushort minSvn = 3) => Measurement.Sgx(Bytes(seed, 32), Bytes((byte)(seed + 1), 32), prodId, minSvn);

    public static Measurement Tdx(byte seed = 0x40) =>
        Measurement.Tdx(Bytes(seed, 48), [Bytes((byte)(seed + 1), 48), Bytes((byte)(seed + 2), 48), Bytes((byte)(seed + 3), 48), Bytes((byte)(seed + 4), 48)]);

    public static Measurement Mock(byte seed = 0x77) => Measurement.Mock(Bytes(seed, 32));

    public static string Hex(byte value, int length) => Convert.ToHexStringLower(Bytes(value, length));

    /// <summary>A valid config as text, with every member; tests replace parts of it to make one refusal.</summary>
    public static string ConfigText(string? admin = null) => $$"""
        {
          "version": 1,
          "measurements": [
            { "sgx": { "mr_enclave": "{{Hex(1, 32)}}", "mr_signer": "{{Hex(2, 32)}}", "isv_prod_id": 7, "min_isv_svn": 3 } },
            { "tdx": { "mr_td": "{{Hex(0x40, 48)}}", "rtmrs": ["{{Hex(0x41, 48)}}", "{{Hex(0x42, 48)}}", "{{Hex(0x43, 48)}}", "{{Hex(0x44, 48)}}"] } },
            { "mock": { "measurement": "{{Hex(0x77, 32)}}" } }
          ],
          "policy": {
            "accepted_tcb_statuses": ["UpToDate", "SWHardeningNeeded"],
            "allowed_advisory_ids": null,
            "min_tcb_evaluation_data_number": null,
            "allow_debug": false,
            "accept_mock": true,
            "max_attestation_age_seconds": 86400
          },
          "trust_root": {
            "chain_id": "{{ChainId}}",
            "trusted_height": 5,
            "trusted_hash": "{{Hex(0xee, 32)}}",
            "trusting_period_seconds": 1209600,
            "trust_threshold": "1/3",
            "max_clock_drift_seconds": 10,
            "max_block_lag": 10
          },
          "admin": {{admin ?? "null"}}
        }
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A config written by <see cref="SessionConfig.Write"/> for the given set, policy and admin.</summary>
    public static byte[] Config(IReadOnlyList<Measurement> measurements, byte[]? admin = null, bool acceptMock = true, long maxAge = 86400,
        uint maxBlockLag = 10, long trustedHeight = 5, string chainId = ChainId) =>
        SessionConfig.Write(
            measurements,
            new SessionPolicy { AcceptMock = acceptMock, MaxAttestationAgeSeconds = maxAge },
            new SessionTrustRoot
            {
                ChainId = chainId,
                TrustedHeight = trustedHeight,
                TrustedHash = Bytes(0xee, 32),
                TrustingPeriodSeconds = 1_209_600,
                TrustThresholdNumerator = 1,
                TrustThresholdDenominator = 3,
                MaxClockDriftSeconds = 10,
                MaxBlockLag = maxBlockLag,
            },
            admin ?? []);
}

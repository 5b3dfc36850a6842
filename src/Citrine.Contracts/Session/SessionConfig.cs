using System.Text.Json;
using Citrine.Chain.Contracts;

namespace Citrine.Contracts.Session;

/// <summary>
/// The attestation policy of a config (docs/session.md, "Config", <c>policy</c>): the fields of the
/// SDK's <see cref="QuotePolicy"/> plus how long one attestation stays valid.
/// </summary>
public sealed record SessionPolicy
{
    /// <summary>The Intel TCB status names the policy may list.</summary>
    public static IReadOnlyList<string> KnownTcbStatuses { get; } =
    [
        "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
        "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked",
    ];

    /// <summary>366 days: the longest an attestation may stay valid without a reattest.</summary>
    public const long MaxAttestationAgeLimitSeconds = 366L * 24 * 3600;

    /// <summary>null: UpToDate and SWHardeningNeeded (the SDK's default).</summary>
    public IReadOnlyList<string>? AcceptedTcbStatuses { get; init; }

    /// <summary>null: any advisory of an accepted status.</summary>
    public IReadOnlyList<string>? AllowedAdvisoryIds { get; init; }

    public int? MinTcbEvaluationDataNumber { get; init; }

    public bool AllowDebug { get; init; }

    public bool AcceptMock { get; init; }

    /// <summary>Seconds one attestation stays valid at most (1 .. 366 days), whatever the collateral's nextUpdate.</summary>
    public required long MaxAttestationAgeSeconds { get; init; }

    /// <summary>The SDK policy the contract hands to <see cref="IHostAttestation.VerifyQuote"/>.</summary>
    public QuotePolicy ToQuotePolicy() => new()
    {
        AcceptedTcbStatuses = AcceptedTcbStatuses,
        AllowedAdvisoryIds = AllowedAdvisoryIds,
        MinTcbEvaluationDataNumber = MinTcbEvaluationDataNumber,
        AllowDebug = AllowDebug,
        AcceptMock = AcceptMock,
    };
}

/// <summary>
/// The light-client trust root of a config (docs/session.md, "Config", <c>trust_root</c>) as plain
/// values; the enclave turns it into its own trust-root type.
/// </summary>
public sealed record SessionTrustRoot
{
    /// <summary>CometBFT's limit on a chain id.</summary>
    public const int MaxChainIdLength = 50;

    public required string ChainId { get; init; }

    public required long TrustedHeight { get; init; }

    /// <summary>The header hash at <see cref="TrustedHeight"/> (32 bytes).</summary>
    public required byte[] TrustedHash { get; init; }

    public required long TrustingPeriodSeconds { get; init; }

    public required ulong TrustThresholdNumerator { get; init; }

    public required ulong TrustThresholdDenominator { get; init; }

    public required long MaxClockDriftSeconds { get; init; }

    public required uint MaxBlockLag { get; init; }
}

/// <summary>
/// A session config (docs/session.md, "Config"): the UTF-8 JSON a contract is instantiated with
/// and the enclave attests to byte for byte. <see cref="Parse"/> is the one parser, and it is
/// strict: unknown or repeated members, wrong types, bad hex and out-of-range values are refused
/// with a <see cref="SessionConfigException"/> naming the JSON path. <see cref="Write"/> produces
/// config JSON for tooling; its output parses back to the same values.
/// </summary>
public sealed class SessionConfig
{
    public const int CurrentVersion = 1;
    public const int MaxMeasurements = 64;
    public const int AdminSize = 20;

    private readonly byte[] _raw;

    private SessionConfig(byte[] raw, IReadOnlyList<Measurement> measurements, SessionPolicy policy, SessionTrustRoot trustRoot, byte[]? admin)
    {
        _raw = raw;
        Measurements = measurements;
        Policy = policy;
        TrustRoot = trustRoot;
        Admin = admin;
    }

    /// <summary>The config format version (1).</summary>
    public int Version { get; } = CurrentVersion;

    public IReadOnlyList<Measurement> Measurements { get; }

    public SessionPolicy Policy { get; }

    public SessionTrustRoot TrustRoot { get; }

    /// <summary>The admin address (20 bytes), or null when the measurement set is fixed.</summary>
    public byte[]? Admin { get; }

    /// <summary>The exact bytes parsed (a copy): what the enclave attests to and the contract stores.</summary>
    public byte[] Raw => (byte[])_raw.Clone();

    /// <summary>Parses and validates <paramref name="utf8"/>; throws <see cref="SessionConfigException"/> naming the field.</summary>
    public static SessionConfig Parse(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: true);
        var raw = utf8.ToArray();
        using var document = json.Document(raw, "the config");
        var root = json.Members(document.RootElement, "", "version", "measurements", "policy", "trust_root", "admin");
        json.UInt64(root[0], "version", CurrentVersion, CurrentVersion);
        var policy = ReadPolicy(json, json.Required(root[2], "policy"), "policy");
        var measurements = ReadMeasurements(json, json.Required(root[1], "measurements"), "measurements", policy.AcceptMock);
        var trustRoot = ReadTrustRoot(json, json.Required(root[3], "trust_root"), "trust_root");
        var admin = StrictJson.IsAbsent(root[4]) ? null : json.Hex(root[4], "admin", AdminSize);
        return new SessionConfig(raw, measurements, policy, trustRoot, admin);
    }

    /// <summary>As <see cref="Parse"/>, returning the refusal instead of throwing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out SessionConfig? config, out string error)
    {
        try
        {
            config = Parse(utf8);
            error = "";
            return true;
        }
        catch (SessionConfigException e)
        {
            config = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Writes config JSON (compact, members in the documented order) for tooling; the result is
    /// parsed back before it is returned, so what it writes is always a config <see cref="Parse"/> accepts.
    /// </summary>
    public static byte[] Write(IReadOnlyList<Measurement> measurements, SessionPolicy policy, SessionTrustRoot trustRoot, ReadOnlySpan<byte> admin)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(trustRoot);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", CurrentVersion);
            writer.WriteStartArray("measurements");
            foreach (var measurement in measurements)
            {
                measurement.WriteJson(writer);
            }
            writer.WriteEndArray();
            writer.WriteStartObject("policy");
            WriteStrings(writer, "accepted_tcb_statuses", policy.AcceptedTcbStatuses);
            WriteStrings(writer, "allowed_advisory_ids", policy.AllowedAdvisoryIds);
            if (policy.MinTcbEvaluationDataNumber is { } min)
            {
                writer.WriteNumber("min_tcb_evaluation_data_number", min);
            }
            else
            {
                writer.WriteNull("min_tcb_evaluation_data_number");
            }
            writer.WriteBoolean("allow_debug", policy.AllowDebug);
            writer.WriteBoolean("accept_mock", policy.AcceptMock);
            writer.WriteNumber("max_attestation_age_seconds", policy.MaxAttestationAgeSeconds);
            writer.WriteEndObject();
            writer.WriteStartObject("trust_root");
            writer.WriteString("chain_id", trustRoot.ChainId);
            writer.WriteNumber("trusted_height", trustRoot.TrustedHeight);
            writer.WriteString("trusted_hash", Convert.ToHexStringLower(trustRoot.TrustedHash ?? []));
            writer.WriteNumber("trusting_period_seconds", trustRoot.TrustingPeriodSeconds);
            writer.WriteString("trust_threshold", $"{trustRoot.TrustThresholdNumerator}/{trustRoot.TrustThresholdDenominator}");
            writer.WriteNumber("max_clock_drift_seconds", trustRoot.MaxClockDriftSeconds);
            writer.WriteNumber("max_block_lag", trustRoot.MaxBlockLag);
            writer.WriteEndObject();
            if (admin.IsEmpty)
            {
                writer.WriteNull("admin");
            }
            else
            {
                writer.WriteString("admin", Convert.ToHexStringLower(admin));
            }
            writer.WriteEndObject();
        }
        var bytes = buffer.WrittenSpan.ToArray();
        Parse(bytes);
        return bytes;
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNull(name);
            return;
        }
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    private static List<Measurement> ReadMeasurements(StrictJson json, JsonElement element, string path, bool acceptMock)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw json.Error(path, "expected an array of measurements");
        }
        var count = element.GetArrayLength();
        if (count is 0 or > MaxMeasurements)
        {
            throw json.Error(path, $"expected 1..{MaxMeasurements} measurements, got {count}");
        }
        var measurements = new List<Measurement>(count);
        var i = 0;
        foreach (var entry in element.EnumerateArray())
        {
            var entryPath = StrictJson.Index(path, i);
            var measurement = Measurement.Read(json, entry, entryPath);
            if (measurement.Kind == MeasurementKind.Mock && !acceptMock)
            {
                throw json.Error(entryPath, "a mock measurement needs policy.accept_mock = true");
            }
            var duplicate = measurements.IndexOf(measurement);
            if (duplicate >= 0)
            {
                throw json.Error(entryPath, $"duplicate of {StrictJson.Index(path, duplicate)}");
            }
            measurements.Add(measurement);
            i++;
        }
        return measurements;
    }

    private static SessionPolicy ReadPolicy(StrictJson json, JsonElement element, string path)
    {
        var f = json.Members(element, path, "accepted_tcb_statuses", "allowed_advisory_ids", "min_tcb_evaluation_data_number",
            "allow_debug", "accept_mock", "max_attestation_age_seconds");
        var statuses = ReadStrings(json, f[0], StrictJson.Join(path, "accepted_tcb_statuses"), SessionPolicy.KnownTcbStatuses);
        var advisories = ReadStrings(json, f[1], StrictJson.Join(path, "allowed_advisory_ids"), known: null);
        int? minEvaluation = StrictJson.IsAbsent(f[2]) ? null : (int)json.UInt64(f[2], StrictJson.Join(path, "min_tcb_evaluation_data_number"), 0, int.MaxValue);
        return new SessionPolicy
        {
            AcceptedTcbStatuses = statuses,
            AllowedAdvisoryIds = advisories,
            MinTcbEvaluationDataNumber = minEvaluation,
            AllowDebug = f[3].ValueKind != JsonValueKind.Undefined && json.Boolean(f[3], StrictJson.Join(path, "allow_debug")),
            AcceptMock = f[4].ValueKind != JsonValueKind.Undefined && json.Boolean(f[4], StrictJson.Join(path, "accept_mock")),
            MaxAttestationAgeSeconds = json.Int64(f[5], StrictJson.Join(path, "max_attestation_age_seconds"), 1, SessionPolicy.MaxAttestationAgeLimitSeconds),
        };
    }

    private static List<string>? ReadStrings(StrictJson json, JsonElement element, string path, IReadOnlyList<string>? known)
    {
        if (StrictJson.IsAbsent(element))
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw json.Error(path, "expected an array of strings or null");
        }
        var values = new List<string>();
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemPath = StrictJson.Index(path, i++);
            var value = json.String(item, itemPath);
            if (value.Length is 0 or > 64)
            {
                throw json.Error(itemPath, "expected 1..64 characters");
            }
            if (known is not null && !known.Contains(value, StringComparer.Ordinal))
            {
                throw json.Error(itemPath, $"'{value}' is not a TCB status (expected one of {string.Join(", ", known)})");
            }
            if (values.Contains(value, StringComparer.Ordinal))
            {
                throw json.Error(itemPath, $"'{value}' is listed twice");
            }
            values.Add(value);
        }
        return values;
    }

    private static SessionTrustRoot ReadTrustRoot(StrictJson json, JsonElement element, string path)
    {
        var f = json.Members(element, path, "chain_id", "trusted_height", "trusted_hash", "trusting_period_seconds", "trust_threshold",
            "max_clock_drift_seconds", "max_block_lag");
        var chainPath = StrictJson.Join(path, "chain_id");
        var chainId = json.String(f[0], chainPath);
        if (chainId.Length is 0 or > SessionTrustRoot.MaxChainIdLength)
        {
            throw json.Error(chainPath, $"expected 1..{SessionTrustRoot.MaxChainIdLength} characters, got {chainId.Length}");
        }
        var (numerator, denominator) = ReadThreshold(json, f[4], StrictJson.Join(path, "trust_threshold"));
        return new SessionTrustRoot
        {
            ChainId = chainId,
            TrustedHeight = json.Int64(f[1], StrictJson.Join(path, "trusted_height"), 1, long.MaxValue),
            TrustedHash = json.Hex(f[2], StrictJson.Join(path, "trusted_hash"), 32),
            TrustingPeriodSeconds = json.Int64(f[3], StrictJson.Join(path, "trusting_period_seconds"), 1, long.MaxValue),
            TrustThresholdNumerator = numerator,
            TrustThresholdDenominator = denominator,
            MaxClockDriftSeconds = json.Int64(f[5], StrictJson.Join(path, "max_clock_drift_seconds"), 1, long.MaxValue),
            MaxBlockLag = (uint)json.UInt64(f[6], StrictJson.Join(path, "max_block_lag"), 1, uint.MaxValue),
        };
    }

    /// <summary><c>"n/d"</c>, decimal without sign or leading zeros, with 1/3 ≤ n/d ≤ 1 (DESIGN.md: never below 1/3).</summary>
    private static (ulong Numerator, ulong Denominator) ReadThreshold(StrictJson json, JsonElement element, string path)
    {
        var text = json.String(element, path);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryDecimal(text.AsSpan(0, slash), out var n) || !TryDecimal(text.AsSpan(slash + 1), out var d))
        {
            throw json.Error(path, $"expected \"n/d\" with decimal n and d, got \"{text}\"");
        }
        if (d == 0 || n > d || (UInt128)n * 3 < d)
        {
            throw json.Error(path, $"{n}/{d} is outside 1/3..1");
        }
        return (n, d);
    }

    private static bool TryDecimal(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            var next = (UInt128)value * 10 + (ulong)(c - '0');
            if (next > ulong.MaxValue)
            {
                return false;
            }
            value = (ulong)next;
        }
        return true;
    }
}

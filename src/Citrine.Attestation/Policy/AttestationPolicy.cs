using System.Text.Json;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Policy;

/// <summary>The policy is malformed.</summary>
public sealed class PolicyFormatException : Exception
{
    public PolicyFormatException()
    {
    }

    public PolicyFormatException(string message)
        : base(message)
    {
    }

    public PolicyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Expected SGX enclave identity: MRENCLAVE values and/or MRSIGNER + ISVPRODID + minimum ISVSVN.</summary>
public sealed record SgxExpectations
{
    public IReadOnlyList<byte[]> MrEnclave { get; init; } = [];

    public byte[]? MrSigner { get; init; }

    public ushort? IsvProdId { get; init; }

    public ushort? MinIsvSvn { get; init; }
}

/// <summary>Expected TD measurements: MRTD values and/or each RTMR (null = not checked).</summary>
public sealed record TdxExpectations
{
    public IReadOnlyList<byte[]> MrTd { get; init; } = [];

    /// <summary>RTMR0..3; a null entry is not checked.</summary>
    public IReadOnlyList<byte[]?> Rtmrs { get; init; } = [null, null, null, null];

    public byte[]? MrConfigId { get; init; }

    /// <summary>Accepted MRSEAM values (TDX module measurements); empty = not checked.</summary>
    public IReadOnlyList<byte[]> MrSeam { get; init; } = [];
}

/// <summary>
/// An attestation policy, as data. Two tiers: the security defaults (only UpToDate and
/// SWHardeningNeeded platforms, debug enclaves and TDs refused, MR_SERVICETD zero, TD attributes
/// as Intel recommends with reserved bits clear) apply unless a field here relaxes them by name;
/// advisories, minimum TCB evaluation data number and expected measurements apply only when set.
/// </summary>
public sealed record AttestationPolicy
{
    /// <summary>The name of the policy with only the security defaults.</summary>
    public const string DefaultName = "default";

    /// <summary>
    /// The statuses accepted unless a policy names others: a platform that is not patched
    /// (OutOfDate...) or needs a configuration change (ConfigurationNeeded...) is not trusted by
    /// default; SWHardeningNeeded is, its advisories being reported with the verdict.
    /// </summary>
    public static IReadOnlyList<TcbStatus> DefaultAcceptedTcbStatuses { get; } = [TcbStatus.UpToDate, TcbStatus.SWHardeningNeeded];

    /// <summary>Only the security defaults.</summary>
    public static AttestationPolicy SecurityDefaults { get; } = new();

    /// <summary>Which policy this is, for verdicts and logs: "default", or the policy's "name".</summary>
    public string Name { get; init; } = DefaultName;

    // Security defaults: relaxed only explicitly.
    public bool AllowDebug { get; init; }

    public bool AllowNonZeroMrServiceTd { get; init; }

    /// <summary>When false (default), TD attributes must follow Intel's recommendation (see <see cref="PolicyEvaluator"/>).</summary>
    public bool AllowAnyTdAttributes { get; init; }

    // Opt-in rules.
    /// <summary>Accepted TCB statuses (default <see cref="DefaultAcceptedTcbStatuses"/>); null accepts any status verification allowed.</summary>
    public IReadOnlyList<TcbStatus>? AcceptedTcbStatuses { get; init; } = DefaultAcceptedTcbStatuses;

    /// <summary>Advisory ids that may be present; null allows any.</summary>
    public IReadOnlyList<string>? AllowedAdvisoryIds { get; init; }

    public int? MinTcbEvaluationDataNumber { get; init; }

    /// <summary>
    /// After a TCB recovery event, how long collateral from before it is still accepted. When set,
    /// evaluation needs Intel's verified TCB Evaluation Data Numbers document and requires the
    /// number of the newest recovery event older than this period (see
    /// <see cref="Dcap.Collateral.TcbEvaluationDataNumbers.RequiredAfterGrace"/>).
    /// </summary>
    public TimeSpan? TcbRecoveryGracePeriod { get; init; }

    public SgxExpectations? Sgx { get; init; }

    public TdxExpectations? Tdx { get; init; }

    /// <summary>
    /// Reads a policy from JSON: <c>name</c>, <c>accepted_tcb_statuses</c> (default UpToDate and SWHardeningNeeded), <c>allowed_advisory_ids</c>,
    /// <c>min_tcb_evaluation_data_number</c>, <c>tcb_recovery_grace_days</c>, <c>allow_debug</c>, <c>allow_nonzero_mr_servicetd</c>,
    /// <c>allow_any_td_attributes</c>, <c>sgx</c> {<c>mrenclave</c>[], <c>mrsigner</c>, <c>isvprodid</c>,
    /// <c>min_isvsvn</c>}, <c>tdx</c> {<c>mrtd</c>[], <c>rtmr0</c>..<c>rtmr3</c>, <c>mrconfigid</c>, <c>mrseam</c>[]}. Unknown
    /// fields are errors, so a misspelt rule is never silently ignored.
    /// </summary>
    public static AttestationPolicy FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            return Read(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new PolicyFormatException($"policy: invalid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            // Wrong JSON kinds and numbers out of range (GetInt32/GetUInt16 on 1e12, -1, ...).
            throw new PolicyFormatException($"policy: {e.Message}", e);
        }
    }

    /// <summary>Longest accepted grace period: ten years (a larger value is a mistake, not a policy).</summary>
    public const int MaxTcbRecoveryGraceDays = 3650;

    private static TimeSpan GraceDays(JsonElement v, string name)
    {
        var days = v.GetUInt32();
        if (days > MaxTcbRecoveryGraceDays)
        {
            throw new PolicyFormatException($"policy.{name}: {days} days; at most {MaxTcbRecoveryGraceDays}");
        }
        return TimeSpan.FromDays(days);
    }

    private static AttestationPolicy Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyFormatException("policy: not a JSON object");
        }
        var p = new AttestationPolicy();
        foreach (var prop in root.EnumerateObject())
        {
            var v = prop.Value;
            p = prop.Name switch
            {
                "name" => p with { Name = v.GetString() is { Length: > 0 } name ? name : throw new PolicyFormatException("policy.name: not a non-empty string") },
                "accepted_tcb_statuses" => p with { AcceptedTcbStatuses = [.. Strings(v, prop.Name).Select(s => TcbStatusNames.TryParse(s, out var st) ? st : throw new PolicyFormatException($"policy.{prop.Name}: unknown TCB status '{s}'"))] },
                "allowed_advisory_ids" => p with { AllowedAdvisoryIds = Strings(v, prop.Name) },
                "min_tcb_evaluation_data_number" => p with { MinTcbEvaluationDataNumber = checked((int)v.GetUInt32()) },
                "tcb_recovery_grace_days" => p with { TcbRecoveryGracePeriod = GraceDays(v, prop.Name) },
                "allow_debug" => p with { AllowDebug = v.GetBoolean() },
                "allow_nonzero_mr_servicetd" => p with { AllowNonZeroMrServiceTd = v.GetBoolean() },
                "allow_any_td_attributes" => p with { AllowAnyTdAttributes = v.GetBoolean() },
                "sgx" => p with { Sgx = ReadSgx(v) },
                "tdx" => p with { Tdx = ReadTdx(v) },
                _ => throw new PolicyFormatException($"policy: unknown field '{prop.Name}'"),
            };
        }
        return p;
    }

    private static SgxExpectations ReadSgx(JsonElement e)
    {
        var s = new SgxExpectations();
        foreach (var prop in Object(e, "sgx"))
        {
            var v = prop.Value;
            s = prop.Name switch
            {
                "mrenclave" => s with { MrEnclave = [.. Strings(v, "sgx.mrenclave").Select(h => HexOf(h, 32, "sgx.mrenclave"))] },
                "mrsigner" => s with { MrSigner = HexOf(v.GetString(), 32, "sgx.mrsigner") },
                "isvprodid" => s with { IsvProdId = v.GetUInt16() },
                "min_isvsvn" => s with { MinIsvSvn = v.GetUInt16() },
                _ => throw new PolicyFormatException($"policy.sgx: unknown field '{prop.Name}'"),
            };
        }
        return s;
    }

    private static TdxExpectations ReadTdx(JsonElement e)
    {
        var t = new TdxExpectations();
        var rtmrs = new byte[]?[4];
        foreach (var prop in Object(e, "tdx"))
        {
            var v = prop.Value;
            switch (prop.Name)
            {
                case "mrtd":
                    t = t with { MrTd = [.. Strings(v, "tdx.mrtd").Select(h => HexOf(h, 48, "tdx.mrtd"))] };
                    break;
                case "rtmr0" or "rtmr1" or "rtmr2" or "rtmr3":
                    rtmrs[prop.Name[4] - '0'] = HexOf(v.GetString(), 48, "tdx." + prop.Name);
                    break;
                case "mrseam":
                    t = t with { MrSeam = [.. Strings(v, "tdx.mrseam").Select(h => HexOf(h, 48, "tdx.mrseam"))] };
                    break;
                case "mrconfigid":
                    t = t with { MrConfigId = HexOf(v.GetString(), 48, "tdx.mrconfigid") };
                    break;
                default:
                    throw new PolicyFormatException($"policy.tdx: unknown field '{prop.Name}'");
            }
        }
        return t with { Rtmrs = rtmrs };
    }

    private static JsonElement.ObjectEnumerator Object(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object ? e.EnumerateObject() : throw new PolicyFormatException($"policy.{name}: not an object");

    private static string[] Strings(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new PolicyFormatException($"policy.{name}: not an array");
        }
        return [.. e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new PolicyFormatException($"policy.{name}: holds a non-string"))];
    }

    private static byte[] HexOf(string? text, int length, string name)
    {
        var digits = text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return digits is not null && Hex.TryDecode(digits, out var b) && b.Length == length
            ? b
            : throw new PolicyFormatException($"policy.{name}: not {length} bytes of hex");
    }
}

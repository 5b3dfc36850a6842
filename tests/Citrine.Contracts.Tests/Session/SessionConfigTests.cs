using Citrine.Chain.Contracts;
using Citrine.Contracts.Session;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Session;

public sealed class SessionConfigTests
{
    [Fact]
    public void Parse_reads_every_field_of_the_documented_shape()
    {
        var raw = Utf8(ConfigText(admin: $"\"{Hex(0xad, 20)}\""));
        var config = SessionConfig.Parse(raw);

        Assert.Equal(1, config.Version);
        Assert.Equal([Sgx(), Tdx(), Mock()], config.Measurements);
        Assert.Equal(["UpToDate", "SWHardeningNeeded"], config.Policy.AcceptedTcbStatuses);
        Assert.Null(config.Policy.AllowedAdvisoryIds);
        Assert.Null(config.Policy.MinTcbEvaluationDataNumber);
        Assert.False(config.Policy.AllowDebug);
        Assert.True(config.Policy.AcceptMock);
        Assert.Equal(86400, config.Policy.MaxAttestationAgeSeconds);
        Assert.Equal(ChainId, config.TrustRoot.ChainId);
        Assert.Equal(5, config.TrustRoot.TrustedHeight);
        Assert.Equal(Bytes(0xee, 32), config.TrustRoot.TrustedHash);
        Assert.Equal(1_209_600, config.TrustRoot.TrustingPeriodSeconds);
        Assert.Equal((1UL, 3UL), (config.TrustRoot.TrustThresholdNumerator, config.TrustRoot.TrustThresholdDenominator));
        Assert.Equal(10, config.TrustRoot.MaxClockDriftSeconds);
        Assert.Equal(10U, config.TrustRoot.MaxBlockLag);
        Assert.Equal(Bytes(0xad, 20), config.Admin);
        Assert.Equal(raw, config.Raw);
    }

    [Fact]
    public void Policy_maps_one_to_one_onto_the_sdk_quote_policy()
    {
        var text = ConfigText()
            .Replace("\"allowed_advisory_ids\": null", "\"allowed_advisory_ids\": [\"INTEL-SA-00334\"]", StringComparison.Ordinal)
            .Replace("\"min_tcb_evaluation_data_number\": null", "\"min_tcb_evaluation_data_number\": 17", StringComparison.Ordinal)
            .Replace("\"allow_debug\": false", "\"allow_debug\": true", StringComparison.Ordinal);
        var policy = SessionConfig.Parse(Utf8(text)).Policy.ToQuotePolicy();
        Assert.Equal(["UpToDate", "SWHardeningNeeded"], policy.AcceptedTcbStatuses);
        Assert.Equal(["INTEL-SA-00334"], policy.AllowedAdvisoryIds);
        Assert.Equal(17, policy.MinTcbEvaluationDataNumber);
        Assert.True(policy.AllowDebug);
        Assert.True(policy.AcceptMock);
    }

    [Fact]
    public void Optional_policy_fields_and_admin_may_be_left_out()
    {
        var text = $$"""
            {"version":1,"measurements":[{"sgx":{"mr_enclave":"{{Hex(1, 32).ToUpperInvariant()}}","mr_signer":"{{Hex(2, 32)}}","isv_prod_id":0,"min_isv_svn":0} }],
             "policy":{"max_attestation_age_seconds":1},
             "trust_root":{"chain_id":"c","trusted_height":1,"trusted_hash":"{{Hex(3, 32)}}","trusting_period_seconds":1,"trust_threshold":"1/1","max_clock_drift_seconds":1,"max_block_lag":1} }
            """;
        var config = SessionConfig.Parse(Utf8(text));
        Assert.Null(config.Admin);
        Assert.Null(config.Policy.AcceptedTcbStatuses);
        Assert.False(config.Policy.AcceptMock);
        Assert.Equal(new QuotePolicy(), config.Policy.ToQuotePolicy());
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        // what is replaced, by what, and the field the refusal names
        { "\"version\": 1", "\"version\": 2", "version" },
        { "\"version\": 1", "\"version\": \"1\"", "version" },
        { "\"version\": 1,", "", "version" },
        { "\"version\": 1", "\"version\": 1, \"extra\": 0", "extra" },
        { "\"version\": 1", "\"version\": 1, \"version\": 1", "version" },
        { "\"isv_prod_id\": 7", "\"isv_prod_id\": 65536", "measurements[0].sgx.isv_prod_id" },
        { "\"isv_prod_id\": 7", "\"isv_prod_id\": -1", "measurements[0].sgx.isv_prod_id" },
        { "\"isv_prod_id\": 7", "\"isv_prod_id\": 7.0", "measurements[0].sgx.isv_prod_id" },
        { "\"min_isv_svn\": 3", "\"min_isv_svn\": 3, \"x\": 1", "measurements[0].sgx.x" },
        { $"\"mr_enclave\": \"{Hex(1, 32)}\"", $"\"mr_enclave\": \"{Hex(1, 31)}\"", "measurements[0].sgx.mr_enclave" },
        { $"\"mr_enclave\": \"{Hex(1, 32)}\"", $"\"mr_enclave\": \"0x{Hex(1, 31)}\"", "measurements[0].sgx.mr_enclave" },
        { $"\"mr_enclave\": \"{Hex(1, 32)}\"", $"\"mr_enclave\": \"zz{Hex(1, 31)}\"", "measurements[0].sgx.mr_enclave" },
        { $"\"mr_signer\": \"{Hex(2, 32)}\", ", "", "measurements[0].sgx.mr_signer" },
        { $"\"{Hex(0x44, 48)}\"]", $"\"{Hex(0x44, 48)}\", \"{Hex(0x45, 48)}\"]", "measurements[1].tdx.rtmrs" },
        { $"\"{Hex(0x44, 48)}\"]", $"\"{Hex(0x44, 47)}\"]", "measurements[1].tdx.rtmrs[3]" },
        { "{ \"mock\":", "{ \"sgx\": {}, \"mock\":", "measurements[2]" },
        { "\"accept_mock\": true", "\"accept_mock\": false", "measurements[2]" },
        { "\"accept_mock\": true", "\"accept_mock\": 1", "policy.accept_mock" },
        { "\"accept_mock\": true", "\"accept_mock\": null", "policy.accept_mock" },
        { $"{{ \"mock\": {{ \"measurement\": \"{Hex(0x77, 32)}\" }} }}", $"{{ \"mock\": {{ \"measurement\": \"{Hex(0x77, 32)}\" }} }}, {{ \"mock\": {{ \"measurement\": \"{Hex(0x77, 32)}\" }} }}", "measurements[3]" },
        { "\"SWHardeningNeeded\"]", "\"Fine\"]", "policy.accepted_tcb_statuses[1]" },
        { "\"SWHardeningNeeded\"]", "\"UpToDate\"]", "policy.accepted_tcb_statuses[1]" },
        { "\"allowed_advisory_ids\": null", "\"allowed_advisory_ids\": [\"\"]", "policy.allowed_advisory_ids[0]" },
        { "\"min_tcb_evaluation_data_number\": null", "\"min_tcb_evaluation_data_number\": -3", "policy.min_tcb_evaluation_data_number" },
        { "\"max_attestation_age_seconds\": 86400", "\"max_attestation_age_seconds\": 0", "policy.max_attestation_age_seconds" },
        { "\"max_attestation_age_seconds\": 86400", "\"max_attestation_age_seconds\": 31622401", "policy.max_attestation_age_seconds" },
        { ",\n    \"max_attestation_age_seconds\": 86400", "", "policy.max_attestation_age_seconds" },
        { $"\"chain_id\": \"{ChainId}\"", "\"chain_id\": \"\"", "trust_root.chain_id" },
        { $"\"chain_id\": \"{ChainId}\"", $"\"chain_id\": \"{new string('c', 51)}\"", "trust_root.chain_id" },
        { "\"trusted_height\": 5", "\"trusted_height\": 0", "trust_root.trusted_height" },
        { $"\"trusted_hash\": \"{Hex(0xee, 32)}\"", "\"trusted_hash\": \"\"", "trust_root.trusted_hash" },
        { "\"trusting_period_seconds\": 1209600", "\"trusting_period_seconds\": 0", "trust_root.trusting_period_seconds" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": \"1/4\"", "trust_root.trust_threshold" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": \"4/3\"", "trust_root.trust_threshold" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": \"1/0\"", "trust_root.trust_threshold" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": \"01/3\"", "trust_root.trust_threshold" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": \"2\"", "trust_root.trust_threshold" },
        { "\"trust_threshold\": \"1/3\"", "\"trust_threshold\": 0.34", "trust_root.trust_threshold" },
        { "\"max_clock_drift_seconds\": 10", "\"max_clock_drift_seconds\": 0", "trust_root.max_clock_drift_seconds" },
        { "\"max_block_lag\": 10", "\"max_block_lag\": 0", "trust_root.max_block_lag" },
        { "\"max_block_lag\": 10", "\"max_block_lag\": 4294967296", "trust_root.max_block_lag" },
        { "\"admin\": null", $"\"admin\": \"{Hex(0xad, 32)}\"", "admin" },
        { "\"admin\": null", "\"admin\": 5", "admin" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Parse_refuses_one_bad_field_and_names_it(string from, string to, string field)
    {
        var text = ConfigText();
        Assert.Contains(from, text, StringComparison.Ordinal);
        var error = Assert.Throws<SessionConfigException>(() => SessionConfig.Parse(Utf8(text.Replace(from, to, StringComparison.Ordinal))));
        Assert.Equal(field, error.Field);
        Assert.False(SessionConfig.TryParse(Utf8(text.Replace(from, to, StringComparison.Ordinal)), out var config, out var message));
        Assert.Null(config);
        Assert.StartsWith(field + ":", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("[]", "$")]
    [InlineData("{\"version\":1,}", "$")]
    [InlineData("{\"measurements\":[]}", "version")]
    public void Parse_refuses_documents_that_are_not_a_config_object(string text, string field) =>
        Assert.Equal(field, Assert.Throws<SessionConfigException>(() => SessionConfig.Parse(Utf8(text))).Field);

    [Fact]
    public void Parse_refuses_an_empty_and_an_oversized_measurement_set()
    {
        var text = ConfigText();
        var start = text.IndexOf("\"measurements\": [", StringComparison.Ordinal) + "\"measurements\": [".Length;
        var end = text.IndexOf("\"policy\"", StringComparison.Ordinal);
        var empty = text[..start] + "],\n" + text[end..];
        Assert.Equal("measurements", Assert.Throws<SessionConfigException>(() => SessionConfig.Parse(Utf8(empty))).Field);
        var entries = string.Join(",", Enumerable.Range(0, 65).Select(i => $"{{\"mock\":{{\"measurement\":\"{Hex((byte)i, 32)}\"}}}}"));
        var many = text[..start] + entries + "],\n" + text[end..];
        Assert.Equal("measurements", Assert.Throws<SessionConfigException>(() => SessionConfig.Parse(Utf8(many))).Field);
    }

    [Fact]
    public void Write_refuses_what_parse_would_refuse() =>
        Assert.Equal("trust_root.trust_threshold", Assert.Throws<SessionConfigException>(() => SessionConfig.Write(
            [Sgx()], new SessionPolicy { MaxAttestationAgeSeconds = 60 },
            new SessionTrustRoot
            {
                ChainId = ChainId, TrustedHeight = 1, TrustedHash = Bytes(1, 32), TrustingPeriodSeconds = 1,
                TrustThresholdNumerator = 1, TrustThresholdDenominator = 4, MaxClockDriftSeconds = 1, MaxBlockLag = 1,
            },
            [])).Field);

    [Property(MaxTest = 200)]
    public bool Write_output_parses_back_to_the_same_values(byte[] seeds, bool acceptMock, bool allowDebug, ushort age, int minEvaluation,
        uint lag, long height, byte thresholdStep, bool withAdmin, bool withStatuses)
    {
        seeds ??= [];
        var measurements = seeds.Distinct().Take(64).Select((s, i) => (i % 3) switch
        {
            0 => Sgx(s, (ushort)(s * 3), (ushort)(s * 5)),
            1 => Tdx(s),
            _ => acceptMock ? Mock(s) : Sgx(s, 1, 1),
        }).Distinct().ToList();
        if (measurements.Count == 0)
        {
            measurements.Add(Sgx());
        }
        var policy = new SessionPolicy
        {
            AcceptedTcbStatuses = withStatuses ? ["OutOfDate", "UpToDate"] : null,
            AllowedAdvisoryIds = withStatuses ? ["INTEL-SA-00615"] : null,
            MinTcbEvaluationDataNumber = minEvaluation < 0 ? null : minEvaluation,
            AllowDebug = allowDebug,
            AcceptMock = acceptMock,
            MaxAttestationAgeSeconds = age + 1L,
        };
        var trustRoot = new SessionTrustRoot
        {
            ChainId = "chain-\u00e9-" + lag.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TrustedHeight = height == long.MinValue ? 1 : Math.Abs(height) + (height == 0 ? 1 : 0),
            TrustedHash = Bytes((byte)lag, 32),
            TrustingPeriodSeconds = age + 10L,
            TrustThresholdNumerator = 100UL + (thresholdStep % 201UL),
            TrustThresholdDenominator = 300UL,
            MaxClockDriftSeconds = 1 + (age % 7),
            MaxBlockLag = Math.Max(1, lag),
        };
        var admin = withAdmin ? Bytes((byte)age, 20) : null;
        var raw = SessionConfig.Write(measurements, policy, trustRoot, admin);
        var parsed = SessionConfig.Parse(raw);
        return parsed.Measurements.SequenceEqual(measurements)
            && parsed.Policy with { AcceptedTcbStatuses = null, AllowedAdvisoryIds = null } == policy with { AcceptedTcbStatuses = null, AllowedAdvisoryIds = null }
            && (parsed.Policy.AcceptedTcbStatuses ?? []).SequenceEqual(policy.AcceptedTcbStatuses ?? [])
            && (parsed.Policy.AcceptedTcbStatuses is null) == (policy.AcceptedTcbStatuses is null)
            && (parsed.Policy.AllowedAdvisoryIds ?? []).SequenceEqual(policy.AllowedAdvisoryIds ?? [])
            && parsed.TrustRoot with { TrustedHash = [] } == trustRoot with { TrustedHash = [] }
            && parsed.TrustRoot.TrustedHash.SequenceEqual(trustRoot.TrustedHash)
            && (parsed.Admin ?? []).SequenceEqual(admin ?? [])
            && parsed.Raw.SequenceEqual(raw);
    }
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Citrine.Chain.Contracts;
using Citrine.Contracts.Session;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Session;

/// <summary>
/// The session core against a fake context: a full handshake, then one test per refusal where
/// only that check fails, asserting its exact <see cref="SessionError"/> (and that the refused
/// call changed nothing). The guard at the end fails when a code has no such test.
/// </summary>
public sealed partial class SessionCoreTests
{
    private static readonly byte[] Admin = Bytes(0xad, 20);
    private static readonly byte[] Nonce = Bytes(0xab, 32);
    private static readonly byte[] SigningKey = Bytes(0x11, 32);
    private static readonly byte[] EncryptionKey = Bytes(0x22, 32);
    private const long MaxAge = 86_400;

    private readonly FakeContractContext _ctx = new();

    // ---- an enclave in the test: quotes are verdicts registered with the fake attestation module ----

    private static QuoteVerification Verdict(Measurement measurement, byte[] reportData, ContractTime? nextUpdate = null) => measurement.Kind switch
    {
        MeasurementKind.Sgx => new()
        {
            Accepted = true, Reason = "None", Detail = "accepted", Tee = QuoteTee.Sgx, Root = "intel", ReportData = reportData,
            MrEnclave = measurement.MrEnclave, MrSigner = measurement.MrSigner, IsvProdId = measurement.IsvProdId, IsvSvn = measurement.MinIsvSvn,
            TcbStatus = "UpToDate", CollateralNextUpdate = nextUpdate,
        },
        MeasurementKind.Tdx => new()
        {
            Accepted = true, Reason = "None", Detail = "accepted", Tee = QuoteTee.Tdx, Root = "intel", ReportData = reportData,
            MrTd = measurement.MrTd, Rtmrs = measurement.Rtmrs, TcbStatus = "UpToDate", CollateralNextUpdate = nextUpdate,
        },
        _ => new()
        {
            Accepted = true, Reason = "None", Detail = "mock", Tee = QuoteTee.Mock, Root = "mock", ReportData = reportData,
            MrEnclave = measurement.MockMeasurement, Insecure = true,
        },
    };

    private byte[] Quote(SessionMessageType type, byte[] body, Measurement? measurement = null, string? chainId = null, byte[]? contract = null,
        ContractTime? nextUpdate = null, bool debug = false)
    {
        var reportData = ReportData.Compute(type, chainId ?? _ctx.ChainId, contract ?? (type == SessionMessageType.Instantiate ? [] : _ctx.ContractAddress), body, SHA512.HashData);
        var verdict = Verdict(measurement ?? Mock(), reportData, nextUpdate);
        return _ctx.Quotes.Register(policy => debug && !policy.AllowDebug
            ? verdict with { Accepted = false, Reason = "DebugEnclave", Detail = "the enclave's ATTRIBUTES.DEBUG is set" }
            : verdict);
    }

    private byte[] KeysQuote(SessionMessageType type, ulong verifiedHeight, byte[]? nonce = null, Measurement? measurement = null, ContractTime? nextUpdate = null) =>
        Quote(type, ReportData.KeysBody(nonce ?? Nonce, SigningKey, EncryptionKey, verifiedHeight), measurement, nextUpdate: nextUpdate);

    // ---- steps of the handshake ----

    private void Instantiate(byte[]? config = null, Measurement? measurement = null, byte[]? quote = null)
    {
        config ??= Config([Mock(), Sgx()], Admin);
        quote ??= Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), measurement, chainId: SessionConfig.Parse(config).TrustRoot.ChainId);
        _ctx.Run(() => SessionCore.Instantiate(_ctx, SessionMessages.Instantiate(config, quote)));
    }

    private SessionRecord Execute(byte[] message) =>
        SessionMessages.ParseSessionAnswer(_ctx.Run(() => SessionCore.Execute(_ctx, message)))!;

    private SessionRecord Create(byte[]? nonce = null, Measurement? measurement = null, ContractTime? nextUpdate = null)
    {
        nonce ??= Nonce;
        return Execute(SessionMessages.SessionCreate(nonce, Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(nonce), measurement, nextUpdate: nextUpdate)));
    }

    private byte[] SetPubKeyMessage(ulong verifiedHeight, byte[]? nonce = null, Measurement? measurement = null, ContractTime? nextUpdate = null) =>
        SessionMessages.SessionSetPubKey(nonce ?? Nonce, SigningKey, EncryptionKey, verifiedHeight,
            KeysQuote(SessionMessageType.SessionSetPubKey, verifiedHeight, nonce, measurement, nextUpdate));

    private byte[] ReattestMessage(ulong verifiedHeight, ContractTime? nextUpdate = null) =>
        SessionMessages.SessionReattest(Nonce, SigningKey, EncryptionKey, verifiedHeight, KeysQuote(SessionMessageType.SessionReattest, verifiedHeight, nextUpdate: nextUpdate));

    /// <summary>Instantiate at height 10, create at 10, set keys at 12 having verified 11.</summary>
    private SessionRecord Establish(byte[]? config = null)
    {
        Instantiate(config);
        Create();
        _ctx.BlockHeight = 12;
        return Execute(SetPubKeyMessage(11));
    }

    private void Advance(long blocks, long seconds)
    {
        _ctx.BlockHeight += blocks;
        _ctx.BlockTime = new ContractTime(_ctx.BlockTime.Seconds + seconds, _ctx.BlockTime.Nanos);
    }

    /// <summary>Asserts the call is refused with exactly <paramref name="code"/> and leaves the state as it was.</summary>
    private SessionException Expect(SessionError code, Action call)
    {
        var error = Refusal(call);
        Assert.True(code == error.Code, $"expected {code}, got {error.Message}");
        Assert.StartsWith($"[{code}] ", error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>The refusal of <paramref name="call"/>, asserting that it left the state as it was.</summary>
    private SessionException Refusal(Action call)
    {
        var before = _ctx.Keys.Select(k => k + "=" + Convert.ToHexString(_ctx.Read(Convert.FromHexString(k))!)).ToList();
        var error = Assert.Throws<SessionException>(() => _ctx.Run(call));
        Assert.Equal(before, _ctx.Keys.Select(k => k + "=" + Convert.ToHexString(_ctx.Read(Convert.FromHexString(k))!)).ToList());
        return error;
    }

    private void ExpectExecute(SessionError code, byte[] message) => Expect(code, () => SessionCore.Execute(_ctx, message));

    private SessionRecord Current() => SessionMessages.ParseSessionAnswer(SessionCore.Query(_ctx, SessionMessages.Query(SessionQuery.Session)))!;

    private IReadOnlyList<SessionRecord> History() => SessionMessages.ParseHistoryAnswer(SessionCore.Query(_ctx, SessionMessages.Query(SessionQuery.SessionHistory)));

    // ---- the handshake ----

    [Fact]
    public void A_full_handshake_establishes_a_session_the_app_can_rely_on()
    {
        var config = Config([Mock(), Sgx()], Admin);
        Instantiate(config);
        Assert.Null(SessionMessages.ParseSessionAnswer(SessionCore.Query(_ctx, SessionMessages.Query(SessionQuery.Session))));
        var answer = SessionMessages.ParseConfigAnswer(SessionCore.Query(_ctx, SessionMessages.Query(SessionQuery.Config)));
        Assert.Equal(config, answer.Config);
        Assert.Equal([Mock(), Sgx()], answer.Measurements);
        Assert.False(_ctx.Quotes.Policies[^1].AllowDebug);
        Assert.True(_ctx.Quotes.Policies[^1].AcceptMock);

        var created = Create();
        Assert.Equal(SessionPhase.Created, created.Phase);
        Assert.Equal(1UL, created.Id);
        Assert.Equal(10UL, created.CreatedHeight);
        Assert.Equal(Mock().CanonicalId, created.Measurement);
        Assert.Equal(_ctx.BlockTime.Seconds + MaxAge, created.AttestationExpiryUnixSeconds);
        Assert.Equal(created, Current());
        Assert.True(SessionRecord.TryDecode(_ctx.Read(SessionRecord.StateKey), out var stored, out _));
        Assert.Equal(created, stored);
        Assert.Contains(("session_id", "1"), _ctx.Events);
        Assert.Contains(("phase", "created"), _ctx.Events);

        _ctx.BlockHeight = 12;
        Advance(0, 6);
        var established = Execute(SetPubKeyMessage(11));
        Assert.Equal(SessionPhase.Established, established.Phase);
        Assert.Equal(SigningKey, established.SigningKey);
        Assert.Equal(EncryptionKey, established.EncryptionKey);
        Assert.Equal(11UL, established.VerifiedHeight);
        Assert.Equal(_ctx.BlockTime.Seconds + MaxAge, established.AttestationExpiryUnixSeconds);
        Assert.Contains(("phase", "established"), _ctx.Events);
        Assert.Equal(established, SessionCore.RequireActiveSession(_ctx));
        Assert.Empty(History());
    }

    [Fact]
    public void The_sgx_expiry_is_the_earlier_of_collateral_next_update_and_max_age()
    {
        Instantiate(Config([Sgx()], Admin, acceptMock: false), Sgx());
        var soon = new ContractTime(_ctx.BlockTime.Seconds + 3600, 999_999_999);
        var created = Create(measurement: Sgx(), nextUpdate: soon);
        Assert.Equal(soon.Seconds, created.AttestationExpiryUnixSeconds);
        _ctx.BlockHeight = 12;
        var late = new ContractTime(_ctx.BlockTime.Seconds + MaxAge + 50, 0);
        Assert.Equal(_ctx.BlockTime.Seconds + MaxAge, Execute(SetPubKeyMessage(11, measurement: Sgx(), nextUpdate: late)).AttestationExpiryUnixSeconds);
    }

    [Fact]
    public void A_tdx_enclave_completes_the_handshake()
    {
        Instantiate(Config([Tdx()], null, acceptMock: false), Tdx());
        Create(measurement: Tdx());
        _ctx.BlockHeight = 12;
        Assert.Equal(SessionPhase.Established, Execute(SetPubKeyMessage(11, measurement: Tdx())).Phase);
    }

    // ---- instantiate ----

    [Fact]
    public void Instantiate_refuses_a_config_that_does_not_parse()
    {
        var config = Utf8(ConfigText().Replace("\"max_block_lag\": 10", "\"max_block_lag\": 0", StringComparison.Ordinal));
        var quote = Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), chainId: ChainId);
        var error = Expect(SessionError.ConfigInvalid, () => SessionCore.Instantiate(_ctx, SessionMessages.Instantiate(config, quote)));
        Assert.Contains("trust_root.max_block_lag", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Instantiate_refuses_a_second_config()
    {
        Instantiate();
        var config = Config([Mock()]);
        var quote = Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), chainId: ChainId);
        Expect(SessionError.ConfigInvalid, () => SessionCore.Instantiate(_ctx, SessionMessages.Instantiate(config, quote)));
    }

    [Fact]
    public void Instantiate_refuses_a_malformed_message() =>
        Expect(SessionError.MessageInvalid, () => SessionCore.Instantiate(_ctx, "{\"config\":\"e30=\"}"u8.ToArray()));

    [Fact]
    public void Instantiate_refuses_a_trust_root_of_another_chain()
    {
        var config = Config([Mock()], chainId: "other-chain");
        var error = Expect(SessionError.ChainIdMismatch, () => Instantiate(config));
        Assert.Contains("'other-chain'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Instantiate_refuses_a_trusted_height_above_the_chain() =>
        Expect(SessionError.TrustRootInFuture, () => Instantiate(Config([Mock()], trustedHeight: 11)));

    [Fact]
    public void Instantiate_surfaces_a_debug_quote_refusal_with_the_verdicts_reason()
    {
        var config = Config([Sgx()], acceptMock: false);
        var quote = Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), Sgx(), debug: true);
        var error = Expect(SessionError.QuoteRefused, () => Instantiate(config, quote: quote));
        Assert.StartsWith("DebugEnclave: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Instantiate_refuses_a_quote_over_other_config_bytes()
    {
        var config = Config([Mock()]);
        var quote = Quote(SessionMessageType.Instantiate, ReportData.InstantiateBody([.. config, (byte)' ']));
        Expect(SessionError.ReportDataMismatch, () => Instantiate(config, quote: quote));
    }

    [Fact]
    public void Instantiate_refuses_a_measurement_not_in_the_set() =>
        Expect(SessionError.MeasurementNotAccepted, () => Instantiate(Config([Mock(), Sgx()]), Mock(0x78)));

    // ---- session_create ----

    [Fact]
    public void Session_messages_before_instantiate_are_refused() =>
        ExpectExecute(SessionError.NotInstantiated, SessionMessages.SessionCreate(Nonce, Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Nonce))));

    [Fact]
    public void Session_create_refuses_a_quote_the_module_refuses()
    {
        Instantiate();
        var error = Expect(SessionError.QuoteRefused, () => SessionCore.Execute(_ctx, SessionMessages.SessionCreate(Nonce, [0xff])));
        Assert.StartsWith("QuoteMalformed: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_create_refuses_report_data_of_another_message_type()
    {
        Instantiate();
        var quote = Quote(SessionMessageType.SessionReattest, ReportData.SessionCreateBody(Nonce));
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionCreate(Nonce, quote));
    }

    [Fact]
    public void Session_create_refuses_report_data_of_another_chain()
    {
        Instantiate();
        var quote = Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Nonce), chainId: "citrine-devnet-2");
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionCreate(Nonce, quote));
    }

    [Fact]
    public void Session_create_refuses_report_data_of_another_contract()
    {
        Instantiate();
        var quote = Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Nonce), contract: Bytes(9, 20));
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionCreate(Nonce, quote));
    }

    [Fact]
    public void Session_create_refuses_report_data_of_another_nonce()
    {
        Instantiate();
        var quote = Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Bytes(0xac, 32)));
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionCreate(Nonce, quote));
    }

    [Fact]
    public void Session_create_refuses_a_measurement_not_in_the_set()
    {
        Instantiate();
        var quote = Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Nonce), Mock(0x78));
        ExpectExecute(SessionError.MeasurementNotAccepted, SessionMessages.SessionCreate(Nonce, quote));
    }

    [Fact]
    public void A_replayed_session_create_is_refused()
    {
        Instantiate();
        var message = SessionMessages.SessionCreate(Nonce, Quote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(Nonce)));
        Execute(message);
        Create(Bytes(0x01, 32));
        ExpectExecute(SessionError.NonceReused, message);
    }

    [Fact]
    public void An_established_session_with_a_current_attestation_is_never_overwritten()
    {
        Establish();
        Advance(1, MaxAge - 7);
        var error = Expect(SessionError.SessionActive, () => Create(Bytes(0x01, 32)));
        Assert.Contains("session 1 is established", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_created_session_is_replaced_and_kept_in_history()
    {
        Instantiate();
        var first = Create();
        var second = Create(Bytes(0x01, 32));
        Assert.Equal(2UL, second.Id);
        Assert.Equal([first with { Phase = SessionPhase.Ended, EndReason = SessionEndReason.Replaced }], History());
        Assert.Contains(("session_id", "2"), _ctx.Events);
    }

    [Fact]
    public void An_established_session_is_replaced_once_its_attestation_expired()
    {
        var established = Establish();
        Advance(1, established.AttestationExpiryUnixSeconds - _ctx.BlockTime.Seconds);
        var replacement = Create(Bytes(0x01, 32));
        Assert.Equal((2UL, SessionPhase.Created), (replacement.Id, replacement.Phase));
        Assert.Equal([established with { Phase = SessionPhase.Ended, EndReason = SessionEndReason.Replaced }], History());
    }

    [Fact]
    public void An_established_session_is_replaced_once_its_measurement_was_removed()
    {
        var established = Establish();
        _ctx.Sender = Admin;
        var ended = Execute(SessionMessages.RemoveMeasurement(Mock()));
        Assert.Equal((SessionPhase.Ended, SessionEndReason.MeasurementRemoved), (ended.Phase, ended.EndReason));
        Assert.Contains(("end_reason", "measurement_removed"), _ctx.Events);
        var replacement = Create(Bytes(0x01, 32), Sgx());
        Assert.Equal(2UL, replacement.Id);
        Assert.Equal(Sgx().CanonicalId, replacement.Measurement);
        Assert.Equal([established with { Phase = SessionPhase.Ended, EndReason = SessionEndReason.MeasurementRemoved }], History());
    }

    // ---- session_set_pub_key ----

    [Fact]
    public void Set_pub_key_without_a_session_is_refused()
    {
        Instantiate();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.NoSession, SetPubKeyMessage(11));
    }

    [Fact]
    public void A_replayed_set_pub_key_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        var message = SetPubKeyMessage(11);
        Execute(message);
        ExpectExecute(SessionError.SessionAlreadyEstablished, message);
    }

    [Fact]
    public void Set_pub_key_for_an_ended_session_is_refused()
    {
        Instantiate();
        Create();
        _ctx.Sender = Admin;
        Execute(SessionMessages.RemoveMeasurement(Mock()));
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.SessionNotCreated, SetPubKeyMessage(11));
    }

    [Fact]
    public void Set_pub_key_with_another_nonce_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.NonceMismatch, SetPubKeyMessage(11, nonce: Bytes(0xac, 32)));
    }

    [Fact]
    public void Set_pub_key_with_a_verified_height_not_below_the_current_height_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.VerifiedHeightInFuture, SetPubKeyMessage(12));
    }

    [Fact]
    public void Set_pub_key_with_a_verified_height_before_the_session_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.VerifiedHeightBeforeSession, SetPubKeyMessage(10));
    }

    [Fact]
    public void Set_pub_key_exactly_at_the_lag_is_accepted()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 22;
        Assert.Equal(SessionPhase.Established, Execute(SetPubKeyMessage(12)).Phase);
    }

    [Fact]
    public void Set_pub_key_one_block_past_the_lag_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 22;
        var error = Expect(SessionError.VerifiedHeightTooOld, () => SessionCore.Execute(_ctx, SetPubKeyMessage(11)));
        Assert.Contains("11 blocks behind 22", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_pub_key_from_another_accepted_measurement_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.MeasurementChanged, SetPubKeyMessage(11, measurement: Sgx()));
    }

    [Fact]
    public void Set_pub_key_refuses_report_data_of_session_reattest()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        var quote = KeysQuote(SessionMessageType.SessionReattest, 11);
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionSetPubKey(Nonce, SigningKey, EncryptionKey, 11, quote));
    }

    [Fact]
    public void Set_pub_key_refuses_report_data_over_other_keys()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        var quote = KeysQuote(SessionMessageType.SessionSetPubKey, 11);
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionSetPubKey(Nonce, SigningKey, Bytes(0x23, 32), 11, quote));
    }

    // ---- session_reattest ----

    [Fact]
    public void Reattest_renews_the_attestation_expiry()
    {
        var established = Establish();
        Advance(5, MaxAge - 1);
        var renewed = Execute(ReattestMessage(16));
        Assert.Equal(_ctx.BlockTime.Seconds + MaxAge, renewed.AttestationExpiryUnixSeconds);
        Assert.True(renewed.AttestationExpiryUnixSeconds > established.AttestationExpiryUnixSeconds);
        Assert.Equal(16UL, renewed.VerifiedHeight);
        Assert.Equal(established with { VerifiedHeight = 16, AttestationExpiryUnixSeconds = renewed.AttestationExpiryUnixSeconds }, renewed);
        Advance(1, 2);
        Assert.Equal(renewed, SessionCore.RequireActiveSession(_ctx));
    }

    [Fact]
    public void Reattest_after_expiry_restores_the_session()
    {
        var established = Establish();
        Advance(3, MaxAge);
        Expect(SessionError.AttestationExpired, () => SessionCore.RequireActiveSession(_ctx));
        Execute(ReattestMessage(14));
        Assert.Equal(established.Id, SessionCore.RequireActiveSession(_ctx).Id);
    }

    [Fact]
    public void A_replayed_reattest_is_refused()
    {
        Establish();
        Advance(3, 60);
        var message = ReattestMessage(14);
        Execute(message);
        Advance(1, 60);
        ExpectExecute(SessionError.VerifiedHeightNotNewer, message);
    }

    [Fact]
    public void Reattest_of_a_session_not_established_is_refused()
    {
        Instantiate();
        Create();
        _ctx.BlockHeight = 12;
        ExpectExecute(SessionError.SessionNotEstablished, ReattestMessage(11));
    }

    [Fact]
    public void Reattest_with_other_keys_is_refused()
    {
        Establish();
        Advance(2, 60);
        var quote = Quote(SessionMessageType.SessionReattest, ReportData.KeysBody(Nonce, SigningKey, Bytes(0x23, 32), 13));
        ExpectExecute(SessionError.KeysMismatch, SessionMessages.SessionReattest(Nonce, SigningKey, Bytes(0x23, 32), 13, quote));
    }

    [Fact]
    public void Reattest_refuses_report_data_of_set_pub_key()
    {
        Establish();
        Advance(2, 60);
        var quote = KeysQuote(SessionMessageType.SessionSetPubKey, 13);
        ExpectExecute(SessionError.ReportDataMismatch, SessionMessages.SessionReattest(Nonce, SigningKey, EncryptionKey, 13, quote));
    }

    // ---- measurements ----

    [Fact]
    public void The_admin_adds_a_measurement_that_can_then_run()
    {
        Instantiate(Config([Mock()], Admin));
        _ctx.Sender = Admin;
        Execute(SessionMessages.AddMeasurement(Tdx()));
        Assert.Equal([Mock(), Tdx()], SessionMessages.ParseConfigAnswer(SessionCore.Query(_ctx, SessionMessages.Query(SessionQuery.Config))).Measurements);
        Assert.Equal(Tdx().CanonicalId, Create(measurement: Tdx()).Measurement);
    }

    [Fact]
    public void The_admin_removes_a_measurement_and_its_quotes_are_refused()
    {
        Instantiate();
        _ctx.Sender = Admin;
        Execute(SessionMessages.RemoveMeasurement(Sgx()));
        Expect(SessionError.MeasurementNotAccepted, () => Create(measurement: Sgx()));
    }

    [Fact]
    public void Without_an_admin_the_set_is_fixed() =>
        Assert.Equal(SessionError.NoAdmin, AddWith(Config([Mock()]), Admin, Sgx()));

    [Fact]
    public void Only_the_admin_changes_the_set() =>
        Assert.Equal(SessionError.Unauthorized, AddWith(Config([Mock()], Admin), Bytes(0xae, 20), Sgx()));

    [Fact]
    public void Adding_a_measurement_twice_is_refused() =>
        Assert.Equal(SessionError.MeasurementDuplicate, AddWith(Config([Mock(), Sgx()], Admin), Admin, Sgx()));

    [Fact]
    public void Adding_a_mock_measurement_without_accept_mock_is_refused()
    {
        Assert.Equal(SessionError.MockNotAccepted, AddWith(Config([Sgx()], Admin, acceptMock: false), Admin, Mock(), Sgx()));
    }

    [Fact]
    public void Adding_past_the_limit_is_refused()
    {
        var full = Enumerable.Range(0, SessionConfig.MaxMeasurements).Select(i => Mock((byte)i)).ToList();
        Assert.Equal(SessionError.MeasurementSetFull, AddWith(Config(full, Admin), Admin, Sgx(), Mock(0)));
    }

    [Fact]
    public void Removing_an_unknown_measurement_is_refused()
    {
        Instantiate();
        _ctx.Sender = Admin;
        ExpectExecute(SessionError.MeasurementUnknown, SessionMessages.RemoveMeasurement(Tdx()));
    }

    private SessionError AddWith(byte[] config, byte[] sender, Measurement added, Measurement? running = null)
    {
        Instantiate(config, running ?? SessionConfig.Parse(config).Measurements[0]);
        _ctx.Sender = sender;
        return Refusal(() => SessionCore.Execute(_ctx, SessionMessages.AddMeasurement(added))).Code;
    }

    // ---- for the app ----

    [Fact]
    public void An_expired_session_is_refused_to_the_app()
    {
        var established = Establish();
        Advance(1, established.AttestationExpiryUnixSeconds - _ctx.BlockTime.Seconds - 1);
        Assert.Equal(established, SessionCore.RequireActiveSession(_ctx));
        Advance(0, 1);
        Expect(SessionError.AttestationExpired, () => SessionCore.RequireActiveSession(_ctx));
    }

    [Fact]
    public void A_session_in_its_handshake_is_refused_to_the_app()
    {
        Instantiate();
        Expect(SessionError.NoSession, () => SessionCore.RequireActiveSession(_ctx));
        Create();
        Expect(SessionError.SessionNotEstablished, () => SessionCore.RequireActiveSession(_ctx));
    }

    [Fact]
    public void An_ended_session_is_refused_to_the_app()
    {
        Establish();
        _ctx.Sender = Admin;
        Execute(SessionMessages.RemoveMeasurement(Mock()));
        Expect(SessionError.SessionEnded, () => SessionCore.RequireActiveSession(_ctx));
    }

    [Fact]
    public void A_session_whose_measurement_left_the_set_is_refused_to_the_app()
    {
        Establish();
        // The core ends such a session itself; this stands in for a set changed some other way.
        _ctx.Poke(SessionCore.MeasurementsKey, SessionCore.EncodeMeasurements([Sgx()]));
        Expect(SessionError.MeasurementNotAccepted, () => SessionCore.RequireActiveSession(_ctx));
    }

    // ---- messages and state ----

    [Fact]
    public void Messages_that_are_not_the_cores_are_left_to_the_app()
    {
        Instantiate();
        Assert.False(_ctx.Run(() => SessionCore.TryExecute(_ctx, "{\"transfer\":{}}"u8.ToArray(), out _)));
        Assert.False(SessionCore.TryQuery(_ctx, "{\"balance\":{}}"u8.ToArray(), out _));
        ExpectExecute(SessionError.MessageInvalid, "{\"transfer\":{}}"u8.ToArray());
        var error = Expect(SessionError.MessageInvalid, () => SessionCore.Execute(_ctx, "{\"session_create\":{\"nonce\":\"00\"}}"u8.ToArray()));
        Assert.Contains("session_create.nonce", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupted_session_record_is_refused_not_misread()
    {
        Establish();
        var bytes = _ctx.Read(SessionRecord.StateKey)!;
        bytes[1] = 9;
        _ctx.Poke(SessionRecord.StateKey, bytes);
        var error = Expect(SessionError.StateCorrupt, () => SessionCore.RequireActiveSession(_ctx));
        Assert.Contains("phase (offset 1)", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void State_keys_are_the_documented_ones()
    {
        var established = Establish();
        Advance(1, established.AttestationExpiryUnixSeconds - _ctx.BlockTime.Seconds);
        Create(Bytes(0x01, 32));
        var keys = _ctx.Keys.Select(k => Convert.FromHexString(k)).Select(k => k.AsSpan().StartsWith("nonce/"u8) || k.AsSpan().StartsWith("history/"u8)
            ? Encoding.ASCII.GetString(k[..k.AsSpan().IndexOf((byte)'/')]) + "/" + Convert.ToHexStringLower(k.AsSpan(k.AsSpan().IndexOf((byte)'/') + 1)) : Encoding.ASCII.GetString(k)).Order().ToList();
        Assert.Equal(
            ["admin", "config", "history/0000000000000001", "measurements", "nonce/" + Hex(0x01, 32), "nonce/" + Hex(0xab, 32), "session"],
            keys);
    }

    [Fact]
    public void Every_session_error_has_a_test_that_asserts_it()
    {
        var source = File.ReadAllText(ThisFile());
        var asserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in AssertedCode().Matches(source))
        {
            asserted.Add(match.Groups[1].Value);
        }
        var missing = Enum.GetNames<SessionError>().Where(name => !asserted.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "session errors without a test: " + string.Join(", ", missing));
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex(@"(?:Expect|ExpectExecute|Assert\.Equal)\(SessionError\.(\w+)")]
    private static partial Regex AssertedCode();
}

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Citrine.Chain.Contracts;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Contracts.Tests.Session;
using Citrine.Crypto.Signatures;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Execution;

/// <summary>
/// The execution core inside a test app contract (session core + execution core) against a fake
/// context with real Ed25519: the happy path, then one test per refusal where only that check
/// fails, asserting its exact <see cref="ExecutionError"/> and that the refused call changed
/// nothing (state, balance, sends). The guard at the end fails when a code has no such test.
/// </summary>
public sealed partial class ExecutionCoreTests
{
    private static readonly byte[] Seed = Bytes(0x5e, 32);
    private static readonly byte[] OtherSeed = Bytes(0x5f, 32);
    private static readonly byte[] User = Bytes(0x0a, 20);
    private static readonly byte[] Recipient = Bytes(0x0b, 20);
    private static readonly byte[] Nonce = Bytes(0xab, 32);
    private static readonly byte[] EncryptionKey = Bytes(0x22, 32);
    private const long MaxAge = 86_400;

    private readonly FakeContractContext _ctx = new() { Sender = User };
    private IContract _app = new ExecutionTestApp(new ExecutionOptions { AcceptFunds = true });

    // ---- the session (as SessionCoreTests establishes it), with a real Ed25519 signing key ----

    private byte[] MockQuote(SessionMessageType type, byte[] body, string? chainId = null)
    {
        var reportData = ReportData.Compute(type, chainId ?? _ctx.ChainId, type == SessionMessageType.Instantiate ? [] : _ctx.ContractAddress, body, SHA512.HashData);
        return _ctx.Quotes.Register(_ => new QuoteVerification
        {
            Accepted = true, Reason = "None", Detail = "mock", Tee = QuoteTee.Mock, Root = "mock", ReportData = reportData,
            MrEnclave = Mock().MockMeasurement, Insecure = true,
        });
    }

    private void Instantiate()
    {
        var config = Config([Mock()], maxBlockLag: 10);
        _ctx.Run(() => _app.Instantiate(_ctx, SessionMessages.Instantiate(config, MockQuote(SessionMessageType.Instantiate, ReportData.InstantiateBody(config), ChainId))));
    }

    private void CreateSession(byte[] nonce) =>
        _ctx.Run(() => _app.Execute(_ctx, SessionMessages.SessionCreate(nonce, MockQuote(SessionMessageType.SessionCreate, ReportData.SessionCreateBody(nonce)))));

    private void SetKeys(byte[] nonce, byte[] seed, ulong verifiedHeight)
    {
        var signingKey = Ed25519.PublicKeyFromSeed(seed);
        var quote = MockQuote(SessionMessageType.SessionSetPubKey, ReportData.KeysBody(nonce, signingKey, EncryptionKey, verifiedHeight));
        _ctx.Run(() => _app.Execute(_ctx, SessionMessages.SessionSetPubKey(nonce, signingKey, EncryptionKey, verifiedHeight, quote)));
    }

    /// <summary>Instantiate and create at height 10, keys at 12 (verified 11), then height 20.</summary>
    private void Establish()
    {
        Instantiate();
        CreateSession(Nonce);
        _ctx.BlockHeight = 12;
        SetKeys(Nonce, Seed, 11);
        _ctx.BlockHeight = 20;
    }

    private SessionRecord Session() => SessionMessages.ParseSessionAnswer(_app.Query(_ctx, SessionMessages.Query(SessionQuery.Session)))!;

    // ---- requests and outputs ----

    private static byte[] RequestMessage(string kind = "transfer", string suite = RequestSuite.ChaCha20Poly1305, byte[]? enc = null, byte[]? ciphertext = null)
    {
        ciphertext ??= Bytes(0xc1, 48);
        enc ??= ciphertext.Length == 0 ? [] : Bytes(0xe1, 32);
        // Built by hand, not by ExecutionMessages.Request, which refuses what these tests hand the contract.
        return Encoding.UTF8.GetBytes("{\"request\":{\"kind\":\"" + kind + "\",\"suite\":\"" + suite + "\",\"enc\":\"" + Convert.ToBase64String(enc)
            + "\",\"ciphertext\":\"" + Convert.ToBase64String(ciphertext) + "\"}}");
    }

    private ulong Request(ulong funds = 0, string kind = "transfer", byte[]? ciphertext = null)
    {
        _ctx.Funds = funds;
        try
        {
            return ExecutionMessages.ParseRequestAnswer(_ctx.Run(() => _app.Execute(_ctx, RequestMessage(kind, ciphertext: ciphertext))));
        }
        finally
        {
            _ctx.Funds = 0;
        }
    }

    private OutputBody Body(ulong first = 0, ulong end = 2, byte[]? prev = null, ulong? verified = null, IReadOnlyList<OutputEffect>? effects = null,
        IReadOnlyList<OutputResponse>? responses = null, ulong? session = null, byte[]? state = null) => new()
    {
        ChainId = _ctx.ChainId,
        Contract = _ctx.ContractAddress,
        SessionId = session ?? 1,
        PrevStateHash = prev ?? new byte[32],
        FirstSeq = first,
        EndSeq = end,
        VerifiedHeight = verified ?? (ulong)(_ctx.BlockHeight - 1),
        NewState = state ?? [.. "state after "u8, (byte)end],
        Effects = effects ?? [],
        Responses = responses ?? [.. Enumerable.Range((int)first, (int)(end - first)).Select(s => Ok((ulong)s))],
    };

    private static OutputResponse Ok(ulong seq) => new() { Seq = seq, Status = ResponseStatus.Ok, Payload = [.. "ok "u8, (byte)seq] };

    private static byte[] Signed(OutputBody body, byte[]? seed = null) => Signed(body.Encode(), seed);

    private static byte[] Signed(byte[] body, byte[]? seed = null) => ExecutionMessages.Output(body, Ed25519.Sign(seed ?? Seed, body));

    private OutputAnswer Apply(byte[] message) => ExecutionMessages.ParseOutputAnswer(_ctx.Run(() => _app.Execute(_ctx, message)));

    private QueueAnswer Queue() => ExecutionMessages.ParseQueueAnswer(_app.Query(_ctx, ExecutionMessages.QueueQuery()));

    private OutputResponse? Response(ulong seq) => ExecutionMessages.ParseResponseAnswer(_app.Query(_ctx, ExecutionMessages.ResponseQuery(seq)));

    /// <summary>Asserts the call is refused with exactly <paramref name="code"/> and leaves state, balance and sends as they were.</summary>
    private ExecutionException Expect(ExecutionError code, Func<byte[]> call)
    {
        var before = Snapshot();
        var error = Assert.Throws<ExecutionException>(() => _ctx.Run(call));
        Assert.True(code == error.Code, $"expected {code}, got {error.Message}");
        Assert.StartsWith($"[{code}] ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
        return error;
    }

    private ExecutionException ExpectExecute(ExecutionError code, byte[] message, ulong funds = 0)
    {
        _ctx.Funds = funds;
        try
        {
            return Expect(code, () => _app.Execute(_ctx, message));
        }
        finally
        {
            _ctx.Funds = 0;
        }
    }

    private List<string> Snapshot() =>
    [
        .. _ctx.Keys.Select(k => k + "=" + Convert.ToHexString(_ctx.Read(Convert.FromHexString(k))!)),
        "balance=" + _ctx.Balance,
        "sends=" + _ctx.Sends.Count,
        "events=" + _ctx.Events.Count,
    ];

    // ---- the happy path ----

    [Fact]
    public void Requests_are_queued_and_an_output_applies_state_responses_and_sends()
    {
        Establish();
        Assert.Equal(new QueueAnswer(0, 0, new byte[32]), Queue());

        _ctx.BlockHeight = 21;
        Assert.Equal(0UL, Request(funds: 100, kind: "deposit", ciphertext: []));
        Assert.Equal(1UL, Request());
        Assert.Equal(new QueueAnswer(0, 2, new byte[32]), Queue());
        Assert.Equal(100UL, _ctx.Balance);
        Assert.Contains(("action", "request"), _ctx.Events);
        Assert.Contains(("seq", "1"), _ctx.Events);
        Assert.Contains(("kind", "deposit"), _ctx.Events);
        Assert.Contains(("sender", Convert.ToHexStringLower(User)), _ctx.Events);

        var deposit = ExecutionCore.ReadRequest(_ctx, 0)!;
        Assert.Equal(new RequestRecord
        {
            Seq = 0, SessionId = 1, Sender = User, Kind = "deposit", AeadId = RequestSuite.ChaCha20Poly1305AeadId, Funds = 100, Height = 21,
        }, deposit);
        Assert.Equal(deposit.Encode(), _ctx.Read(ExecutionKeys.Request(0)));
        var transfer = ExecutionCore.ReadRequest(_ctx, 1)!;
        Assert.Equal(Bytes(0xe1, 32), transfer.Enc);
        Assert.Equal(Bytes(0xc1, 48), transfer.Ciphertext);
        Assert.Equal(0UL, transfer.Funds);
        Assert.Equal(
            RequestAad.Build(ChainId, _ctx.ContractAddress, User, 1, "transfer"),
            transfer.Aad(ChainId, _ctx.ContractAddress));

        _ctx.BlockHeight = 23;
        var refused = new OutputResponse { Seq = 1, Status = ResponseStatus.Refused, Payload = "overdraft"u8.ToArray() };
        var body = Body(end: 2, effects: [OutputEffect.Send(Recipient, 30)], responses: [Ok(0), refused]);
        var answer = Apply(Signed(body));

        var stateHash = SHA256.HashData(body.NewState);
        Assert.Equal(new OutputAnswer(0, 2, stateHash), answer);
        Assert.Equal(new QueueAnswer(2, 2, stateHash), Queue());
        Assert.Equal(body.NewState, _ctx.Read(ExecutionKeys.State));
        Assert.Equal(stateHash, _ctx.Read(ExecutionKeys.StateHash));
        Assert.Equal(SHA256.HashData(body.Encode()), _ctx.Read(ExecutionKeys.OutputLast));
        Assert.Null(_ctx.Read(ExecutionKeys.Request(0)));
        Assert.Null(_ctx.Read(ExecutionKeys.Request(1)));
        Assert.Equal(Ok(0), Response(0));
        Assert.Equal(refused, Response(1));
        Assert.Equal(refused.Encode(), _ctx.Read(ExecutionKeys.Response(1)));
        Assert.Null(Response(2));
        Assert.Single(_ctx.Sends);
        Assert.Equal(Recipient, _ctx.Sends[0].To);
        Assert.Equal(30UL, _ctx.Sends[0].Amount);
        Assert.Equal(70UL, _ctx.Balance);
        Assert.Contains(("action", "output"), _ctx.Events);
        Assert.Contains(("first_seq", "0"), _ctx.Events);
        Assert.Contains(("end_seq", "2"), _ctx.Events);
        Assert.Contains(("state_hash", Convert.ToHexStringLower(stateHash)), _ctx.Events);

        // The next batch continues from the new state and head.
        Assert.Equal(2UL, Request());
        _ctx.BlockHeight = 24;
        var second = Body(first: 2, end: 3, prev: stateHash, state: [9, 9]);
        Assert.Equal(new OutputAnswer(2, 3, SHA256.HashData([9, 9])), Apply(Signed(second)));
        Assert.Equal(new QueueAnswer(3, 3, SHA256.HashData([9, 9])), Queue());
    }

    [Fact]
    public void The_first_request_writes_the_keys_the_enclave_proves_present()
    {
        Establish();
        Assert.Null(_ctx.Read(ExecutionKeys.QueueHead));
        Assert.Null(_ctx.Read(ExecutionKeys.StateHash));
        Request();
        // The enclave's Execute takes membership proofs of queue/head and state/hash (docs/execution.md,
        // "Proven inputs"): without them the first batch could never be proven.
        Assert.Equal(ExecutionKeys.EncodeU64(0), _ctx.Read(ExecutionKeys.QueueHead));
        Assert.Equal(new byte[32], _ctx.Read(ExecutionKeys.StateHash));
        Assert.Equal(ExecutionKeys.EncodeU64(1), _ctx.Read(ExecutionKeys.QueueNext));
    }

    [Fact]
    public void A_batch_may_leave_requests_queued_and_responses_out()
    {
        Establish();
        Request();
        Request();
        Request();
        Apply(Signed(Body(end: 2, responses: [Ok(1)])));
        Assert.Equal(new QueueAnswer(2, 3, SHA256.HashData(Body(end: 2).NewState)), Queue());
        Assert.Null(Response(0));
        Assert.NotNull(ExecutionCore.ReadRequest(_ctx, 2));
    }

    [Fact]
    public void Everything_else_reaches_the_app()
    {
        Establish();
        Assert.Equal("\"pong\""u8.ToArray(), _ctx.Run(() => _app.Execute(_ctx, "{\"ping\":{}}"u8.ToArray())));
        Assert.Equal("\"pong\""u8.ToArray(), _app.Query(_ctx, "{\"ping\":{}}"u8.ToArray()));
        Assert.False(_ctx.Run(() => ExecutionCore.TryExecute(_ctx, "{\"session_create\":{}}"u8.ToArray(), null, out _)));
        Assert.False(ExecutionCore.TryQuery(_ctx, "{\"session\":{}}"u8.ToArray(), out _));
        Assert.Equal(1UL, Session().Id);
    }

    // ---- one refusal each ----

    [Fact]
    public void A_malformed_execution_message_is_refused()
    {
        Establish();
        var error = ExpectExecute(ExecutionError.MessageInvalid, "{\"output\":{\"body\":\"AA==\",\"signature\":\"AA==\"}}"u8.ToArray());
        Assert.Contains("output.signature", error.Detail, StringComparison.Ordinal);
        ExpectExecute(ExecutionError.MessageInvalid, "{\"request\":{\"kind\":\"a\"}}"u8.ToArray());
        Expect(ExecutionError.MessageInvalid, () => _app.Query(_ctx, "{\"response\":{\"seq\":-1}}"u8.ToArray()));
    }

    [Fact]
    public void Requests_and_outputs_need_an_active_session()
    {
        Instantiate();
        var error = ExpectExecute(ExecutionError.NoActiveSession, RequestMessage());
        Assert.Contains("[NoSession]", error.Detail, StringComparison.Ordinal);
        CreateSession(Nonce);
        Assert.Contains("[SessionNotEstablished]", ExpectExecute(ExecutionError.NoActiveSession, Signed(Body(end: 1))).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contract_never_instantiated_has_no_active_session()
    {
        Assert.Contains("[NotInstantiated]", ExpectExecute(ExecutionError.NoActiveSession, RequestMessage()).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_and_outputs_need_a_current_attestation()
    {
        Establish();
        Request();
        var expiry = Session().AttestationExpiryUnixSeconds;
        _ctx.BlockTime = new ContractTime(expiry, 0);
        ExpectExecute(ExecutionError.AttestationExpired, RequestMessage());
        ExpectExecute(ExecutionError.AttestationExpired, Signed(Body(end: 1)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Transfer")]
    [InlineData("trans-fer")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void A_request_of_an_invalid_kind_is_refused(string kind)
    {
        Establish();
        ExpectExecute(ExecutionError.RequestKindInvalid, RequestMessage(kind: kind));
    }

    [Fact]
    public void A_request_of_another_suite_is_refused()
    {
        Establish();
        ExpectExecute(ExecutionError.RequestSuiteInvalid, RequestMessage(suite: "x25519-sha256-aes128gcm"));
    }

    [Fact]
    public void A_request_whose_enc_does_not_fit_its_ciphertext_is_refused()
    {
        Establish();
        ExpectExecute(ExecutionError.RequestEncInvalid, RequestMessage(enc: Bytes(1, 31)));
        ExpectExecute(ExecutionError.RequestEncInvalid, RequestMessage(enc: Bytes(1, 32), ciphertext: []));
    }

    [Fact]
    public void A_request_above_16_KiB_is_refused()
    {
        Establish();
        ExpectExecute(ExecutionError.RequestTooLarge, RequestMessage(ciphertext: new byte[(16 * 1024) + 1]));
        Assert.Equal(0UL, Request(ciphertext: new byte[16 * 1024]));
    }

    [Fact]
    public void Funds_are_refused_by_an_app_that_takes_none()
    {
        _app = new ExecutionTestApp(new ExecutionOptions());
        Establish();
        ExpectExecute(ExecutionError.FundsNotAccepted, RequestMessage(), funds: 5);
        Assert.Equal(0UL, Request());
    }

    [Fact]
    public void The_queue_holds_at_most_65536_unconsumed_requests()
    {
        Establish();
        _ctx.Poke(ExecutionKeys.QueueNext, ExecutionKeys.EncodeU64(65_536));
        ExpectExecute(ExecutionError.QueueFull, RequestMessage());
        _ctx.Poke(ExecutionKeys.QueueHead, ExecutionKeys.EncodeU64(1));
        Assert.Equal(65_536UL, Request());
    }

    [Fact]
    public void A_body_that_does_not_parse_is_refused()
    {
        Establish();
        Request();
        var bytes = Body(end: 1).Encode();
        var error = ExpectExecute(ExecutionError.OutputMalformed, Signed(bytes[..^1]));
        Assert.Contains("output body:", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_for_another_contract_or_chain_is_refused()
    {
        Establish();
        Request();
        ExpectExecute(ExecutionError.OutputWrongContract, Signed(Body(end: 1) with { Contract = Bytes(0x99, 20) }));
        ExpectExecute(ExecutionError.OutputWrongContract, Signed(Body(end: 1) with { ChainId = "other-chain" }));
    }

    [Fact]
    public void An_output_of_a_replaced_session_is_refused()
    {
        Establish();
        Request();
        var old = Signed(Body(end: 1));
        // Session 1's attestation expires; session 2 replaces it with another signing key.
        var expiry = Session().AttestationExpiryUnixSeconds;
        _ctx.BlockTime = new ContractTime(expiry, 0);
        var nonce = Bytes(0xac, 32);
        CreateSession(nonce);
        _ctx.BlockHeight = 22;
        SetKeys(nonce, OtherSeed, 21);
        Assert.Equal(2UL, Session().Id);
        var error = ExpectExecute(ExecutionError.OutputWrongSession, old);
        Assert.Contains("session 1; the active session is 2", error.Detail, StringComparison.Ordinal);
        Assert.Equal(new OutputAnswer(0, 1, SHA256.HashData(Body(end: 1).NewState)), Apply(Signed(Body(end: 1, session: 2), OtherSeed)));
    }

    [Fact]
    public void An_output_not_signed_by_the_session_key_is_refused()
    {
        Establish();
        Request();
        ExpectExecute(ExecutionError.OutputSignatureInvalid, Signed(Body(end: 1), OtherSeed));
        var body = Body(end: 1).Encode();
        var signature = Ed25519.Sign(Seed, body);
        signature[5] ^= 0x01;
        ExpectExecute(ExecutionError.OutputSignatureInvalid, ExecutionMessages.Output(body, signature));
    }

    [Fact]
    public void An_accepted_output_submitted_again_is_refused()
    {
        Establish();
        Request();
        var output = Signed(Body(end: 1));
        Apply(output);
        Request();
        ExpectExecute(ExecutionError.OutputReplayed, output);
    }

    [Fact]
    public void An_output_that_skips_the_queue_head_is_refused()
    {
        Establish();
        Request();
        Request();
        ExpectExecute(ExecutionError.OutputOutOfOrder, Signed(Body(first: 1, end: 2)));
    }

    [Fact]
    public void An_output_whose_range_is_empty_or_beyond_the_queue_is_refused()
    {
        Establish();
        Request();
        Request();
        ExpectExecute(ExecutionError.OutputRangeInvalid, Signed(Body(end: 3, responses: [])));
        ExpectExecute(ExecutionError.OutputRangeInvalid, Signed(Body(end: 0, responses: [])));
        _ctx.Poke(ExecutionKeys.QueueNext, ExecutionKeys.EncodeU64(2_000));
        ExpectExecute(ExecutionError.OutputRangeInvalid, Signed(Body(end: 1_025, responses: [])));
    }

    [Fact]
    public void An_output_computed_on_another_state_is_refused()
    {
        Establish();
        Request();
        ExpectExecute(ExecutionError.OutputStale, Signed(Body(end: 1, prev: Bytes(0x01, 32))));
        Apply(Signed(Body(end: 1)));
        Request();
        // The enclave started from "no state" again: zeros are not the stored hash any more.
        ExpectExecute(ExecutionError.OutputStale, Signed(Body(first: 1, end: 2)));
    }

    [Fact]
    public void An_output_verified_at_or_above_the_current_height_is_refused()
    {
        Establish();
        Request();
        ExpectExecute(ExecutionError.OutputFromFuture, Signed(Body(end: 1, verified: 20)));
        ExpectExecute(ExecutionError.OutputFromFuture, Signed(Body(end: 1, verified: ulong.MaxValue)));
    }

    [Fact]
    public void An_output_verified_more_than_max_block_lag_ago_is_refused()
    {
        Establish();
        Request();
        ExpectExecute(ExecutionError.OutputTooOld, Signed(Body(end: 1, verified: 9)));
        Assert.Equal(1UL, Apply(Signed(Body(end: 1, verified: 10))).EndSeq);
    }

    [Fact]
    public void An_output_whose_responses_name_seqs_outside_the_batch_or_twice_is_refused()
    {
        Establish();
        Request();
        Request();
        Assert.Contains("outside the batch", ExpectExecute(ExecutionError.OutputMalformed, Signed(Body(end: 2, responses: [Ok(0), Ok(2)]))).Detail, StringComparison.Ordinal);
        Assert.Contains("more than one response", ExpectExecute(ExecutionError.OutputMalformed, Signed(Body(end: 2, responses: [Ok(1), Ok(1)]))).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_that_sends_more_than_the_contract_holds_is_refused()
    {
        Establish();
        Request(funds: 50);
        ExpectExecute(ExecutionError.OutputOverspends, Signed(Body(end: 1, effects: [OutputEffect.Send(Recipient, 30), OutputEffect.Send(User, 21)])));
        ExpectExecute(ExecutionError.OutputOverspends, Signed(Body(end: 1, effects: [OutputEffect.Send(Recipient, ulong.MaxValue), OutputEffect.Send(User, 2)])));
        Apply(Signed(Body(end: 1, effects: [OutputEffect.Send(Recipient, 30), OutputEffect.Send(User, 20)])));
        Assert.Equal(0UL, _ctx.Balance);
        Assert.Equal(2, _ctx.Sends.Count);
    }

    [Fact]
    public void Stored_values_that_do_not_decode_are_refused_not_misread()
    {
        Establish();
        _ctx.Poke(ExecutionKeys.QueueNext, [1, 2, 3]);
        Assert.Contains("queue/next is 3 bytes", ExpectExecute(ExecutionError.StateCorrupt, RequestMessage()).Detail, StringComparison.Ordinal);
        _ctx.Poke(ExecutionKeys.QueueNext, ExecutionKeys.EncodeU64(1));
        _ctx.Poke(ExecutionKeys.QueueHead, ExecutionKeys.EncodeU64(2));
        Expect(ExecutionError.StateCorrupt, () => _app.Query(_ctx, ExecutionMessages.QueueQuery()));
        _ctx.Poke(ExecutionKeys.Response(4), [9]);
        Expect(ExecutionError.StateCorrupt, () => _app.Query(_ctx, ExecutionMessages.ResponseQuery(4)));
        var bytes = _ctx.Read(SessionRecord.StateKey)!;
        bytes[1] = 9;
        _ctx.Poke(SessionRecord.StateKey, bytes);
        ExpectExecute(ExecutionError.StateCorrupt, Signed(Body(end: 1)));
    }

    [Fact]
    public void State_keys_are_the_documented_ones()
    {
        Establish();
        Request();
        Request();
        Apply(Signed(Body(end: 1)));
        var keys = _ctx.Keys.Select(Convert.FromHexString)
            .Select(k => k.Length > 8 && (k.AsSpan().StartsWith("queue/"u8) || k.AsSpan().StartsWith("response/"u8)) && !k.AsSpan().StartsWith("queue/next"u8) && !k.AsSpan().StartsWith("queue/head"u8)
                ? Encoding.ASCII.GetString(k[..^8]) + Convert.ToHexStringLower(k.AsSpan(k.Length - 8))
                : Encoding.ASCII.GetString(k))
            .Where(k => !k.StartsWith("nonce/", StringComparison.Ordinal) && k is not ("config" or "measurements" or "session"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["output/last", "queue/0000000000000001", "queue/head", "queue/next", "response/0000000000000000", "state", "state/hash"], keys);
    }

    [Fact]
    public void Every_execution_error_has_a_test_that_asserts_it()
    {
        var source = File.ReadAllText(ThisFile());
        var asserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in AssertedCode().Matches(source))
        {
            asserted.Add(match.Groups[1].Value);
        }
        var missing = Enum.GetNames<ExecutionError>().Where(name => !asserted.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "execution errors without a test: " + string.Join(", ", missing));
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    [GeneratedRegex(@"(?:Expect|ExpectExecute)\(ExecutionError\.(\w+)")]
    private static partial Regex AssertedCode();
}

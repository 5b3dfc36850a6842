using System.Buffers.Binary;
using System.Security.Cryptography;
using Citrine.Attestation.Attestors;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto.Hpke;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.Execution;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;
using Citrine.Enclave.Tests.Runtime;
using static Citrine.Enclave.Tests.EnclaveResults;

namespace Citrine.Enclave.Tests.Execution;

/// <summary>
/// A tiny app: the state is a u64 total. <c>add</c> adds its 8-byte plaintext and answers the new
/// total; <c>query</c> seals the total to the 32-byte X25519 key in its plaintext; <c>refund</c>
/// sends the request's funds back to its sender; <c>boom</c> throws. Unopened requests are left to
/// the runtime.
/// </summary>
internal sealed class CounterApp : IEnclaveApp
{
    public static readonly byte[] QueryInfo = "counter/query"u8.ToArray();

    public string Name => "counter";

    public AppBatchResult Handle(AppBatch batch, IAppContext context)
    {
        var total = batch.State.IsEmpty ? 0 : BinaryPrimitives.ReadUInt64BigEndian(batch.State.Span);
        var sends = new List<AppSend>();
        var responses = new List<AppResponse>();
        foreach (var request in batch.Requests.Where(r => r.Opening == AppRequestOpening.Opened || r.Opening == AppRequestOpening.NoCiphertext))
        {
            switch (request.Kind)
            {
                case "add" when request.Plaintext.Length == 8:
                    total += BinaryPrimitives.ReadUInt64BigEndian(request.Plaintext.Span);
                    responses.Add(AppResponse.Ok(request.Seq, U64(total)));
                    break;
                case "query" when request.Plaintext.Length == 32:
                    var sealedTotal = context.SealTo(request.Plaintext.Span, QueryInfo, [], U64(total), request.Seq);
                    responses.Add(AppResponse.Ok(request.Seq, (byte[])[.. sealedTotal.EncapsulatedKey, .. sealedTotal.Ciphertext]));
                    break;
                case "refund" when request.Funds > 0:
                    sends.Add(new AppSend(request.Sender, request.Funds));
                    responses.Add(AppResponse.Ok(request.Seq, ReadOnlyMemory<byte>.Empty));
                    break;
                case "boom":
                    throw new InvalidOperationException("the handler failed");
                default:
                    responses.Add(AppResponse.Refused(request.Seq, "malformed"));
                    break;
            }
        }
        return new AppBatchResult(U64(total), sends, responses);
    }

    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>
/// Execute against the real in-process devnet: the queue, the state and the session record are
/// written into the test contract's store with the e1 codecs and proven with light blocks and
/// ICS23 proofs from the node. One test per refusal, each asserting the exact reason.
/// </summary>
public sealed class ExecutionRuntimeTests : IDisposable
{
    private const ulong SessionId = 1;

    private readonly Devnet _chain = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-execution-").FullName;
    private readonly InsecureFileSealer _sealer;
    private readonly byte[] _contract;
    private readonly long _rootHeight;
    private readonly List<EnclaveRuntime> _opened = [];
    private long _enclaveHeight;

    public ExecutionRuntimeTests()
    {
        _chain.Produce(2);
        _contract = _chain.InstantiateRecordContract();
        _rootHeight = _chain.Node.Height;
        _sealer = InsecureFileSealer.OpenOrCreate(_directory);
    }

    public void Dispose()
    {
        foreach (var runtime in _opened)
        {
            runtime.Dispose();
        }
        _sealer.Dispose();
        _chain.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private EnclaveRuntime Open(IEnclaveApp? app)
    {
        var runtime = EnclaveRuntime.Open(new EnclaveRuntimeOptions
        {
            Attestor = new MockAttestor(EnclaveRuntimeTests.MockMeasurement),
            Sealer = _sealer,
            StorageDirectory = _directory,
            Random = new SeededRandom("execution-tests"),
            Measurement = EnclaveRuntimeTests.MockMeasurement,
            App = app,
        });
        _opened.Add(runtime);
        return runtime;
    }

    /// <summary>Instantiate, create and SetPubKey; then, unless told otherwise, publish the Established record with the enclave's keys.</summary>
    private async Task<(EnclaveRuntime Runtime, SessionKeysResult Keys)> Established(IEnclaveApp? app = null, bool publishEstablished = true)
    {
        var runtime = Open(app ?? new CounterApp());
        Ok(await runtime.InstantiateAsync(EnclaveRuntimeTests.Config(_chain, _rootHeight), _chain.Block(_rootHeight)));
        var created = Ok(await runtime.SessionCreateAsync(_contract));
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Created, created.Nonce));
        var keys = Ok(await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, _rootHeight + 1)));
        _enclaveHeight = keys.VerifiedHeight;
        if (publishEstablished)
        {
            PublishEstablished(keys);
        }
        return (runtime, keys);
    }

    private void PublishEstablished(SessionKeysResult keys, byte[]? nonce = null, byte[]? signingKey = null) =>
        _chain.PublishRecord(_contract, EnclaveRuntimeTests.Record(SessionPhase.Established, nonce ?? keys.Nonce, signingKey ?? keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight));

    /// <summary>A request record as the contract writes it, encrypted by a client to <paramref name="encryptionKey"/> for <paramref name="aadSender"/> (default: the sender) and session.</summary>
    private RequestRecord Request(byte[] encryptionKey, ulong seq, string kind, byte[] plaintext, int sender = 0, ulong sessionId = SessionId, int? aadSender = null, ulong funds = 0)
    {
        var aad = RequestAad.Build(_chain.ChainId, _contract, _chain.Address(aadSender ?? sender), sessionId, kind);
        var sealedRequest = HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(encryptionKey, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), aad, plaintext);
        return new RequestRecord
        {
            Seq = seq,
            SessionId = sessionId,
            Sender = _chain.Address(sender),
            Kind = kind,
            AeadId = RequestSuite.ChaCha20Poly1305AeadId,
            Enc = sealedRequest.EncapsulatedKey,
            Ciphertext = sealedRequest.Ciphertext,
            Funds = funds,
            Height = (ulong)_chain.Node.Height,
        };
    }

    /// <summary>Writes the queue as the contract would: the records, head, next, and (before any output) a zero state hash and no state.</summary>
    private void Queue(ulong head, ulong next, params RequestRecord[] records) =>
        _chain.WriteContractState(_contract,
        [
            .. records.Select(r => (ExecutionKeys.Request(r.Seq), (byte[]?)r.Encode())),
            (ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.EncodeU64(head)),
            (ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.EncodeU64(next)),
            (ExecutionKeys.StateHash.ToArray(), new byte[32]),
        ]);

    /// <summary>Applies an output as the contract does: state, its hash, the new head.</summary>
    private void Apply(ExecuteResult result)
    {
        Assert.True(OutputBody.TryDecode(result.Body, out var body, out var error), error);
        _chain.WriteContractState(_contract,
            (ExecutionKeys.State.ToArray(), body!.NewState),
            (ExecutionKeys.StateHash.ToArray(), SHA256.HashData(body.NewState)),
            (ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.EncodeU64(body.EndSeq)));
    }

    /// <summary>Proves the session record, queue/head, queue/next, state/hash, state and queue/[head, head + count), with the blocks from the enclave's height up.</summary>
    private PublicationBatchProof Proof(ulong head, int count)
    {
        byte[][] keys =
        [
            SessionRecord.StateKey.ToArray(), ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.QueueNext.ToArray(),
            ExecutionKeys.StateHash.ToArray(), ExecutionKeys.State.ToArray(),
            .. Enumerable.Range(0, count).Select(i => ExecutionKeys.Request(head + (ulong)i)),
        ];
        var (queryHeight, entries) = _chain.ProveContractKeys(_contract, keys);
        return new PublicationBatchProof(_chain.Blocks(_enclaveHeight + 1, queryHeight + 1), queryHeight, entries);
    }

    private async Task<ExecuteResult> Execute(EnclaveRuntime runtime, PublicationBatchProof proof)
    {
        var result = Ok(await runtime.ExecuteAsync(proof));
        _enclaveHeight = result.VerifiedHeight;
        return result;
    }

    private static OutputBody Body(ExecuteResult result)
    {
        Assert.True(OutputBody.TryDecode(result.Body, out var body, out var error), error);
        return body!;
    }

    private static ulong Total(OutputResponse response)
    {
        Assert.Equal(ResponseStatus.Ok, response.Status);
        return BinaryPrimitives.ReadUInt64BigEndian(response.Payload);
    }

    private static string Refusal(OutputResponse response)
    {
        Assert.Equal(ResponseStatus.Refused, response.Status);
        return System.Text.Encoding.UTF8.GetString(response.Payload);
    }

    // ---- the happy path ----

    [Fact]
    public async Task Execute_runs_the_app_on_proven_requests_signs_the_output_and_continues_from_its_state()
    {
        var (runtime, keys) = await Established();
        Queue(0, 3,
            Request(keys.EncryptionKey, 0, "add", CounterApp.U64(5)),
            Request(keys.EncryptionKey, 1, "add", CounterApp.U64(7), sender: 1),
            Request(keys.EncryptionKey, 2, "add", CounterApp.U64(30)));
        var first = await Execute(runtime, Proof(0, 3));

        Assert.True(Ed25519.Verify(keys.SigningKey, first.Body, first.Signature));
        var body = Body(first);
        Assert.Equal(_chain.ChainId, body.ChainId);
        Assert.Equal(_contract, body.Contract);
        Assert.Equal(SessionId, body.SessionId);
        Assert.Equal(new byte[32], body.PrevStateHash);
        Assert.Equal((0ul, 3ul), (body.FirstSeq, body.EndSeq));
        Assert.Equal((0ul, 3ul), (first.FirstSeq, first.EndSeq));
        Assert.Equal((ulong)first.VerifiedHeight, body.VerifiedHeight);
        Assert.Equal(_chain.Node.Height, first.VerifiedHeight);
        Assert.Equal([5ul, 12ul, 42ul], body.Responses.Select(Total));
        Assert.Equal([0ul, 1ul, 2ul], body.Responses.Select(r => r.Seq));
        Assert.Empty(body.Effects);
        Assert.Equal(12 + 8 + 16, body.NewState.Length);

        // The contract applies it; the next batch starts from the encrypted state.
        Apply(first);
        _chain.WriteContractState(_contract,
            (ExecutionKeys.Request(3), Request(keys.EncryptionKey, 3, "add", CounterApp.U64(100)).Encode()),
            (ExecutionKeys.Request(4), Request(keys.EncryptionKey, 4, "refund", CounterApp.U64(0), sender: 2, funds: 250).Encode()),
            (ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.EncodeU64(5)));
        var second = Body(await Execute(runtime, Proof(3, 2)));
        Assert.Equal(SHA256.HashData(body.NewState), second.PrevStateHash);
        Assert.Equal((3ul, 5ul), (second.FirstSeq, second.EndSeq));
        Assert.Equal(142ul, Total(second.Responses[0]));
        var send = Assert.Single(second.Effects);
        Assert.Equal(_chain.Address(2), send.To);
        Assert.Equal(250ul, send.Amount);
    }

    [Fact]
    public async Task Execute_on_the_same_proven_inputs_returns_byte_identical_output()
    {
        var (runtime, keys) = await Established();
        using var client = HpkeSuite.X25519Sha256ChaCha20Poly1305.GenerateKeyPair();
        Queue(0, 2,
            Request(keys.EncryptionKey, 0, "add", CounterApp.U64(9)),
            Request(keys.EncryptionKey, 1, "query", client.ExportPublicKey()));
        var proof = Proof(0, 2);
        var first = await Execute(runtime, proof);

        // Again, now that the enclave trusts header H+1 itself: no light blocks needed.
        var again = Ok(await runtime.ExecuteAsync(proof with { LightBlocks = [] }));
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(first.Signature, again.Signature);

        // The sealed answer opens for the client and holds the total.
        var answer = Body(first).Responses[1];
        Assert.Equal(ResponseStatus.Ok, answer.Status);
        var opened = HpkeSuite.X25519Sha256ChaCha20Poly1305.Open(answer.Payload.AsSpan(0, 32), client, CounterApp.QueryInfo, [], answer.Payload.AsSpan(32));
        Assert.Equal(CounterApp.U64(9), opened);

        // A restarted enclave on the same sealed keys gives the same bytes too.
        runtime.Dispose();
        var restarted = Open(new CounterApp());
        var third = Ok(await restarted.ExecuteAsync(proof with { LightBlocks = [] }));
        Assert.Equal(first.Body, third.Body);
    }

    [Fact]
    public async Task A_restarted_enclave_executes_from_its_sealed_state()
    {
        var (runtime, keys) = await Established();
        runtime.Dispose();
        var restarted = Open(new CounterApp());
        Assert.Equal(EnclavePhase.Established, restarted.Phase);
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(3)));
        var result = await Execute(restarted, Proof(0, 1));
        Assert.True(Ed25519.Verify(keys.SigningKey, result.Body, result.Signature));
        Assert.Equal(3ul, Total(Assert.Single(Body(result).Responses)));
    }

    // ---- requests answered refused without stopping the batch ----

    [Fact]
    public async Task A_request_for_another_session_is_answered_undecryptable()
    {
        var (runtime, keys) = await Established();
        Queue(0, 2,
            Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1), sessionId: 2),
            Request(keys.EncryptionKey, 1, "add", CounterApp.U64(2)));
        var body = Body(await Execute(runtime, Proof(0, 2)));
        Assert.Equal(AppResponse.Undecryptable, Refusal(body.Responses[0]));
        Assert.Equal(2ul, Total(body.Responses[1]));
    }

    [Fact]
    public async Task A_ciphertext_copied_to_another_sender_fails_to_open_and_is_answered_undecryptable()
    {
        var (runtime, keys) = await Established();
        // Encrypted by account 0 (its address in the AAD), queued by account 1.
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1), sender: 1, aadSender: 0));
        var body = Body(await Execute(runtime, Proof(0, 1)));
        Assert.Equal(AppResponse.Undecryptable, Refusal(Assert.Single(body.Responses)));
    }

    // ---- refusals, one check each ----

    [Fact]
    public async Task Execute_without_an_app_is_refused_NoApp()
    {
        var (runtime, keys) = await Established(app: null);
        runtime.Dispose();
        var bare = Open(null);
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        AssertRefused(EnclaveReason.NoApp, await bare.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_before_the_session_is_established_is_refused()
    {
        var runtime = Open(new CounterApp());
        Ok(await runtime.InstantiateAsync(EnclaveRuntimeTests.Config(_chain, _rootHeight), _chain.Block(_rootHeight)));
        _enclaveHeight = _rootHeight;
        Queue(0, 1);
        AssertRefused(EnclaveReason.SessionNotEstablished, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_call_that_proves_no_request()
    {
        var (runtime, _) = await Established();
        Queue(0, 0);
        AssertRefused(EnclaveReason.BatchEmpty, await runtime.ExecuteAsync(Proof(0, 0)));
    }

    [Fact]
    public async Task Execute_refuses_more_than_1024_requests()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        var proof = Proof(0, 1);
        var entries = proof.Entries.Concat(Enumerable.Repeat(proof.Entries[^1], ExecutionLayout.MaxRequests)).ToList();
        Assert.Equal(ExecutionLayout.FirstRequest + ExecutionLayout.MaxRequests + 1, entries.Count);
        AssertRefused(EnclaveReason.BatchTooLarge, await runtime.ExecuteAsync(proof with { Entries = entries }));
    }

    [Fact]
    public async Task Execute_refuses_a_proof_for_another_key_and_names_the_claim()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        var proof = Proof(0, 1);
        // queue/next's proof where queue/head's should be (both are 8-byte values).
        var entries = proof.Entries.ToArray();
        entries[ExecutionLayout.QueueHead] = entries[ExecutionLayout.QueueNext];
        var refusal = AssertRefused(EnclaveReason.PublicationRefused, await runtime.ExecuteAsync(proof with { Entries = entries }));
        Assert.Equal(PublicationReason.WrongKey, refusal.PublicationReason);
        Assert.StartsWith("claim 1 (wasm/", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_refuses_a_forged_chain()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        var proof = Proof(0, 1);
        // The proof's header with another app hash, signed by keys that are not the validators'.
        var last = proof.LightBlocks[^1];
        var forgedHeader = last.Header with { AppHash = SHA256.HashData("forged"u8) };
        var forger = Ed25519PrivateKey.FromSeed(SHA256.HashData("forger"u8));
        var forged = Devnet.Resign(last, forgedHeader, [forger]);
        var refusal = AssertRefused(EnclaveReason.PublicationRefused, await runtime.ExecuteAsync(proof with { LightBlocks = [.. proof.LightBlocks.SkipLast(1), forged] }));
        Assert.Equal(PublicationReason.LightClientRefused, refusal.PublicationReason);
    }

    [Fact]
    public async Task Execute_refuses_a_record_that_is_not_Established()
    {
        var (runtime, keys) = await Established(publishEstablished: false);
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        AssertRefused(EnclaveReason.RecordNotEstablished, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_record_with_another_nonce()
    {
        var (runtime, keys) = await Established(publishEstablished: false);
        PublishEstablished(keys, nonce: SHA256.HashData("another nonce"u8));
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        AssertRefused(EnclaveReason.NonceMismatch, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_record_with_other_keys()
    {
        var (runtime, keys) = await Established(publishEstablished: false);
        PublishEstablished(keys, signingKey: Ed25519.PublicKeyFromSeed(SHA256.HashData("other"u8)));
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        AssertRefused(EnclaveReason.KeysMismatch, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_queue_head_that_is_not_a_u64()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        _chain.WriteContractState(_contract, (ExecutionKeys.QueueHead.ToArray(), new byte[] { 0, 0, 0 }));
        AssertRefused(EnclaveReason.ProvenValueMalformed, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_batch_past_queue_next()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1,
            Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)),
            Request(keys.EncryptionKey, 1, "add", CounterApp.U64(2)));
        AssertRefused(EnclaveReason.BatchBeyondQueue, await runtime.ExecuteAsync(Proof(0, 2)));
    }

    [Fact]
    public async Task Execute_refuses_a_state_that_does_not_match_its_hash()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        // A stale hash: the state was replaced, its hash was not.
        _chain.WriteContractState(_contract,
            (ExecutionKeys.State.ToArray(), new byte[40]),
            (ExecutionKeys.StateHash.ToArray(), SHA256.HashData(new byte[41])));
        AssertRefused(EnclaveReason.StateHashMismatch, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_state_that_does_not_open_under_the_session_state_key()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)));
        var foreign = new byte[40];
        _chain.WriteContractState(_contract,
            (ExecutionKeys.State.ToArray(), foreign),
            (ExecutionKeys.StateHash.ToArray(), SHA256.HashData(foreign)));
        AssertRefused(EnclaveReason.StateUndecryptable, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_request_record_that_does_not_decode()
    {
        var (runtime, _) = await Established();
        Queue(0, 1);
        _chain.WriteContractState(_contract, (ExecutionKeys.Request(0), new byte[] { 1, 2, 3 }));
        AssertRefused(EnclaveReason.RequestMalformed, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_a_request_record_whose_seq_is_not_its_key()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1);
        _chain.WriteContractState(_contract, (ExecutionKeys.Request(0), Request(keys.EncryptionKey, 5, "add", CounterApp.U64(1)).Encode()));
        AssertRefused(EnclaveReason.RequestSeqMismatch, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_the_batch_when_the_app_throws()
    {
        var (runtime, keys) = await Established();
        Queue(0, 1, Request(keys.EncryptionKey, 0, "boom", []));
        AssertRefused(EnclaveReason.AppFailed, await runtime.ExecuteAsync(Proof(0, 1)));
    }

    [Fact]
    public async Task Execute_refuses_an_older_sealed_light_client_copy()
    {
        var (runtime, keys) = await Established();
        var lightPath = Path.Combine(_directory, EnclaveRuntime.LightClientFileName);
        var older = File.ReadAllBytes(lightPath);
        Queue(0, 2,
            Request(keys.EncryptionKey, 0, "add", CounterApp.U64(1)),
            Request(keys.EncryptionKey, 1, "add", CounterApp.U64(2)));
        await Execute(runtime, Proof(0, 1));

        // The host puts the sealed copy from before the batch back, in the running enclave...
        File.WriteAllBytes(lightPath, older);
        var refusal = AssertRefused(EnclaveReason.StateRolledBack, await runtime.ExecuteAsync(Proof(0, 1)));
        Assert.Equal(StateLoadReason.OlderThanSeen, refusal.StateLoadReason);

        // ...and across a restart: the sealed session state's floor refuses it.
        runtime.Dispose();
        var error = Assert.Throws<EnclaveStartException>(() => Open(new CounterApp()));
        Assert.Equal(EnclaveReason.StateRolledBack, error.Refusal!.Reason);
        Assert.Equal(StateLoadReason.BelowFloor, error.Refusal.StateLoadReason);
    }
}

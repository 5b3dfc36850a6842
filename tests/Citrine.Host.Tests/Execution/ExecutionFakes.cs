using System.Globalization;
using System.Text;
using Citrine.CometBft.Json;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Handshake;
using Citrine.Host.Proofs;
using Citrine.Host.Tests.Handshake;
using Citrine.Host.Transactions;
using Google.Protobuf;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Tests.Execution;

/// <summary>
/// An in-memory chain with one app contract whose queue follows docs/execution.md's rules: requests
/// get sequence numbers, an output is applied only if it continues exactly from the queue head and
/// the state hash (else refused with the contract's <c>[Code]</c>), and every applied request is
/// counted, so a test sees a request applied twice or never. State is versioned per height, so a
/// query at H answers what H committed. Each <c>status</c> call produces a block (no clock). It is
/// also the relay's tx submitter (txs carry the account sequence they were signed with and land at
/// most once) and its proof source (values only: the enclave side here is a fake too).
/// </summary>
internal sealed class FakeExecutionChain : IChainClient, ITxSubmitter, IStateProofSource, IDisposable
{
    public const string ChainId = "citrine-fake";
    private readonly object _gate = new();
    private readonly Dictionary<string, CommittedTx> _committed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _state = new(StringComparer.Ordinal);
    private readonly SortedList<long, Dictionary<string, byte[]>> _versions = [];
    private ulong _sequence;

    public FakeExecutionChain()
    {
        Synthetic = SyntheticChain.Generate(new SyntheticChainOptions { ChainId = ChainId, Heights = 4000, Validators = 1 });
        Set(HandshakeDriver.RecordKey(Contract), new SessionRecord
        {
            Phase = SessionPhase.Established,
            Id = 1,
            Nonce = new byte[32],
            SigningKey = FakeExecutionEnclave.SigningKey,
            EncryptionKey = new byte[32],
            CreatedHeight = 1,
            VerifiedHeight = 2,
            Measurement = FakeEnclave.MeasurementValue.CanonicalId,
            AttestationExpiryUnixSeconds = 1_800_000_000,
        }.Encode());
        Commit();
    }

    public static byte[] Contract { get; } = Enumerable.Repeat((byte)0xC0, 20).ToArray();

    public SyntheticChain Synthetic { get; }

    public long Height { get; private set; } = 3;

    /// <summary>How many times each request seq was applied by an accepted output.</summary>
    public Dictionary<ulong, int> Applied { get; } = [];

    /// <summary>Every output the chain executed: (first, end, code).</summary>
    public List<(ulong First, ulong End, uint Code)> Outputs { get; } = [];

    public ulong Head => U64(ExecutionKeys.QueueHead);

    public ulong Next => U64(ExecutionKeys.QueueNext);

    /// <summary>Die before the n-th output broadcast (after it was signed and recorded).</summary>
    public int? CrashBeforeBroadcast { get; set; }

    /// <summary>Die right after the n-th output commits, before the caller hears of it.</summary>
    public int? CrashAfterCommit { get; set; }

    /// <summary>The log of a contract refusal for the next output.</summary>
    public string? Refuse { get; set; }

    /// <summary>Outputs of more requests than this run out of gas (code 11, as the node answers), consuming nothing.</summary>
    public ulong? GasFitsRequests { get; set; }

    /// <summary>Just before the relay's next output executes, another relay's output for the same batch lands.</summary>
    public Func<FakeExecutionEnclave>? Rival { get; set; }

    public int Broadcasts { get; private set; }

    public Uri Endpoint { get; } = new("http://fake.invalid/");

    public ReadOnlyMemory<byte> Sender { get; } = Enumerable.Repeat((byte)0xAA, 20).ToArray();

    public static string Name(ReadOnlySpan<byte> key) => Convert.ToHexString(key);

    /// <summary>Queues <paramref name="count"/> requests, each in its own block.</summary>
    public void Enqueue(int count, string kind = "transfer")
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                Height++;
                var seq = U64(ExecutionKeys.QueueNext);
                var record = new RequestRecord
                {
                    Seq = seq,
                    SessionId = 1,
                    Sender = Enumerable.Repeat((byte)(seq % 251), 20).ToArray(),
                    Kind = kind,
                    AeadId = RequestSuite.ChaCha20Poly1305AeadId,
                    Ciphertext = [],
                    Height = (ulong)Height,
                };
                Set(Key(ExecutionKeys.Request(seq)), record.Encode());
                Set(Key(ExecutionKeys.QueueNext), ExecutionKeys.EncodeU64(seq + 1));
                Commit();
            }
        }
    }

    public static byte[] Key(ReadOnlySpan<byte> key) => PublicationProofBuilder.ContractStateKey(Contract, key);

    public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Height++;
            Commit();
            return Task.FromResult(new NodeStatus(ChainId, "node", "0.38", Height, new byte[32], new byte[32], new Timestamp(1_700_000_000, 0), 1, false));
        }
    }

    public Task<AbciQueryResult> AbciQueryAsync(string path, ReadOnlyMemory<byte> data, long height, bool prove, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Assert.Equal("/store/wasm/key", path);
            var at = height == 0 ? Height : height;
            return Task.FromResult(new AbciQueryResult(0, "", "", at, At(at).GetValueOrDefault(Name(data.Span)), []));
        }
    }

    public Task<HostStateProof> BuildManyAsync(string store, IReadOnlyList<ReadOnlyMemory<byte>> keys, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var height = queryHeight ?? Height - 1;
            Assert.True(height + 1 <= Height, $"header {height + 1} is not committed yet (latest {Height})");
            var state = At(height);
            return Task.FromResult(new HostStateProof([], height, store, [.. keys.Select(k => new KeyProof(k.ToArray(), state.GetValueOrDefault(Name(k.Span)), []))]));
        }
    }

    public Task<LightBlock> LightBlockAsync(long height, CancellationToken cancellationToken = default) => Task.FromResult(Synthetic.LightBlockAt(height));

    public Task<CommittedTx?> TxAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_committed.GetValueOrDefault(Convert.ToHexString(hash.Span)));
        }
    }

    public Task<TxSearchPage> TxSearchAsync(string query, int page, int perPage, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the relay does not search txs");

    public Task<SignedTx> SignAsync(ContractTx tx, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var execute = Assert.IsType<ExecuteTx>(tx);
            var bytes = Encoding.UTF8.GetBytes($"{_sequence}|{Convert.ToBase64String(execute.Message)}");
            return Task.FromResult(new SignedTx(bytes, Convert.ToHexString(Hashing.Sha256(bytes))));
        }
    }

    public Task<TxOutcome> BroadcastAsync(SignedTx tx, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Broadcasts++;
            if (CrashBeforeBroadcast == Broadcasts)
            {
                throw new SimulatedCrash();
            }
            var parts = Encoding.UTF8.GetString(tx.Bytes).Split('|');
            if (_committed.ContainsKey(tx.Hash) || ulong.Parse(parts[0], CultureInfo.InvariantCulture) != _sequence)
            {
                throw new TxSubmitException(TxSubmitErrorKind.Rejected, "account sequence mismatch");
            }
            Assert.True(ExecutionMessages.TryParseExecute(Convert.FromBase64String(parts[1]), out var parsed));
            var message = Assert.IsType<OutputMessage>(parsed);
            if (Rival is { } rival)
            {
                Rival = null;
                RivalOutput(rival());
            }
            _sequence++;
            Height++;
            var (code, log) = ExecuteOutput(message);
            Commit();
            var committed = new CommittedTx(tx.Hash, Height, 0, code, code == 0 ? "" : "wasm", log, [], 1, []);
            _committed[tx.Hash] = committed;
            if (CrashAfterCommit == Broadcasts)
            {
                throw new SimulatedCrash();
            }
            return Task.FromResult(TxOutcome.From(committed));
        }
    }

    /// <summary>Another relay (another account) proves the current queue at the latest height and lands its output first.</summary>
    private void RivalOutput(FakeExecutionEnclave enclave)
    {
        Height++;
        Commit();
        var head = U64(ExecutionKeys.QueueHead);
        var end = Math.Min(U64(ExecutionKeys.QueueNext), head + 1);
        var keys = new List<ReadOnlyMemory<byte>> { HandshakeDriver.RecordKey(Contract), Key(ExecutionKeys.QueueHead), Key(ExecutionKeys.QueueNext), Key(ExecutionKeys.StateHash), Key(ExecutionKeys.State) };
        for (var s = head; s < end; s++)
        {
            keys.Add(Key(ExecutionKeys.Request(s)));
        }
        var state = At(Height - 1);
        var proof = new HostStateProof([], Height - 1, "wasm", [.. keys.Select(k => new KeyProof(k.ToArray(), state.GetValueOrDefault(Name(k.Span)), []))]);
        var output = enclave.ExecuteAsync(proof).GetAwaiter().GetResult();
        Height++;
        var (code, log) = ExecuteOutput(new OutputMessage(output.Body, output.Signature));
        Assert.True(code == 0, log);
        Commit();
    }

    /// <summary>The contract's output checks that matter to a relay (docs/execution.md, checks 4–6), then the writes.</summary>
    private (uint Code, string Log) ExecuteOutput(OutputMessage message)
    {
        Assert.True(OutputBody.TryDecode(message.Body, out var body, out var error), error);
        var head = U64(ExecutionKeys.QueueHead);
        var result = GasFitsRequests is { } fits && body!.EndSeq - body.FirstSeq > fits ? (11u, $"out of gas in location: contract allocation; gasWanted: 50000000")
            : Refuse is { } refusal ? (5u, refusal)
            : !Ed25519.Verify(FakeExecutionEnclave.SigningKey, message.Body, message.Signature) ? (5u, "contract failed: ExecutionException: [OutputSignatureInvalid] bad signature")
            : body!.FirstSeq < head ? (5u, $"contract failed: ExecutionException: [OutputReplayed] first_seq {body.FirstSeq} < head {head}")
            : body.FirstSeq > head ? (5u, $"contract failed: ExecutionException: [OutputOutOfOrder] first_seq {body.FirstSeq} > head {head}")
            : body.EndSeq > U64(ExecutionKeys.QueueNext) || body.EndSeq < body.FirstSeq ? (5u, "contract failed: ExecutionException: [OutputRangeInvalid] range")
            : !body.PrevStateHash.AsSpan().SequenceEqual(_state.GetValueOrDefault(Name(Key(ExecutionKeys.StateHash))) ?? new byte[32]) ? (5u, "contract failed: ExecutionException: [OutputStale] state moved")
            : body.VerifiedHeight >= (ulong)Height ? (5u, "contract failed: ExecutionException: [OutputFromFuture] height")
            : (0u, "");
        Refuse = null;
        Outputs.Add((body!.FirstSeq, body.EndSeq, result.Item1));
        if (result.Item1 != 0)
        {
            return result;
        }
        Set(Key(ExecutionKeys.State), body.NewState);
        Set(Key(ExecutionKeys.StateHash), Hashing.Sha256(body.NewState));
        Set(Key(ExecutionKeys.QueueHead), ExecutionKeys.EncodeU64(body.EndSeq));
        for (var seq = body.FirstSeq; seq < body.EndSeq; seq++)
        {
            Applied[seq] = Applied.GetValueOrDefault(seq) + 1;
            _state.Remove(Name(Key(ExecutionKeys.Request(seq))));
        }
        foreach (var response in body.Responses)
        {
            Set(Key(ExecutionKeys.Response(response.Seq)), response.Encode());
        }
        return result;
    }

    private ulong U64(ReadOnlySpan<byte> key) =>
        _state.TryGetValue(Name(Key(key)), out var v) && ExecutionKeys.TryDecodeU64(v, out var value) ? value : 0;

    private void Set(byte[] key, byte[] value) => _state[Name(key)] = value;

    private void Commit() => _versions[Height] = new Dictionary<string, byte[]>(_state, StringComparer.Ordinal);

    private Dictionary<string, byte[]> At(long height)
    {
        for (var i = _versions.Count - 1; i >= 0; i--)
        {
            if (_versions.Keys[i] <= height)
            {
                return _versions.Values[i];
            }
        }
        return [];
    }

    public void Dispose() => Synthetic.Dispose();
}

/// <summary>
/// An enclave that executes a batch from the proven values as the runtime shapes its output: the
/// state blob chains the previous hash and the consumed range, one ok response per request, signed
/// with a fixed session key. Deterministic: the same inputs give the same bytes.
/// </summary>
internal sealed class FakeExecutionEnclave : IExecutionEnclave
{
    private static readonly byte[] Seed = Hashing.Sha256("fake-session-key"u8);

    public static byte[] SigningKey { get; } = Ed25519.PublicKeyFromSeed(Seed);

    public int Executions { get; private set; }

    /// <summary>Die (as a killed enclave process) on the n-th Execute.</summary>
    public int? CrashOnExecute { get; set; }

    /// <summary>Refuse every Execute with this reason.</summary>
    public string? Refuse { get; set; }

    public Task<Wire.StatusResponse> StatusAsync(CancellationToken cancellationToken = default) => Task.FromResult(new Wire.StatusResponse
    {
        Mode = "mock",
        Phase = "established",
        ChainId = FakeExecutionChain.ChainId,
        Contract = ByteString.CopyFrom(FakeExecutionChain.Contract),
        TrustedHeight = 2,
        TrustedHash = ByteString.CopyFrom(new byte[32]),
        SigningKey = ByteString.CopyFrom(SigningKey),
    });

    public Task<EnclaveOutput> ExecuteAsync(HostStateProof proof, CancellationToken cancellationToken = default)
    {
        Executions++;
        if (CrashOnExecute == Executions)
        {
            throw new EnclaveClientException(EnclaveErrorKind.Unreachable, "Execute", "Unavailable: the enclave process died");
        }
        if (Refuse is { } reason)
        {
            throw new EnclaveClientException(EnclaveErrorKind.Refused, "Execute", reason);
        }
        Assert.True(ExecutionKeys.TryDecodeU64(value(ExecutionKeys.QueueHead) ?? ExecutionKeys.EncodeU64(0), out var firstSeq));
        var endSeq = firstSeq + (ulong)(proof.Keys.Count - 5);
        var prev = value(ExecutionKeys.StateHash) ?? new byte[32];
        var responses = new List<OutputResponse>();
        for (var seq = firstSeq; seq < endSeq; seq++)
        {
            Assert.True(RequestRecord.TryDecode(proof.For(FakeExecutionChain.Key(ExecutionKeys.Request(seq))).Value, out var record, out _));
            responses.Add(new OutputResponse { Seq = record!.Seq, Status = ResponseStatus.Ok, Payload = [] });
        }
        byte[] newState = [.. Hashing.Sha256([.. prev, .. ExecutionKeys.EncodeU64(firstSeq), .. ExecutionKeys.EncodeU64(endSeq)])];
        var body = new OutputBody
        {
            ChainId = FakeExecutionChain.ChainId,
            Contract = FakeExecutionChain.Contract,
            SessionId = 1,
            PrevStateHash = prev,
            FirstSeq = firstSeq,
            EndSeq = endSeq,
            VerifiedHeight = (ulong)proof.QueryHeight + 1,
            NewState = newState,
            Responses = responses,
        }.Encode();
        return Task.FromResult(new EnclaveOutput(body, Ed25519.Sign(Seed, body), firstSeq, endSeq, proof.QueryHeight + 1));

        byte[]? value(ReadOnlySpan<byte> key) => proof.For(FakeExecutionChain.Key(key)).Value;
    }
}

/// <summary>Reports synchronously, so a test sees every report in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

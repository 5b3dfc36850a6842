using System.Text;
using Citrine.CometBft.Json;
using Citrine.CometBft.Testing;
using Citrine.CometBft.Types;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Proofs;
using Citrine.Host.Transactions;
using Google.Protobuf;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Tests.Handshake;

/// <summary>The test's stand-in for a process dying at a chosen point.</summary>
internal sealed class SimulatedCrash : Exception
{
    public SimulatedCrash()
        : base("simulated crash")
    {
    }

    public SimulatedCrash(string message)
        : base(message)
    {
    }

    public SimulatedCrash(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// An in-memory chain with one account and one session contract: the tx submitter and the chain
/// client the handshake sees. Txs carry the account sequence they were signed with and land at
/// most once; each <c>status</c> call produces a block, so waiting for a height needs no clock.
/// Light blocks come from a synthetic CometBFT chain (for the trust root only).
/// </summary>
internal sealed class FakeChain : IChainClient, ITxSubmitter, IPublicationProofSource, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, CommittedTx> _committed = new(StringComparer.Ordinal);
    private ulong _sequence;
    private ulong _sessions;

    public FakeChain()
    {
        Synthetic = SyntheticChain.Generate(new SyntheticChainOptions { ChainId = "citrine-fake", Heights = 64, Validators = 1 });
    }

    public SyntheticChain Synthetic { get; }

    public long Height { get; private set; } = 3;

    public byte[]? Contract { get; private set; }

    public SessionRecord? Record { get; private set; }

    /// <summary>Every executed tx's step name, in order (instantiate, session_create, …).</summary>
    public List<string> Executed { get; } = [];

    /// <summary>Die right after this step's tx commits (before the caller hears of it).</summary>
    public string? CrashAfterCommit { get; set; }

    /// <summary>Die before this step's tx is broadcast (after it was signed).</summary>
    public string? CrashBeforeBroadcast { get; set; }

    /// <summary>The log of a contract refusal for this step.</summary>
    public (string Step, string Log)? Refuse { get; set; }

    public Uri Endpoint { get; } = new("http://fake.invalid/");

    public ReadOnlyMemory<byte> Sender { get; } = Enumerable.Repeat((byte)0xAA, 20).ToArray();

    public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Height++;
            return Task.FromResult(new NodeStatus("citrine-fake", "node", "0.38", Height, new byte[32], new byte[32], new Timestamp(1_700_000_000, 0), 1, false));
        }
    }

    public Task<AbciQueryResult> AbciQueryAsync(string path, ReadOnlyMemory<byte> data, long height, bool prove, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            byte[]? value = Contract is not null && path == "/store/wasm/key" && data.Span.SequenceEqual(Citrine.Host.Handshake.HandshakeDriver.RecordKey(Contract)) ? Record?.Encode() : null;
            return Task.FromResult(new AbciQueryResult(0, "", "", Height, value, []));
        }
    }

    public Task<HostPublicationProof> BuildAsync(string store, ReadOnlyMemory<byte> key, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(new HostPublicationProof([], Height - 1, Record?.Encode(), []));
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
        throw new NotSupportedException("the handshake does not search txs");

    public Task<SignedTx> SignAsync(ContractTx tx, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var (step, body) = tx switch
            {
                InstantiateTx i => ("instantiate", i.Message),
                ExecuteTx e => (Encoding.UTF8.GetString(e.Message).Split('"')[1], e.Message),
                _ => throw new ArgumentException("unknown tx", nameof(tx)),
            };
            var bytes = Encoding.UTF8.GetBytes($"{_sequence}|{step}|{Convert.ToBase64String(body)}");
            return Task.FromResult(new SignedTx(bytes, Convert.ToHexString(Hashing.Sha256(bytes))));
        }
    }

    public Task<TxOutcome> BroadcastAsync(SignedTx tx, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var parts = Encoding.UTF8.GetString(tx.Bytes).Split('|');
            var step = parts[1];
            if (CrashBeforeBroadcast == step)
            {
                CrashBeforeBroadcast = null;
                throw new SimulatedCrash();
            }
            if (_committed.ContainsKey(tx.Hash) || ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) != _sequence)
            {
                throw new TxSubmitException(TxSubmitErrorKind.Rejected, "account sequence mismatch");
            }
            _sequence++;
            Height++;
            var (code, log, data) = Execute(step, Convert.FromBase64String(parts[2]));
            Executed.Add(step);
            var committed = new CommittedTx(tx.Hash, Height, 0, code, code == 0 ? "" : "wasm", log, data, 1, []);
            _committed[tx.Hash] = committed;
            if (CrashAfterCommit == step)
            {
                CrashAfterCommit = null;
                throw new SimulatedCrash();
            }
            return Task.FromResult(TxOutcome.From(committed));
        }
    }

    private (uint Code, string Log, byte[] Data) Execute(string step, byte[] message)
    {
        if (Refuse is { } refusal && refusal.Step == step)
        {
            return (5, refusal.Log, []);
        }
        switch (step)
        {
            case "instantiate":
                SessionMessages.ParseInstantiate(message);
                Contract = Hashing.Sha256(message)[..20];
                return (0, "", Contract);
            case SessionMessages.SessionCreateName:
            {
                Assert.True(SessionMessages.TryParseExecute(message, out var parsed));
                var create = (SessionCreateMessage)parsed!;
                Record = new SessionRecord
                {
                    Phase = SessionPhase.Created,
                    Id = ++_sessions,
                    Nonce = create.Nonce,
                    CreatedHeight = (ulong)Height,
                    Measurement = FakeEnclave.MeasurementValue.CanonicalId,
                    AttestationExpiryUnixSeconds = 1_800_000_000,
                };
                return (0, "", []);
            }
            default:
            {
                Assert.True(SessionMessages.TryParseExecute(message, out var parsed));
                var keys = (SessionKeysMessage)parsed!;
                Assert.True(Record is not null && Record.Nonce.AsSpan().SequenceEqual(keys.Nonce));
                Record = Record with { Phase = SessionPhase.Established, SigningKey = keys.SigningKey, EncryptionKey = keys.EncryptionKey, VerifiedHeight = keys.VerifiedHeight, AttestationExpiryUnixSeconds = 1_800_000_000 + (long)keys.VerifiedHeight };
                return (0, "", []);
            }
        }
    }

    public void Dispose() => Synthetic.Dispose();
}

/// <summary>A mock-mode enclave: Status, an Instantiate that adopts one config, a pending nonce per contract, fixed keys.</summary>
internal sealed class FakeEnclave : IEnclaveClient
{
    public static readonly Measurement MeasurementValue = Measurement.Mock(Enumerable.Repeat((byte)0x5E, 32).ToArray());

    public byte[] ConfigHash { get; set; } = [];
    public byte[] Contract { get; set; } = [];
    public byte[] Nonce { get; set; } = [];
    public bool Established { get; set; }
    public long TrustedHeight { get; set; } = 2;
    public Dictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);
    public static byte[] SigningKey => Enumerable.Repeat((byte)0x51, 32).ToArray();
    public static byte[] EncryptionKey => Enumerable.Repeat((byte)0xE1, 32).ToArray();

    private void Count(string call) => Calls[call] = Calls.GetValueOrDefault(call) + 1;

    /// <summary>A restart that lost every sealed thing (a TDX enclave without sealing).</summary>
    public void LoseState()
    {
        ConfigHash = [];
        Contract = [];
        Nonce = [];
        Established = false;
    }

    public Task<Wire.StatusResponse> StatusAsync(CancellationToken cancellationToken = default)
    {
        Count("Status");
        return Task.FromResult(new Wire.StatusResponse
        {
            Mode = "mock",
            Phase = Established ? "established" : Nonce.Length > 0 ? "created" : ConfigHash.Length > 0 ? "instantiated" : "uninitialised",
            ChainId = "citrine-fake",
            Contract = ByteString.CopyFrom(Contract),
            ConfigHash = ByteString.CopyFrom(ConfigHash),
            Nonce = ByteString.CopyFrom(Nonce),
            SigningKey = ByteString.CopyFrom(Established ? SigningKey : []),
            EncryptionKey = ByteString.CopyFrom(Established ? EncryptionKey : []),
            TrustedHeight = TrustedHeight,
            TrustedHash = ByteString.CopyFrom(new byte[32]),
            Measurement = ByteString.CopyFrom(MeasurementValue.MockMeasurement),
            Insecure = true,
        });
    }

    public Task<Wire.InstantiateResponse> InstantiateAsync(ReadOnlyMemory<byte> config, LightBlock trustedBlock, CancellationToken cancellationToken = default)
    {
        Count("Instantiate");
        var hash = Hashing.Sha256(config.Span);
        if (ConfigHash.Length > 0 && !ConfigHash.AsSpan().SequenceEqual(hash))
        {
            throw new EnclaveClientException(EnclaveErrorKind.Refused, "Instantiate", "FailedPrecondition: another config is adopted");
        }
        ConfigHash = hash;
        return Task.FromResult(new Wire.InstantiateResponse { Evidence = Evidence("instantiate"), ConfigHash = ByteString.CopyFrom(hash) });
    }

    public Task<Wire.SessionCreateResponse> SessionCreateAsync(ReadOnlyMemory<byte> contract, CancellationToken cancellationToken = default)
    {
        Count("SessionCreate");
        if (Nonce.Length == 0 || !Contract.AsSpan().SequenceEqual(contract.Span))
        {
            Contract = contract.ToArray();
            Nonce = Hashing.Sha256([.. contract.Span, .. BitConverter.GetBytes(Calls["SessionCreate"])]);
            Established = false;
        }
        return Task.FromResult(new Wire.SessionCreateResponse { Nonce = ByteString.CopyFrom(Nonce), Evidence = Evidence("session_create") });
    }

    public Task<Wire.SessionKeysResponse> SessionSetPubKeyAsync(HostPublicationProof proof, CancellationToken cancellationToken = default) => Keys("SessionSetPubKey", proof, SessionPhase.Created);

    public Task<Wire.SessionKeysResponse> SessionReattestAsync(HostPublicationProof proof, CancellationToken cancellationToken = default) => Keys("SessionReattest", proof, SessionPhase.Established);

    private Task<Wire.SessionKeysResponse> Keys(string call, HostPublicationProof proof, SessionPhase expected)
    {
        Count(call);
        if (proof.Value is null || !SessionRecord.TryDecode(proof.Value, out var record, out _) || record!.Phase != expected || !record.Nonce.AsSpan().SequenceEqual(Nonce))
        {
            throw new EnclaveClientException(EnclaveErrorKind.Refused, call, "FailedPrecondition: the proven record is not ours");
        }
        Established = true;
        return Task.FromResult(new Wire.SessionKeysResponse
        {
            Nonce = ByteString.CopyFrom(Nonce),
            SigningKey = ByteString.CopyFrom(SigningKey),
            EncryptionKey = ByteString.CopyFrom(EncryptionKey),
            VerifiedHeight = proof.QueryHeight + 1,
            Evidence = Evidence(call),
        });
    }

    private static Wire.Evidence Evidence(string what) => new()
    {
        Kind = Wire.TeeKind.Mock,
        Quote = ByteString.CopyFromUtf8("mock-quote:" + what),
        ReportData = ByteString.CopyFrom(new byte[64]),
        Source = "mock",
    };
}

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Attestors;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Hpke;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.Execution;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;
using Transfers.Enclave;
using Transfers.Protocol;

namespace Citrine.Benchmarks;

/// <summary>
/// The enclave's Execute on a batch of <see cref="BatchSize"/> transfer requests, the real path
/// (docs/execution.md, "Proven inputs"): load the sealed light-client state, verify one adjacent
/// light block and the ICS23 proofs of the session record, queue head and next, state hash, state
/// and every request record, decrypt the state, HPKE-open every request, run the Transfers app,
/// encrypt the state, sign the output, seal the advanced light-client state. Next to it the floor
/// per docs/benchmarks.md ("Execution"): per request one HPKE open of its ciphertext, plus the
/// batch's light block and one ICS23 proof per request, timed alone in <see cref="Floor"/> over the
/// same bytes.
/// </summary>
/// <remarks>
/// The chain is a real in-process devnet (one validator): the queue and the state are written into
/// a contract's store by a raw-write contract, as the enclave's tests do, so the enclave sees the
/// same proven records the transfers contract writes. Each Execute call needs a proof under a
/// header newer than the one the previous call left trusted, so <see cref="Setup"/> builds one
/// proof per call, each under the next block; the job's invocation counts are therefore fixed.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10, invocationCount: InvocationsPerIteration)]
public class ExecutionBenchmarks
{
    private const int InvocationsPerIteration = 16;

    // Warm-up, measured iterations, the jitting stage and a margin.
    private const int ProofsNeeded = (3 + 10 + 4) * InvocationsPerIteration;

    private const int Accounts = 32;
    private const ulong SessionId = 1;
    private static readonly byte[] MockMeasurement = [.. Enumerable.Repeat((byte)0x77, 32)];
    private static readonly byte[] RequestInfo = System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info);
    private static readonly Timestamp GenesisTime = new(1_750_000_000, 0);

    private ChainNode _node = null!;
    private ManualNodeClock _clock = null!;
    private byte[] _admin = null!;
    private byte[] _adminKey = null!;
    private ulong _adminSequence;
    private byte[] _contract = null!;
    private string _directory = null!;
    private InsecureFileSealer _sealer = null!;
    private EnclaveRuntime _runtime = null!;
    private long _enclaveHeight;

    private PublicationBatchProof[] _proofs = null!;
    private int _nextProof;

    private TrustedState _floorState = null!;
    private PublicationClaim[] _floorClaims = null!;
    private PublicationBatchProof _floorProof = null!;
    private PublicationClaim[] _allClaims = null!;
    private PublicationBatchProof _allProof = null!;
    private HpkePrivateKey _recipient = null!;
    private (string Name, int Size)[] _sealedFiles = [];
    private readonly byte[] _syncedBytes = new byte[64 * 1024];
    private (byte[] Enc, byte[] Aad, byte[] Ciphertext)[] _opens = null!;

    [Params(1, 64, 1024)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var validator = Hashing.Sha256("validator-0"u8);
        _adminKey = Hashing.Sha256("account-0"u8);
        _admin = CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(_adminKey));
        var genesis = new GenesisDoc
        {
            GenesisTime = GenesisTime,
            ChainId = "citrine-bench",
            Validators = [new GenesisValidator(Ed25519.PublicKeyFromSeed(validator), 10, "v0")],
            Admin = _admin,
            Accounts = [new GenesisAccount(_admin, 1_000_000)],
        };
        _clock = new ManualNodeClock(GenesisTime);
        var contracts = new ContractHost();
        contracts.Register(new ContractCode(RawWriteContract.Code, new byte[32], () => new RawWriteContract()));
        _node = new ChainNode(genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), [Ed25519PrivateKey.FromSeed(validator)], _clock, contracts: contracts);
        Produce(2);
        _contract = Instantiate();
        var rootHeight = _node.Height;

        _directory = Directory.CreateTempSubdirectory("citrine-execution-bench-").FullName;
        _sealer = InsecureFileSealer.OpenOrCreate(_directory);
        _runtime = EnclaveRuntime.Open(new EnclaveRuntimeOptions
        {
            Attestor = new MockAttestor(MockMeasurement),
            Sealer = _sealer,
            StorageDirectory = _directory,
            Random = new LabelRandom("execution-bench"),
            Measurement = MockMeasurement,
            App = new TransfersApp(),
        });

        // The handshake, as the contract would record it.
        Ok(_runtime.InstantiateAsync(Config(genesis.ChainId, rootHeight), Block(rootHeight)).GetAwaiter().GetResult());
        var created = Ok(_runtime.SessionCreateAsync(_contract).GetAwaiter().GetResult());
        Write((SessionRecord.StateKey.ToArray(), Record(SessionPhase.Created, created.Nonce)));
        Produce();
        var recordHeight = _node.Height - 1;
        var record = _node.QueryState(ChainApp.WasmStore, ContractHost.StateKey(_contract, SessionRecord.StateKey), recordHeight, prove: true);
        var keys = Ok(_runtime.SessionSetPubKeyAsync(new PublicationProof(Blocks(rootHeight + 1, recordHeight + 1), recordHeight, record.Value, record.ProofOps!)).GetAwaiter().GetResult());
        _enclaveHeight = keys.VerifiedHeight;
        Write((SessionRecord.StateKey.ToArray(), Record(SessionPhase.Established, keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight)));

        // Every account deposits once (one batch, applied as the contract applies an output), so
        // the transfers below run against a ledger of Accounts known accounts.
        var accounts = Enumerable.Range(0, Accounts).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"user-{i}"))[..20]).ToArray();
        var deposits = accounts.Select((a, i) => new RequestRecord
        {
            Seq = (ulong)i,
            SessionId = SessionId,
            Sender = a,
            Kind = TransfersKind.Deposit,
            AeadId = RequestSuite.ChaCha20Poly1305AeadId,
            Funds = 1_000_000,
            Height = (ulong)_node.Height,
        }).ToArray();
        Write([
            .. deposits.Select(r => (ExecutionKeys.Request(r.Seq), (byte[]?)r.Encode())),
            (ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.EncodeU64(0)),
            (ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.EncodeU64(Accounts)),
            (ExecutionKeys.StateHash.ToArray(), new byte[32]),
        ]);
        var deposited = Ok(_runtime.ExecuteAsync(Prove(0, Accounts, _enclaveHeight + 1)).GetAwaiter().GetResult());
        _enclaveHeight = deposited.VerifiedHeight;
        if (!OutputBody.TryDecode(deposited.Body, out var body, out var error) || body!.Responses.Any(r => r.Status != ResponseStatus.Ok))
        {
            throw new InvalidOperationException($"the deposit batch was not answered ok: {error}");
        }

        // The benchmark's batch: BatchSize transfers, account i to account i + 1, under the session key.
        var head = (ulong)Accounts;
        var transfers = Enumerable.Range(0, BatchSize).Select(i =>
        {
            var sender = accounts[i % Accounts];
            var plaintext = new TransferRequest(accounts[(i + 1) % Accounts], 1 + (ulong)(i % 7)).Encode();
            var aad = RequestAad.Build(genesis.ChainId, _contract, sender, SessionId, TransfersKind.Transfer);
            var sealedRequest = HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(keys.EncryptionKey, RequestInfo, aad, plaintext);
            return new RequestRecord
            {
                Seq = head + (ulong)i,
                SessionId = SessionId,
                Sender = sender,
                Kind = TransfersKind.Transfer,
                AeadId = RequestSuite.ChaCha20Poly1305AeadId,
                Enc = sealedRequest.EncapsulatedKey,
                Ciphertext = sealedRequest.Ciphertext,
                Height = (ulong)_node.Height,
            };
        }).ToArray();
        Write([
            (ExecutionKeys.State.ToArray(), body.NewState),
            (ExecutionKeys.StateHash.ToArray(), SHA256.HashData(body.NewState)),
            (ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.EncodeU64(head)),
            (ExecutionKeys.QueueNext.ToArray(), ExecutionKeys.EncodeU64(head + (ulong)BatchSize)),
            .. transfers.Select(r => (ExecutionKeys.Request(r.Seq), (byte[]?)r.Encode())),
        ]);

        // One proof per Execute call, each under the next header: the enclave verifies one
        // adjacent light block per call, as it does when the relay runs a batch every block.
        _proofs = new PublicationBatchProof[ProofsNeeded];
        var from = _enclaveHeight + 1;
        for (var i = 0; i < _proofs.Length; i++)
        {
            _proofs[i] = Prove(head, BatchSize, from);
            from = _proofs[i].QueryHeight + 2;
        }
        _nextProof = 0;

        // The first call must succeed with every request answered ok, or the figure means nothing.
        var first = Execute();
        if (!OutputBody.TryDecode(first.Body, out var firstBody, out error) || firstBody!.Responses.Count != BatchSize || firstBody.Responses.Any(r => r.Status != ResponseStatus.Ok))
        {
            throw new InvalidOperationException($"the benchmark batch was not answered ok: {error} {string.Join(", ", firstBody?.Responses.Where(r => r.Status != ResponseStatus.Ok).Select(r => System.Text.Encoding.UTF8.GetString(r.Payload)) ?? [])}");
        }

        // The floor's inputs: the same batch's first proof, verified from the header before it.
        var proof = _proofs[1];
        var trusted = proof.QueryHeight;
        var root = new TrustRoot(genesis.ChainId, trusted, Block(trusted).Header.Hash(), TimeSpan.FromDays(14), Fraction.OneThird, TimeSpan.FromSeconds(10), 10);
        _floorState = TrustedState.Initialise(root, Block(trusted)).State ?? throw new InvalidOperationException("trust root refused");
        _allClaims = [.. proof.Entries.Select((e, i) => new PublicationClaim(ChainApp.WasmStore, e.Key) { MayBeAbsent = i == ExecutionLayout.State })];
        _allProof = proof;
        _floorClaims = _allClaims[ExecutionLayout.FirstRequest..];
        _floorProof = proof with { Entries = [.. proof.Entries.Skip(ExecutionLayout.FirstRequest)] };
        foreach (var (claims, batch) in new[] { (_floorClaims, _floorProof), (_allClaims, _allProof) })
        {
            var verdict = PublicationVerifier.VerifyBatch(_floorState, claims, batch);
            if (!verdict.IsSuccess || batch.LightBlocks.Count != 1 || verdict.VerifiedHeight != trusted + 1)
            {
                throw new InvalidOperationException($"floor proof does not verify with one light block: {verdict}");
            }
        }
        // The session's private key never leaves the enclave, so the floor opens the same
        // plaintexts sealed with the same AAD to a key of its own: the same sizes, the same work.
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        _recipient = suite.DeriveKeyPair("floor recipient"u8);
        var floorKey = _recipient.ExportPublicKey();
        _opens = [.. Enumerable.Range(0, BatchSize).Select(i =>
        {
            var aad = transfers[i].Aad(genesis.ChainId, _contract);
            var sealedAgain = suite.Seal(floorKey, RequestInfo, aad, new TransferRequest(accounts[(i + 1) % Accounts], 1 + (ulong)(i % 7)).Encode());
            return (sealedAgain.EncapsulatedKey, aad, sealedAgain.Ciphertext);
        })];
        _sealedFiles = [.. new[] { EnclaveRuntime.LightClientFileName, EnclaveRuntime.SessionFileName }.Select(f => (f, (int)new FileInfo(Path.Combine(_directory, f)).Length))];
        Console.WriteLine($"// sealed files: {string.Join(", ", _sealedFiles.Select(f => $"{f.Name} {f.Size} B"))}");
        if (OpenAll() != BatchSize * TransferRequest.EncodedLength)
        {
            throw new InvalidOperationException("the floor's HPKE opens do not return the transfer plaintexts");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recipient.Dispose();
        _runtime.Dispose();
        _sealer.Dispose();
        _node.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "Execute (proofs + state + HPKE opens + transfers + sign + seal)")]
    public ExecuteResult Execute()
    {
        if (_nextProof == _proofs.Length)
        {
            throw new InvalidOperationException($"all {_proofs.Length} proofs are used: the job runs more invocations than ProofsNeeded allows");
        }
        var result = _runtime.ExecuteAsync(_proofs[_nextProof++]).GetAwaiter().GetResult();
        return result.IsSuccess ? result.Value! : throw new InvalidOperationException($"Execute refused: {result}");
    }

    [Benchmark(Baseline = true, Description = "floor: light block + 1 ICS23 proof per request + 1 HPKE open per request")]
    public int Floor() => (PublicationVerifier.VerifyBatch(_floorState, _floorClaims, _floorProof).IsSuccess ? 1 : 0) + OpenAll();

    [Benchmark(Description = "part: the floor's light block + ICS23 proofs alone")]
    public PublicationVerdict FloorProofs() => PublicationVerifier.VerifyBatch(_floorState, _floorClaims, _floorProof);

    [Benchmark(Description = "part: the floor's HPKE opens alone")]
    public int FloorOpens() => OpenAll();

    [Benchmark(Description = "part: Execute's whole proof verification (+ 5 fixed entries)")]
    public PublicationVerdict ExecuteProofs() => PublicationVerifier.VerifyBatch(_floorState, _allClaims, _allProof);

    /// <summary>
    /// What Execute adds outside the floor's definition: sealing the advanced light-client state
    /// and then the session state, each a temporary file flushed to disk and renamed (rollback
    /// protection; docs/enclave.md). Timed with files of the sizes the runtime writes.
    /// </summary>
    [Benchmark(Description = "part: the 2 synced file writes + renames Execute makes")]
    public long SyncedWrites()
    {
        long written = 0;
        foreach (var (name, size) in _sealedFiles)
        {
            var path = Path.Combine(_directory, "bench-" + name);
            using (var file = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(_syncedBytes.AsSpan(0, size));
                file.Flush(flushToDisk: true);
            }
            File.Move(path + ".tmp", path, overwrite: true);
            written += size;
        }
        return written;
    }

    private int OpenAll()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        var bytes = 0;
        foreach (var (enc, aad, ciphertext) in _opens)
        {
            bytes += suite.Open(enc, _recipient, RequestInfo, aad, ciphertext).Length;
        }
        return bytes;
    }

    private void Produce(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            _node.ProduceBlock();
        }
    }

    private LightBlock Block(long height) => _node.LightBlockAt(height) ?? throw new InvalidOperationException($"no block {height}");

    private LightBlock[] Blocks(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(h => Block(h))];

    private byte[] Instantiate()
    {
        var tx = Tx.Create([new MsgInstantiate(_admin, RawWriteContract.Code, [], 0, "queue")], "", _adminKey, _adminSequence++, 1_000_000, _node.Genesis.ChainId, 0);
        Submit(tx.Encode());
        return _node.GetResults(_node.Height)!.TxResults[0].Data;
    }

    /// <summary>Writes (null: removes) contract state keys in the next block.</summary>
    private void Write(params (byte[] Key, byte[]? Value)[] writes)
    {
        var tx = Tx.Create([new MsgExecute(_admin, _contract, RawWriteContract.Writes(writes), 0)], "", _adminKey, _adminSequence++, 100_000_000, _node.Genesis.ChainId, 0);
        Submit(tx.Encode());
    }

    private void Submit(byte[] tx)
    {
        var (check, _) = _node.SubmitTx(tx);
        if (!check.IsOk)
        {
            throw new InvalidOperationException($"tx refused: {check.Log}");
        }
        Produce();
        var result = _node.GetResults(_node.Height)!.TxResults[0];
        if (!result.IsOk)
        {
            throw new InvalidOperationException($"tx failed: {result.Log}");
        }
    }

    /// <summary>
    /// Produces one block, then proves the session record, queue/head, queue/next, state/hash,
    /// state and queue/[head, head + count) at the state before it, under the new tip's app hash,
    /// with the light blocks from <paramref name="from"/> to the tip.
    /// </summary>
    private PublicationBatchProof Prove(ulong head, int count, long from)
    {
        Produce();
        var queryHeight = _node.Height - 1;
        byte[][] keys =
        [
            SessionRecord.StateKey.ToArray(), ExecutionKeys.QueueHead.ToArray(), ExecutionKeys.QueueNext.ToArray(),
            ExecutionKeys.StateHash.ToArray(), ExecutionKeys.State.ToArray(),
            .. Enumerable.Range(0, count).Select(i => ExecutionKeys.Request(head + (ulong)i)),
        ];
        var entries = keys.Select(key =>
        {
            var full = ContractHost.StateKey(_contract, key);
            var result = _node.QueryState(ChainApp.WasmStore, full, queryHeight, prove: true);
            return new ProvenEntry(full, result.Value is null ? null : (ReadOnlyMemory<byte>?)result.Value, result.ProofOps!);
        }).ToArray();
        return new PublicationBatchProof(Blocks(from, queryHeight + 1), queryHeight, entries);
    }

    private static byte[] Config(string chainId, long trustedHeight, LightBlock trusted) => SessionConfig.Write(
        [Measurement.Mock(MockMeasurement)],
        new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86400 },
        new SessionTrustRoot
        {
            ChainId = chainId,
            TrustedHeight = trustedHeight,
            TrustedHash = trusted.Header.Hash(),
            TrustingPeriodSeconds = 14 * 24 * 3600,
            TrustThresholdNumerator = 1,
            TrustThresholdDenominator = 3,
            MaxClockDriftSeconds = 10,
            MaxBlockLag = 10_000,
        },
        []);

    private byte[] Config(string chainId, long trustedHeight) => Config(chainId, trustedHeight, Block(trustedHeight));

    private static byte[] Record(SessionPhase phase, byte[] nonce, byte[]? signingKey = null, byte[]? encryptionKey = null, ulong verifiedHeight = 0) => new SessionRecord
    {
        Phase = phase,
        Id = SessionId,
        Nonce = nonce,
        CreatedHeight = 4,
        Measurement = Measurement.Mock(MockMeasurement).CanonicalId,
        SigningKey = signingKey ?? new byte[32],
        EncryptionKey = encryptionKey ?? new byte[32],
        VerifiedHeight = verifiedHeight,
        AttestationExpiryUnixSeconds = 1_900_000_000,
        EndReason = SessionEndReason.None,
    }.Encode();

    private static T Ok<T>(EnclaveResult<T> result)
        where T : class => result.IsSuccess ? result.Value! : throw new InvalidOperationException($"enclave refused: {result}");
}

/// <summary>Deterministic bytes (SHA-256 of a label and a counter): the enclave's nonces and keys, reproducible across runs.</summary>
internal sealed class LabelRandom(string label) : IRandomSource
{
    private ulong _counter;

    public void Fill(Span<byte> destination)
    {
        var offset = 0;
        while (offset < destination.Length)
        {
            var block = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{label}/{_counter++}"));
            var count = Math.Min(block.Length, destination.Length - offset);
            block.AsSpan(0, count).CopyTo(destination[offset..]);
            offset += count;
        }
    }
}

/// <summary>
/// A contract whose execute message is a list of raw state writes, so the benchmark lays out the
/// execution keys (session record, queue, state) exactly as the session and execution cores do:
/// <c>n × (u8 op (1 write, 2 remove) ‖ u32 key length ‖ key ‖ u32 value length ‖ value)</c>.
/// </summary>
internal sealed class RawWriteContract : IContract
{
    public const string Code = "raw-state-writer";

    public void Instantiate(IContractContext context, byte[] message)
    {
    }

    public byte[] Execute(IContractContext context, byte[] message)
    {
        var span = message.AsSpan();
        while (!span.IsEmpty)
        {
            var op = span[0];
            var keyLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span[1..]);
            var key = span.Slice(5, keyLength);
            span = span[(5 + keyLength)..];
            var valueLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span);
            var value = span.Slice(4, valueLength);
            span = span[(4 + valueLength)..];
            if (op == 1)
            {
                context.Write(key, value);
            }
            else
            {
                context.Remove(key);
            }
        }
        return [];
    }

    public byte[] Query(IContractQueryContext context, byte[] message) => [];

    public static byte[] Writes(params (byte[] Key, byte[]? Value)[] writes)
    {
        var output = new List<byte>();
        Span<byte> length = stackalloc byte[4];
        foreach (var (key, value) in writes)
        {
            output.Add(value is null ? (byte)2 : (byte)1);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)key.Length);
            output.AddRange(length);
            output.AddRange(key);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)(value?.Length ?? 0));
            output.AddRange(length);
            output.AddRange(value ?? []);
        }
        return [.. output];
    }
}

/// <summary>
/// Wall-clock throughput and latency of the Transfers app end to end on a running devnet
/// (<c>citrine dev --app transfers --mode mock</c>: node, enclave and host as real processes; run by
/// benchmarks/execution-throughput.sh). Funds <c>--accounts</c> fresh accounts from <c>user0</c>,
/// has each deposit once, then sends <c>--requests</c> HPKE-sealed transfer requests from all of them
/// as fast as the node accepts them (<c>broadcast_tx_sync</c>, one signing loop per account,
/// sequences counted locally), while polling the contract's <c>queue/head</c> every
/// <c>--poll-ms</c>. A request's latency is from the start of its broadcast to the first poll that
/// sees the head past its seq (an applied output); its seq comes from the committed blocks'
/// <c>request</c> events afterwards.
/// </summary>
internal static class ExecutionThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var home = Arg("--home", "");
        var node = new Uri(Arg("--node", "http://127.0.0.1:26657/"));
        var accounts = int.Parse(Arg("--accounts", "8"), System.Globalization.CultureInfo.InvariantCulture);
        var total = int.Parse(Arg("--requests", "6000"), System.Globalization.CultureInfo.InvariantCulture);
        var pollMs = int.Parse(Arg("--poll-ms", "25"), System.Globalization.CultureInfo.InvariantCulture);
        // 0: as fast as the node accepts; otherwise the offered load in requests per second, spread over the accounts.
        var rate = double.Parse(Arg("--rate", "0"), System.Globalization.CultureInfo.InvariantCulture);
        var rpc = new Rpc(node);

        var devnet = new Citrine.Chain.Devnet.DevnetHome(home);
        var genesis = devnet.LoadGenesis();
        var funder = devnet.LoadAccountKey("user0");
        using var handshake = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(home, "host", "handshake.json")));
        var contract = Convert.FromHexString(handshake.RootElement.EnumerateObject().First(p => p.NameEquals("contract") || p.NameEquals("Contract")).Value.GetString()!);
        var recordValue = await rpc.QueryAsync(ChainApp.WasmStore, ContractHost.StateKey(contract, SessionRecord.StateKey)) ?? throw new InvalidOperationException("no session record");
        if (!SessionRecord.TryDecode(recordValue, out var session, out var recordError) || session!.Phase != SessionPhase.Established)
        {
            throw new InvalidOperationException($"no established session: {recordError}");
        }

        // Fresh accounts, funded by user0 in one tx.
        var keys = Enumerable.Range(0, accounts).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"execution-throughput/{Environment.TickCount64}/{i}"))).ToArray();
        var addresses = keys.Select(k => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(k))).ToArray();
        var (funderNumber, funderSequence) = await rpc.AccountAsync(funder.Address);
        var fund = Tx.Create([.. addresses.Select(a => (Msg)new MsgSend(funder.Address, a, 1_000_000_000))], "", funder.PrivateKey, funderSequence, 10_000_000, genesis.ChainId, funderNumber).Encode();
        await rpc.CommitAsync(fund);
        var numbers = new ulong[accounts];
        var sequences = new ulong[accounts];
        for (var i = 0; i < accounts; i++)
        {
            (numbers[i], sequences[i]) = await rpc.AccountAsync(addresses[i]);
        }

        byte[] Transfer(int account, ulong gas)
        {
            var to = addresses[(account + 1) % accounts];
            var aad = RequestAad.Build(genesis.ChainId, contract, addresses[account], session.Id, TransfersKind.Transfer);
            var sealedRequest = HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(session.EncryptionKey, System.Text.Encoding.UTF8.GetBytes(RequestSuite.Info), aad, new TransferRequest(to, 1).Encode());
            var message = ExecutionMessages.Request(TransfersKind.Transfer, RequestSuite.ChaCha20Poly1305, sealedRequest.EncapsulatedKey, sealedRequest.Ciphertext);
            return Tx.Create([new MsgExecute(addresses[account], contract, message, 0)], "", keys[account], sequences[account]++, gas, genesis.ChainId, numbers[account]).Encode();
        }

        // Deposits (so every account is a known recipient with a balance), and a probe of a transfer's gas.
        for (var i = 0; i < accounts; i++)
        {
            var deposit = ExecutionMessages.Request(TransfersKind.Deposit, RequestSuite.ChaCha20Poly1305, [], []);
            var tx = Tx.Create([new MsgExecute(addresses[i], contract, deposit, 100_000_000)], "", keys[i], sequences[i]++, 2_000_000, genesis.ChainId, numbers[i]).Encode();
            if (i == accounts - 1)
            {
                await rpc.CommitAsync(tx);
            }
            else
            {
                await rpc.SyncAsync(tx);
            }
        }
        var probe = await rpc.CommitAsync(Transfer(0, 2_000_000));
        var gas = (ulong)Math.Ceiling(probe.GasUsed * 1.25 / 1000.0) * 1000;
        await WaitAppliedAsync(rpc, contract, TimeSpan.FromSeconds(60));
        var startHeight = (await rpc.StatusHeightAsync()) + 1;
        Console.WriteLine($"setup: {accounts} accounts deposited; a transfer request tx uses {probe.GasUsed} gas, sent with limit {gas} (block max gas {genesis.ConsensusParams.BlockMaxGas}: at most {genesis.ConsensusParams.BlockMaxGas / (long)gas} per block); {probe.Bytes} bytes");

        // The load: one loop per account, broadcast_tx_sync as fast as the node accepts.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var polls = new List<(double At, ulong Head, ulong Next, long Height)>();
        var mempoolFull = 0;
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var at = clock.Elapsed.TotalMilliseconds;
                var height = await rpc.StatusHeightAsync();
                var head = await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueHead), height);
                var next = await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueNext), height);
                lock (polls)
                {
                    polls.Add((at, head, next, height));
                }
                await Task.Delay(pollMs);
            }
        });
        var perAccount = total / accounts;
        var senders = Enumerable.Range(0, accounts).Select(account => Task.Run(async () =>
        {
            for (var n = 0; n < perAccount; n++)
            {
                if (rate > 0 && (n * accounts / rate * 1000) - clock.Elapsed.TotalMilliseconds is var ahead and > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(ahead));
                }
                var tx = Transfer(account, gas);
                var hash = Convert.ToHexString(Tx.HashOf(tx));
                var at = clock.Elapsed.TotalMilliseconds;
                while (true)
                {
                    uint code;
                    string log;
                    try
                    {
                        (code, log) = await rpc.SyncAsync(tx);
                    }
                    catch (HttpRequestException e)
                    {
                        throw new InvalidOperationException($"the node stopped answering after {sent.Count} accepted requests (see the dev log: did the relay stop?): {e.Message}", e);
                    }
                    if (code == 0 || code == TxCodes.TxInMempoolCache)
                    {
                        break;
                    }
                    if (code != TxCodes.MempoolIsFull)
                    {
                        throw new InvalidOperationException($"account {account} tx {n}: code {code} {log}");
                    }
                    Interlocked.Increment(ref mempoolFull);
                    await Task.Delay(20);
                }
                sent[hash] = at;
            }
        })).ToArray();
        await Task.WhenAll(senders);
        var acceptedMs = clock.Elapsed.TotalMilliseconds;
        var sentCount = perAccount * accounts;
        var lastNext = (await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueNext), 0));
        while (true)
        {
            (double At, ulong Head, ulong Next, long Height) last;
            lock (polls)
            {
                last = polls[^1];
            }
            if (last.Next >= lastNext && last.Head >= last.Next && last.Next >= lastNext)
            {
                // Every request queued by the load is applied, provided the load's txs are all committed.
                var mempool = await rpc.MempoolAsync();
                if (mempool == 0 && last.Head == await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueNext), 0))
                {
                    break;
                }
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(6))
            {
                throw new TimeoutException($"not all applied within 6 minutes: {last}");
            }
            lastNext = await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueNext), 0);
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        await poller;
        var endHeight = await rpc.StatusHeightAsync();

        // Seq of each sent tx, and the blocks' shape, from the committed blocks.
        var seqSent = new List<(ulong Seq, double SentAt)>();
        var blocks = new List<(long Height, int Txs, int Requests, int Outputs, string Time)>();
        var outputs = new List<(long Height, ulong First, ulong End, long Gas)>();
        for (var h = startHeight; h <= endHeight; h++)
        {
            var (txs, time) = await rpc.BlockAsync(h);
            var (results, gasUsed) = await rpc.BlockResultsAsync(h);
            var requests = 0;
            for (var i = 0; i < txs.Count; i++)
            {
                foreach (var (action, attributes) in results[i])
                {
                    if (action == "request" && attributes.TryGetValue("seq", out var seqText))
                    {
                        requests++;
                        if (sent.TryGetValue(Convert.ToHexString(Tx.HashOf(txs[i])), out var at))
                        {
                            seqSent.Add((ulong.Parse(seqText, System.Globalization.CultureInfo.InvariantCulture), at));
                        }
                    }
                    else if (action == "output")
                    {
                        outputs.Add((h, ulong.Parse(attributes["first_seq"], System.Globalization.CultureInfo.InvariantCulture), ulong.Parse(attributes["end_seq"], System.Globalization.CultureInfo.InvariantCulture), gasUsed[i]));
                    }
                }
            }
            blocks.Add((h, txs.Count, requests, results.Count(r => r.Any(e => e.Action == "output")), time));
        }
        var latencies = new List<double>(seqSent.Count);
        foreach (var (seq, at) in seqSent)
        {
            var applied = polls.FirstOrDefault(p => p.Head > seq);
            latencies.Add(applied.At - at);
        }
        latencies.Sort();
        double Pct(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        var firstSent = sent.Values.Min();
        var lastApplied = polls.First(p => p.Head >= seqSent.Max(s => s.Seq) + 1).At;
        Console.WriteLine($"sent {sentCount} transfer requests from {accounts} accounts in {acceptedMs - firstSent:F0} ms ({sentCount / ((acceptedMs - firstSent) / 1000):F0}/s accepted by broadcast_tx_sync; {mempoolFull} mempool-full retries)");
        Console.WriteLine($"matched {seqSent.Count} to their seq; all applied {lastApplied - firstSent:F0} ms after the first send: {seqSent.Count / ((lastApplied - firstSent) / 1000):F0} requests/s end to end");
        Console.WriteLine($"latency from broadcast to applied output (poll every {pollMs} ms): mean {latencies.Average():F0} ms, p50 {Pct(0.5):F0}, p90 {Pct(0.9):F0}, p99 {Pct(0.99):F0}, max {latencies[^1]:F0} ms");
        Console.WriteLine($"blocks {startHeight}..{endHeight}: {blocks.Count} blocks, {outputs.Count} outputs, batch sizes {string.Join(" ", outputs.Select(o => o.End - o.First))}");
        Console.WriteLine($"output gas (limit of the host's output tx: 5,000,000): {string.Join(" ", outputs.Select(o => $"{o.End - o.First}→{o.Gas}"))}");
        foreach (var b in blocks)
        {
            Console.WriteLine($"  height {b.Height} {b.Time}: {b.Txs} txs, {b.Requests} requests, {b.Outputs} output(s){string.Concat(outputs.Where(o => o.Height == b.Height).Select(o => $" [{o.First}, {o.End}) {o.Gas} gas"))}");
        }
        return 0;
    }

    private static async Task WaitAppliedAsync(Rpc rpc, byte[] contract, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueHead), 0) < await rpc.U64Async(ContractHost.StateKey(contract, ExecutionKeys.QueueNext), 0))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("the deposits were not applied");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The node's CometBFT JSON-RPC over HTTP on loopback.</summary>
    private sealed class Rpc(Uri node)
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(60) };

        public async Task<System.Text.Json.JsonElement> CallAsync(string method, object parameters)
        {
            using var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters }), System.Text.Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync("", content);
            using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
            return doc.RootElement.TryGetProperty("error", out var error)
                ? throw new InvalidOperationException($"{method}: {error}")
                : doc.RootElement.GetProperty("result").Clone();
        }

        public async Task<byte[]?> QueryAsync(string store, byte[] key, long height = 0)
        {
            var response = (await CallAsync("abci_query", new Dictionary<string, string> { ["path"] = $"/store/{store}/key", ["data"] = Convert.ToHexString(key), ["height"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture) })).GetProperty("response");
            return response.GetProperty("value").GetString() is { } value ? Convert.FromBase64String(value) : null;
        }

        public async Task<ulong> U64Async(byte[] key, long height) =>
            await QueryAsync(ChainApp.WasmStore, key, height) is { } value ? ExecutionKeys.TryDecodeU64(value, out var n) ? n : throw new InvalidOperationException("not a u64") : 0;

        public async Task<(ulong Number, ulong Sequence)> AccountAsync(byte[] address)
        {
            var value = await QueryAsync(ChainApp.AccountStore, address) ?? throw new InvalidOperationException($"account {Convert.ToHexString(address)} does not exist");
            var (number, sequence, _) = ChainApp.DecodeAccount(value);
            return (number, sequence);
        }

        public async Task<long> StatusHeightAsync() =>
            long.Parse((await CallAsync("status", new Dictionary<string, string>())).GetProperty("sync_info").GetProperty("latest_block_height").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        public async Task<int> MempoolAsync() =>
            int.Parse((await CallAsync("num_unconfirmed_txs", new Dictionary<string, string>())).GetProperty("n_txs").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        public async Task<(uint Code, string Log)> SyncAsync(byte[] tx)
        {
            var result = await CallAsync("broadcast_tx_sync", new Dictionary<string, string> { ["tx"] = Convert.ToBase64String(tx) });
            return ((uint)result.GetProperty("code").GetInt32(), result.GetProperty("log").GetString() ?? "");
        }

        public async Task<(long GasUsed, int Bytes)> CommitAsync(byte[] tx)
        {
            var result = await CallAsync("broadcast_tx_commit", new Dictionary<string, string> { ["tx"] = Convert.ToBase64String(tx) });
            var txResult = result.GetProperty("tx_result");
            if (result.GetProperty("check_tx").GetProperty("code").GetInt32() != 0 || txResult.GetProperty("code").GetInt32() != 0)
            {
                throw new InvalidOperationException($"tx failed: {result}");
            }
            return (long.Parse(txResult.GetProperty("gas_used").GetString()!, System.Globalization.CultureInfo.InvariantCulture), tx.Length);
        }

        public async Task<(List<byte[]> Txs, string Time)> BlockAsync(long height)
        {
            var block = (await CallAsync("block", new Dictionary<string, string> { ["height"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture) })).GetProperty("block");
            var txs = block.GetProperty("data").GetProperty("txs").EnumerateArray().Select(t => Convert.FromBase64String(t.GetString()!)).ToList();
            return (txs, block.GetProperty("header").GetProperty("time").GetString()!);
        }

        /// <summary>Per tx, its wasm events as (action, attributes).</summary>
        public async Task<(List<List<(string Action, Dictionary<string, string> Attributes)>> Events, List<long> GasUsed)> BlockResultsAsync(long height)
        {
            var results = (await CallAsync("block_results", new Dictionary<string, string> { ["height"] = height.ToString(System.Globalization.CultureInfo.InvariantCulture) })).GetProperty("txs_results");
            var list = new List<List<(string, Dictionary<string, string>)>>();
            var gas = new List<long>();
            foreach (var r in results.EnumerateArray())
            {
                gas.Add(long.Parse(r.GetProperty("gas_used").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                var events = new List<(string, Dictionary<string, string>)>();
                if (r.TryGetProperty("events", out var es) && es.ValueKind == System.Text.Json.JsonValueKind.Array)
                {
                    foreach (var e in es.EnumerateArray().Where(e => e.GetProperty("type").GetString() == "wasm"))
                    {
                        var attributes = e.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").GetString() ?? "", StringComparer.Ordinal);
                        events.Add((attributes.GetValueOrDefault("action", ""), attributes));
                    }
                }
                list.Add(events);
            }
            return (list, gas);
        }
    }
}

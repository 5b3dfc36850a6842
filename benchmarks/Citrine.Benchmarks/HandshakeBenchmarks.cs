using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.App;
using Citrine.Chain.Attestation;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Measurement = Citrine.Contracts.Session.Measurement;

namespace Citrine.Benchmarks;

/// <summary>
/// The three handshake messages (DESIGN.md, "The handshake") as the node executes them: the
/// sample session contract (<c>contracts/Citrine.Samples.Session</c>, built with <c>dotnet build</c>
/// and registered through <see cref="ContractLoader"/>, so the session core runs metered from the
/// bytes genesis would pin) called through <see cref="ContractHost.Run"/> with the real attestation
/// module (<see cref="RegistryQuoteVerifier"/>, the host's shared cache warm) over a registry
/// holding the simulated-DCAP collateral, on SGX v3 quotes from the simulated-DCAP attestor whose
/// report data binds each message (<see cref="ReportData.Compute"/>). Each call runs on a fresh
/// branch of a state holding the steps before it and is not written, so every invocation does the
/// same work; the IAVL commit that follows a block is not part of it. Every benchmark process
/// builds the sample (incrementally) and runs the handshake once through a node in its setup.
/// </summary>
/// <remarks>
/// The floor is what no message can avoid: the three P-256 verifications of a quote (PCK leaf by its
/// CA, QE report by the PCK key, quote by the attestation key), and beside it the quote check alone
/// as the contract host runs it. Gas does not depend on timing, so it is not benchmarked (it follows
/// the quote's length, which the simulator's DER signatures vary by a few bytes): the setup first
/// runs the whole handshake through a <see cref="ChainNode"/> (collateral uploaded by txs, a manual
/// clock; the messages and blocks the calls below replay come from it) and prints each tx's
/// <c>gas_used</c> beside the contract call's part of it.
/// </remarks>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const string SessionType = "Citrine.Samples.Session.SessionContract";
    private const string ChainId = "citrine-bench";
    private const ulong TxGasLimit = 5_000_000;

    // The seed `citrine dev` gives its simulated-DCAP enclave and registry.
    private static readonly byte[] Seed = "citrine-dev"u8.ToArray();
    private static readonly DateTimeOffset T0 = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly ContractHost _host = new();
    private readonly VerifiedCollateralCache _cache = new();
    private GenesisAttestation _root = null!;
    private QuotePolicy _policy = null!;
    private Handshake _handshake = null!;
    private MultiStoreState _registry = null!;
    private MultiStoreState _instantiated = null!;
    private MultiStoreState _created = null!;
    private byte[] _keysQuote = [];
    private Floor _floor = null!;

    private sealed record Floor(DcapCertificate Leaf, byte[] CaKey, Quote Quote);

    /// <summary>The handshake as the node ran it: the messages, and the block each was executed in.</summary>
    private sealed record Handshake(
        MsgInstantiate Instantiate, BlockContext InstantiateBlock,
        MsgExecute Create, BlockContext CreateBlock,
        MsgExecute Keys, BlockContext KeysBlock,
        IReadOnlyList<(BlockContext Block, MsgRegistryUpdate Update)> Collateral);

    [GlobalSetup]
    public void Setup()
    {
        var sample = SessionSample.Build();
        _host.Register(ContractLoader.Load(SessionType, sample.Contract, Hashing.Sha256(sample.Contract), "Citrine.Samples.Session.dll",
            [new ContractLibraryImage(sample.Library, Hashing.Sha256(sample.Library), "Citrine.Contracts.dll")]));
        using var keys = TestPkiKeys.FromSeed(Seed);
        var q = keys.Root.ExportParameters(false).Q;
        _root = GenesisAttestation.Simulated([.. q.X!, .. q.Y!]);

        var (handshake, txGas) = RunOnNode(sample, new DcapSimulator(keys));
        _handshake = handshake;
        _policy = SessionConfig.Parse(SessionMessages.ParseInstantiate(handshake.Instantiate.Message).Config).Policy.ToQuotePolicy();
        _registry = State(0);
        _instantiated = State(1);
        _created = State(2);
        _keysQuote = SessionMessages.TryParseExecute(handshake.Keys.Message, out var parsed) && parsed is SessionKeysMessage keysMessage
            ? keysMessage.Quote
            : throw new InvalidOperationException("setup: the third message is not session_set_pub_key");
        var quote = QuoteParser.Parse(_keysQuote);
        var chain = PemText.DecodeAll(quote.PckChainPem, "CERTIFICATE", "pck_chain").Select(d => DcapCertificate.Parse(d, "pck_chain")).ToList();
        _floor = new Floor(chain[0], chain[1].PublicKey, quote);

        long[] contractGas =
        [
            Call(_registry, handshake.Instantiate, handshake.InstantiateBlock).Gas,
            Call(_instantiated, handshake.Create, handshake.CreateBlock).Gas,
            Call(_created, handshake.Keys, handshake.KeysBlock).Gas,
        ];
        if (!QuoteVerification() || !Signatures())
        {
            throw new InvalidOperationException("setup: the SetPubKey quote does not verify on its own");
        }

        var quoteGas = RegistryQuoteVerifier.Gas(_keysQuote.Length);
        Console.WriteLine($"// Handshake gas: SGX v3 simulated-DCAP quotes of {_keysQuote.Length} bytes; the attestation module's fixed price per quote is {quoteGas}");
        Console.WriteLine("//   message           tx gas_used  contract call  of which quote check  tx ante (size, signature, account)");
        string[] names = ["Instantiate", "SessionCreate", "SessionSetPubKey"];
        for (var i = 0; i < 3; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"//   {names[i],-17} {txGas[i],11}  {contractGas[i],13}  {quoteGas,20}  {txGas[i] - contractGas[i],11}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"//   {"handshake",-17} {txGas.Sum(),11}  {contractGas.Sum(),13}  {3 * quoteGas,20}"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _registry.Dispose();
        _instantiated.Dispose();
        _created.Dispose();
    }

    [Benchmark(Description = "Instantiate: contract call (session core + quote check)")]
    public byte[] Instantiate() => Call(_registry, _handshake.Instantiate, _handshake.InstantiateBlock).Data;

    [Benchmark(Description = "SessionCreate: contract call (session core + quote check)")]
    public byte[] SessionCreate() => Call(_instantiated, _handshake.Create, _handshake.CreateBlock).Data;

    [Benchmark(Description = "SessionSetPubKey: contract call (session core + quote check)")]
    public byte[] SessionSetPubKey() => Call(_created, _handshake.Keys, _handshake.KeysBlock).Data;

    [Benchmark(Description = "quote check alone: RegistryQuoteVerifier, shared cache warm (as the host)")]
    public bool QuoteVerification() =>
        new RegistryQuoteVerifier(new StateBranch(_created, new GasMeter(long.MaxValue)), _root, _handshake.KeysBlock, _cache).VerifyQuote(_keysQuote, _policy).Accepted;

    [Benchmark(Baseline = true, Description = "floor: the quote's 3 ECDSA-P256 verifications alone")]
    public bool Signatures() =>
        _floor.Leaf.IsSignedBy(_floor.CaKey)
        && EcdsaP256.VerifyRaw(_floor.Leaf.PublicKey, _floor.Quote.QeReportBytes, _floor.Quote.QeReportSignature)
        && EcdsaP256.VerifyRaw(_floor.Quote.AttestationKey, _floor.Quote.SignedBytes, _floor.Quote.Signature);

    /// <summary>One contract call as <see cref="ChainApp"/> makes it: a branch of the state with a tx's meter, then the host's Run.</summary>
    private (byte[] Data, long Gas) Call(MultiStoreState state, Msg msg, BlockContext block)
    {
        var branch = new StateBranch(state, new GasMeter((long)TxGasLimit));
        var data = _host.Run(branch, msg, block, _root, [], NoTransfer);
        return (data, branch.Gas.Consumed);
    }

    private static void NoTransfer(byte[] from, byte[] to, ulong amount) => throw new InvalidOperationException("no funds move in the handshake");

    /// <summary>An in-memory state holding the collateral the node registered and the first <paramref name="steps"/> handshake messages.</summary>
    private MultiStoreState State(int steps)
    {
        var state = MultiStoreState.InMemory(ChainApp.StoreNames);
        var genesis = new StateBranch(state, new GasMeter(long.MaxValue));
        CollateralRegistry.InitGenesis(genesis, _root);
        genesis.Write();
        foreach (var (block, update) in _handshake.Collateral)
        {
            var branch = new StateBranch(state, new GasMeter(long.MaxValue));
            CollateralRegistry.Apply(branch, _root, update, block, []);
            branch.Write();
        }
        (Msg, BlockContext)[] handshake = [(_handshake.Instantiate, _handshake.InstantiateBlock), (_handshake.Create, _handshake.CreateBlock)];
        foreach (var (msg, block) in handshake.Take(steps))
        {
            var branch = new StateBranch(state, new GasMeter((long)TxGasLimit));
            _host.Run(branch, msg, block, _root, [], NoTransfer);
            branch.Write();
        }
        return state;
    }

    /// <summary>
    /// The handshake through a devnet node (its RocksDB home in a temporary directory, 500 ms blocks
    /// on a manual clock): the simulated collateral by registry txs as <c>citrine dev</c> sends it,
    /// then the three messages, each in its own block. Returns the messages with the blocks they
    /// ran in, and each tx's gas_used.
    /// </summary>
    private (Handshake Handshake, long[] TxGas) RunOnNode(SessionSample sample, DcapSimulator simulator)
    {
        var directory = Directory.CreateTempSubdirectory("citrine-bench-handshake-");
        try
        {
            var home = new DevnetHome(Path.Combine(directory.FullName, "home"));
            var seed = 0;
            home.Initialize(ChainId, 1, Timestamp.FromDateTimeOffset(T0), accounts: 0, random: span => span.Fill((byte)++seed), attestation: _root,
                contracts: [DevnetHome.PinContract(SessionType, sample.ContractPath)]);
            var clock = new ManualNodeClock(Timestamp.FromDateTimeOffset(T0));
            using var node = ChainNode.Open(home, clock);
            var admin = home.LoadAccountKey(DevnetHome.AdminKeyName);
            ulong sequence = 0;
            (TxResult Result, BlockContext Block) Run(Msg msg)
            {
                var tx = Tx.Create([msg], "", admin.PrivateKey, sequence++, TxGasLimit, ChainId, 0);
                var submitted = node.SubmitTx(tx.Encode()).Result;
                if (!submitted.IsOk)
                {
                    throw new InvalidOperationException($"setup: {msg.GetType().Name} refused by CheckTx: {submitted.Log}");
                }
                clock.Advance(TimeSpan.FromMilliseconds(500));
                var header = node.ProduceBlock().Block.Header;
                var result = node.GetResults(node.Height)!.TxResults[0];
                if (!result.IsOk)
                {
                    throw new InvalidOperationException($"setup: {msg.GetType().Name} failed at height {node.Height}: {result.Log}");
                }
                return (result, new BlockContext(header.Height, header.Time, ChainId));
            }
            clock.Advance(TimeSpan.FromSeconds(1));
            node.ProduceBlock();

            // The SGX collateral, in the order `citrine dev` registers it (root CA CRL first: the others are checked against it).
            var evidence = simulator.Generate(new SimulatedQuoteRequest { Now = T0 });
            var collateral = new List<(BlockContext, MsgRegistryUpdate)>();
            foreach (var update in new[]
            {
                Update(admin.Address, CollateralKind.RootCaCrl, evidence.RootCrlDer, PemEncoding.WriteString("CERTIFICATE", evidence.RootCertificateDer)),
                Update(admin.Address, CollateralKind.TcbInfo, Encoding.UTF8.GetBytes(evidence.TcbInfoPcsJson), evidence.TcbSigningChainPem),
                Update(admin.Address, CollateralKind.QeIdentity, Encoding.UTF8.GetBytes(evidence.QeIdentityPcsJson), evidence.QeIdentitySigningChainPem),
                Update(admin.Address, CollateralKind.ProcessorCrl, evidence.PckCrlDer, evidence.PckCrlIssuerChainPem),
            })
            {
                collateral.Add((Run(update).Block, update));
            }

            var defaults = new SimulatedQuoteRequest { Now = T0 };
            var trusted = node.GetBlock(node.Height)!.Block.Header;
            var config = SessionConfig.Write(
                [Measurement.Sgx(defaults.MrEnclave.Span, defaults.MrSigner.Span, defaults.IsvProdId, defaults.IsvSvn)],
                new SessionPolicy { MaxAttestationAgeSeconds = 86_400 },
                new SessionTrustRoot
                {
                    ChainId = ChainId, TrustedHeight = trusted.Height, TrustedHash = trusted.Hash(), TrustingPeriodSeconds = 1_209_600,
                    TrustThresholdNumerator = 1, TrustThresholdDenominator = 3, MaxClockDriftSeconds = 10, MaxBlockLag = 10,
                },
                admin.Address);
            // The attestor `citrine enclave start --mode simulated-dcap` uses: SGX, quote v3.
            var attestor = new SimulatedDcapAttestor(simulator, TeeKind.Sgx, () => T0);
            byte[] Quote(SessionMessageType type, byte[] contract, byte[] body) =>
                attestor.AttestAsync(ReportData.Compute(type, ChainId, contract, body, b => Hashing.Sha512(b))).GetAwaiter().GetResult().Quote;

            var instantiate = new MsgInstantiate(admin.Address, SessionType, SessionMessages.Instantiate(config, Quote(SessionMessageType.Instantiate, [], ReportData.InstantiateBody(config))), 0, "session");
            var (instantiated, instantiateBlock) = Run(instantiate);
            var contract = instantiated.Data;

            var nonce = Hashing.Sha256("citrine-bench nonce"u8);
            var create = new MsgExecute(admin.Address, contract, SessionMessages.SessionCreate(nonce, Quote(SessionMessageType.SessionCreate, contract, ReportData.SessionCreateBody(nonce))), 0);
            var (created, createBlock) = Run(create);
            // The enclave proves the session record at the next committed height, as the host has it do.
            clock.Advance(TimeSpan.FromMilliseconds(500));
            node.ProduceBlock();

            var verified = (ulong)createBlock.Height + 1;
            var signingKey = Hashing.Sha256("citrine-bench signing key"u8);
            var encryptionKey = Hashing.Sha256("citrine-bench encryption key"u8);
            var keys = new MsgExecute(admin.Address, contract, SessionMessages.SessionSetPubKey(nonce, signingKey, encryptionKey, verified,
                Quote(SessionMessageType.SessionSetPubKey, contract, ReportData.KeysBody(nonce, signingKey, encryptionKey, verified))), 0);
            var (established, keysBlock) = Run(keys);
            if (SessionMessages.ParseSessionAnswer(node.QueryContract(contract, SessionMessages.Query(SessionQuery.Session)).Result) is not { Phase: SessionPhase.Established })
            {
                throw new InvalidOperationException("setup: the session is not established on the node");
            }
            return (new Handshake(instantiate, instantiateBlock, create, createBlock, keys, keysBlock, collateral),
                [instantiated.GasUsed, created.GasUsed, established.GasUsed]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static MsgRegistryUpdate Update(byte[] sender, CollateralKind kind, byte[] document, string issuerChainPem) =>
        new(sender, (uint)kind, document, Encoding.ASCII.GetBytes(issuerChainPem));

    /// <summary>
    /// <c>contracts/Citrine.Samples.Session</c> built with the real <c>dotnet build</c> (Release),
    /// as the chain tests build it; incremental in <c>artifacts/benchmarks/session-sample</c>, since
    /// every benchmark process runs the setup.
    /// </summary>
    private sealed record SessionSample(string ContractPath, byte[] Contract, byte[] Library)
    {
        public static SessionSample Build()
        {
            var root = RepoRoot();
            var artifacts = Path.Combine(root, "artifacts", "benchmarks", "session-sample");
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    "build", Path.Combine(root, "contracts", "Citrine.Samples.Session", "Citrine.Samples.Session.csproj"), "-c", "Release",
                    "--artifacts-path", artifacts, "-nologo", "-clp:NoSummary", "-nodeReuse:false", "-p:UseSharedCompilation=false",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
            {
                throw new InvalidOperationException("building the session sample failed:\n" + stdout + stderr.Result);
            }
            var output = Path.Combine(artifacts, "bin", "Citrine.Samples.Session", "release");
            var contractPath = Path.Combine(output, "Citrine.Samples.Session.dll");
            return new SessionSample(contractPath, File.ReadAllBytes(contractPath), File.ReadAllBytes(Path.Combine(output, "Citrine.Contracts.dll")));
        }

        private static string RepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("repository root (Citrine.slnx) not found above " + AppContext.BaseDirectory);
        }
    }
}

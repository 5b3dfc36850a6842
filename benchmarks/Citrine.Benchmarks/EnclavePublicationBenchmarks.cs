using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Ics23.Proofs;

namespace Citrine.Benchmarks;

/// <summary>
/// Proof of publication as the enclave runs it: one adjacent light block from a 4-validator
/// in-process devnet plus the two-step ICS23 proof of a bank record under its app hash, next to
/// its floor: the Ed25519 verifications the commit needs (more than 2/3 of the power: 3 of 4) and
/// the SHA-256 calls the proof needs (value prehash, leaf, one per inner op, per step), timed
/// alone over preimages of the same lengths.
/// </summary>
[MemoryDiagnoser]
public class EnclavePublicationBenchmarks
{
    private ChainNode _node = null!;
    private TrustedState _state = null!;
    private PublicationClaim _claim = null!;
    private PublicationProof _proof = null!;
    private (Validator Validator, byte[] Message, byte[] Signature)[] _signatures = null!;
    private byte[][] _preimages = null!;
    private readonly byte[] _digest = new byte[32];

    [GlobalSetup]
    public void Setup()
    {
        var seeds = Enumerable.Range(0, 4).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"validator-{i}"))).ToArray();
        var account = Hashing.Sha256("account-0"u8);
        var address = CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(account));
        var genesisTime = new Timestamp(1_750_000_000, 0);
        var genesis = new GenesisDoc
        {
            GenesisTime = genesisTime,
            ChainId = "citrine-bench",
            Validators = [.. seeds.Select((s, i) => new GenesisValidator(Ed25519.PublicKeyFromSeed(s), 10, $"v{i}"))],
            Admin = address,
            Accounts = [new GenesisAccount(address, 1_000_000)],
        };
        var clock = new ManualNodeClock(genesisTime);
        _node = new ChainNode(genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), seeds.Select(s => Ed25519PrivateKey.FromSeed(s)), clock);
        for (var h = 0; h < 3; h++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(500));
            if (h == 1)
            {
                _node.SubmitTx(Tx.Create([new MsgSend(address, address, 1)], "", account, 0, 200_000, genesis.ChainId, 0).Encode());
            }
            _node.ProduceBlock();
        }
        // Trusted at 2; the record is read at state version 2, so its proof is under header 3.
        var trusted = _node.LightBlockAt(2)!;
        var root = new TrustRoot(genesis.ChainId, 2, trusted.Header.Hash(), TimeSpan.FromDays(14), Fraction.OneThird, TimeSpan.FromSeconds(10), 10);
        _state = TrustedState.Initialise(root, trusted).State ?? throw new InvalidOperationException("trust root refused");
        var query = _node.QueryState(ChainApp.BankStore, address, 2, prove: true);
        _claim = new PublicationClaim(ChainApp.BankStore, address);
        var next = _node.LightBlockAt(3)!;
        _proof = new PublicationProof([next], 2, query.Value, query.ProofOps!);
        if (!Verify().IsSuccess)
        {
            throw new InvalidOperationException($"benchmark proof does not verify: {Verify()}");
        }

        var commit = next.Commit;
        var template = new VoteSignBytes(genesis.ChainId, commit.Height, commit.Round, commit.BlockId);
        var needed = next.Validators.Validators.Count * 2 / 3 + 1;
        _signatures = [.. commit.Signatures.Take(needed).Select((s, i) => (next.Validators.Validators[i], template.Create(forBlock: true, s.Timestamp), s.Signature))];

        var preimages = new List<byte[]>();
        foreach (var op in query.ProofOps!)
        {
            var exist = ProofCodec.DecodeCommitmentProof(op.Data.Span).Exist ?? throw new InvalidOperationException("not an existence proof");
            preimages.Add(new byte[exist.Value.Length]);
            preimages.Add(new byte[exist.Leaf!.Prefix.Length + 1 + exist.Key.Length + 1 + 32]);
            preimages.AddRange(exist.Path.Select(inner => new byte[inner.Prefix.Length + 32 + inner.Suffix.Length]));
        }
        _preimages = [.. preimages];
        foreach (var p in _preimages)
        {
            RandomNumberGenerator.Fill(p);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    [Benchmark(Baseline = true, Description = "proof of publication (1 adjacent block + ICS23 chain)")]
    public PublicationVerdict Verify() => PublicationVerifier.Verify(_state, _claim, _proof);

    [Benchmark(Description = "floor: 3 Ed25519 verifications + the proof's SHA-256 calls")]
    public int Floor()
    {
        var ok = 0;
        foreach (var (validator, message, signature) in _signatures)
        {
            ok += validator.VerifySignature(message, signature) ? 1 : 0;
        }
        foreach (var p in _preimages)
        {
            SHA256.HashData(p, _digest);
        }
        return ok;
    }
}

using BenchmarkDotNet.Attributes;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;

namespace Citrine.Benchmarks;

/// <summary>
/// Devnet bank-send throughput, in process: admit <see cref="TxsPerBlock"/> pre-signed sends
/// (CheckTx) and produce one block (execute, commit the IAVL multistore in memory, sign the
/// commit). Floor: the two secp256k1 verifications per tx (CheckTx and DeliverTx), timed alone.
/// </summary>
[MemoryDiagnoser]
public class ChainBenchmarks
{
    public const int TxsPerBlock = 200;

    private readonly byte[] _sender = BankSends.SenderKey;
    private byte[][] _txs = [];
    private ChainNode? _node;
    private byte[] _publicKey = [];
    private byte[] _message = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _publicKey = Secp256k1.PublicKeyFromPrivate(_sender);
        _message = new byte[200];
        _signature = Secp256k1.Sign(_sender, _message);
    }

    [IterationSetup(Target = nameof(AdmitAndProduceBlock))]
    public void NewChain()
    {
        _node?.Dispose();
        _node = new ChainNode(BankSends.Genesis(), MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), [Ed25519PrivateKey.FromSeed(BankSends.ValidatorSeed)],
            new ManualNodeClock(new Timestamp(1_750_000_001, 0)));
        _txs = BankSends.Sign(0, TxsPerBlock);
    }

    [Benchmark(Description = "200 bank sends: CheckTx + one block")]
    public long AdmitAndProduceBlock()
    {
        foreach (var tx in _txs)
        {
            if (!_node!.SubmitTx(tx).Result.IsOk)
            {
                throw new InvalidOperationException("tx refused");
            }
        }
        return _node!.ProduceBlock().Block.Txs.Count;
    }

    [Benchmark(Baseline = true, Description = "floor: 400 secp256k1 verifications")]
    public int SignatureFloor()
    {
        var ok = 0;
        for (var i = 0; i < TxsPerBlock * 2; i++)
        {
            ok += Secp256k1.Verify(_publicKey, _message, _signature) == Secp256k1Verdict.Valid ? 1 : 0;
        }
        return ok;
    }
}

/// <summary>
/// The bank-send workload the chain benchmarks share: a one-validator genesis funding one sender
/// (account number 0, also the admin) and sends of 1 token from it, signed for consecutive sequences.
/// </summary>
internal static class BankSends
{
    public const string ChainId = "bench";

    public static readonly byte[] SenderKey = Hashing.Sha256("bench-sender"u8);
    public static readonly byte[] ValidatorSeed = Hashing.Sha256("bench-validator"u8);
    public static readonly byte[] Recipient = Hashing.Sha256("bench-recipient"u8)[..20];

    public static byte[] Sender { get; } = CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(SenderKey));

    public static GenesisDoc Genesis() => new()
    {
        GenesisTime = new Timestamp(1_750_000_000, 0),
        ChainId = ChainId,
        Validators = [new GenesisValidator(Ed25519.PublicKeyFromSeed(ValidatorSeed), 10, "v")],
        Admin = Sender,
        Accounts = [new GenesisAccount(Sender, 1_000_000_000)],
    };

    /// <summary><paramref name="count"/> signed sends with sequences from <paramref name="firstSequence"/>.</summary>
    public static byte[][] Sign(ulong firstSequence, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Tx.Create([new MsgSend(Sender, Recipient, 1)], "", SenderKey, firstSequence + (ulong)i, 200_000, ChainId, 0).Encode())];
}

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

    private readonly byte[] _sender = Hashing.Sha256("bench-sender"u8);
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
        var seed = Hashing.Sha256("bench-validator"u8);
        var from = CosmosAddress.AccountBytes(_publicKey);
        var to = Hashing.Sha256("bench-recipient"u8)[..20];
        var genesis = new GenesisDoc
        {
            GenesisTime = new Timestamp(1_750_000_000, 0),
            ChainId = "bench",
            Validators = [new GenesisValidator(Ed25519.PublicKeyFromSeed(seed), 10, "v")],
            Admin = from,
            Accounts = [new GenesisAccount(from, 1_000_000_000)],
        };
        _node = new ChainNode(genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), [Ed25519PrivateKey.FromSeed(seed)],
            new ManualNodeClock(new Timestamp(1_750_000_001, 0)));
        _txs = [.. Enumerable.Range(0, TxsPerBlock).Select(i => Tx.Create([new MsgSend(from, to, 1)], "", _sender, (ulong)i, 200_000, "bench", 0).Encode())];
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

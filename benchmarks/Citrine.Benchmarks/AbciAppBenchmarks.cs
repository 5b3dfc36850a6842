using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Citrine.Chain.Abci.App;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.State;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;
using Google.Protobuf;

namespace Citrine.Benchmarks;

/// <summary>
/// The ABCI application on RocksDB (synced commits), as CometBFT drives it: FinalizeBlock + Commit
/// of a block of <see cref="TxsPerBlock"/> bank sends, signed afresh for each iteration (so no
/// signature is found already verified), beside its floor — as many secp256k1 verifications plus a
/// synced multistore commit of as many writes; and CheckTx (NEW) per tx beside one verification.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class AbciAppBenchmarks
{
    public const int TxsPerBlock = 1000;

    private readonly List<string> _dirs = [];
    private CitrineAbciApp _blockApp = null!;
    private CitrineAbciApp _checkApp = null!;
    private MultiStoreState _floorStore = null!;
    private byte[][] _blockTxs = [];
    private byte[][] _checkTxs = [];
    private ulong _blockSequence;
    private ulong _checkSequence;
    private long _floorVersion;
    private byte[] _publicKey = [];
    private byte[][] _messages = [];
    private byte[][] _signatures = [];

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithInvocationCount(1).WithUnrollFactor(1).WithId("ShortRun-InProcess"));
    }

    [GlobalSetup]
    public void Setup()
    {
        _blockApp = OpenApp();
        _checkApp = OpenApp();
        _floorStore = MultiStoreState.OpenRocks(NewDir(), ChainApp.StoreNames);
        _publicKey = Secp256k1.PublicKeyFromPrivate(BankSends.SenderKey);
        _messages = [.. Enumerable.Range(0, TxsPerBlock).Select(i => Hashing.Sha256(BitConverter.GetBytes(i)))];
        _signatures = [.. _messages.Select(m => Secp256k1.Sign(BankSends.SenderKey, m))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _blockApp.Dispose();
        _checkApp.Dispose();
        _floorStore.Dispose();
        foreach (var dir in _dirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string NewDir()
    {
        var dir = Directory.CreateTempSubdirectory("citrine-abci-bench-").FullName;
        _dirs.Add(dir);
        return dir;
    }

    private CitrineAbciApp OpenApp()
    {
        var genesis = BankSends.Genesis();
        var app = new CitrineAbciApp(genesis, MultiStoreState.OpenRocks(NewDir(), ChainApp.StoreNames), null, new AbciAppOptions());
        var request = new RequestInitChain
        {
            ChainId = genesis.ChainId,
            InitialHeight = 1,
            Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = genesis.GenesisTime.Seconds },
            AppStateBytes = ByteString.CopyFrom(AppState(genesis.ToJson())),
            ConsensusParams = new ConsensusParams { Block = new BlockParams { MaxBytes = genesis.ConsensusParams.BlockMaxBytes, MaxGas = genesis.ConsensusParams.BlockMaxGas } },
        };
        request.Validators.Add(genesis.Validators.Select(v => new ValidatorUpdate { PubKey = new PublicKey { Ed25519 = ByteString.CopyFrom(v.PublicKey) }, Power = v.Power }));
        app.InitChain(request);
        Finalize(app, []);
        app.Commit(new RequestCommit());
        return app;
    }

    private static byte[] AppState(byte[] genesisJson)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(genesisJson);
        return System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("app_state").GetRawText());
    }

    private static ResponseFinalizeBlock Finalize(CitrineAbciApp app, byte[][] txs)
    {
        var height = app.Height + 1;
        var request = new RequestFinalizeBlock { Height = height, Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = 1_750_000_000 + height } };
        request.Txs.Add(txs.Select(ByteString.CopyFrom));
        return app.FinalizeBlock(request);
    }

    [IterationSetup(Target = nameof(FinalizeAndCommit))]
    public void SignBlock()
    {
        _blockTxs = BankSends.Sign(_blockSequence, TxsPerBlock);
        _blockSequence += TxsPerBlock;
    }

    [Benchmark(Description = "ABCI FinalizeBlock + Commit: 1000 bank sends (RocksDB, synced)")]
    public long FinalizeAndCommit()
    {
        var response = Finalize(_blockApp, _blockTxs);
        if (response.TxResults.Any(r => r.Code != 0))
        {
            throw new InvalidOperationException("a send failed: " + response.TxResults.First(r => r.Code != 0).Log);
        }
        return _blockApp.Commit(new RequestCommit()).RetainHeight;
    }

    [Benchmark(Description = "floor: 1000 secp256k1 verifications + synced multistore commit of 1000 writes")]
    public byte[] BlockFloor()
    {
        var ok = 0;
        for (var i = 0; i < TxsPerBlock; i++)
        {
            ok += Secp256k1.Verify(_publicKey, _messages[i], _signatures[i]) == Secp256k1Verdict.Valid ? 1 : 0;
        }
        if (ok != TxsPerBlock)
        {
            throw new InvalidOperationException("a verification failed");
        }
        _floorVersion++;
        var value = BitConverter.GetBytes(_floorVersion);
        for (var i = 0; i < TxsPerBlock; i++)
        {
            _floorStore.Write(ChainApp.BankStore, _messages[i].AsSpan(0, 20), value);
        }
        return _floorStore.Commit();
    }

    [IterationSetup(Target = nameof(CheckTxNew))]
    public void SignCheckTxs()
    {
        _checkTxs = BankSends.Sign(_checkSequence, TxsPerBlock);
        _checkSequence += TxsPerBlock;
    }

    [Benchmark(Description = "ABCI CheckTx (NEW), per tx", OperationsPerInvoke = TxsPerBlock)]
    public int CheckTxNew()
    {
        foreach (var tx in _checkTxs)
        {
            if (_checkApp.CheckTx(new RequestCheckTx { Tx = ByteString.CopyFrom(tx), Type = CheckTxType.New }).Code != 0)
            {
                throw new InvalidOperationException("tx refused");
            }
        }
        return _checkTxs.Length;
    }

    [Benchmark(Description = "floor: 1 secp256k1 verification", OperationsPerInvoke = TxsPerBlock)]
    public int VerifyFloor()
    {
        var ok = 0;
        for (var i = 0; i < TxsPerBlock; i++)
        {
            ok += Secp256k1.Verify(_publicKey, _messages[i], _signatures[i]) == Secp256k1Verdict.Valid ? 1 : 0;
        }
        return ok;
    }
}

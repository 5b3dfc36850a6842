using System.Text.Json;
using Citrine.Chain.Abci.App;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.App;

/// <summary>
/// A <see cref="CitrineAbciApp"/> driven as CometBFT drives it: keys derived from labels (the same
/// as <see cref="TestChain"/>'s, so both chains share a genesis), InitChain built from the genesis.
/// </summary>
internal sealed class AbciTestApp : IDisposable
{
    public static readonly Timestamp GenesisTime = TestChain.GenesisTime;

    public AbciTestApp(MultiStoreState? state = null, ContractHost? contracts = null, AbciAppOptions? options = null, IStateSync? stateSync = null, GenesisDoc? genesis = null)
    {
        AccountKeys = [.. Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}")))];
        ValidatorSeeds = [.. Enumerable.Range(0, 2).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"validator-{i}")))];
        Genesis = genesis ?? NewGenesis(1);
        App = new CitrineAbciApp(Genesis, state ?? MultiStoreState.InMemory(ChainApp.StoreNames), contracts, options ?? new AbciAppOptions(), stateSync);
    }

    public byte[][] AccountKeys { get; }

    public byte[][] ValidatorSeeds { get; }

    public GenesisDoc Genesis { get; }

    public CitrineAbciApp App { get; }

    public static GenesisDoc NewGenesis(int validators, GenesisAttestation? attestation = null)
    {
        var keys = Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}"))).ToArray();
        byte[] Addr(int i) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(keys[i]));
        return new GenesisDoc
        {
            GenesisTime = GenesisTime,
            ChainId = "citrine-test",
            Validators = [.. Enumerable.Range(0, validators).Select(i => new GenesisValidator(Ed25519.PublicKeyFromSeed(Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"validator-{i}"))), 10, $"v{i}"))],
            Admin = Addr(0),
            Accounts = [.. keys.Select((_, i) => new GenesisAccount(Addr(i), 1_000_000))],
            Attestation = attestation ?? GenesisAttestation.Intel,
        };
    }

    public byte[] Address(int account) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(AccountKeys[account]));

    public byte[] Send(int from, int to, ulong amount, ulong sequence, ulong gas = 200_000) =>
        Sign(from, new MsgSend(Address(from), Address(to), amount), sequence, gas);

    public byte[] Sign(int from, Msg msg, ulong sequence, ulong gas = 200_000, string? chainId = null) =>
        Tx.Create([msg], "", AccountKeys[from], sequence, gas, chainId ?? Genesis.ChainId, (ulong)from).Encode();

    /// <summary>What CometBFT sends in InitChain for <paramref name="genesis"/>'s genesis.json.</summary>
    public static RequestInitChain InitChainRequest(GenesisDoc genesis)
    {
        using var doc = JsonDocument.Parse(genesis.ToJson());
        var request = new RequestInitChain
        {
            ChainId = genesis.ChainId,
            InitialHeight = genesis.InitialHeight,
            Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = genesis.GenesisTime.Seconds, Nanos = genesis.GenesisTime.Nanos },
            AppStateBytes = ByteString.CopyFromUtf8(doc.RootElement.GetProperty("app_state").GetRawText()),
            ConsensusParams = new Chain.Abci.Wire.ConsensusParams { Block = new BlockParams { MaxBytes = genesis.ConsensusParams.BlockMaxBytes, MaxGas = genesis.ConsensusParams.BlockMaxGas } },
        };
        request.Validators.Add(genesis.Validators.Select(v => new Chain.Abci.Wire.ValidatorUpdate { PubKey = new PublicKey { Ed25519 = ByteString.CopyFrom(v.PublicKey) }, Power = v.Power }));
        return request;
    }

    public ResponseInitChain InitChain() => App.InitChain(InitChainRequest(Genesis));

    public static Timestamp BlockTime(long height) => new(GenesisTime.Seconds + height, 0);

    public static RequestFinalizeBlock FinalizeRequest(long height, IEnumerable<byte[]> txs, Timestamp? time = null)
    {
        var t = time ?? BlockTime(height);
        var request = new RequestFinalizeBlock { Height = height, Time = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = t.Seconds, Nanos = t.Nanos } };
        request.Txs.Add(txs.Select(ByteString.CopyFrom));
        return request;
    }

    public ResponseFinalizeBlock Finalize(long height, params byte[][] txs) => App.FinalizeBlock(FinalizeRequest(height, txs));

    /// <summary>FinalizeBlock + Commit of the next height.</summary>
    public ResponseFinalizeBlock Block(params byte[][] txs)
    {
        var response = Finalize(App.Height + 1, txs);
        App.Commit(new RequestCommit());
        return response;
    }

    public ResponseCheckTx CheckTx(byte[] tx, CheckTxType type = CheckTxType.New) => App.CheckTx(new RequestCheckTx { Tx = ByteString.CopyFrom(tx), Type = type });

    public ulong Balance(int account) => Balance(Address(account));

    public ulong Balance(byte[] address)
    {
        var value = App.Query(new RequestQuery { Path = "/store/bank/key", Data = ByteString.CopyFrom(address) }).Value;
        return value.Length == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(value.Span) : 0;
    }

    public void Dispose() => App.Dispose();
}

using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Tests.Properties;

/// <summary>
/// The application alone over an in-memory multistore, one committed block per call: what the
/// properties need without the node's mempool and block production.
/// </summary>
internal sealed class AppHarness : IDisposable
{
    public const string ChainId = "citrine-props";
    public const ulong InitialBalance = 1_000_000;

    private readonly MultiStoreState _state = MultiStoreState.InMemory(ChainApp.StoreNames);
    private long _height;

    public AppHarness(ContractHost? contracts = null)
    {
        Keys = [.. Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}")))];
        var genesis = new GenesisDoc
        {
            GenesisTime = new Timestamp(1_750_000_000, 0),
            ChainId = ChainId,
            Validators = [new GenesisValidator(Ed25519.PublicKeyFromSeed(new byte[32]), 10, "v0")],
            Admin = Address(0),
            Accounts = [.. Keys.Select((_, i) => new GenesisAccount(Address(i), InitialBalance))],
        };
        App = new ChainApp(_state, genesis) { Contracts = contracts };
        App.InitGenesis();
        App.Commit();
    }

    public byte[][] Keys { get; }

    public ChainApp App { get; }

    public byte[] Address(int account) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(Keys[account]));

    public ulong Sequence(int account) => App.GetAccount(Address(account))?.Sequence ?? 0;

    public ulong Balance(ReadOnlySpan<byte> address) => App.GetAccount(address)?.Balance ?? 0;

    /// <summary>A tx signed by <paramref name="account"/> (account number = index, as genesis assigns them).</summary>
    public byte[] Sign(int account, Msg msg, ulong? sequence = null, ulong gas = 1_000_000, string chainId = ChainId) =>
        Tx.Create([msg], "", Keys[account], sequence ?? Sequence(account), gas, chainId, (ulong)account).Encode();

    /// <summary>Executes one block of <paramref name="txs"/> and commits it; returns the results and the new app hash.</summary>
    public (IReadOnlyList<TxResult> Results, byte[] AppHash) Block(params byte[][] txs)
    {
        _height++;
        var (results, _) = App.ExecuteBlock(_height, new Timestamp(1_750_000_000 + _height, 0), txs);
        return (results, App.Commit());
    }

    public TxResult Deliver(byte[] tx) => Block(tx).Results[0];

    public void Dispose() => _state.Dispose();
}

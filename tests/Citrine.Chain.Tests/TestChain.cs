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

namespace Citrine.Chain.Tests;

/// <summary>A deterministic in-memory devnet: keys derived from labels, a manual clock.</summary>
internal sealed class TestChain : IDisposable
{
    public static readonly Timestamp GenesisTime = new(1_750_000_000, 0);

    public TestChain(int validators = 1, int extraKeys = 0, IStateStore? state = null, BlockStore? blocks = null, GenesisDoc? genesis = null, Citrine.Chain.Contracts.ContractHost? contracts = null, GenesisAttestation? attestation = null)
    {
        ValidatorSeeds = [.. Enumerable.Range(0, validators + extraKeys).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"validator-{i}")))];
        AccountKeys = [.. Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}")))];
        Genesis = genesis ?? new GenesisDoc
        {
            GenesisTime = GenesisTime,
            ChainId = "citrine-test",
            Validators = [.. ValidatorSeeds.Take(validators).Select((s, i) => new GenesisValidator(Ed25519.PublicKeyFromSeed(s), 10, $"v{i}"))],
            Admin = Address(0),
            Accounts = [.. AccountKeys.Select((_, i) => new GenesisAccount(Address(i), 1_000_000))],
            Attestation = attestation ?? GenesisAttestation.Intel,
        };
        Clock = new ManualNodeClock(GenesisTime);
        Node = new ChainNode(Genesis, state ?? MultiStoreState.InMemory(ChainApp.StoreNames), blocks ?? new BlockStore(),
            ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s)), Clock, contracts: contracts);
    }

    public byte[][] ValidatorSeeds { get; }
    public byte[][] AccountKeys { get; }
    public GenesisDoc Genesis { get; }
    public ManualNodeClock Clock { get; }
    public ChainNode Node { get; }

    public byte[] Address(int account) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(AccountKeys[account]));

    public byte[] Send(int from, int to, ulong amount, ulong sequence, ulong gas = 200_000, string? chainId = null, ulong? accountNumber = null) =>
        Tx.Create([new MsgSend(Address(from), Address(to), amount)], "", AccountKeys[from], sequence, gas, chainId ?? Genesis.ChainId, accountNumber ?? (ulong)from).Encode();

    public StoredBlock Produce()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(500));
        return Node.ProduceBlock();
    }

    public void Produce(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Produce();
        }
    }

    public ulong Balance(int account) => Node.Read(app => app.GetAccount(Address(account))?.Balance ?? 0);

    public void Dispose() => Node.Dispose();
}

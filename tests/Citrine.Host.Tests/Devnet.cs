using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.LightClient;
using Citrine.Host.Chain;

namespace Citrine.Host.Tests;

/// <summary>
/// A real in-process devnet (keys derived from labels, a manual clock) with its CometBFT RPC server
/// on loopback, and the host's <see cref="CometRpcClient"/> pointed at it.
/// </summary>
internal sealed class Devnet : IAsyncDisposable
{
    public static readonly Timestamp GenesisTime = new(1_750_000_000, 0);

    private readonly HttpClient _http = new();

    private Devnet(int validators, int extraKeys, string chainId)
    {
        ValidatorSeeds = [.. Enumerable.Range(0, validators + extraKeys).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"validator-{i}")))];
        AccountKeys = [.. Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}")))];
        Genesis = new GenesisDoc
        {
            GenesisTime = GenesisTime,
            ChainId = chainId,
            Validators = [.. ValidatorSeeds.Take(validators).Select((s, i) => new GenesisValidator(Ed25519.PublicKeyFromSeed(s), 10, $"v{i}"))],
            Admin = Address(0),
            Accounts = [.. AccountKeys.Select((_, i) => new GenesisAccount(Address(i), 1_000_000))],
        };
        Clock = new ManualNodeClock(GenesisTime);
        Node = new ChainNode(Genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s)), Clock);
    }

    public byte[][] ValidatorSeeds { get; }
    public byte[][] AccountKeys { get; }
    public GenesisDoc Genesis { get; }
    public ManualNodeClock Clock { get; }
    public ChainNode Node { get; }
    public RpcServer Server { get; private set; } = null!;
    public CometRpcClient Client { get; private set; } = null!;
    public string ChainId => Genesis.ChainId;

    public static async Task<Devnet> StartAsync(int validators = 1, int extraKeys = 0, string chainId = "citrine-host-test")
    {
        var devnet = new Devnet(validators, extraKeys, chainId);
        devnet.Server = await RpcServer.StartAsync(devnet.Node, "127.0.0.1:0", 1 << 20);
        devnet.Client = new CometRpcClient(devnet.Server.Address, devnet._http, new ChainClientOptions { Retries = 0, RequestTimeout = TimeSpan.FromSeconds(20) });
        return devnet;
    }

    public byte[] Address(int account) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(AccountKeys[account]));

    public byte[] SendTx(int from, int to, ulong amount, ulong sequence) =>
        Tx.Create([new MsgSend(Address(from), Address(to), amount)], "", AccountKeys[from], sequence, 200_000, ChainId, (ulong)from).Encode();

    /// <summary>Submits <paramref name="tx"/> to the mempool (it lands in the next block).</summary>
    public void Submit(byte[] tx)
    {
        var (result, _) = Node.SubmitTx(tx);
        Assert.True(result.IsOk, result.Log);
    }

    public void Produce(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(500));
            Node.ProduceBlock();
        }
    }

    /// <summary>Replaces every genesis validator by the extra keys (power 30 each), decided in the next block.</summary>
    public void ReplaceValidators(int validators, int extraKeys, ulong sequence)
    {
        var msgs = new List<Msg>();
        for (var i = validators; i < validators + extraKeys; i++)
        {
            msgs.Add(new MsgSetValidator(Address(0), Ed25519.PublicKeyFromSeed(ValidatorSeeds[i]), 30));
        }
        for (var i = 0; i < validators; i++)
        {
            msgs.Add(new MsgSetValidator(Address(0), Ed25519.PublicKeyFromSeed(ValidatorSeeds[i]), 0));
        }
        Submit(Tx.Create(msgs, "", AccountKeys[0], sequence, 1_000_000, ChainId, 0).Encode());
    }

    public LightBlock Block(long height) => Node.LightBlockAt(height) ?? throw new InvalidOperationException($"no block {height}");

    public TrustRoot Root(long height, ulong maxBlockLag = 10) =>
        new(ChainId, height, Block(height).Header.Hash(), TimeSpan.FromDays(14), Fraction.OneThird, TimeSpan.FromSeconds(10), maxBlockLag);

    public TrustedState State(long height, ulong maxBlockLag = 10)
    {
        var verdict = TrustedState.Initialise(Root(height, maxBlockLag), Block(height));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        return verdict.State!;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Node.Dispose();
        _http.Dispose();
    }
}

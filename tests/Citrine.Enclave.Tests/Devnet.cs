using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
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

namespace Citrine.Enclave.Tests;

/// <summary>
/// A real in-process devnet (one validator, keys derived from labels, a manual clock) and the
/// host's side of proof of publication: light blocks and abci_query proofs from the node.
/// </summary>
internal sealed class Devnet : IDisposable
{
    public static readonly Timestamp GenesisTime = new(1_750_000_000, 0);

    public Devnet(string chainId = "citrine-enclave-test")
    {
        ValidatorSeeds = [Hashing.Sha256("validator-0"u8)];
        AccountKeys = [.. Enumerable.Range(0, 3).Select(i => Hashing.Sha256(System.Text.Encoding.UTF8.GetBytes($"account-{i}")))];
        Genesis = new GenesisDoc
        {
            GenesisTime = GenesisTime,
            ChainId = chainId,
            Validators = [.. ValidatorSeeds.Select((s, i) => new GenesisValidator(Ed25519.PublicKeyFromSeed(s), 10, $"v{i}"))],
            Admin = Address(0),
            Accounts = [.. AccountKeys.Select((_, i) => new GenesisAccount(Address(i), 1_000_000))],
        };
        Clock = new ManualNodeClock(GenesisTime);
        var contracts = new ContractHost();
        contracts.Register(new ContractCode(RecordContractCode, new byte[32], () => new RecordWriterContract()));
        Node = new ChainNode(Genesis, MultiStoreState.InMemory(ChainApp.StoreNames), new BlockStore(), ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s)), Clock, contracts: contracts);
    }

    /// <summary>A contract that stores each execute message as its state key <c>session</c>, as the session core stores its record.</summary>
    public const string RecordContractCode = "session-record-writer";

    private ulong _contractSequence;

    public byte[][] ValidatorSeeds { get; }
    public byte[][] AccountKeys { get; }
    public GenesisDoc Genesis { get; }
    public ManualNodeClock Clock { get; }
    public ChainNode Node { get; }
    public string ChainId => Genesis.ChainId;

    public byte[] Address(int account) => CosmosAddress.AccountBytes(Secp256k1.PublicKeyFromPrivate(AccountKeys[account]));

    /// <summary>Sends <paramref name="amount"/> from account 0 to 1 in the next block.</summary>
    public void SendAndProduce(ulong amount, ulong sequence)
    {
        var tx = Tx.Create([new MsgSend(Address(0), Address(1), amount)], "", AccountKeys[0], sequence, 200_000, ChainId, 0).Encode();
        var (result, _) = Node.SubmitTx(tx);
        Assert.Equal(0u, result.Code);
        Produce();
    }

    public void Produce(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(500));
            Node.ProduceBlock();
        }
    }

    public LightBlock Block(long height) => Node.LightBlockAt(height) ?? throw new InvalidOperationException($"no block {height}");

    public LightBlock[] Blocks(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(h => Block(h))];

    public TrustRoot Root(long height, ulong maxBlockLag = 10) =>
        new(ChainId, height, Block(height).Header.Hash(), TimeSpan.FromDays(14), Fraction.OneThird, TimeSpan.FromSeconds(10), maxBlockLag);

    public TrustedState State(long height, ulong maxBlockLag = 10)
    {
        var verdict = TrustedState.Initialise(Root(height, maxBlockLag), Block(height));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        return verdict.State!;
    }

    public PublicationClaim BalanceClaim(int account) => new(ChainApp.BankStore, Address(account));

    /// <summary>The abci_query answer (prove=true) for account's bank record at <paramref name="queryHeight"/>.</summary>
    public (byte[]? Value, IReadOnlyList<Citrine.Ics23.Abci.ProofOp> Ops) Query(int account, long queryHeight)
    {
        var result = Node.QueryState(ChainApp.BankStore, Address(account), queryHeight, prove: true);
        return (result.Value, result.ProofOps!);
    }

    /// <summary>Blocks from <paramref name="from"/> to the proof header of <paramref name="queryHeight"/>, and its proof.</summary>
    public PublicationProof Proof(int account, long from, long queryHeight)
    {
        var (value, ops) = Query(account, queryHeight);
        return new PublicationProof(Blocks(from, queryHeight + 1), queryHeight, value, ops);
    }

    /// <summary>Re-signs a (possibly altered) header with <paramref name="keys"/> in the validator slots, as a forger holding those keys would.</summary>
    public static LightBlock Resign(LightBlock block, Header header, IReadOnlyList<Ed25519PrivateKey> keys)
    {
        var blockId = new BlockId(header.Hash(), block.Commit.BlockId.PartSetHeader);
        var template = new VoteSignBytes(header.ChainId, header.Height, block.Commit.Round, blockId);
        var signatures = block.Commit.Signatures.Select((sig, i) => sig with { Signature = keys[i].Sign(template.Create(forBlock: true, sig.Timestamp)) }).ToList();
        var commit = block.Commit with { BlockId = blockId, Signatures = signatures };
        return new LightBlock(new SignedHeader(header, commit), block.Validators, block.NextValidators);
    }

    /// <summary>Instantiates a record-writer contract from account 2 in the next block; returns its address.</summary>
    public byte[] InstantiateRecordContract()
    {
        var tx = Tx.Create([new MsgInstantiate(Address(2), RecordContractCode, [], 0, "record")], "", AccountKeys[2], _contractSequence++, 1_000_000, ChainId, 2);
        var (checkResult, _) = Node.SubmitTx(tx.Encode());
        Assert.True(checkResult.IsOk, checkResult.Log);
        Produce();
        var result = Node.GetResults(Node.Height)!.TxResults[0];
        Assert.True(result.IsOk, result.Log);
        return result.Data;
    }

    /// <summary>Writes <paramref name="record"/> under the contract's state key <c>session</c> in the next block.</summary>
    public void PublishRecord(byte[] contract, byte[] record)
    {
        var tx = Tx.Create([new MsgExecute(Address(2), contract, record, 0)], "", AccountKeys[2], _contractSequence++, 1_000_000, ChainId, 2);
        var (checkResult, _) = Node.SubmitTx(tx.Encode());
        Assert.True(checkResult.IsOk, checkResult.Log);
        Produce();
        var result = Node.GetResults(Node.Height)!.TxResults[0];
        Assert.True(result.IsOk, result.Log);
    }

    /// <summary>The wasm-store key of a contract's session record: <c>0x03 ‖ contract ‖ "session"</c>.</summary>
    public static byte[] RecordKey(byte[] contract) => ContractHost.StateKey(contract, "session"u8);

    /// <summary>
    /// Produces one block, then proves the contract's session record at the state before it (query
    /// height = tip − 1, under the tip's app hash), with the light blocks from <paramref name="from"/> to the tip.
    /// </summary>
    public PublicationProof RecordProof(byte[] contract, long from)
    {
        Produce();
        var queryHeight = Node.Height - 1;
        var result = Node.QueryState(ChainApp.WasmStore, RecordKey(contract), queryHeight, prove: true);
        return new PublicationProof(Blocks(from, queryHeight + 1), queryHeight, result.Value, result.ProofOps!);
    }

    /// <summary>Writes (null: removes) contract state keys in the next block.</summary>
    public void WriteContractState(byte[] contract, params (byte[] Key, byte[]? Value)[] writes) => PublishRecord(contract, RecordWriterContract.Writes(writes));

    /// <summary>
    /// Produces one block, then proves each contract state key at the state before it (query height
    /// = tip − 1, under the tip's app hash): the value, or the key's absence.
    /// </summary>
    public (long QueryHeight, ProvenEntry[] Entries) ProveContractKeys(byte[] contract, IEnumerable<byte[]> keys)
    {
        Produce();
        var queryHeight = Node.Height - 1;
        var entries = keys.Select(key =>
        {
            var full = ContractHost.StateKey(contract, key);
            var result = Node.QueryState(ChainApp.WasmStore, full, queryHeight, prove: true);
            return new ProvenEntry(full, result.Value is null ? null : (ReadOnlyMemory<byte>?)result.Value, result.ProofOps!);
        }).ToArray();
        return (queryHeight, entries);
    }

    public Ed25519PrivateKey[] ValidatorKeys() => [.. ValidatorSeeds.Select(s => Ed25519PrivateKey.FromSeed(s))];

    public void Dispose() => Node.Dispose();
}

/// <summary>
/// Stores each execute message under the state key <c>session</c>: a stand-in for the session
/// core's writes. A message starting <c>CKV1</c> is instead a list of raw writes, so tests can lay
/// out the execution keys (queue, state) exactly as the contract would, or inconsistently:
/// <c>"CKV1" ‖ n × (u8 op (1 write, 2 remove) ‖ u32 key length ‖ key ‖ u32 value length ‖ value)</c>.
/// </summary>
internal sealed class RecordWriterContract : IContract
{
    public static ReadOnlySpan<byte> WritesMagic => "CKV1"u8;

    public void Instantiate(IContractContext context, byte[] message)
    {
    }

    public byte[] Execute(IContractContext context, byte[] message)
    {
        if (!message.AsSpan().StartsWith(WritesMagic))
        {
            context.Write("session"u8, message);
            return [];
        }
        var span = message.AsSpan(WritesMagic.Length);
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

    /// <summary>Encodes writes (null value: remove) for <see cref="Execute"/>.</summary>
    public static byte[] Writes(params (byte[] Key, byte[]? Value)[] writes)
    {
        var output = new List<byte>(WritesMagic.ToArray());
        foreach (var (key, value) in writes)
        {
            output.Add(value is null ? (byte)2 : (byte)1);
            output.AddRange(BigEndian((uint)key.Length));
            output.AddRange(key);
            output.AddRange(BigEndian((uint)(value?.Length ?? 0)));
            output.AddRange(value ?? []);
        }
        return [.. output];
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public byte[] Query(IContractQueryContext context, byte[] message) => context.Read("session"u8) ?? [];
}

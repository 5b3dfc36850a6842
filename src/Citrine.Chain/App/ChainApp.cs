using System.Buffers.Binary;
using System.Globalization;
using Citrine.Chain.Blocks;
using Citrine.Chain.Encoding;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.App;

/// <summary>
/// Result codes, as the Cosmos SDK's root codespace "sdk" numbers them (types/errors/errors.go),
/// so clients that know those codes read ours the same way.
/// </summary>
public static class TxCodes
{
    public const string Codespace = "sdk";
    public const uint Ok = 0;
    public const uint TxDecode = 2;
    public const uint InvalidSequence = 3;
    public const uint Unauthorized = 4;
    public const uint InsufficientFunds = 5;
    public const uint UnknownRequest = 6;
    public const uint InvalidAddress = 7;
    public const uint InvalidPubKey = 8;
    public const uint UnknownAddress = 9;
    public const uint InvalidCoins = 10;
    public const uint OutOfGas = 11;
    public const uint InvalidRequest = 18;
    public const uint TxInMempoolCache = 19;
    public const uint MempoolIsFull = 20;
    public const uint TxTooLarge = 21;
    public const uint InvalidGasLimit = 41;
}

/// <summary>A transaction failed with a result code (the tx is reverted; the code goes into its result).</summary>
public sealed class TxFailedException : Exception
{
    public TxFailedException()
    {
    }

    public TxFailedException(string message)
        : base(message)
    {
    }

    public TxFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TxFailedException(uint code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A failure with a module's own code space (e.g. the attestation registry's).</summary>
    public TxFailedException(uint code, string message, string codespace)
        : base(message)
    {
        Code = code;
        Codespace = codespace;
    }

    public uint Code { get; } = TxCodes.InvalidRequest;

    public string Codespace { get; } = TxCodes.Codespace;
}

/// <summary>An account: number (bound into sign docs), next sequence, and the public key once it has signed.</summary>
public sealed record Account(byte[] Address, ulong Number, ulong Sequence, byte[] PublicKey, ulong Balance);

/// <summary>
/// The devnet application: accounts with sequences, bank sends of the devnet token, validator power
/// changes by the admin, and (through <see cref="Contracts"/>) contracts. State lives in an
/// <see cref="IStateStore"/> whose stores are committed into the app hash; every access a
/// transaction makes is charged to its gas meter.
/// </summary>
public sealed class ChainApp
{
    public const string AccountStore = "acc";
    public const string BankStore = "bank";
    public const string StakingStore = "staking";
    public const string WasmStore = "wasm";
    public const string AttestationStore = Attestation.CollateralRegistry.StoreName;
    public static readonly string[] StoreNames = [AccountStore, BankStore, StakingStore, WasmStore, AttestationStore];

    private static readonly byte[] NextAccountNumberKey = [0x01];
    private static readonly byte[] ValidatorCountKey = [0x01];

    // The sum of validator powers, kept with the count so a change that would push the total past
    // CometBFT's MaxTotalVotingPower is refused in its tx instead of halting the chain after commit.
    private static readonly byte[] TotalPowerKey = [0x02];

    private readonly IStateStore _state;
    private readonly GenesisDoc _genesis;

    public ChainApp(IStateStore state, GenesisDoc genesis)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(genesis);
        _state = state;
        _genesis = genesis;
    }

    public GenesisDoc Genesis => _genesis;

    /// <summary>Signatures verified valid once, so CheckTx and DeliverTx of one tx verify it once.</summary>
    public VerifiedSignatures Signatures { get; } = new();

    /// <summary>
    /// Verifies a tx's signature for the sender's account number into <see cref="Signatures"/>
    /// without touching state, so the node can do the expensive part outside its lock. Nothing is
    /// decided here: CheckTx still runs every check (a wrong account number simply misses the cache).
    /// </summary>
    public static void Preverify(VerifiedSignatures signatures, Tx tx, string chainId, ulong accountNumber)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ArgumentNullException.ThrowIfNull(tx);
        _ = signatures.Verify(tx.PublicKey, Tx.SignDocBytes(tx.BodyBytes, tx.AuthInfoBytes, chainId, accountNumber), tx.Signature);
    }

    /// <summary>The account number of <paramref name="address"/> in the committed state, or null.</summary>
    public ulong? AccountNumber(ReadOnlySpan<byte> address) =>
        _state.Read(AccountStore, address) is { } record ? DecodeAccount(record).Number : null;

    public IStateStore State => _state;

    /// <summary>When set, a validator change may only add keys for which this returns true (the node holds them).</summary>
    public Func<byte[], bool>? CanSignFor { get; set; }

    /// <summary>Contract execution, when contracts are registered.</summary>
    public IContractRuntime? Contracts { get; set; }

    public string ChainId => _genesis.ChainId;

    /// <summary>Writes the genesis state into the working state (not committed: block 1 commits it).</summary>
    public void InitGenesis()
    {
        var branch = new StateBranch(_state, new GasMeter(long.MaxValue));
        foreach (var account in _genesis.Accounts)
        {
            CreateAccount(branch, account.Address);
            SetBalance(branch, account.Address, account.Balance);
        }
        if (!_genesis.Accounts.Any(a => a.Address.AsSpan().SequenceEqual(_genesis.Admin)))
        {
            CreateAccount(branch, _genesis.Admin);
        }
        foreach (var v in _genesis.Validators)
        {
            branch.Set(StakingStore, v.PublicKey, Int64Bytes(v.Power));
        }
        branch.Set(StakingStore, ValidatorCountKey, Int64Bytes(_genesis.Validators.Count));
        branch.Set(StakingStore, TotalPowerKey, Int64Bytes(_genesis.Validators.Sum(v => v.Power)));
        Attestation.CollateralRegistry.InitGenesis(branch, _genesis.Attestation);
        branch.Write();
    }

    /// <summary>
    /// The genesis state committed alone as version 1 of an in-memory store. An IAVL node's hash
    /// covers the version it is saved at and the app hash covers only the stores' roots
    /// (Cosmos store/rootmulti CommitInfo), so this version's app hash is the genesis app hash
    /// that header 1 carries, and its proofs verify against it: queries at height 0 read it while
    /// the working state already holds block 1.
    /// </summary>
    /// <exception cref="InvalidOperationException">it does not hash to <paramref name="expectedAppHash"/>.</exception>
    public static MultiStoreState CommittedGenesis(GenesisDoc genesis, ReadOnlySpan<byte> expectedAppHash)
    {
        var state = MultiStoreState.InMemory(StoreNames);
        try
        {
            new ChainApp(state, genesis).InitGenesis();
            var hash = state.Commit();
            if (!hash.AsSpan().SequenceEqual(expectedAppHash))
            {
                throw new InvalidOperationException($"the genesis state alone hashes to {Convert.ToHexString(hash)}, the app's to {Convert.ToHexString(expectedAppHash)}");
            }
            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Mempool admission (CheckTx): decodes and checks the tx against the committed state, with the
    /// sequence the sender's pending transactions leave (<paramref name="expectedSequence"/>, or the
    /// account's own). Returns the decoded tx when accepted. <paramref name="committed"/> is the
    /// state to check against when the working state is ahead of it (a block executed but not yet
    /// committed); by default the working state.
    /// </summary>
    public (TxResult Result, Tx? Tx) CheckTx(ReadOnlySpan<byte> bytes, Func<byte[], ulong?>? expectedSequence = null, IStateReader? committed = null)
    {
        Tx tx;
        try
        {
            tx = Tx.Decode(bytes);
        }
        catch (ProtoDecodeException e)
        {
            return (Fail(TxCodes.TxDecode, $"tx parse error: {e.Message}", 0, 0), null);
        }
        var gas = new GasMeter(GasLimitOf(tx));
        try
        {
            var branch = new StateBranch(committed ?? _state, gas);
            Ante(branch, tx, bytes.Length, expectedSequence);
            return (new TxResult(TxCodes.Ok, [], "", (long)tx.GasLimit, gas.Consumed, []), tx);
        }
        catch (TxFailedException e)
        {
            return (Fail(e.Code, e.Message, (long)tx.GasLimit, gas.Consumed, e.Codespace), null);
        }
        catch (OutOfGasException e)
        {
            return (Fail(TxCodes.OutOfGas, e.Message, (long)tx.GasLimit, gas.Consumed), null);
        }
    }

    /// <summary>Executes a block's transactions against the working state; validator updates take effect at height + 2.</summary>
    public (IReadOnlyList<TxResult> Results, IReadOnlyList<ValidatorUpdate> Updates) ExecuteBlock(long height, Timestamp time, IReadOnlyList<byte[]> txs)
    {
        ArgumentNullException.ThrowIfNull(txs);
        var results = new List<TxResult>(txs.Count);
        var updates = new List<ValidatorUpdate>();
        var context = new BlockContext(height, time, ChainId);
        PreverifyBlock(txs);
        foreach (var bytes in txs)
        {
            results.Add(DeliverTx(bytes, context, updates));
        }
        return (results, updates);
    }

    /// <summary>
    /// The block's secp256k1 checks are most of its CPU and depend on nothing the block changes
    /// except the accounts it creates: they run first on every core, into <see cref="Signatures"/>
    /// (which records only valid verifications of exactly those bytes), and execution then finds
    /// them. Execution still runs and charges every check, so results never depend on this step; a
    /// tx that does not decode, or whose signer has no account yet, is simply left to execution.
    /// The state is read here on this thread only (its trees are not safe for concurrent readers).
    /// </summary>
    private void PreverifyBlock(IReadOnlyList<byte[]> txs)
    {
        if (txs.Count < 2)
        {
            return;
        }
        var work = new List<(Tx Tx, ulong Number)>(txs.Count);
        foreach (var bytes in txs)
        {
            try
            {
                var tx = Tx.Decode(bytes);
                if (AccountNumber(tx.SignerAddress) is { } number)
                {
                    work.Add((tx, number));
                }
            }
            catch (Exception e) when (e is ProtoDecodeException or CryptoException)
            {
                // DeliverTx reports it.
            }
        }
        Parallel.ForEach(work, item => Preverify(Signatures, item.Tx, ChainId, item.Number));
    }

    public byte[] Commit() => _state.Commit();

    public byte[] WorkingAppHash() => _state.WorkingAppHash();

    /// <summary>The account at the latest committed (or working, during execution) state, or null.</summary>
    public Account? GetAccount(ReadOnlySpan<byte> address)
    {
        var record = _state.Read(AccountStore, address);
        var balance = _state.Read(BankStore, address);
        if (record is null)
        {
            return null;
        }
        var (number, sequence, key) = DecodeAccount(record);
        return new Account(address.ToArray(), number, sequence, key, balance is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(balance));
    }

    private TxResult DeliverTx(byte[] bytes, BlockContext context, List<ValidatorUpdate> updates)
    {
        Tx tx;
        try
        {
            tx = Tx.Decode(bytes);
        }
        catch (ProtoDecodeException e)
        {
            return Fail(TxCodes.TxDecode, $"tx parse error: {e.Message}", 0, 0);
        }
        var gas = new GasMeter(GasLimitOf(tx));
        var ante = new StateBranch(_state, gas);
        try
        {
            Ante(ante, tx, bytes.Length, null);
        }
        catch (Exception e) when (e is TxFailedException or OutOfGasException)
        {
            return e is TxFailedException f
                ? Fail(f.Code, e.Message, (long)tx.GasLimit, gas.Consumed, f.Codespace)
                : Fail(TxCodes.OutOfGas, e.Message, (long)tx.GasLimit, gas.Consumed);
        }
        // The sequence increment of a tx that passed the ante checks stays even when its messages
        // fail (Cosmos SDK: the ante handler's writes are kept), so a failed tx cannot be replayed.
        var messages = ante.Branch();
        var events = new List<AbciEvent>
        {
            new("tx", [new("acc_seq", $"{_genesis.Bech32(tx.SignerAddress)}/{tx.Sequence.ToString(CultureInfo.InvariantCulture)}")]),
            new("tx", [new("signature", Convert.ToBase64String(tx.Signature))]),
        };
        var blockUpdates = new List<ValidatorUpdate>();
        byte[] data = [];
        try
        {
            foreach (var msg in tx.Messages)
            {
                data = RunMessage(messages, msg, context, events, blockUpdates);
            }
        }
        catch (Exception e) when (e is TxFailedException or OutOfGasException or ContractException)
        {
            ante.Write();
            var code = e switch { TxFailedException f => f.Code, OutOfGasException => TxCodes.OutOfGas, _ => ContractException.Code };
            var codespace = e switch { TxFailedException f => f.Codespace, ContractException => "wasm", _ => TxCodes.Codespace };
            return Fail(code, e.Message, (long)tx.GasLimit, gas.Consumed, codespace);
        }
        messages.Write();
        ante.Write();
        updates.AddRange(blockUpdates);
        return new TxResult(TxCodes.Ok, data, "", (long)tx.GasLimit, gas.Consumed, events);
    }

    private static long GasLimitOf(Tx tx) => tx.GasLimit > long.MaxValue ? long.MaxValue : (long)tx.GasLimit;

    private void Ante(StateBranch branch, Tx tx, int size, Func<byte[], ulong?>? expectedSequence)
    {
        if (tx.GasLimit == 0)
        {
            throw new TxFailedException(TxCodes.InvalidGasLimit, "gas limit must be positive");
        }
        var maxGas = _genesis.ConsensusParams.BlockMaxGas;
        if (maxGas > 0 && tx.GasLimit > (ulong)maxGas)
        {
            throw new TxFailedException(TxCodes.InvalidGasLimit, $"gas limit {tx.GasLimit} exceeds the block gas limit {maxGas}");
        }
        branch.Gas.Consume(GasCosts.TxSizeCostPerByte * size, "tx size");
        byte[] signer;
        try
        {
            signer = tx.SignerAddress;
        }
        catch (InvalidKeyException e)
        {
            throw new TxFailedException(TxCodes.InvalidPubKey, $"invalid public key: {e.Message}");
        }
        foreach (var msg in tx.Messages)
        {
            if (!msg.Signer.AsSpan().SequenceEqual(signer))
            {
                throw new TxFailedException(TxCodes.Unauthorized, $"message signer {Describe(msg.Signer)} is not the tx signer {_genesis.Bech32(signer)}");
            }
        }
        var record = branch.Get(AccountStore, signer)
            ?? throw new TxFailedException(TxCodes.UnknownAddress, $"account {_genesis.Bech32(signer)} does not exist");
        var (number, sequence, storedKey) = DecodeAccount(record);
        var expected = expectedSequence?.Invoke(signer) ?? sequence;
        if (tx.Sequence != expected)
        {
            throw new TxFailedException(TxCodes.InvalidSequence, $"account sequence mismatch, expected {expected}, got {tx.Sequence}");
        }
        if (storedKey.Length != 0 && !storedKey.AsSpan().SequenceEqual(tx.PublicKey))
        {
            throw new TxFailedException(TxCodes.InvalidPubKey, "the tx public key differs from the account's key");
        }
        branch.Gas.Consume(GasCosts.Secp256k1Verify, "secp256k1 signature verification");
        var signDoc = Tx.SignDocBytes(tx.BodyBytes, tx.AuthInfoBytes, ChainId, number);
        var verdict = Signatures.Verify(tx.PublicKey, signDoc, tx.Signature);
        if (verdict != Secp256k1Verdict.Valid)
        {
            throw new TxFailedException(TxCodes.Unauthorized, $"signature verification failed ({verdict}); check chain id '{ChainId}' and account number {number}");
        }
        branch.Set(AccountStore, signer, EncodeAccount(number, sequence + 1, tx.PublicKey));
    }

    private byte[] RunMessage(StateBranch branch, Msg msg, BlockContext context, List<AbciEvent> events, List<ValidatorUpdate> updates)
    {
        switch (msg)
        {
            case MsgSend send:
                Transfer(branch, send.From, send.To, send.Amount, events);
                events.Add(new("message", [new("action", "/citrine.bank.MsgSend"), new("sender", _genesis.Bech32(send.From)), new("module", "bank")]));
                return [];
            case MsgSetValidator set:
                SetValidator(branch, set, events, updates);
                return [];
            case MsgRegistryUpdate update:
                Attestation.CollateralRegistry.Apply(branch, _genesis.Attestation, update, context, events);
                return [];
            case MsgInstantiate or MsgExecute:
                if (Contracts is null)
                {
                    throw new TxFailedException(TxCodes.UnknownRequest, "this node has no contract runtime");
                }
                return Contracts.Run(branch, msg, context, _genesis.Attestation, events, (from, to, amount) => Transfer(branch, from, to, amount, events));
            default:
                throw new TxFailedException(TxCodes.UnknownRequest, $"unknown message {msg.GetType().Name}");
        }
    }

    internal void Transfer(StateBranch branch, byte[] from, byte[] to, ulong amount, List<AbciEvent> events)
    {
        if (to.Length != CosmosAddress.AddressSize || from.Length != CosmosAddress.AddressSize)
        {
            throw new TxFailedException(TxCodes.InvalidAddress, "addresses must be 20 bytes");
        }
        if (amount == 0)
        {
            throw new TxFailedException(TxCodes.InvalidCoins, "amount must be positive");
        }
        var fromBalance = Balance(branch, from);
        if (fromBalance < amount)
        {
            throw new TxFailedException(TxCodes.InsufficientFunds, $"spendable balance {fromBalance}{_genesis.Denom} is smaller than {amount}{_genesis.Denom}");
        }
        SetBalance(branch, from, fromBalance - amount);
        if (branch.Get(AccountStore, to) is null)
        {
            CreateAccount(branch, to);
        }
        var toBalance = Balance(branch, to);
        if (ulong.MaxValue - toBalance < amount)
        {
            throw new TxFailedException(TxCodes.InvalidCoins, "recipient balance would overflow");
        }
        SetBalance(branch, to, toBalance + amount);
        var amountText = amount.ToString(CultureInfo.InvariantCulture) + _genesis.Denom;
        events.Add(new("coin_spent", [new("spender", _genesis.Bech32(from)), new("amount", amountText)]));
        events.Add(new("coin_received", [new("receiver", _genesis.Bech32(to)), new("amount", amountText)]));
        events.Add(new("transfer", [new("recipient", _genesis.Bech32(to)), new("sender", _genesis.Bech32(from)), new("amount", amountText)]));
    }

    private void SetValidator(StateBranch branch, MsgSetValidator set, List<AbciEvent> events, List<ValidatorUpdate> updates)
    {
        if (!set.Sender.AsSpan().SequenceEqual(_genesis.Admin))
        {
            throw new TxFailedException(TxCodes.Unauthorized, "only the genesis admin may change validators");
        }
        if (set.PublicKey.Length != 32)
        {
            throw new TxFailedException(TxCodes.InvalidPubKey, $"a validator key is a 32-byte Ed25519 key, got {set.PublicKey.Length} bytes");
        }
        if (set.Power < 0 || set.Power > ValidatorSet.MaxTotalVotingPower)
        {
            throw new TxFailedException(TxCodes.InvalidRequest, $"power {set.Power} out of range");
        }
        if (set.Power > 0 && CanSignFor is { } canSign && !canSign(set.PublicKey))
        {
            throw new TxFailedException(TxCodes.InvalidRequest, "the devnet holds no signing key for this validator; adding it would halt the chain");
        }
        var previous = branch.Get(StakingStore, set.PublicKey) is { Length: 8 } old ? BinaryPrimitives.ReadInt64BigEndian(old) : 0;
        var existed = previous > 0;
        var count = branch.Get(StakingStore, ValidatorCountKey) is { Length: 8 } c ? BinaryPrimitives.ReadInt64BigEndian(c) : 0;
        if (branch.Get(StakingStore, TotalPowerKey) is not { Length: 8 } totalBytes)
        {
            throw new TxFailedException(TxCodes.InvalidRequest, "the staking store has no total power record (a home from an older version)");
        }
        // Both terms are at most MaxTotalVotingPower (long.MaxValue / 8): no overflow.
        var total = BinaryPrimitives.ReadInt64BigEndian(totalBytes) - previous + set.Power;
        if (total > ValidatorSet.MaxTotalVotingPower)
        {
            throw new TxFailedException(TxCodes.InvalidRequest, $"the total voting power would be {total}, above CometBFT's maximum {ValidatorSet.MaxTotalVotingPower}");
        }
        if (set.Power == 0)
        {
            if (!existed)
            {
                throw new TxFailedException(TxCodes.InvalidRequest, "cannot remove a key that is not a validator");
            }
            if (count <= 1)
            {
                throw new TxFailedException(TxCodes.InvalidRequest, "removing the last validator would halt the chain");
            }
            branch.Delete(StakingStore, set.PublicKey);
            count--;
        }
        else
        {
            branch.Set(StakingStore, set.PublicKey, Int64Bytes(set.Power));
            count += existed ? 0 : 1;
        }
        branch.Set(StakingStore, ValidatorCountKey, Int64Bytes(count));
        branch.Set(StakingStore, TotalPowerKey, Int64Bytes(total));
        updates.Add(new ValidatorUpdate(set.PublicKey, set.Power));
        events.Add(new("validator_update", [new("pub_key", Convert.ToBase64String(set.PublicKey)), new("power", set.Power.ToString(CultureInfo.InvariantCulture))]));
    }

    /// <summary>The bank balance of <paramref name="address"/> in <paramref name="branch"/> (0 for an unknown account); contracts read their own through it.</summary>
    internal static ulong Balance(StateBranch branch, byte[] address) =>
        branch.Get(BankStore, address) is { Length: 8 } b ? BinaryPrimitives.ReadUInt64BigEndian(b) : 0;

    private static void SetBalance(StateBranch branch, byte[] address, ulong balance)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, balance);
        branch.Set(BankStore, address, b);
    }

    private static void CreateAccount(StateBranch branch, byte[] address)
    {
        var next = branch.Get(AccountStore, NextAccountNumberKey) is { Length: 8 } n ? BinaryPrimitives.ReadUInt64BigEndian(n) : 0;
        branch.Set(AccountStore, address, EncodeAccount(next, 0, []));
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, next + 1);
        branch.Set(AccountStore, NextAccountNumberKey, b);
    }

    /// <summary><c>Account{uint64 number = 1; uint64 sequence = 2; bytes pub_key = 3}</c>.</summary>
    internal static byte[] EncodeAccount(ulong number, ulong sequence, byte[] publicKey)
    {
        var w = new ProtoWriter(64);
        w.WriteUInt64(1, number);
        w.WriteUInt64(2, sequence);
        w.WriteBytes(3, publicKey);
        return w.ToArray();
    }

    /// <summary>Reads <c>Account</c> (see <see cref="EncodeAccount"/>); throws <see cref="ProtoDecodeException"/>.</summary>
    public static (ulong Number, ulong Sequence, byte[] PublicKey) DecodeAccount(ReadOnlySpan<byte> data)
    {
        try
        {
            return ReadAccount(data);
        }
        catch (ProtoFormatException e)
        {
            throw ProtoDecodeException.From(e);
        }
    }

    private static (ulong Number, ulong Sequence, byte[] PublicKey) ReadAccount(ReadOnlySpan<byte> data)
    {
        var r = new ProtoReader(data, "Account");
        ulong number = 0, sequence = 0;
        byte[] key = [];
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1: number = r.ReadVarint(); break;
                case 2: sequence = r.ReadVarint(); break;
                case 3: key = r.ReadBytes().ToArray(); break;
                default: r.Skip(type); break;
            }
        }
        return (number, sequence, key);
    }

    private static byte[] Int64Bytes(long value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, value);
        return b;
    }

    private string Describe(byte[] address) => address.Length == CosmosAddress.AddressSize ? _genesis.Bech32(address) : Convert.ToHexString(address);

    // The codespace comes from the failure, not the code: codes overlap across codespaces (sdk 5 is
    // insufficient funds, wasm 5 a failed contract).
    private static TxResult Fail(uint code, string log, long gasWanted, long gasUsed, string codespace = TxCodes.Codespace) =>
        new(code, [], log, gasWanted, gasUsed, [], code == 0 ? "" : codespace);

}

/// <summary>What a transaction sees of its block.</summary>
public sealed record BlockContext(long Height, Timestamp Time, string ChainId);

/// <summary>A contract failed (threw, or returned an error); its tx is reverted.</summary>
public sealed class ContractException : Exception
{
    public const uint Code = 5; // wasm codespace, like wasmd's ErrExecuteFailed

    public ContractException()
    {
    }

    public ContractException(string message)
        : base(message)
    {
    }

    public ContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Runs contract messages (instantiate/execute) for the application.</summary>
public interface IContractRuntime
{
    /// <summary>Runs one contract message; <paramref name="attestation"/> is the root the genesis pins, under which contracts verify quotes against the registry.</summary>
    byte[] Run(StateBranch branch, Msg msg, BlockContext context, Genesis.GenesisAttestation attestation, List<AbciEvent> events, Action<byte[], byte[], ulong> transfer);
}

using System.Buffers.Binary;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Chain.App;
using Citrine.Chain.Attestation;
using Citrine.Chain.Blocks;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Contracts;

/// <summary>
/// A registered contract code: its name, the SHA-256 of its assembly, the hash its code id names
/// (<see cref="ContractLoader.CodeHash"/>: the assembly's hash, or with pinned libraries a hash
/// over it and theirs) and a factory.
/// </summary>
public sealed record ContractCode(string Name, byte[] AssemblySha256, Func<IContract> Factory)
{
    /// <summary>What the code id names; the assembly's SHA-256 unless libraries are pinned with it.</summary>
    public byte[] CodeHash { get; init; } = AssemblySha256;

    public string CodeId => $"{Name}@{Convert.ToHexStringLower(CodeHash)}";
}

/// <summary>
/// The contract runtime: codes registered by the operator (never uploaded by transactions),
/// instances addressed by SHA-256("citrine/contract" ‖ code name ‖ instance number)[..20], and
/// their state in the <c>wasm</c> store under <c>0x03 ‖ address ‖ key</c>, so every key is
/// provable with <c>abci_query</c> on <c>/store/wasm/key</c>. Contracts verify quotes through
/// <see cref="IContractContext.Attestation"/>: a <see cref="RegistryQuoteVerifier"/> over the same
/// state and block, under the root the chain's genesis pins (passed in by the application).
/// </summary>
public sealed class ContractHost : IContractRuntime
{
    private static readonly byte[] CounterKey = [0x01];
    private readonly Dictionary<string, ContractCode> _codes = new(StringComparer.Ordinal);

    // Memoises only pure, time-independent results (signatures over exact bytes, parsed collateral
    // keyed by its digest), so verdicts do not depend on what this node verified before.
    private readonly VerifiedCollateralCache _attestationCache = new();

    public IReadOnlyDictionary<string, ContractCode> Codes => _codes;

    public void Register(ContractCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (!_codes.TryAdd(code.Name, code))
        {
            throw new ArgumentException($"contract '{code.Name}' is registered twice", nameof(code));
        }
    }

    /// <summary>
    /// Registers the <see cref="IContract"/> type named <paramref name="typeName"/> from an assembly
    /// file whose SHA-256 must equal <paramref name="expectedSha256"/> (the genesis code id). The
    /// file is read once and those bytes are what runs, in a load context of their own
    /// (see <see cref="ContractLoader"/>); a refusal is a <see cref="ContractLoadException"/>.
    /// </summary>
    public void RegisterAssembly(string typeName, string path, ReadOnlySpan<byte> expectedSha256) =>
        Register(ContractLoader.LoadFile(typeName, path, expectedSha256));

    /// <summary>As <see cref="RegisterAssembly(string, string, ReadOnlySpan{byte})"/>, with the libraries genesis pins for the contract.</summary>
    public void RegisterAssembly(string typeName, string path, ReadOnlySpan<byte> expectedSha256, IReadOnlyList<ContractLibraryFile> libraries) =>
        Register(ContractLoader.LoadFile(typeName, path, expectedSha256, libraries));

    /// <summary>
    /// The contracts a genesis pins, loaded from their assemblies (paths relative to
    /// <paramref name="homeRoot"/> unless rooted) and checked against the pinned hashes: how every
    /// node kind (devnet, ABCI app) registers them, so all run the same code.
    /// </summary>
    /// <exception cref="Node.NodeStartException">a contract cannot be loaded; the message names it.</exception>
    public static ContractHost FromGenesis(GenesisDoc genesis, string homeRoot)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(homeRoot);
        var contracts = new ContractHost();
        foreach (var code in genesis.Contracts)
        {
            var path = Path.IsPathRooted(code.AssemblyPath) ? code.AssemblyPath : Path.Combine(homeRoot, code.AssemblyPath);
            var libraries = code.Libraries
                .Select(l => new ContractLibraryFile(Path.IsPathRooted(l.AssemblyPath) ? l.AssemblyPath : Path.Combine(homeRoot, l.AssemblyPath), l.Sha256))
                .ToList();
            try
            {
                contracts.RegisterAssembly(code.Name, path, code.AssemblySha256, libraries);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or BadImageFormatException or UnauthorizedAccessException)
            {
                throw new Node.NodeStartException($"contract '{code.Name}': {e.Message}", e);
            }
        }
        return contracts;
    }

    public byte[] Run(StateBranch branch, Msg msg, BlockContext context, GenesisAttestation attestation, List<AbciEvent> events, Action<byte[], byte[], ulong> transfer)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(msg);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attestation);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(transfer);
        switch (msg)
        {
            case MsgInstantiate instantiate:
            {
                var code = _codes.GetValueOrDefault(instantiate.Code)
                    ?? throw new TxFailedException(TxCodes.UnknownRequest, $"no contract code named '{instantiate.Code}'");
                var counter = branch.Get(ChainApp.WasmStore, CounterKey) is { Length: 8 } c ? BinaryPrimitives.ReadUInt64BigEndian(c) : 0;
                var next = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(next, counter + 1);
                branch.Set(ChainApp.WasmStore, CounterKey, next);
                var address = Hashing.Sha256([.. "citrine/contract"u8, .. System.Text.Encoding.UTF8.GetBytes(code.Name), .. next])[..20];
                branch.Set(ChainApp.WasmStore, InfoKey(address), System.Text.Encoding.UTF8.GetBytes(code.Name));
                if (instantiate.Funds > 0)
                {
                    transfer(instantiate.Sender, address, instantiate.Funds);
                }
                var ctx = new Context(branch, address, context, instantiate.Sender, instantiate.Funds, Attestation(branch, attestation, context), transfer);
                Invoke(branch.Gas, () => code.Factory().Instantiate(ctx, instantiate.Message));
                ctx.ThrowIfSendFailed();
                events.Add(new("instantiate", [new("_contract_address", Bech32(address)), new("code_id", code.CodeId)]));
                AddWasmEvent(events, address, ctx);
                return address;
            }
            case MsgExecute execute:
            {
                var code = CodeOf(branch, execute.Contract);
                if (execute.Funds > 0)
                {
                    transfer(execute.Sender, execute.Contract, execute.Funds);
                }
                var ctx = new Context(branch, execute.Contract, context, execute.Sender, execute.Funds, Attestation(branch, attestation, context), transfer);
                var data = Invoke(branch.Gas, () => code.Factory().Execute(ctx, execute.Message));
                ctx.ThrowIfSendFailed();
                events.Add(new("execute", [new("_contract_address", Bech32(execute.Contract))]));
                AddWasmEvent(events, execute.Contract, ctx);
                return data;
            }
            default:
                throw new TxFailedException(TxCodes.UnknownRequest, $"not a contract message: {msg.GetType().Name}");
        }
    }

    /// <summary>
    /// Runs a read-only query against <paramref name="state"/> (the node passes a committed version) with its own gas limit.
    /// The SDK gives queries no attestation call; the context still carries the real verifier over the same state.
    /// </summary>
    public byte[] Query(IStateReader state, byte[] contract, byte[] message, BlockContext context, GenesisAttestation attestation, long gasLimit = 10_000_000)
    {
        ArgumentNullException.ThrowIfNull(attestation);
        var branch = new StateBranch(state, new GasMeter(gasLimit));
        var code = CodeOf(branch, contract);
        var ctx = new Context(branch, contract, context, [], 0, Attestation(branch, attestation, context), transfer: null) { ReadOnly = true };
        return Invoke(branch.Gas, () => code.Factory().Query(ctx, message));
    }

    /// <summary>The contract info key in the wasm store: <c>0x02 ‖ address</c>.</summary>
    public static byte[] InfoKey(ReadOnlySpan<byte> address) => [0x02, .. address];

    /// <summary>A contract storage key in the wasm store: <c>0x03 ‖ address ‖ key</c>.</summary>
    public static byte[] StateKey(ReadOnlySpan<byte> address, ReadOnlySpan<byte> key) => [0x03, .. address, .. key];

    private RegistryQuoteVerifier Attestation(StateBranch branch, GenesisAttestation root, BlockContext block) => new(branch, root, block, _attestationCache);

    private ContractCode CodeOf(StateBranch branch, byte[] contract)
    {
        if (contract.Length != 20)
        {
            throw new TxFailedException(TxCodes.InvalidAddress, "a contract address is 20 bytes");
        }
        var name = branch.Get(ChainApp.WasmStore, InfoKey(contract))
            ?? throw new TxFailedException(TxCodes.UnknownAddress, $"no contract at {Convert.ToHexString(contract)}");
        var text = System.Text.Encoding.UTF8.GetString(name);
        return _codes.GetValueOrDefault(text) ?? throw new TxFailedException(TxCodes.UnknownRequest, $"contract code '{text}' is not loaded on this node");
    }

    /// <summary>Runs contract code with <paramref name="gas"/> installed for its metering hooks on this thread.</summary>
    private static T Invoke<T>(GasMeter gas, Func<T> action)
    {
        var previous = ContractRuntime.Begin(new ContractGas(gas));
        try
        {
            return action();
        }
        catch (Exception e) when (e is OutOfGasException or TxFailedException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ContractException($"contract failed: {e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            ContractRuntime.End(previous);
        }
    }

    private static void Invoke(GasMeter gas, Action action) => Invoke(gas, () =>
    {
        action();
        return 0;
    });

    private static void AddWasmEvent(List<AbciEvent> events, byte[] address, Context ctx)
    {
        if (ctx.Attributes.Count > 0)
        {
            events.Add(new("wasm", [new("_contract_address", Bech32(address)), .. ctx.Attributes]));
        }
    }

    private sealed class ContractGas(GasMeter meter) : IContractGas
    {
        public void Consume(long amount, string descriptor) => meter.Consume(amount, descriptor);
    }

    private static string Bech32(byte[] address) => Crypto.Encoding.Bech32.EncodeBytes("citrine", address);

    private sealed class Context(StateBranch branch, byte[] address, BlockContext block, byte[] sender, ulong funds, IHostAttestation attestation,
        Action<byte[], byte[], ulong>? transfer) : IContractContext, IHostCrypto
    {
        private TxFailedException? _sendFailure;

        public bool ReadOnly { get; init; }
        public List<EventAttr> Attributes { get; } = [];
        public byte[] ContractAddress => address;
        public long BlockHeight => block.Height;
        public ContractTime BlockTime => new(block.Time.Seconds, block.Time.Nanos);
        public string ChainId => block.ChainId;
        public IHostCrypto Crypto => this;
        public byte[] Sender => sender;
        public ulong Funds => funds;
        public IHostAttestation Attestation => attestation;

        public ulong Balance => ChainApp.Balance(branch, address);

        /// <summary>The bank's transfer from the contract's own address; a refusal is remembered so that catching it cannot save the transaction.</summary>
        public void Send(ReadOnlySpan<byte> recipient, ulong amount)
        {
            EnsureWritable();
            branch.Gas.Consume(GasCosts.ContractSend, "contract send");
            var bank = transfer ?? throw new InvalidOperationException("this context cannot send");
            try
            {
                bank(address, recipient.ToArray(), amount);
            }
            catch (TxFailedException e)
            {
                var failure = new TxFailedException(e.Code, $"contract send failed: {e.Message}", e.Codespace);
                _sendFailure ??= failure;
                throw failure;
            }
        }

        /// <summary>Fails the transaction when a send failed, whether or not the contract caught it.</summary>
        public void ThrowIfSendFailed()
        {
            if (_sendFailure is { } failure)
            {
                throw new TxFailedException(failure.Code, failure.Message, failure.Codespace);
            }
        }

        public byte[]? Read(ReadOnlySpan<byte> key) => branch.Get(ChainApp.WasmStore, StateKey(address, key));

        public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            EnsureWritable();
            branch.Set(ChainApp.WasmStore, StateKey(address, key), value);
        }

        public void Remove(ReadOnlySpan<byte> key)
        {
            EnsureWritable();
            branch.Delete(ChainApp.WasmStore, StateKey(address, key));
        }

        public void Emit(string key, string value)
        {
            EnsureWritable();
            ArgumentException.ThrowIfNullOrEmpty(key);
            ArgumentNullException.ThrowIfNull(value);
            if (key.StartsWith('_'))
            {
                throw new ArgumentException("attribute keys starting with '_' are reserved", nameof(key));
            }
            Attributes.Add(new(key, value));
        }

        public byte[] Sha256(ReadOnlySpan<byte> data)
        {
            branch.Gas.Consume(GasCosts.Sha256Base + (GasCosts.Sha256PerByte * data.Length), "host sha256");
            return Hashing.Sha256(data);
        }

        public byte[] Sha512(ReadOnlySpan<byte> data)
        {
            branch.Gas.Consume(GasCosts.Sha512Base + (GasCosts.Sha512PerByte * data.Length), "host sha512");
            return Hashing.Sha512(data);
        }

        public bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
        {
            branch.Gas.Consume(GasCosts.Secp256k1Verify + (GasCosts.Sha256PerByte * message.Length), "host secp256k1 verify");
            return Secp256k1.Verify(publicKey, message, signature) == Secp256k1Verdict.Valid;
        }

        public bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
        {
            branch.Gas.Consume(GasCosts.Ed25519Verify + (GasCosts.Sha256PerByte * message.Length), "host ed25519 verify");
            return publicKey.Length == 32 && signature.Length == 64 && Ed25519.Verify(publicKey, message, signature);
        }

        private void EnsureWritable()
        {
            if (ReadOnly)
            {
                throw new InvalidOperationException("queries cannot change state");
            }
        }
    }
}

using System.Text.Json;
using Citrine.Chain.Abci.Snapshots;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Devnet;
using Citrine.Chain.Encoding;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Store;
using Citrine.Store.Multistore;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citrine.Chain.Abci.App;

/// <summary>
/// The Citrine chain as an ABCI 2.0 application (docs/abci.md, "Application"): the devnet's
/// <see cref="ChainApp"/> executes, CometBFT orders. State reaches disk only in <see cref="Commit"/>
/// (one synced batch), so after a crash the app reopens at its last committed height and
/// CometBFT's handshake replays the rest.
/// <para>
/// One lock serialises the four connections; only CheckTx's signature verification runs outside it.
/// </para>
/// </summary>
public sealed partial class CitrineAbciApp : IAbciApplication, IChainQueries, IDisposable
{
    /// <summary>Info.data.</summary>
    public const string InfoData = "citrine";

    /// <summary>The state directory under the home's <c>data/</c>, apart from the devnet's <c>data/state</c>.</summary>
    public const string StateDirName = "abci-state";

    private readonly object _gate = new();
    private readonly MultiStoreState _state;
    private readonly ChainApp _app;
    private readonly ContractHost? _contracts;
    private readonly AbciAppOptions _options;
    private readonly IStateSync? _stateSync;
    private readonly ILogger _logger;
    private readonly JsonElement _homeAppState;
    private readonly Dictionary<string, ulong> _pendingSequence = new(StringComparer.Ordinal);

    private long _committed;
    private byte[] _committedAppHash;
    private CometBft.Types.Timestamp _committedTime;

    // Before block 1 commits: the genesis state sits uncommitted in the working state, and a copy
    // committed alone in memory answers queries and CheckTx at height 0 (ChainApp.CommittedGenesis).
    private bool _genesisWritten;
    private MultiStoreState? _genesisState;

    // The block FinalizeBlock executed into the working state and Commit has not yet made durable.
    private long _finalizedHeight;
    private byte[]? _finalizedAppHash;
    private CometBft.Types.Timestamp _finalizedTime;
    private bool _disposed;

    /// <summary>The app over <paramref name="state"/> (in memory in tests); it owns and disposes the state.</summary>
    public CitrineAbciApp(GenesisDoc genesis, MultiStoreState state, ContractHost? contracts, AbciAppOptions options, IStateSync? stateSync = null, ILogger? logger = null)
        : this(genesis, state, contracts, options, stateSync, logger, AppStateOf(genesis.ToJson()))
    {
    }

    private CitrineAbciApp(GenesisDoc genesis, MultiStoreState state, ContractHost? contracts, AbciAppOptions options, IStateSync? stateSync, ILogger? logger, JsonElement homeAppState)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinRetainBlocks);
        ArgumentOutOfRangeException.ThrowIfNegative(options.KeepRecent);
        Genesis = genesis;
        _state = state;
        _contracts = contracts;
        _options = options;
        _stateSync = stateSync;
        _logger = logger ?? NullLogger.Instance;
        _homeAppState = homeAppState;
        _app = new ChainApp(state, genesis) { Contracts = contracts };
        _committed = state.Version;
        _committedAppHash = _committed == 0 ? [] : state.LastAppHash;
        _committedTime = genesis.GenesisTime;
    }

    /// <summary>
    /// Opens the app of a home in the devnet layout: <c>config/genesis.json</c> (CometBFT's genesis,
    /// our app_state), contracts pinned by genesis, and the RocksDB state under <c>data/abci-state</c>.
    /// </summary>
    /// <exception cref="DevnetHomeException">the genesis file cannot be read.</exception>
    /// <exception cref="GenesisException">the genesis file is not valid.</exception>
    /// <exception cref="Node.NodeStartException">a contract cannot be loaded.</exception>
    public static CitrineAbciApp Open(string homeRoot, AbciAppOptions options, Func<MultiStoreState, IStateSync>? stateSync = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(homeRoot);
        ArgumentNullException.ThrowIfNull(options);
        var home = new DevnetHome(homeRoot);
        var genesis = home.LoadGenesis();
        var appState = AppStateOf(File.ReadAllBytes(home.GenesisPath));
        var contracts = ContractHost.FromGenesis(genesis, home.Root);
        var state = MultiStoreState.OpenRocks(Path.Combine(home.DataDir, StateDirName), ChainApp.StoreNames);
        try
        {
            return new CitrineAbciApp(genesis, state, contracts, options, stateSync?.Invoke(state), logger, appState);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    public GenesisDoc Genesis { get; }

    public bool HasContracts => _contracts is not null;

    /// <summary>The last committed height (0 before block 1).</summary>
    public long Height
    {
        get
        {
            lock (_gate)
            {
                return _committed;
            }
        }
    }

    public ResponseInfo Info(RequestInfo request)
    {
        lock (_gate)
        {
            ReloadIfRestored();
            return new ResponseInfo
            {
                Data = InfoData,
                Version = _options.Version,
                AppVersion = 0,
                LastBlockHeight = _committed,
                LastBlockAppHash = ByteString.CopyFrom(_committedAppHash),
            };
        }
    }

    public ResponseInitChain InitChain(RequestInitChain request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ReloadIfRestored();
            if (_committed > 0)
            {
                throw new AbciException($"InitChain on an app that has committed height {_committed}: InitChain is only for an empty app");
            }
            InitChainCheck.Validate(Genesis, _homeAppState, request);
            // CometBFT replays InitChain after a crash before block 1 commits: start again from empty.
            _state.Rollback();
            _finalizedHeight = 0;
            _finalizedAppHash = null;
            _genesisState?.Dispose();
            _genesisState = null;
            _pendingSequence.Clear();
            _app.InitGenesis();
            _genesisWritten = true;
            var appHash = _app.WorkingAppHash();
            _genesisState = ChainApp.CommittedGenesis(Genesis, appHash);
            var response = new ResponseInitChain { AppHash = ByteString.CopyFrom(appHash) };
            response.Validators.Add(Genesis.Validators.Select(v => AbciWire.Validator(v.PublicKey, v.Power)));
            LogInitChain(_logger, Genesis.ChainId, Convert.ToHexString(appHash));
            return response;
        }
    }

    public ResponseQuery Query(RequestQuery request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Data.ToByteArray();
        var result = AppQuery.Run(this, request.Path, data, request.Height, request.Prove);
        var response = new ResponseQuery
        {
            Code = result.Code,
            Log = result.Log,
            Key = ByteString.CopyFrom(data),
            Value = result.Value is null ? ByteString.Empty : ByteString.CopyFrom(result.Value),
            Height = result.Height,
            Codespace = result.Codespace,
        };
        if (result.ProofOps is { } ops)
        {
            response.ProofOps = new ProofOps();
            response.ProofOps.Ops.Add(ops.Select(op => new ProofOp { Type = op.Type, Key = ByteString.CopyFrom(op.Key.Span), Data = ByteString.CopyFrom(op.Data.Span) }));
        }
        return response;
    }

    /// <summary>
    /// Mempool admission against the last committed state (the genesis state before block 1). NEW
    /// and RECHECK both continue the sequences of the txs admitted since the last Commit, which
    /// clears them: CometBFT then rechecks the mempool's txs in order, and new ones follow.
    /// </summary>
    public ResponseCheckTx CheckTx(RequestCheckTx request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Type is not (CheckTxType.New or CheckTxType.Recheck))
        {
            return new ResponseCheckTx { Code = TxCodes.UnknownRequest, Log = $"unknown CheckTx type {(int)request.Type}", Codespace = TxCodes.Codespace };
        }
        var bytes = request.Tx.Span;
        Preverify(bytes);
        lock (_gate)
        {
            var (result, tx) = _app.CheckTx(bytes, sender => _pendingSequence.TryGetValue(Convert.ToHexString(sender), out var s) ? s : null, CommittedReader());
            if (result.IsOk && tx is not null)
            {
                _pendingSequence[Convert.ToHexString(tx.SignerAddress)] = tx.Sequence + 1;
            }
            return AbciWire.CheckResult(result);
        }
    }

    /// <summary>
    /// CometBFT's order, without the txs that do not decode, up to the first tx that would take the
    /// data past <c>max_tx_bytes</c> (each tx counted as CometBFT counts it) or the sum of gas
    /// wanted past the genesis block <c>max_gas</c>.
    /// </summary>
    public ResponsePrepareProposal PrepareProposal(RequestPrepareProposal request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ResponsePrepareProposal();
        long bytes = 0, gas = 0;
        var maxGas = Genesis.ConsensusParams.BlockMaxGas;
        foreach (var tx in request.Txs)
        {
            if (GasWanted(tx.Span) is not { } wanted)
            {
                continue;
            }
            var size = AbciWire.ProtoSize(tx.Length);
            if (bytes + size > request.MaxTxBytes || (maxGas > 0 && gas + wanted > maxGas))
            {
                break;
            }
            bytes += size;
            gas += wanted;
            response.Txs.Add(tx);
        }
        return response;
    }

    /// <summary>
    /// Rejects a proposal with a tx that does not decode, whose txs exceed the genesis block
    /// <c>max_bytes</c>, or whose gas wanted exceeds the genesis block <c>max_gas</c>; a tx that
    /// will fail in execution is a failed result, not a bad block.
    /// </summary>
    public ResponseProcessProposal ProcessProposal(RequestProcessProposal request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reject = new ResponseProcessProposal { Status = ResponseProcessProposal.Types.ProposalStatus.Reject };
        long bytes = 0, gas = 0;
        var maxBytes = Genesis.ConsensusParams.BlockMaxBytes;
        var maxGas = Genesis.ConsensusParams.BlockMaxGas;
        foreach (var tx in request.Txs)
        {
            if (GasWanted(tx.Span) is not { } wanted)
            {
                return reject;
            }
            bytes += AbciWire.ProtoSize(tx.Length);
            gas += wanted;
            if ((maxBytes > 0 && bytes > maxBytes) || (maxGas > 0 && gas > maxGas))
            {
                return reject;
            }
        }
        return new ResponseProcessProposal { Status = ResponseProcessProposal.Types.ProposalStatus.Accept };
    }

    /// <summary>No vote extensions: an empty one.</summary>
    public ResponseExtendVote ExtendVote(RequestExtendVote request) => new();

    /// <summary>Accepts only the empty extension this app produces.</summary>
    public ResponseVerifyVoteExtension VerifyVoteExtension(RequestVerifyVoteExtension request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ResponseVerifyVoteExtension
        {
            Status = request.VoteExtension.IsEmpty ? ResponseVerifyVoteExtension.Types.VerifyStatus.Accept : ResponseVerifyVoteExtension.Types.VerifyStatus.Reject,
        };
    }

    /// <summary>
    /// Executes block <c>height</c> = last committed + 1 into the working state (nothing reaches
    /// disk). A repeat of the uncommitted height discards the earlier execution first.
    /// </summary>
    public ResponseFinalizeBlock FinalizeBlock(RequestFinalizeBlock request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            ReloadIfRestored();
            var height = request.Height;
            if (_committed == 0 && !_genesisWritten)
            {
                throw new AbciException($"FinalizeBlock at height {height} before InitChain: the app holds no genesis state");
            }
            if (height != _committed + 1)
            {
                throw new AbciException($"FinalizeBlock at height {height}, but the last committed height is {_committed}: expected height {_committed + 1}");
            }
            if (request.Time is null)
            {
                throw new AbciException($"FinalizeBlock at height {height} has no time");
            }
            if (_finalizedHeight != 0)
            {
                // The same height again (CometBFT re-executes after a crash of its own): start from the committed state.
                _state.Rollback();
                if (_committed == 0)
                {
                    _app.InitGenesis();
                }
            }
            _finalizedHeight = height;
            _finalizedAppHash = null;
            var time = AbciWire.Time(request.Time);
            var (results, updates) = _app.ExecuteBlock(height, time, [.. request.Txs.Select(t => t.ToByteArray())]);
            var appHash = _app.WorkingAppHash();
            _finalizedAppHash = appHash;
            _finalizedTime = time;
            var response = new ResponseFinalizeBlock { AppHash = ByteString.CopyFrom(appHash) };
            response.TxResults.Add(results.Select(AbciWire.ExecResult));
            response.ValidatorUpdates.Add(NetUpdates(updates));
            return response;
        }
    }

    /// <summary>Makes the finalized block durable (one synced batch), then prunes, clears the CheckTx state and tells state sync.</summary>
    public ResponseCommit Commit(RequestCommit request)
    {
        lock (_gate)
        {
            if (_finalizedHeight == 0 || _finalizedAppHash is null)
            {
                throw new AbciException($"Commit without FinalizeBlock: no block is executed after the last committed height {_committed}");
            }
            var appHash = _app.Commit();
            if (!appHash.AsSpan().SequenceEqual(_finalizedAppHash))
            {
                throw new AbciException($"Commit of height {_finalizedHeight}: the committed app hash {Convert.ToHexString(appHash)} differs from FinalizeBlock's {Convert.ToHexString(_finalizedAppHash)}");
            }
            var height = _finalizedHeight;
            _committed = height;
            _committedAppHash = appHash;
            _committedTime = _finalizedTime;
            _finalizedHeight = 0;
            _finalizedAppHash = null;
            _genesisWritten = false;
            _genesisState?.Dispose();
            _genesisState = null;
            _pendingSequence.Clear();
            // Cosmos pruning: after committing h, versions up to h - 1 - keep-recent go.
            var pruneTo = height - 1 - _options.KeepRecent;
            if (_options.KeepRecent > 0 && pruneTo >= _state.FirstVersion && pruneTo > 0)
            {
                _state.PruneTo(pruneTo);
            }
            _stateSync?.Committed(height);
            LogCommit(_logger, height, Convert.ToHexString(appHash));
            var retain = _options.MinRetainBlocks > 0 && height > _options.MinRetainBlocks ? height - _options.MinRetainBlocks + 1 : 0;
            return new ResponseCommit { RetainHeight = retain };
        }
    }

    public ResponseListSnapshots ListSnapshots(RequestListSnapshots request)
    {
        lock (_gate)
        {
            return _stateSync?.ListSnapshots(request) ?? new ResponseListSnapshots();
        }
    }

    /// <summary>Without state sync: an empty chunk (CometBFT's answer for a snapshot the node does not hold).</summary>
    public ResponseLoadSnapshotChunk LoadSnapshotChunk(RequestLoadSnapshotChunk request)
    {
        lock (_gate)
        {
            return _stateSync?.LoadSnapshotChunk(request) ?? new ResponseLoadSnapshotChunk();
        }
    }

    /// <summary>
    /// Without state sync: ABORT. This app can restore no snapshot of any format, so letting
    /// CometBFT try the others (REJECT) would only delay the same failure.
    /// </summary>
    public ResponseOfferSnapshot OfferSnapshot(RequestOfferSnapshot request)
    {
        lock (_gate)
        {
            return _stateSync?.OfferSnapshot(request) ?? new ResponseOfferSnapshot { Result = ResponseOfferSnapshot.Types.Result.Abort };
        }
    }

    /// <summary>Without state sync: ABORT. After the chunk that completes a restore, the app continues from the restored version.</summary>
    public ResponseApplySnapshotChunk ApplySnapshotChunk(RequestApplySnapshotChunk request)
    {
        lock (_gate)
        {
            if (_stateSync is null)
            {
                return new ResponseApplySnapshotChunk { Result = ResponseApplySnapshotChunk.Types.Result.Abort };
            }
            var response = _stateSync.ApplySnapshotChunk(request);
            ReloadIfRestored();
            return response;
        }
    }

    public StoreQueryResult QueryState(string store, ReadOnlySpan<byte> key, long height, bool prove)
    {
        if (height < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"cannot query with height {height} < 0");
        }
        lock (_gate)
        {
            if (height > _committed)
            {
                throw new StoreException(StoreError.VersionNotFound, $"height {height} is not committed yet (latest committed height is {_committed})");
            }
            var version = height == 0 ? _committed : height;
            if (version > 0)
            {
                return _state.Query(store, key, version, prove);
            }
            return _genesisState is { } genesis
                ? genesis.Query(store, key, 1, prove) with { Version = 0 }
                : throw new StoreException(StoreError.VersionNotFound, "nothing is committed and InitChain has not run");
        }
    }

    public (T Result, long Height) ReadCommitted<T>(Func<IStateReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            return (read(CommittedReader() ?? _state), _committed);
        }
    }

    /// <summary>
    /// A contract query at the last committed height. Its block time is that block's, or the
    /// genesis time after a restart (CometBFT's Info carries no time, and the state holds none).
    /// </summary>
    public (byte[] Result, long Height) QueryContract(byte[] contract, byte[] message)
    {
        var contracts = _contracts ?? throw new InvalidOperationException("no contracts are registered on this node");
        lock (_gate)
        {
            var state = CommittedReader() ?? _state;
            return (contracts.Query(state, contract, message, new BlockContext(_committed, _committedTime, Genesis.ChainId), Genesis.Attestation), _committed);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            // Before the store closes: a background snapshot may still be reading it.
            _stateSync?.Dispose();
            _genesisState?.Dispose();
            _state.Dispose();
        }
    }

    /// <summary>The last committed state when the working state differs from it; null when they are the same.</summary>
    private IStateReader? CommittedReader()
    {
        if (_committed == 0)
        {
            return _genesisState;
        }
        return _finalizedHeight == 0 ? null : new CommittedVersion(_state, _committed);
    }

    // The signature check is most of CheckTx's cost: verify before taking the lock (a short lock
    // reads the sender's account number), as the devnet's SubmitTx does; CheckTx finds it cached.
    private void Preverify(ReadOnlySpan<byte> bytes)
    {
        Tx tx;
        byte[] signer;
        try
        {
            tx = Tx.Decode(bytes);
            signer = tx.SignerAddress;
        }
        catch (Exception e) when (e is ProtoDecodeException or Crypto.CryptoException)
        {
            return; // CheckTx reports it.
        }
        ulong? number;
        lock (_gate)
        {
            number = _app.AccountNumber(signer);
        }
        if (number is { } n)
        {
            ChainApp.Preverify(_app.Signatures, tx, Genesis.ChainId, n);
        }
    }

    private static long? GasWanted(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var limit = Tx.Decode(bytes).GasLimit;
            return limit > long.MaxValue ? long.MaxValue : (long)limit;
        }
        catch (ProtoDecodeException)
        {
            return null;
        }
    }

    /// <summary>
    /// One update per key, the last of the block winning (CometBFT refuses duplicate keys in
    /// validator_updates); a removal of a key that was not a validator before the block (added and
    /// removed within it) is no change, since CometBFT refuses to remove an unknown validator.
    /// </summary>
    private IEnumerable<Wire.ValidatorUpdate> NetUpdates(IReadOnlyList<Blocks.ValidatorUpdate> updates)
    {
        var net = new Dictionary<string, Blocks.ValidatorUpdate>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var u in updates)
        {
            var key = Convert.ToHexString(u.PublicKey);
            if (net.TryAdd(key, u))
            {
                order.Add(key);
            }
            else
            {
                net[key] = u;
            }
        }
        foreach (var key in order)
        {
            var u = net[key];
            if (u.Power == 0 && !WasValidator(u.PublicKey))
            {
                continue;
            }
            yield return AbciWire.Validator(u.PublicKey, u.Power);
        }
    }

    private bool WasValidator(byte[] publicKey) => _committed == 0
        ? Genesis.Validators.Any(v => v.PublicKey.AsSpan().SequenceEqual(publicKey))
        : _state.Query(ChainApp.StakingStore, publicKey, _committed, prove: false).Value is { Length: 8 };

    private void ReloadIfRestored()
    {
        if (_stateSync is not { Restored: true } || _state.Version == _committed)
        {
            return;
        }
        _state.Rollback();
        _committed = _state.Version;
        _committedAppHash = _committed == 0 ? [] : _state.LastAppHash;
        _committedTime = Genesis.GenesisTime;
        _finalizedHeight = 0;
        _finalizedAppHash = null;
        _genesisWritten = false;
        _genesisState?.Dispose();
        _genesisState = null;
        _pendingSequence.Clear();
        LogRestored(_logger, _committed, Convert.ToHexString(_committedAppHash));
    }

    private static JsonElement AppStateOf(byte[] genesisJson)
    {
        using var doc = JsonDocument.Parse(genesisJson, new JsonDocumentOptions { MaxDepth = 32 });
        return doc.RootElement.TryGetProperty("app_state", out var appState)
            ? appState.Clone()
            : throw new GenesisException("app_state", "missing");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "InitChain {ChainId}: genesis app hash {AppHash}")]
    private static partial void LogInitChain(ILogger logger, string chainId, string appHash);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed height {Height}, app hash {AppHash}")]
    private static partial void LogCommit(ILogger logger, long height, string appHash);

    [LoggerMessage(Level = LogLevel.Information, Message = "State sync restored height {Height}, app hash {AppHash}")]
    private static partial void LogRestored(ILogger logger, long height, string appHash);
}

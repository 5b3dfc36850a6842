using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Node;

/// <summary>The node's source of time (a parameter, so tests drive it).</summary>
public interface INodeClock
{
    Timestamp Now();
}

/// <summary>The wall clock.</summary>
public sealed class SystemNodeClock(TimeProvider provider) : INodeClock
{
    public static readonly SystemNodeClock Instance = new(TimeProvider.System);

    public Timestamp Now() => Timestamp.FromDateTimeOffset(provider.GetUtcNow());
}

/// <summary>A clock tests move by hand.</summary>
public sealed class ManualNodeClock(Timestamp start) : INodeClock
{
    public Timestamp Current { get; set; } = start;

    public Timestamp Now() => Current;

    public void Advance(TimeSpan by) => Current = Current.AddNanoseconds((Int128)by.Ticks * 100);
}

/// <summary>The node cannot start from what is on disk.</summary>
public sealed class NodeStartException : Exception
{
    public NodeStartException()
    {
    }

    public NodeStartException(string message)
        : base(message)
    {
    }

    public NodeStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A transaction waiting in the mempool.</summary>
internal sealed record PendingTx(byte[] Hash, byte[] Bytes, byte[] Sender, ulong Sequence, long GasWanted);

/// <summary>Where a committed transaction is.</summary>
public sealed record TxLocation(long Height, int Index);

/// <summary>
/// The devnet node: a mempool, block production by the local validator keys, execution through
/// <see cref="ChainApp"/>, and the block store. Blocks follow CometBFT 0.38:
/// <list type="bullet">
/// <item>header H carries the app hash and results hash after block H-1 (height 1: the genesis state);</item>
/// <item>the time of header H is the (weighted median) time of the votes that committed H-1: every local
/// validator votes at the same instant, so it is that instant; height 1 takes the genesis time;</item>
/// <item>validator updates decided in block H change the validators of H+2 (header H+1's next validators hash).</item>
/// </list>
/// Ordering on disk: block H (with its commit) is written first, then executed, its results written,
/// the state committed, then indexed; on start a block whose state is missing is executed again
/// (CometBFT's handshake replay), so a crash at any point loses nothing committed.
/// Visibility: H becomes the node's <see cref="Height"/> only after all of that, in one step, and
/// every reader (blocks, results, validators, state queries, the indexes) is bounded by that
/// height, so no client sees a height whose state, results or index are not committed yet.
/// </summary>
public sealed class ChainNode : IChainQueries, IDisposable
{
    private readonly object _gate = new();

    // Held for a whole ProduceBlock: the phases of one block run with _gate released in between
    // (so readers are not blocked at a barrier), and no other block may start in those gaps.
    private readonly object _produce = new();
    private readonly ChainApp _app;
    private readonly BlockStore _blocks;
    private readonly INodeClock _clock;
    private readonly Dictionary<string, Ed25519PrivateKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<long, ValidatorSet> _validators = [];
    private readonly List<PendingTx> _mempool = [];
    private readonly HashSet<string> _mempoolHashes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _pendingSequence = new(StringComparer.Ordinal);
    private readonly Indexing.ChainIndexer _index;
    private readonly byte[] _emptyHash = Merkle.HashFromByteSlices([]);
    private byte[] _appHash;
    private volatile CommittedTip _tip;

    // The genesis state committed on its own in memory, so height 0 can be read (with proofs to
    // header 1's app hash) while the working state already holds block 1; dropped once 1 is visible.
    private MultiStoreState? _genesisState;
    private volatile Exception? _fault;

    public ChainNode(GenesisDoc genesis, IStateStore state, BlockStore blocks, IEnumerable<Ed25519PrivateKey> validatorKeys, INodeClock clock, NodeConfig? config = null, Contracts.ContractHost? contracts = null, Indexing.ChainIndexer? index = null)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(validatorKeys);
        ArgumentNullException.ThrowIfNull(clock);
        Genesis = genesis;
        Config = config ?? new NodeConfig();
        _blocks = blocks;
        _clock = clock;
        foreach (var key in validatorKeys)
        {
            _keys[Convert.ToHexString(Validator.AddressOf(key.PublicKey))] = key;
        }
        _app = new ChainApp(state, genesis)
        {
            CanSignFor = pub => _keys.ContainsKey(Convert.ToHexString(Validator.AddressOf(pub))),
            Contracts = contracts,
        };
        Contracts = contracts;
        _index = index ?? Indexing.ChainIndexer.InMemory();
        if (_index.Height > _blocks.Height)
        {
            throw new NodeStartException($"the index is at height {_index.Height} but the block store ends at {_blocks.Height}");
        }
        _appHash = Recover(state);
        var tipBlock = _blocks.Get(_blocks.Height);
        _tip = new CommittedTip(_blocks.Height, _appHash.ToArray(), tipBlock?.Block.Header.Time ?? genesis.GenesisTime);
    }

    /// <summary>Opens the node of a devnet home: RocksDB state and block files under <c>data/</c>.</summary>
    public static ChainNode Open(DevnetHome home, INodeClock clock)
    {
        ArgumentNullException.ThrowIfNull(home);
        var genesis = home.LoadGenesis();
        var config = home.LoadConfig();
        var keys = home.LoadValidatorKeys();
        var contracts = Chain.Contracts.ContractHost.FromGenesis(genesis, home.Root);
        var state = MultiStoreState.OpenRocks(Path.Combine(home.DataDir, "state"), ChainApp.StoreNames);
        Indexing.ChainIndexer? index = null;
        try
        {
            index = Indexing.ChainIndexer.OpenRocks(Path.Combine(home.DataDir, "index"));
            return new ChainNode(genesis, state, new BlockStore(home.DataDir), keys, clock, config, contracts, index);
        }
        catch
        {
            index?.Dispose();
            state.Dispose();
            throw;
        }
    }

    public GenesisDoc Genesis { get; }

    /// <summary>The contract runtime, when contracts are registered.</summary>
    public Contracts.ContractHost? Contracts { get; }

    public bool HasContracts => Contracts is not null;

    public NodeConfig Config { get; }

    public ChainApp App => _app;

    public string ChainId => Genesis.ChainId;

    /// <summary>The latest visible height: its block, results, state and index are all committed.</summary>
    public long Height => _tip.Height;

    /// <summary>The latest visible height with its app hash and time, read together.</summary>
    public CommittedTip Tip => _tip;

    /// <summary>Held at each phase of block production (tests: the window between storing a block and publishing it).</summary>
    public ICommitPhaseBarrier? CommitBarrier { get; set; }

    /// <summary>Raised (outside the node lock, in height order) after each block becomes visible at <see cref="Height"/>.</summary>
    public event Action<StoredBlock, BlockResults>? BlockCommitted;

    /// <summary>The app hash after the latest visible block (the one the next header will carry).</summary>
    public byte[] LatestAppHash => _tip.AppHash.ToArray();

    public int MempoolSize
    {
        get
        {
            lock (_gate)
            {
                return _mempool.Count;
            }
        }
    }

    /// <summary>The mempool's txs in reap order (unconfirmed_txs, num_unconfirmed_txs).</summary>
    public IReadOnlyList<byte[]> MempoolTxs()
    {
        lock (_gate)
        {
            return [.. _mempool.Select(p => p.Bytes)];
        }
    }

    /// <summary>The block at <paramref name="height"/> when it is visible (at most <see cref="Height"/>), or null.</summary>
    public StoredBlock? GetBlock(long height) => height <= Height ? _blocks.Get(height) : null;

    /// <summary>The results of <paramref name="height"/> when it is visible, or null.</summary>
    public BlockResults? GetResults(long height) => height <= Height ? _blocks.GetResults(height) : null;

    /// <summary>The validator set at <paramref name="height"/> (known up to <see cref="Height"/> + 2), or null.</summary>
    public ValidatorSet? ValidatorsAt(long height)
    {
        if (height > Height + 2)
        {
            return null;
        }
        lock (_gate)
        {
            // Only heights near the tip are kept in memory; an RPC thread that read the height a few
            // blocks ago falls back to the set stored with the block.
            return _validators.GetValueOrDefault(height) ?? _blocks.Get(height)?.Validators;
        }
    }

    public LightBlock? LightBlockAt(long height)
    {
        var stored = GetBlock(height);
        return stored is null ? null : new LightBlock(new SignedHeader(stored.Block.Header, stored.Block.Commit), stored.Validators, stored.NextValidators);
    }

    /// <summary>The tx and block indexes, which may hold one height more than <see cref="Height"/> while it is being published; RPC reads go through <see cref="FindTx"/>, <see cref="SearchTxs"/> and <see cref="SearchBlocks"/>.</summary>
    public Indexing.ChainIndexer Index => _index;

    /// <summary>Where the tx with <paramref name="hash"/> was committed, when that height is visible.</summary>
    public TxLocation? FindTx(ReadOnlySpan<byte> hash) => _index.FindTx(hash) is { } location && location.Height <= Height ? location : null;

    /// <summary>The visible txs matching <paramref name="query"/>.</summary>
    /// <exception cref="Indexing.IndexSearchException">the search cannot run.</exception>
    public List<TxLocation> SearchTxs(Indexing.EventQuery query)
    {
        // The tip is read first: anything indexed above it is not published yet.
        var tip = Height;
        return [.. _index.SearchTxs(query).Where(l => l.Height <= tip)];
    }

    /// <summary>The visible heights whose block matches <paramref name="query"/>.</summary>
    public List<long> SearchBlocks(Indexing.EventQuery query)
    {
        var tip = Height;
        return [.. _index.SearchBlocks(query).Where(h => h <= tip)];
    }

    /// <summary>
    /// Reads <paramref name="key"/> of store <paramref name="store"/> as committed at
    /// <paramref name="height"/> (0 = <see cref="Height"/>), with ICS23 proof ops to the app hash of
    /// header height + 1 when <paramref name="prove"/> (Cosmos abci_query). Before block 1 the
    /// answer is the genesis state at height 0, whose proofs lead to header 1's app hash.
    /// </summary>
    /// <exception cref="Store.StoreException">the height is negative, not visible yet, or pruned; the store is unknown.</exception>
    public Store.Multistore.StoreQueryResult QueryState(string store, ReadOnlySpan<byte> key, long height, bool prove)
    {
        if (height < 0)
        {
            throw new Store.StoreException(Store.StoreError.InvalidArgument, $"cannot query with height {height} < 0");
        }
        lock (_gate)
        {
            var tip = _tip;
            if (height > tip.Height)
            {
                throw new Store.StoreException(Store.StoreError.VersionNotFound, $"height {height} is not committed yet (latest committed height is {tip.Height})");
            }
            var version = height == 0 ? tip.Height : height;
            return version == 0
                ? _genesisState!.Query(store, key, 1, prove) with { Version = 0 }
                : _app.State.Query(store, key, version, prove);
        }
    }

    /// <summary>Runs a contract's read-only query against the state at <see cref="Height"/>; returns its answer and that height.</summary>
    /// <exception cref="InvalidOperationException">the node has no contract runtime.</exception>
    public (byte[] Result, long Height) QueryContract(byte[] contract, byte[] message)
    {
        var contracts = Contracts ?? throw new InvalidOperationException("no contracts are registered on this node");
        lock (_gate)
        {
            var tip = _tip;
            // The working state equals the latest committed version outside a block's execution
            // (which holds this lock); it is ahead of the tip only while a block is being published.
            IStateReader state = tip.Height == _app.State.Version && _fault is null ? _app.State
                : tip.Height == 0 ? new CommittedVersion(_genesisState!, 1)
                : new CommittedVersion(_app.State, tip.Height);
            return (contracts.Query(state, contract, message, new BlockContext(tip.Height, tip.Time, ChainId), Genesis.Attestation), tip.Height);
        }
    }

    /// <summary>Runs a read of the state at <see cref="Height"/> (the committed tip, as contract queries see it); returns its result and that height.</summary>
    public (T Result, long Height) ReadCommitted<T>(Func<IStateReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            var tip = _tip;
            IStateReader state = tip.Height == _app.State.Version && _fault is null ? _app.State
                : tip.Height == 0 ? new CommittedVersion(_genesisState!, 1)
                : new CommittedVersion(_app.State, tip.Height);
            return (read(state), tip.Height);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> under the node lock against the app's working state: the state
    /// at <see cref="Height"/>, or at Height + 1 while that block is being published.
    /// </summary>
    public T Read<T>(Func<ChainApp, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            return read(_app);
        }
    }

    /// <summary>CheckTx and, when accepted, add to the mempool. Returns the CheckTx result and the tx hash.</summary>
    public (TxResult Result, byte[] Hash) SubmitTx(byte[] txBytes)
    {
        ArgumentNullException.ThrowIfNull(txBytes);
        var hash = Tx.HashOf(txBytes);
        if (txBytes.Length > Config.MaxTxBytes)
        {
            return (Refuse(TxCodes.TxTooLarge, $"tx is {txBytes.Length} bytes, at most {Config.MaxTxBytes}"), hash);
        }
        Preverify(txBytes);
        lock (_gate)
        {
            var id = Convert.ToHexString(hash);
            if (_mempoolHashes.Contains(id) || _index.FindTx(hash) is not null)
            {
                return (Refuse(TxCodes.TxInMempoolCache, "tx already exists in cache"), hash);
            }
            if (_mempool.Count >= Config.MaxMempoolTxs)
            {
                return (Refuse(TxCodes.MempoolIsFull, $"mempool is full ({_mempool.Count} txs)"), hash);
            }
            var (result, tx) = _app.CheckTx(txBytes, sender => _pendingSequence.TryGetValue(Convert.ToHexString(sender), out var s) ? s : null);
            if (result.IsOk && tx is not null)
            {
                var sender = tx.SignerAddress;
                _mempool.Add(new PendingTx(hash, txBytes, sender, tx.Sequence, result.GasWanted));
                _mempoolHashes.Add(id);
                _pendingSequence[Convert.ToHexString(sender)] = tx.Sequence + 1;
            }
            return (result, hash);
        }
    }

    // The signature check is most of CheckTx's cost: do it before taking the lock (one short lock
    // to read the sender's account number), so RPC threads verify in parallel with each other and
    // with block production. CheckTx under the lock then finds the verified signature.
    private void Preverify(byte[] txBytes)
    {
        Tx tx;
        byte[] signer;
        try
        {
            tx = Tx.Decode(txBytes);
            signer = tx.SignerAddress;
        }
        catch (Exception e) when (e is Encoding.ProtoDecodeException or Crypto.CryptoException)
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
            ChainApp.Preverify(_app.Signatures, tx, ChainId, n);
        }
    }

    /// <summary>
    /// Produces, signs, stores, executes, commits and indexes the next block, then makes it visible
    /// (<see cref="Height"/>) and raises <see cref="BlockCommitted"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">the local keys cannot commit, or an earlier block failed after it was stored.</exception>
    public StoredBlock ProduceBlock()
    {
        lock (_produce)
        {
            if (_fault is { } fault)
            {
                throw new InvalidOperationException($"the node stopped after block {_blocks.Height} failed to commit ({fault.Message}); restart it to execute the block again", fault);
            }
            StoredBlock stored;
            lock (_gate)
            {
                stored = NextBlock();
                _blocks.Save(stored);
            }
            BlockResults results;
            try
            {
                CommitBarrier?.Reached(CommitPhase.BlockSaved, stored.Block.Height);
                lock (_gate)
                {
                    results = Execute(stored);
                }
                CommitBarrier?.Reached(CommitPhase.StateCommitted, stored.Block.Height);
            }
            catch (Exception e)
            {
                // A stored block that did not commit must not be built upon: only the replay at start knows where it stopped.
                _fault = e;
                throw;
            }
            lock (_gate)
            {
                _tip = new CommittedTip(stored.Block.Height, results.AppHash, stored.Block.Header.Time);
                _genesisState?.Dispose();
                _genesisState = null;
            }
            BlockCommitted?.Invoke(stored, results);
            return stored;
        }
    }

    private StoredBlock NextBlock()
    {
        var height = _blocks.Height + 1;
        var previous = _blocks.Get(height - 1);
        var txs = Reap();
        var validators = _validators[height];
        var time = previous is null ? Genesis.GenesisTime : previous.Block.Commit.Signatures.First(s => s.Flag == BlockIdFlag.Commit).Timestamp;
        var header = new Header
        {
            Version = new ConsensusVersion(Header.BlockProtocol, 0),
            ChainId = ChainId,
            Height = height,
            Time = time,
            LastBlockId = previous?.Block.BlockId ?? BlockId.Empty,
            LastCommitHash = BlockHashes.CommitHash(previous?.Block.Commit),
            DataHash = BlockHashes.DataHash(txs),
            ValidatorsHash = validators.Hash(),
            NextValidatorsHash = _validators[height + 1].Hash(),
            ConsensusHash = Genesis.ConsensusParams.Hash(),
            AppHash = _appHash,
            LastResultsHash = previous is null ? _emptyHash : BlockHashes.ResultsHash(_blocks.GetResults(height - 1)!.TxResults),
            EvidenceHash = _emptyHash,
            // CometBFT: state.Validators.GetProposer(), the proposer chosen by the last priority increment.
            ProposerAddress = (validators.Proposer ?? throw new InvalidOperationException($"the validator set of height {height} has no proposer")).Address,
        };
        var blockId = BlockHashes.BlockIdOf(header, txs, previous?.Block.Commit);
        var voteTime = _clock.Now();
        var earliest = time.AddNanoseconds(1_000_000);
        if (voteTime < earliest)
        {
            voteTime = earliest;
        }
        var commit = SignCommit(header, blockId, validators, voteTime);
        var block = new Block(blockId, header, txs, previous?.Block.Commit, commit);
        return new StoredBlock(block, validators, _validators[height + 1]);
    }

    /// <summary>Produces a block every <see cref="NodeConfig.BlockTime"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Config.BlockTime);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                ProduceBlock();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        _genesisState?.Dispose();
        _app.State.Dispose();
        _index.Dispose();
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private Commit SignCommit(Header header, BlockId blockId, ValidatorSet validators, Timestamp voteTime)
    {
        var template = new VoteSignBytes(header.ChainId, header.Height, 0, blockId);
        var signatures = new CommitSig[validators.Count];
        long signedPower = 0;
        for (var i = 0; i < validators.Count; i++)
        {
            var v = validators.Validators[i];
            if (_keys.TryGetValue(Convert.ToHexString(v.Address), out var key))
            {
                signatures[i] = new CommitSig(BlockIdFlag.Commit, v.Address, voteTime, key.Sign(template.Create(true, voteTime)));
                signedPower += v.VotingPower;
            }
            else
            {
                signatures[i] = CommitSig.Absent();
            }
        }
        if ((Int128)signedPower * 3 <= validators.TotalVotingPowerWide * 2)
        {
            throw new InvalidOperationException($"the local keys hold {signedPower} of {validators.TotalVotingPower} voting power at height {header.Height}; more than 2/3 is needed to commit");
        }
        return new Commit(header.Height, 0, blockId, signatures);
    }

    private List<byte[]> Reap()
    {
        var txs = new List<byte[]>();
        long bytes = 0, gas = 0;
        var maxGas = Genesis.ConsensusParams.BlockMaxGas;
        foreach (var pending in _mempool)
        {
            // CometBFT ReapMaxBytesMaxGas: stop at the first tx that would exceed either limit.
            if (bytes + pending.Bytes.Length > Genesis.ConsensusParams.BlockMaxBytes / 2 || (maxGas > 0 && gas + pending.GasWanted > maxGas))
            {
                break;
            }
            bytes += pending.Bytes.Length;
            gas += pending.GasWanted;
            txs.Add(pending.Bytes);
        }
        return txs;
    }

    private BlockResults Execute(StoredBlock stored)
    {
        var block = stored.Block;
        var (txResults, updates) = _app.ExecuteBlock(block.Height, block.Header.Time, block.Txs);
        // Results are written before the state commits, so committed state always has its results.
        var results = new BlockResults(block.Height, txResults, updates, _app.WorkingAppHash());
        _blocks.SaveResults(results);
        _appHash = _app.Commit();
        if (!_appHash.AsSpan().SequenceEqual(results.AppHash))
        {
            throw new InvalidOperationException($"block {block.Height}: the committed app hash differs from the working hash");
        }
        _index.Index(block, results);
        _validators[block.Height + 2] = NextValidatorSet(stored.NextValidators, updates, block.Height);
        _validators.Remove(block.Height - 2);
        RecheckMempool(block.Txs);
        return results;
    }

    /// <summary>
    /// The validators of height H+2 from those of H+1 and block H's updates (CometBFT
    /// state/execution.go <c>updateState</c>: <c>NextValidators.Copy()</c>, <c>UpdateWithChangeSet</c>,
    /// then <c>IncrementProposerPriority(1)</c>). The block's updates are first reduced to one net
    /// change per key, the last one winning, as the app's staking store holds them; a removal of a
    /// key that is not in the set (added and removed in the same block) is no change.
    /// </summary>
    private static ValidatorSet NextValidatorSet(ValidatorSet next, IReadOnlyList<ValidatorUpdate> updates, long height)
    {
        var net = new Dictionary<string, ValidatorUpdate>(StringComparer.Ordinal);
        foreach (var u in updates)
        {
            net[Convert.ToHexString(u.PublicKey)] = u;
        }
        var changes = net.Values
            .Select(u => Validator.FromPublicKey(u.PublicKey, u.Power))
            .Where(v => v.VotingPower != 0 || next.IndexOf(v.Address) >= 0)
            .ToList();
        try
        {
            return ProposerPriority.Increment(ProposerPriority.UpdateWithChangeSet(next, changes), 1);
        }
        catch (ValidatorSetUpdateException e)
        {
            throw new InvalidOperationException($"block {height}: the validator updates cannot be applied ({e.Error}): {e.Message}", e);
        }
    }

    private void RecheckMempool(IReadOnlyList<byte[]> included)
    {
        var done = new HashSet<string>(included.Select(t => Convert.ToHexString(Tx.HashOf(t))), StringComparer.Ordinal);
        var remaining = _mempool.Where(p => !done.Contains(Convert.ToHexString(p.Hash))).ToList();
        _mempool.Clear();
        _mempoolHashes.Clear();
        _pendingSequence.Clear();
        foreach (var pending in remaining)
        {
            var (result, tx) = _app.CheckTx(pending.Bytes, sender => _pendingSequence.TryGetValue(Convert.ToHexString(sender), out var s) ? s : null);
            if (result.IsOk && tx is not null)
            {
                _mempool.Add(pending);
                _mempoolHashes.Add(Convert.ToHexString(pending.Hash));
                _pendingSequence[Convert.ToHexString(pending.Sender)] = pending.Sequence + 1;
            }
        }
    }

    private byte[] Recover(IStateStore state)
    {
        var genesisSet = Genesis.ValidatorSet();
        var height = _blocks.Height;
        if (state.Version > height)
        {
            throw new NodeStartException($"the state is at height {state.Version} but the block store ends at {height}");
        }
        if (state.Version < height - 1)
        {
            throw new NodeStartException($"the state is at height {state.Version}, more than one block behind the block store ({height})");
        }
        if (height == 0)
        {
            _app.InitGenesis();
            // state.MakeGenesisState: Validators = NewValidatorSet(genesis), NextValidators = a copy incremented once.
            _validators[1] = ProposerPriority.NewValidatorSet(genesisSet.Validators);
            _validators[2] = ProposerPriority.Increment(_validators[1], 1);
            _genesisState = GenesisState();
            return _app.WorkingAppHash();
        }
        for (long h = Math.Max(1, height - 2); h <= height; h++)
        {
            var stored = _blocks.Get(h)!;
            _validators[h] = stored.Validators;
            _validators[h + 1] = stored.NextValidators;
        }
        if (_validators[height + 1].Proposer is null)
        {
            throw new NodeStartException($"block {height} was stored without its next validator set's proposer (a block store written before proposer priorities); start from a new home");
        }
        CatchUpIndex(state.Version);
        if (state.Version == height - 1)
        {
            // The block was stored but its state never committed: execute it again.
            if (state.Version == 0)
            {
                _app.InitGenesis();
            }
            if (!_blocks.Get(height)!.Block.Header.AppHash.AsSpan().SequenceEqual(_app.WorkingAppHash()))
            {
                throw new NodeStartException($"the state before block {height} does not match the app hash in its header");
            }
            Execute(_blocks.Get(height)!);
            return _appHash;
        }
        var results = _blocks.GetResults(height);
        if (results is null)
        {
            // Results are written before the state commits, so this is damage, not a crash window.
            throw new NodeStartException($"block {height} is committed but its results file is missing");
        }
        _validators[height + 2] = NextValidatorSet(_blocks.Get(height)!.NextValidators, results.ValidatorUpdates, height);
        return CommittedAppHash(state);
    }

    private MultiStoreState GenesisState() => ChainApp.CommittedGenesis(Genesis, _app.WorkingAppHash());

    /// <summary>Indexes the committed heights the index lacks (a crash between commit and indexing).</summary>
    private void CatchUpIndex(long committed)
    {
        try
        {
            _index.CatchUp(committed, _blocks.Get, _blocks.GetResults);
        }
        catch (Indexing.IndexSearchException e)
        {
            throw new NodeStartException(e.Message, e);
        }
    }

    private static byte[] CommittedAppHash(IStateStore state) => state.Query(ChainApp.AccountStore, [0x01], 0, false).AppHash;

    private static TxResult Refuse(uint code, string log) => new(code, [], log, 0, 0, [], TxCodes.Codespace);
}

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
/// Ordering on disk: block H (with its commit) is written first, then executed, then the state
/// committed, then its results written; on start a block whose state is missing is executed again
/// (CometBFT's handshake replay), so a crash at any point loses nothing committed.
/// </summary>
public sealed class ChainNode : IDisposable
{
    private readonly object _gate = new();
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
    }

    /// <summary>Opens the node of a devnet home: RocksDB state and block files under <c>data/</c>.</summary>
    public static ChainNode Open(DevnetHome home, INodeClock clock)
    {
        ArgumentNullException.ThrowIfNull(home);
        var genesis = home.LoadGenesis();
        var config = home.LoadConfig();
        var keys = home.LoadValidatorKeys();
        var contracts = new Contracts.ContractHost();
        foreach (var code in genesis.Contracts)
        {
            var path = Path.IsPathRooted(code.AssemblyPath) ? code.AssemblyPath : Path.Combine(home.Root, code.AssemblyPath);
            try
            {
                contracts.RegisterAssembly(code.Name, path, code.AssemblySha256);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or BadImageFormatException or UnauthorizedAccessException)
            {
                throw new NodeStartException($"contract '{code.Name}': {e.Message}", e);
            }
        }
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

    public NodeConfig Config { get; }

    public ChainApp App => _app;

    public string ChainId => Genesis.ChainId;

    public long Height => _blocks.Height;

    /// <summary>Raised (outside the node lock) after each block is committed and its results stored.</summary>
    public event Action<StoredBlock, BlockResults>? BlockCommitted;

    /// <summary>The app hash after the latest block (the one the next header will carry).</summary>
    public byte[] LatestAppHash
    {
        get
        {
            lock (_gate)
            {
                return (byte[])_appHash.Clone();
            }
        }
    }

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

    public StoredBlock? GetBlock(long height) => _blocks.Get(height);

    public BlockResults? GetResults(long height) => _blocks.GetResults(height);

    /// <summary>The validator set at <paramref name="height"/> (known up to latest + 2), or null.</summary>
    public ValidatorSet? ValidatorsAt(long height)
    {
        lock (_gate)
        {
            // Only heights near the tip are kept in memory; an RPC thread that read the height a few
            // blocks ago falls back to the set stored with the block.
            return _validators.GetValueOrDefault(height) ?? _blocks.Get(height)?.Validators;
        }
    }

    public LightBlock? LightBlockAt(long height)
    {
        var stored = _blocks.Get(height);
        return stored is null ? null : new LightBlock(new SignedHeader(stored.Block.Header, stored.Block.Commit), stored.Validators, stored.NextValidators);
    }

    /// <summary>The tx and block indexes (tx, tx_search, block_search).</summary>
    public Indexing.ChainIndexer Index => _index;

    public TxLocation? FindTx(ReadOnlySpan<byte> hash) => _index.FindTx(hash);

    /// <summary>Runs <paramref name="read"/> under the node lock (state reads must not interleave with a commit).</summary>
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

    /// <summary>Produces, signs, stores, executes and commits the next block.</summary>
    public StoredBlock ProduceBlock()
    {
        StoredBlock stored;
        BlockResults results;
        lock (_gate)
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
            stored = new StoredBlock(block, validators, _validators[height + 1]);
            _blocks.Save(stored);
            results = Execute(stored);
        }
        BlockCommitted?.Invoke(stored, results);
        return stored;
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

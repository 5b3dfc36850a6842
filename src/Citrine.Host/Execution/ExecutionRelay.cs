using System.Diagnostics;
using System.Text.RegularExpressions;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Handshake;
using Citrine.Host.Proofs;
using Citrine.Host.Transactions;

namespace Citrine.Host.Execution;

/// <summary>
/// Relays the contract's request queue to the enclave and the enclave's outputs back to the
/// contract (docs/execution.md; docs/host.md, "Execution relay"). It keeps no queue of its own:
/// every pass re-reads the truth — <c>queue/head</c>, <c>queue/next</c> and <c>state/hash</c> at the
/// latest committed height H — and when requests wait, proves the batch <c>[head, min(next, head +
/// 1024))</c> with everything the enclave checks under header H + 1, has the enclave execute it, and
/// sends the signed output. The one thing the chain cannot tell, whether the output tx it signed
/// landed, is covered as in the handshake: the signed bytes and hash are saved before the
/// broadcast, looked up after a restart, and only those bytes re-sent, so one batch never gets two
/// different outputs from this relay, and a request is applied once (the contract's head moves
/// past it) or not at all. One output is in flight at a time. A refusal because another output
/// consumed the batch first (<c>OutputStale</c>, <c>OutputReplayed</c>) is a lost race: re-read and
/// go on; any other refusal stops the relay with the contract's <c>[Code] detail</c>.
/// </summary>
public sealed partial class ExecutionRelay
{
    private readonly IChainClient _chain;
    private readonly IExecutionEnclave _enclave;
    private readonly ITxSubmitter _submitter;
    private readonly IStateProofSource _proofs;
    private readonly byte[] _contract;
    private readonly SessionTrustRoot _root;
    private readonly ExecutionStateFile _file;
    private readonly RelayOptions _options;
    private readonly IProgress<RelayProgress>? _progress;
    private readonly TxLander _lander;
    private readonly Dictionary<long, DateTimeOffset> _blockTimes = [];
    private long _batches;
    private long _requests;
    private long _lostRaces;

    /// <summary>The most requests the next batch takes: <see cref="RelayOptions.MaxBatch"/>, halved each time an output did not fit a tx.</summary>
    private int _batchLimit;

    /// <summary>The chain's out-of-gas result code (Cosmos SDK <c>ErrOutOfGas</c>, codespace <c>sdk</c>), which the devnet uses too.</summary>
    public const uint OutOfGasCode = 11;

    /// <param name="chain">The node.</param>
    /// <param name="enclave">The enclave serving the contract's session.</param>
    /// <param name="submitter">The host's account.</param>
    /// <param name="contract">The app contract (20 bytes).</param>
    /// <param name="trustRoot">The contract config's trust root: the light-client options and max block lag the enclave applies.</param>
    /// <param name="dataDirectory">Where <see cref="ExecutionStateFile"/> lives (the host's data dir).</param>
    /// <param name="progress">Batches, lost races and per-request latencies.</param>
    /// <param name="options">Batch size and waits.</param>
    /// <param name="proofs">The multi-key proof builder (default: <see cref="PublicationProofBuilder"/> over <paramref name="chain"/>).</param>
    public ExecutionRelay(
        IChainClient chain, IExecutionEnclave enclave, ITxSubmitter submitter, ReadOnlyMemory<byte> contract, SessionTrustRoot trustRoot, string dataDirectory,
        IProgress<RelayProgress>? progress = null, RelayOptions? options = null, IStateProofSource? proofs = null)
    {
        _chain = chain ?? throw new ArgumentNullException(nameof(chain));
        _enclave = enclave ?? throw new ArgumentNullException(nameof(enclave));
        _submitter = submitter ?? throw new ArgumentNullException(nameof(submitter));
        _root = trustRoot ?? throw new ArgumentNullException(nameof(trustRoot));
        if (contract.Length != 20)
        {
            throw new ArgumentException($"a contract address is 20 bytes, got {contract.Length}", nameof(contract));
        }
        _contract = contract.ToArray();
        _file = new ExecutionStateFile(dataDirectory);
        _progress = progress;
        _options = options ?? new RelayOptions();
        if (_options.MaxBatch is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "a batch holds 1 to 1,024 requests (docs/execution.md)");
        }
        _proofs = proofs ?? new PublicationProofBuilder(chain);
        _lander = new TxLander(chain, submitter, _options.TransportRetries, WaitForHeightAsync);
    }

    public RelayTotals Totals => new(_batches, _requests, _lostRaces);

    /// <summary>The state key of <paramref name="key"/> in the contract's store.</summary>
    public byte[] Key(ReadOnlySpan<byte> key) => PublicationProofBuilder.ContractStateKey(_contract, key);

    /// <summary>
    /// Follows <paramref name="notifications"/> (the contract's txs and new blocks, e.g. a
    /// <see cref="ChainSubscription"/>): a pass at start and one after each notification, until
    /// the stream ends or the relay stops.
    /// </summary>
    public async Task RunAsync(IAsyncEnumerable<ChainNotification> notifications, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        await DrainAsync(cancellationToken).ConfigureAwait(false);
        long drained = 0;
        await foreach (var note in notifications.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            // A pass reads the latest height itself; notifications it already covered need no pass of their own.
            if (note.Height > drained)
            {
                drained = await DrainAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Resolves the output a previous run left in flight, then executes batches until the queue at
    /// the latest height is empty; returns that height.
    /// </summary>
    /// <exception cref="RelayException">the relay cannot go on; <see cref="RelayException.Error"/> says why.</exception>
    public async Task<long> DrainAsync(CancellationToken cancellationToken = default)
    {
        await ResumeAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var clock = Stopwatch.StartNew();
            var height = (await _chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
            var (head, next) = await QueueAsync(height, cancellationToken).ConfigureAwait(false);
            if (next <= head)
            {
                Report(RelayEvent.Idle, head, next, height, $"queue empty at height {height} (head {head})", [], clock);
                return height;
            }
            var end = Math.Min(next, head + (ulong)BatchLimit);
            await BatchAsync(height, head, end, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The contract's queue head and next at <paramref name="height"/>, read without proof (the enclave verifies the proven ones).</summary>
    public async Task<(ulong Head, ulong Next)> QueueAsync(long height, CancellationToken cancellationToken = default)
    {
        var head = await U64Async(ExecutionKeys.QueueHead, height, cancellationToken).ConfigureAwait(false);
        var next = await U64Async(ExecutionKeys.QueueNext, height, cancellationToken).ConfigureAwait(false);
        return (head, next);
    }

    private async Task BatchAsync(long height, ulong first, ulong end, Stopwatch clock, CancellationToken cancellationToken)
    {
        // The inputs at H are provable under header H + 1 only.
        await WaitForHeightAsync(height + 1, cancellationToken).ConfigureAwait(false);
        var status = await _enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        var trust = new EnclaveTrust(status.TrustedHeight, status.TrustedHash.ToByteArray(), HandshakeDriver.Options(_root), _root.MaxBlockLag);
        List<ReadOnlyMemory<byte>> keys =
        [
            HandshakeDriver.RecordKey(_contract), Key(ExecutionKeys.QueueHead), Key(ExecutionKeys.QueueNext), Key(ExecutionKeys.StateHash), Key(ExecutionKeys.State),
        ];
        for (var seq = first; seq < end; seq++)
        {
            keys.Add(Key(ExecutionKeys.Request(seq)));
        }
        HostStateProof proof;
        try
        {
            proof = await _proofs.BuildManyAsync(PublicationProofBuilder.WasmStore, keys, trust, height, cancellationToken).ConfigureAwait(false);
        }
        catch (PublicationProofException e) when (e.Error != ProofBuildError.NodeUnreachable)
        {
            throw new RelayException(RelayError.ProofUnavailable, $"batch [{first}, {end}) at height {height}: {e.Message}", inner: e);
        }
        var queued = CheckInputs(proof, first, end);

        EnclaveOutput output;
        try
        {
            output = await _enclave.ExecuteAsync(proof, cancellationToken).ConfigureAwait(false);
        }
        catch (EnclaveClientException e) when (e.Kind != EnclaveErrorKind.Unreachable)
        {
            throw new RelayException(RelayError.EnclaveRefused, $"batch [{first}, {end}) at height {height}: {e.Reason}", inner: e);
        }
        if (!OutputBody.TryDecode(output.Body, out var body, out var error))
        {
            throw new RelayException(RelayError.UnexpectedOutput, $"the enclave's output for [{first}, {end}) does not decode: {error}");
        }
        if (body!.FirstSeq != first || body.EndSeq != end || output.FirstSeq != first || output.EndSeq != end || !body.Contract.AsSpan().SequenceEqual(_contract))
        {
            throw new RelayException(RelayError.UnexpectedOutput, $"asked for [{first}, {end}) of contract {Convert.ToHexString(_contract)}, the enclave answered [{body.FirstSeq}, {body.EndSeq}) of {Convert.ToHexString(body.Contract)}");
        }

        var signed = await _submitter.SignAsync(new ExecuteTx(_contract, ExecutionMessages.Output(output.Body, output.Signature), 0), cancellationToken).ConfigureAwait(false);
        var pending = new PendingOutput
        {
            FirstSeq = first,
            EndSeq = body.EndSeq,
            QueryHeight = height,
            Hash = signed.Hash,
            Tx = Convert.ToBase64String(signed.Bytes),
            QueuedHeights = queued[..(int)(body.EndSeq - first)],
        };
        _file.Save(new RelayState { Contract = Convert.ToHexString(_contract), Pending = pending });
        Report(RelayEvent.BatchSubmitted, first, body.EndSeq, height, $"{body.EndSeq - first} request(s) proven at height {height}, output tx {signed.Hash}", [], clock);
        var outcome = await _lander.LandAsync(signed, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(pending, outcome, resumed: false, clock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a restart: find out what became of the output the last run sent.</summary>
    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var state = _file.Load();
        if (state is null)
        {
            _file.Save(new RelayState { Contract = Convert.ToHexString(_contract) });
            return;
        }
        if (!string.Equals(state.Contract, Convert.ToHexString(_contract), StringComparison.OrdinalIgnoreCase))
        {
            throw new RelayException(RelayError.StateUnreadable, $"{_file.Path} relays for contract {state.Contract}, not {Convert.ToHexString(_contract)}; use another data dir");
        }
        if (state.Pending is not { } pending)
        {
            return;
        }
        var clock = Stopwatch.StartNew();
        var outcome = await _lander.LandAsync(new SignedTx(Convert.FromBase64String(pending.Tx), pending.Hash), cancellationToken).ConfigureAwait(false);
        await ApplyAsync(pending, outcome, resumed: true, clock, cancellationToken).ConfigureAwait(false);
    }

    private int BatchLimit => _batchLimit == 0 ? _options.MaxBatch : _batchLimit;

    private void Shrink(PendingOutput pending, string why, bool outOfGas, Stopwatch clock)
    {
        var count = pending.EndSeq - pending.FirstSeq;
        if (count <= 1)
        {
            if (outOfGas)
            {
                throw new RelayException(RelayError.ChainRefused, $"the output for request {pending.FirstSeq} alone {why}: no tx can carry it");
            }
            Report(RelayEvent.Resumed, pending.FirstSeq, pending.EndSeq, pending.QueryHeight, $"output tx {pending.Hash} {why}; the batch is redone from the chain's queue", [], clock);
            return;
        }
        _batchLimit = (int)Math.Min((ulong)BatchLimit, count / 2);
        Report(RelayEvent.BatchShrunk, pending.FirstSeq, pending.EndSeq, pending.QueryHeight, $"output tx {pending.Hash} for {count} request(s) {why}; batches now take at most {_batchLimit}", [], clock);
    }

    private async Task ApplyAsync(PendingOutput pending, TxOutcome? outcome, bool resumed, Stopwatch clock, CancellationToken cancellationToken)
    {
        var cleared = new RelayState { Contract = Convert.ToHexString(_contract) };
        if (outcome is null || outcome.Code == OutOfGasCode)
        {
            // Refused before execution and not on chain (its sequence is spent, or it is too large
            // for a tx), or out of gas: nothing was applied. Redo from the queue, and when the
            // output's own size may be why, with a batch half as large, so one burst of requests
            // can never stall the relay on an output no tx can carry.
            _file.Save(cleared);
            if (!resumed || outcome is not null)
            {
                Shrink(pending, outcome is null ? "was refused before execution" : $"ran out of gas at height {outcome.Height} ({outcome.Log})", outcome is not null, clock);
                return;
            }
            Report(RelayEvent.Resumed, pending.FirstSeq, pending.EndSeq, pending.QueryHeight, $"output tx {pending.Hash} was refused before execution; the batch is redone from the chain's queue", [], clock);
            return;
        }
        if (!outcome.IsOk)
        {
            var code = RefusalCode(outcome.Log);
            // A lost race: another output consumed the batch or changed the state first. An output left in flight
            // by an earlier run may also have aged past the max block lag; either way nothing was applied.
            if (code is nameof(ExecutionError.OutputStale) or nameof(ExecutionError.OutputReplayed) || (resumed && code is nameof(ExecutionError.OutputTooOld)))
            {
                _file.Save(cleared);
                _lostRaces++;
                Report(RelayEvent.LostRace, pending.FirstSeq, pending.EndSeq, outcome.Height, $"output tx {outcome.Hash} refused at height {outcome.Height}: {outcome.Log}", [], clock);
                return;
            }
            _file.Save(cleared);
            throw new RelayException(RelayError.ChainRefused, $"output tx {outcome.Hash} for [{pending.FirstSeq}, {pending.EndSeq}) at height {outcome.Height}: code {outcome.Code} ({outcome.Codespace}) {outcome.Log}", outcome.Log);
        }
        _file.Save(cleared);
        var count = (long)(pending.EndSeq - pending.FirstSeq);
        _batches++;
        _requests += count;
        var latencies = await LatenciesAsync(pending, outcome.Height, cancellationToken).ConfigureAwait(false);
        Report(RelayEvent.BatchApplied, pending.FirstSeq, pending.EndSeq, outcome.Height,
            $"{count} request(s) applied at height {outcome.Height} by tx {outcome.Hash}{(resumed ? " (sent before a restart)" : "")}", latencies, clock);
    }

    /// <summary>
    /// The host's own reading of the proven inputs, so it never asks the enclave for a batch the
    /// proofs do not hold; returns each request's queued height. The enclave verifies all of it.
    /// </summary>
    private static long[] CheckInputs(HostStateProof proof, ulong first, ulong end)
    {
        if (proof.Keys[0].Value is not { } recordValue || !SessionRecord.TryDecode(recordValue, out var session, out _) || session!.Phase != SessionPhase.Established)
        {
            throw new RelayException(RelayError.UnexpectedState, $"no established session at height {proof.QueryHeight}");
        }
        var heights = new long[end - first];
        for (var i = 0; i < heights.Length; i++)
        {
            var seq = first + (ulong)i;
            var value = proof.Keys[FixedKeys + i].Value
                ?? throw new RelayException(RelayError.UnexpectedState, $"request {seq} is absent at height {proof.QueryHeight}");
            if (!RequestRecord.TryDecode(value, out var record, out var error))
            {
                throw new RelayException(RelayError.UnexpectedState, $"request {seq} at height {proof.QueryHeight} does not decode: {error}");
            }
            if (record!.Seq != seq)
            {
                throw new RelayException(RelayError.UnexpectedState, $"the record under queue/{seq} at height {proof.QueryHeight} is request {record.Seq}");
            }
            heights[i] = (long)record.Height;
        }
        return heights;
    }

    /// <summary>The keys proven before the request records: session record, queue/head, queue/next, state/hash, state.</summary>
    private const int FixedKeys = 5;

    private async Task<IReadOnlyList<RequestLatency>> LatenciesAsync(PendingOutput pending, long applied, CancellationToken cancellationToken)
    {
        if (pending.QueuedHeights.Length == 0)
        {
            return [];
        }
        var appliedAt = await BlockTimeAsync(applied, cancellationToken).ConfigureAwait(false);
        var latencies = new List<RequestLatency>(pending.QueuedHeights.Length);
        for (var i = 0; i < pending.QueuedHeights.Length; i++)
        {
            var queued = pending.QueuedHeights[i];
            latencies.Add(new RequestLatency(pending.FirstSeq + (ulong)i, queued, applied, appliedAt - await BlockTimeAsync(queued, cancellationToken).ConfigureAwait(false)));
        }
        foreach (var old in _blockTimes.Keys.Where(h => h < applied - 1024).ToList())
        {
            _blockTimes.Remove(old);
        }
        return latencies;
    }

    private async Task<DateTimeOffset> BlockTimeAsync(long height, CancellationToken cancellationToken)
    {
        if (!_blockTimes.TryGetValue(height, out var time))
        {
            time = (await _chain.LightBlockAsync(height, cancellationToken).ConfigureAwait(false)).Header.Time.ToDateTimeOffset();
            _blockTimes[height] = time;
        }
        return time;
    }

    private Task<ulong> U64Async(ReadOnlySpan<byte> key, long height, CancellationToken cancellationToken) =>
        U64Async(System.Text.Encoding.ASCII.GetString(key), Key(key), height, cancellationToken);

    private async Task<ulong> U64Async(string name, byte[] key, long height, CancellationToken cancellationToken)
    {
        var answer = await _chain.AbciQueryAsync($"/store/{PublicationProofBuilder.WasmStore}/key", key, height, prove: false, cancellationToken).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new RelayException(RelayError.UnexpectedState, $"abci_query of {name} at height {height}: code {answer.Code} {answer.Log}");
        }
        if (answer.Value is null)
        {
            return 0;
        }
        return ExecutionKeys.TryDecodeU64(answer.Value, out var value)
            ? value
            : throw new RelayException(RelayError.UnexpectedState, $"{name} at height {height} is {answer.Value.Length} bytes, not a u64");
    }

    private async Task WaitForHeightAsync(long height, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = (await _chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
            if (latest >= height)
            {
                return;
            }
            if (clock.Elapsed >= _options.BlockWait)
            {
                throw new RelayException(RelayError.Timeout, $"height {height} did not arrive within {_options.BlockWait} (latest {latest})");
            }
            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The code of a contract refusal's log (<c>… [Code] detail</c>: the node prefixes the contract's message), or null.</summary>
    public static string? RefusalCode(string? log) =>
        log is not null && CodePattern().Match(log) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"\[([A-Za-z][A-Za-z0-9]*)\]", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    private void Report(RelayEvent what, ulong first, ulong end, long height, string detail, IReadOnlyList<RequestLatency> latencies, Stopwatch clock) =>
        _progress?.Report(new RelayProgress(what, first, end, height, detail, Totals, latencies, clock.Elapsed));
}

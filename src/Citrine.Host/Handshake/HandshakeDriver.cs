using System.Diagnostics;
using Citrine.CometBft.LightClient;
using Citrine.Contracts.Session;
using Citrine.Crypto;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Citrine.Host.Proofs;
using Citrine.Host.Transactions;

namespace Citrine.Host.Handshake;

/// <summary>
/// Drives DESIGN.md's three-step handshake (Instantiate, SessionCreate, SessionSetPubKey) and
/// resumes after a restart of any process. Before each step it re-reads the truth — the enclave's
/// <c>Status</c> and the contract's session record — and skips a step the chain already shows done.
/// The one thing the truth cannot tell (did the instantiate tx land, and which contract did it
/// make?) is covered by recording each tx's hash before sending it: after a crash the driver looks
/// the hash up, and only re-sends the same signed bytes, whose account sequence lets them land at
/// most once. Chain refusals surface with the contract's log; only transport failures are retried,
/// a bounded number of times, and only by re-sending the same tx.
/// </summary>
public sealed class HandshakeDriver
{
    public const string InstantiateStep = "instantiate";

    private readonly IChainClient _chain;
    private readonly IEnclaveClient _enclave;
    private readonly ITxSubmitter _submitter;
    private readonly IPublicationProofSource _proofs;
    private readonly HandshakeStateFile _file;
    private readonly HandshakeOptions _options;
    private readonly IProgress<HandshakeProgress>? _progress;

    public HandshakeDriver(
        IChainClient chain, IEnclaveClient enclave, ITxSubmitter submitter, string dataDirectory,
        IProgress<HandshakeProgress>? progress = null, HandshakeOptions? options = null, IPublicationProofSource? proofs = null)
    {
        _chain = chain ?? throw new ArgumentNullException(nameof(chain));
        _enclave = enclave ?? throw new ArgumentNullException(nameof(enclave));
        _submitter = submitter ?? throw new ArgumentNullException(nameof(submitter));
        _file = new HandshakeStateFile(dataDirectory);
        _progress = progress;
        _options = options ?? new HandshakeOptions();
        _proofs = proofs ?? new PublicationProofBuilder(chain);
    }

    /// <summary>The contract's session record key in the wasm store.</summary>
    public static byte[] RecordKey(ReadOnlySpan<byte> contract) => PublicationProofBuilder.ContractStateKey(contract, SessionRecord.StateKey);

    /// <summary>Runs (or resumes) the handshake for code <paramref name="code"/> with <paramref name="config"/>; returns the established session.</summary>
    public async Task<HandshakeSummary> RunAsync(string code, ReadOnlyMemory<byte> config, CancellationToken cancellationToken = default)
    {
        var (state, parsed, contract) = await BeginAsync(code, config, cancellationToken).ConfigureAwait(false);

        // Step 2: SessionCreate, unless the record already holds the enclave's nonce.
        var createdHeight = await SessionCreateAsync(contract, cancellationToken).ConfigureAwait(false);
        if (createdHeight is null)
        {
            return await SummaryAsync(state, contract, cancellationToken).ConfigureAwait(false);
        }

        // The record committed in block C is provable under header C + 1.
        await WaitForHeightAsync(createdHeight.Value + 1, cancellationToken).ConfigureAwait(false);

        // Step 3: SessionSetPubKey.
        await KeysAsync(HandshakeStep.SessionSetPubKey, contract, parsed, SessionPhase.Created, cancellationToken).ConfigureAwait(false);
        return await SummaryAsync(state, contract, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Step 1 alone (or nothing, when this data dir's deployment already instantiated): the attested
    /// Instantiate and its tx; returns the contract address. <see cref="RunAsync"/> on the same data
    /// dir continues from here.
    /// </summary>
    public async Task<byte[]> InstantiateAsync(string code, ReadOnlyMemory<byte> config, CancellationToken cancellationToken = default) =>
        (await BeginAsync(code, config, cancellationToken).ConfigureAwait(false)).Contract;

    private async Task<(HandshakeState State, SessionConfig Parsed, byte[] Contract)> BeginAsync(string code, ReadOnlyMemory<byte> config, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var parsed = ParseConfig(config.Span);
        var state = _file.Load();
        var configText = Convert.ToBase64String(config.Span);
        if (state is null)
        {
            state = new HandshakeState { Code = code, Config = configText };
            _file.Save(state);
        }
        else if (state.Code != code || state.Config != configText)
        {
            throw new HandshakeException(HandshakeError.ConfigMismatch, $"{_file.Path} records code '{state.Code}' with another config; use another data dir for another deployment");
        }
        state = await ResolvePendingAsync(state, cancellationToken).ConfigureAwait(false);

        // Step 1: Instantiate.
        var contract = await InstantiateAsync(state, config, parsed, cancellationToken).ConfigureAwait(false);
        return (_file.Load()!, parsed, contract);
    }

    /// <summary>A fresh attestation over the established session's keys (when the last one's expiry nears).</summary>
    public async Task<HandshakeSummary> ReattestAsync(CancellationToken cancellationToken = default)
    {
        var state = _file.Load() ?? throw new HandshakeException(HandshakeError.NotReady, $"no handshake state in {_file.Path}");
        state = await ResolvePendingAsync(state, cancellationToken).ConfigureAwait(false);
        if (state.Contract is null)
        {
            throw new HandshakeException(HandshakeError.NotReady, "the contract is not instantiated yet");
        }
        var contract = Convert.FromHexString(state.Contract);
        var parsed = ParseConfig(Convert.FromBase64String(state.Config));
        await KeysAsync(HandshakeStep.SessionReattest, contract, parsed, SessionPhase.Established, cancellationToken).ConfigureAwait(false);
        return await SummaryAsync(state, contract, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The contract's current session record (raw state, not a contract query), and the height it was read at.</summary>
    public async Task<(SessionRecord? Record, long Height)> ReadRecordAsync(ReadOnlyMemory<byte> contract, CancellationToken cancellationToken = default)
    {
        var answer = await _chain.AbciQueryAsync($"/store/{PublicationProofBuilder.WasmStore}/key", RecordKey(contract.Span), 0, prove: false, cancellationToken).ConfigureAwait(false);
        if (!answer.IsOk)
        {
            throw new HandshakeException(HandshakeError.UnexpectedRecord, $"abci_query of the session record: code {answer.Code} {answer.Log}");
        }
        return (Decode(answer.Value), answer.Height);
    }

    private async Task<byte[]> InstantiateAsync(HandshakeState state, ReadOnlyMemory<byte> config, SessionConfig parsed, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var status = await _enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        var configHash = Hashing.Sha256(config.Span);
        if (!status.ConfigHash.IsEmpty && !status.ConfigHash.Span.SequenceEqual(configHash))
        {
            throw new HandshakeException(HandshakeError.EnclaveMismatch, $"the enclave adopted config {Convert.ToHexString(status.ConfigHash.Span)}, this deployment's is {Convert.ToHexString(configHash)}");
        }
        if (state.Contract is { } known)
        {
            var address = Convert.FromHexString(known);
            if (!status.Contract.IsEmpty && !status.Contract.Span.SequenceEqual(address))
            {
                throw new HandshakeException(HandshakeError.EnclaveMismatch, $"the enclave serves contract {Convert.ToHexString(status.Contract.Span)}, this deployment's is {known}");
            }
            if (status.ConfigHash.IsEmpty)
            {
                // The enclave lost its sealed state (a TDX restart): give it the same config again;
                // the contract is already instantiated, so no tx.
                await _enclave.InstantiateAsync(config, await TrustedBlockAsync(parsed, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                Report(HandshakeStep.Instantiate, StepStatus.Completed, $"enclave re-instantiated for contract {known}", state.InstantiateHeight, clock);
            }
            else
            {
                Report(HandshakeStep.Instantiate, StepStatus.Skipped, $"contract {known} instantiated at height {state.InstantiateHeight}", state.InstantiateHeight, clock);
            }
            return address;
        }

        Report(HandshakeStep.Instantiate, StepStatus.Started, $"code {state.Code}", null, clock);
        var attested = await _enclave.InstantiateAsync(config, await TrustedBlockAsync(parsed, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var message = SessionMessages.Instantiate(config.Span, attested.Evidence.Quote.Span);
        var outcome = await SubmitAsync(InstantiateStep, new InstantiateTx(state.Code, message, _options.InstantiateFunds, _options.Label), cancellationToken).ConfigureAwait(false);
        var contract = _file.Load()!.Contract!;
        Report(HandshakeStep.Instantiate, StepStatus.Completed, $"contract {contract}", outcome.Height, clock);
        return Convert.FromHexString(contract);
    }

    /// <summary>Null when the session is already established with the enclave's keys; else the height of the Created record.</summary>
    private async Task<long?> SessionCreateAsync(byte[] contract, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (record, _) = await ReadRecordAsync(contract, cancellationToken).ConfigureAwait(false);
        var status = await _enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (record is not null && record.Nonce.AsSpan().SequenceEqual(status.Nonce.Span))
        {
            if (record.Phase == SessionPhase.Established && record.SigningKey.AsSpan().SequenceEqual(status.SigningKey.Span) && record.EncryptionKey.AsSpan().SequenceEqual(status.EncryptionKey.Span))
            {
                Report(HandshakeStep.SessionCreate, StepStatus.Skipped, $"session {record.Id} is established with the enclave's keys", (long)record.CreatedHeight, clock);
                return null;
            }
            if (record.Phase == SessionPhase.Created)
            {
                Report(HandshakeStep.SessionCreate, StepStatus.Skipped, $"session {record.Id} was created with the enclave's nonce", (long)record.CreatedHeight, clock);
                return (long)record.CreatedHeight;
            }
        }

        Report(HandshakeStep.SessionCreate, StepStatus.Started, record is null ? "no session yet" : $"record is {record.Phase} with another nonce", null, clock);
        var created = await _enclave.SessionCreateAsync(contract, cancellationToken).ConfigureAwait(false);
        var message = SessionMessages.SessionCreate(created.Nonce.Span, created.Evidence.Quote.Span);
        var outcome = await SubmitAsync(SessionMessages.SessionCreateName, new ExecuteTx(contract, message, 0), cancellationToken).ConfigureAwait(false);
        (record, _) = await ReadRecordAsync(contract, cancellationToken).ConfigureAwait(false);
        if (record is not { Phase: SessionPhase.Created } || !record.Nonce.AsSpan().SequenceEqual(created.Nonce.Span))
        {
            throw new HandshakeException(HandshakeError.UnexpectedRecord, $"after session_create committed at {outcome.Height} the record is {Describe(record)}, not Created with nonce {Convert.ToHexString(created.Nonce.Span)}");
        }
        Report(HandshakeStep.SessionCreate, StepStatus.Completed, $"session {record.Id} created", (long)record.CreatedHeight, clock);
        return (long)record.CreatedHeight;
    }

    private async Task KeysAsync(HandshakeStep step, byte[] contract, SessionConfig parsed, SessionPhase expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var status = await _enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        var trust = new EnclaveTrust(status.TrustedHeight, status.TrustedHash.ToByteArray(), Options(parsed.TrustRoot), parsed.TrustRoot.MaxBlockLag);
        Report(step, StepStatus.Started, $"proving the session record from trusted height {status.TrustedHeight}", status.TrustedHeight, clock);
        var proof = await _proofs.BuildAsync(PublicationProofBuilder.WasmStore, RecordKey(contract), trust, cancellationToken: cancellationToken).ConfigureAwait(false);
        var proven = Decode(proof.Value);
        if (proven is null || proven.Phase != expected || !proven.Nonce.AsSpan().SequenceEqual(status.Nonce.Span))
        {
            throw new HandshakeException(HandshakeError.UnexpectedRecord, $"the record at height {proof.QueryHeight} is {Describe(proven)}, not {expected} with the enclave's nonce");
        }
        var keys = step == HandshakeStep.SessionSetPubKey
            ? await _enclave.SessionSetPubKeyAsync(proof, cancellationToken).ConfigureAwait(false)
            : await _enclave.SessionReattestAsync(proof, cancellationToken).ConfigureAwait(false);
        var message = step == HandshakeStep.SessionSetPubKey
            ? SessionMessages.SessionSetPubKey(keys.Nonce.Span, keys.SigningKey.Span, keys.EncryptionKey.Span, (ulong)keys.VerifiedHeight, keys.Evidence.Quote.Span)
            : SessionMessages.SessionReattest(keys.Nonce.Span, keys.SigningKey.Span, keys.EncryptionKey.Span, (ulong)keys.VerifiedHeight, keys.Evidence.Quote.Span);
        var name = step == HandshakeStep.SessionSetPubKey ? SessionMessages.SessionSetPubKeyName : SessionMessages.SessionReattestName;
        var outcome = await SubmitAsync(name, new ExecuteTx(contract, message, 0), cancellationToken).ConfigureAwait(false);
        Report(step, StepStatus.Completed, $"keys attested at verified height {keys.VerifiedHeight}", outcome.Height, clock);
    }

    private async Task<HandshakeSummary> SummaryAsync(HandshakeState state, byte[] contract, CancellationToken cancellationToken)
    {
        var (record, _) = await ReadRecordAsync(contract, cancellationToken).ConfigureAwait(false);
        var status = await _enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        if (record is not { Phase: SessionPhase.Established } || !record.SigningKey.AsSpan().SequenceEqual(status.SigningKey.Span))
        {
            throw new HandshakeException(HandshakeError.UnexpectedRecord, $"the record is {Describe(record)}, not Established with the enclave's keys");
        }
        return new HandshakeSummary(
            contract, status.Mode, status.Measurement.ToByteArray(), record.Id, record.Nonce, record.SigningKey, record.EncryptionKey,
            _file.Load()?.InstantiateHeight ?? state.InstantiateHeight, (long)record.CreatedHeight, (long)record.VerifiedHeight,
            DateTimeOffset.FromUnixTimeSeconds(record.AttestationExpiryUnixSeconds));
    }

    /// <summary>Signs, records the hash, broadcasts (re-sending the same bytes after transport failures), and applies the outcome.</summary>
    private async Task<TxOutcome> SubmitAsync(string step, ContractTx tx, CancellationToken cancellationToken)
    {
        var signed = await _submitter.SignAsync(tx, cancellationToken).ConfigureAwait(false);
        var state = _file.Load()! with { Pending = new PendingTx(step, signed.Hash, Convert.ToBase64String(signed.Bytes)) };
        _file.Save(state);
        var outcome = await LandAsync(signed, cancellationToken).ConfigureAwait(false)
            ?? throw new HandshakeException(HandshakeError.TxRejected, $"{step} tx {signed.Hash} was refused before execution and is not on chain");
        Apply(state, step, outcome);
        return outcome;
    }

    /// <summary>After a restart: find out what became of the tx the last run sent.</summary>
    private async Task<HandshakeState> ResolvePendingAsync(HandshakeState state, CancellationToken cancellationToken)
    {
        if (state.Pending is not { } pending)
        {
            return state;
        }
        var signed = new SignedTx(Convert.FromBase64String(pending.Tx), pending.Hash);
        var outcome = await LandAsync(signed, cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            // Refused before execution and not on chain: its sequence is spent or it was never valid; redo the step from the truth.
            state = state with { Pending = null };
            _file.Save(state);
            return state;
        }
        Apply(state, pending.Step, outcome);
        return _file.Load()!;
    }

    /// <summary>The outcome of <paramref name="signed"/>: looked up first, else broadcast; null when the node refuses it before execution and it is not on chain.</summary>
    private Task<TxOutcome?> LandAsync(SignedTx signed, CancellationToken cancellationToken) =>
        new TxLander(_chain, _submitter, _options.TransportRetries, WaitForHeightAsync).LandAsync(signed, cancellationToken);

    private void Apply(HandshakeState state, string step, TxOutcome outcome)
    {
        if (!outcome.IsOk)
        {
            _file.Save(state with { Pending = null });
            throw new HandshakeException(HandshakeError.ChainRefused, $"{step} tx {outcome.Hash} at height {outcome.Height}: code {outcome.Code} ({outcome.Codespace}) {outcome.Log}", outcome.Log);
        }
        if (step == InstantiateStep)
        {
            if (outcome.Data.Length != 20)
            {
                throw new HandshakeException(HandshakeError.UnexpectedRecord, $"instantiate tx {outcome.Hash} returned {outcome.Data.Length} bytes of data, not a 20-byte contract address");
            }
            state = state with { Contract = Convert.ToHexString(outcome.Data), InstantiateHeight = outcome.Height };
        }
        _file.Save(state with { Pending = null });
    }

    private async Task<Citrine.CometBft.Types.LightBlock> TrustedBlockAsync(SessionConfig config, CancellationToken cancellationToken)
    {
        var root = config.TrustRoot;
        var block = await _chain.LightBlockAsync(root.TrustedHeight, cancellationToken).ConfigureAwait(false);
        var hash = block.Header.Hash();
        if (!hash.AsSpan().SequenceEqual(root.TrustedHash) || block.Header.ChainId != root.ChainId)
        {
            throw new HandshakeException(HandshakeError.TrustRootMismatch,
                $"the node's block {root.TrustedHeight} on '{block.Header.ChainId}' hashes to {Convert.ToHexString(hash)}; the config trusts {Convert.ToHexString(root.TrustedHash)} on '{root.ChainId}'");
        }
        return block;
    }

    private async Task WaitForHeightAsync(long height, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var latest = (await _chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
            if (latest >= height)
            {
                Report(HandshakeStep.WaitForBlock, StepStatus.Completed, $"height {latest} reached", latest, clock);
                return;
            }
            if (clock.Elapsed >= _options.BlockWait)
            {
                throw new HandshakeException(HandshakeError.Timeout, $"height {height} did not arrive within {_options.BlockWait} (latest {latest})");
            }
            await Task.Delay(_options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static SessionConfig ParseConfig(ReadOnlySpan<byte> config) =>
        SessionConfig.TryParse(config, out var parsed, out var error) ? parsed! : throw new HandshakeException(HandshakeError.InvalidConfig, error);

    internal static TrustOptions Options(SessionTrustRoot root) =>
        new(root.ChainId, TimeSpan.FromSeconds(root.TrustingPeriodSeconds), new Fraction(root.TrustThresholdNumerator, root.TrustThresholdDenominator), TimeSpan.FromSeconds(root.MaxClockDriftSeconds));

    private static SessionRecord? Decode(byte[]? value)
    {
        if (value is null)
        {
            return null;
        }
        return SessionRecord.TryDecode(value, out var record, out var error)
            ? record
            : throw new HandshakeException(HandshakeError.UnexpectedRecord, $"the session record does not decode: {error}");
    }

    private static string Describe(SessionRecord? record) =>
        record is null ? "absent" : $"{record.Phase} (session {record.Id}, nonce {Convert.ToHexString(record.Nonce)})";

    private void Report(HandshakeStep step, StepStatus status, string detail, long? height, Stopwatch clock) =>
        _progress?.Report(new HandshakeProgress(step, status, detail, height, clock.Elapsed));
}

using System.Security.Cryptography;
using Citrine.Attestation.Attestors;
using Citrine.CometBft.Types;
using Citrine.Contracts.Session;
using Citrine.Crypto.KeyAgreement;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Sealing;

namespace Citrine.Enclave.Runtime;

/// <summary>What the runtime is built from: the TEE's attestor and sealer, randomness and a directory for sealed files.</summary>
public sealed class EnclaveRuntimeOptions
{
    public required IAttestor Attestor { get; init; }

    public required ISealer Sealer { get; init; }

    /// <summary>Where the sealed session state and light-client state are written (created when absent).</summary>
    public required string StorageDirectory { get; init; }

    public IRandomSource Random { get; init; } = SystemRandomSource.Instance;

    /// <summary>The mode's name, reported by Status ("mock", "simulated-dcap", "gramine-sgx", "tdx").</summary>
    public string Mode { get; init; } = "mock";

    /// <summary>The measurement the enclave runs under, reported by Status (MRENCLAVE, MRTD or the mock measurement).</summary>
    public ReadOnlyMemory<byte> Measurement { get; init; }

    /// <summary>The app whose handler <c>Execute</c> runs; with none, Execute is refused <see cref="EnclaveReason.NoApp"/>.</summary>
    public Execution.IEnclaveApp? App { get; init; }
}

public sealed record InstantiateResult(AttestationEvidence Evidence, byte[] ConfigHash);

public sealed record SessionCreateResult(byte[] Nonce, AttestationEvidence Evidence);

public sealed record SessionKeysResult(byte[] Nonce, byte[] SigningKey, byte[] EncryptionKey, long VerifiedHeight, AttestationEvidence Evidence);

/// <summary>The runtime's public facts; no private key is ever part of it.</summary>
public sealed record EnclaveStatus
{
    public required string Mode { get; init; }
    public required EnclavePhase Phase { get; init; }
    public string ChainId { get; init; } = "";
    public byte[] Contract { get; init; } = [];
    public byte[] ConfigHash { get; init; } = [];
    public byte[] Nonce { get; init; } = [];
    public byte[] SigningKey { get; init; } = [];
    public byte[] EncryptionKey { get; init; } = [];
    public long TrustedHeight { get; init; }
    public byte[] TrustedHash { get; init; } = [];
    public Timestamp? TrustedTime { get; init; }
    public byte[] Measurement { get; init; } = [];
    public bool Insecure { get; init; }

    /// <summary>Established, and the sealed light-client state last loaded was accepted.</summary>
    public bool Serving { get; init; }
}

/// <summary>The runtime could not resume from its sealed files; <see cref="Refusal"/> says which check.</summary>
public sealed class EnclaveStartException : Exception
{
    public EnclaveStartException()
    {
    }

    public EnclaveStartException(string message)
        : base(message)
    {
    }

    public EnclaveStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EnclaveStartException(EnclaveRefusal refusal)
        : base(refusal?.ToString())
    {
        Refusal = refusal;
    }

    public EnclaveRefusal? Refusal { get; }
}

/// <summary>
/// The enclave's handshake state machine (DESIGN.md, "The handshake"): uninitialised →
/// instantiated → created → established. Each call either succeeds with attested evidence or
/// returns an <see cref="EnclaveRefusal"/> naming the check that failed; nothing is trusted that
/// was not verified (light blocks, ICS23 proofs) or is not attested as-is (config bytes). Calls
/// are serialised. State is sealed before anything derived from it is attested, so a restart
/// resumes (same nonce, same keys) and never issues a second set of keys for one nonce.
/// <para>
/// Rollback (DESIGN.md invariant 4): the light-client state is re-read from its sealed file at
/// each proof-carrying call and must not be older than one this process has seen
/// (<see cref="StateLoadReason.OlderThanSeen"/>); at start it must not be below the height the
/// sealed session state recorded (<see cref="StateLoadReason.BelowFloor"/>); and it must not be
/// behind the verified height in the chain's session record.
/// </para>
/// </summary>
public sealed partial class EnclaveRuntime : IDisposable
{
    public const string SessionFileName = "session.sealed";
    public const string LightClientFileName = "light-client.sealed";
    public const string SessionPurpose = "session-state";

    private readonly EnclaveRuntimeOptions _options;
    private readonly string _sessionPath;
    private readonly TrustedStateStore _store;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SessionState? _session;
    private ConfigFacts? _config;
    private TrustedState? _light;
    private Ed25519PrivateKey? _signingKey;
    private byte[] _encryptionPublicKey = [];
    private bool _lightAccepted = true;

    private EnclaveRuntime(EnclaveRuntimeOptions options)
    {
        _options = options;
        Directory.CreateDirectory(options.StorageDirectory);
        _sessionPath = Path.Combine(options.StorageDirectory, SessionFileName);
        _store = new TrustedStateStore(options.Sealer, Path.Combine(options.StorageDirectory, LightClientFileName));
    }

    /// <summary>Raised after any call that may have changed the phase or whether the runtime serves.</summary>
    public event EventHandler? StateChanged;

    public string Mode => _options.Mode;

    /// <summary>
    /// Opens the runtime over its storage directory, resuming from the sealed session state and
    /// light-client state when present.
    /// </summary>
    /// <exception cref="EnclaveStartException">a sealed file does not unseal or decode, or the light-client state was rolled back.</exception>
    public static EnclaveRuntime Open(EnclaveRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Attestor);
        ArgumentNullException.ThrowIfNull(options.Sealer);
        ArgumentNullException.ThrowIfNull(options.Random);
        ArgumentException.ThrowIfNullOrEmpty(options.StorageDirectory);
        var runtime = new EnclaveRuntime(options);
        try
        {
            if (runtime.Resume() is { } refusal)
            {
                throw new EnclaveStartException(refusal);
            }
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
        return runtime;
    }

    public EnclavePhase Phase => _session?.Phase ?? EnclavePhase.Uninitialised;

    /// <summary>Established, with an accepted light-client state: what the health service reports as SERVING.</summary>
    public bool IsServing => Phase == EnclavePhase.Established && _lightAccepted;

    /// <summary>
    /// Step 1: adopt the config's trust root (the light block must be at its height, hash to its
    /// hash and carry a commit of more than 2/3 of its validators), seal config and state, attest
    /// to the exact config bytes. The same bytes again give a fresh quote over the same report
    /// data; other bytes are refused.
    /// </summary>
    public async Task<EnclaveResult<InstantiateResult>> InstantiateAsync(ReadOnlyMemory<byte> config, LightBlock trustedBlock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trustedBlock);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!SessionFormats.TryParseConfig(config.Span, out var facts, out var configError))
            {
                return Refuse<InstantiateResult>(EnclaveReason.ConfigInvalid, configError);
            }
            if (_session is { } existing)
            {
                if (!existing.Config.AsSpan().SequenceEqual(config.Span))
                {
                    return Refuse<InstantiateResult>(EnclaveReason.AlreadyInstantiated,
                        $"instantiated with config {Hex(SHA256.HashData(existing.Config))}, refusing config {Hex(SHA256.HashData(config.Span))}");
                }
            }
            else
            {
                var verdict = TrustedState.Initialise(facts!.TrustRoot, trustedBlock);
                if (!verdict.IsSuccess)
                {
                    return EnclaveResult.Refused<InstantiateResult>(new EnclaveRefusal(EnclaveReason.TrustRootRefused, verdict.Detail)
                    {
                        TrustRootReason = verdict.Reason,
                        LightClientReason = verdict.LightClientReason,
                    });
                }
                var session = new SessionState
                {
                    Phase = EnclavePhase.Instantiated,
                    Config = config.ToArray(),
                    LightGeneration = verdict.State!.Generation,
                    LightHeight = verdict.State.Height,
                };
                if (Persist(verdict.State, session) is { } storage)
                {
                    return EnclaveResult.Refused<InstantiateResult>(storage);
                }
                _config = facts;
                _lightAccepted = true;
            }
            var attested = await AttestAsync(SessionMessageType.Instantiate, [], ReportData.InstantiateBody(config.Span), cancellationToken).ConfigureAwait(false);
            return attested.Refusal is { } refused
                ? EnclaveResult.Refused<InstantiateResult>(refused)
                : EnclaveResult.Ok(new InstantiateResult(attested.Evidence!, SHA256.HashData(config.Span)));
        }
        finally
        {
            _gate.Release();
            OnStateChanged();
        }
    }

    /// <summary>
    /// Step 2: draw a 32-byte nonce for <paramref name="contract"/>, seal it, and attest to it
    /// (bound to chain id and contract). While the session is pending the same contract gets the
    /// same nonce again (a host retry or a restart does not draw a second one).
    /// </summary>
    public async Task<EnclaveResult<SessionCreateResult>> SessionCreateAsync(ReadOnlyMemory<byte> contract, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (contract.Length != ReportData.ContractAddressSize)
            {
                return Refuse<SessionCreateResult>(EnclaveReason.InputMalformed, $"the contract address is {ReportData.ContractAddressSize} bytes, got {contract.Length}");
            }
            if (_session is not { } session)
            {
                return Refuse<SessionCreateResult>(EnclaveReason.NotInstantiated, "SessionCreate before Instantiate");
            }
            if (session.Phase >= EnclavePhase.Created && !session.Contract.AsSpan().SequenceEqual(contract.Span))
            {
                return Refuse<SessionCreateResult>(EnclaveReason.ContractMismatch, $"the session is for contract {Hex(session.Contract)}, not {Hex(contract.Span)}");
            }
            if (session.Phase == EnclavePhase.Established)
            {
                return Refuse<SessionCreateResult>(EnclaveReason.SessionEstablished, $"the session of contract {Hex(session.Contract)} is established; it is never replaced in place");
            }
            if (session.Phase == EnclavePhase.Instantiated)
            {
                var nonce = new byte[ReportData.NonceSize];
                _options.Random.Fill(nonce);
                var created = session with { Phase = EnclavePhase.Created, Contract = contract.ToArray(), Nonce = nonce };
                if (SaveSession(created) is { } storage)
                {
                    return EnclaveResult.Refused<SessionCreateResult>(storage);
                }
            }
            var pending = _session!;
            var attested = await AttestAsync(SessionMessageType.SessionCreate, pending.Contract, ReportData.SessionCreateBody(pending.Nonce), cancellationToken).ConfigureAwait(false);
            return attested.Refusal is { } refused
                ? EnclaveResult.Refused<SessionCreateResult>(refused)
                : EnclaveResult.Ok(new SessionCreateResult((byte[])pending.Nonce.Clone(), attested.Evidence!));
        }
        finally
        {
            _gate.Release();
            OnStateChanged();
        }
    }

    /// <summary>
    /// Step 3: verify the proof of publication of the contract's session record, check it is
    /// Created with this enclave's nonce, generate the session keys inside the enclave (or reuse
    /// the ones already generated for this nonce), seal, and attest to nonce, keys and the
    /// verified height.
    /// </summary>
    public Task<EnclaveResult<SessionKeysResult>> SessionSetPubKeyAsync(PublicationProof proof, CancellationToken cancellationToken = default) =>
        ProvenKeysAsync(SessionMessageType.SessionSetPubKey, proof, cancellationToken);

    /// <summary>
    /// A fresh quote over the same keys: the proven record must be Established with this
    /// enclave's nonce and keys; the quote binds the new verified height.
    /// </summary>
    public Task<EnclaveResult<SessionKeysResult>> SessionReattestAsync(PublicationProof proof, CancellationToken cancellationToken = default) =>
        ProvenKeysAsync(SessionMessageType.SessionReattest, proof, cancellationToken);

    public EnclaveStatus Status()
    {
        _gate.Wait();
        try
        {
            var session = _session;
            var light = _light;
            return new EnclaveStatus
            {
                Mode = _options.Mode,
                Phase = Phase,
                ChainId = _config?.ChainId ?? "",
                Contract = session is null ? [] : (byte[])session.Contract.Clone(),
                ConfigHash = session is null ? [] : SHA256.HashData(session.Config),
                Nonce = session is null ? [] : (byte[])session.Nonce.Clone(),
                SigningKey = _signingKey?.ExportPublicKey() ?? [],
                EncryptionKey = (byte[])_encryptionPublicKey.Clone(),
                TrustedHeight = light?.Height ?? 0,
                TrustedHash = light?.Hash.ToArray() ?? [],
                TrustedTime = light?.Clock,
                Measurement = _options.Measurement.ToArray(),
                Insecure = _options.Sealer.IsInsecure || _options.Attestor.Kind == TeeKind.Mock,
                Serving = IsServing,
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _signingKey?.Dispose();
        _signingKey = null;
        if (_session is { } session)
        {
            CryptographicOperations.ZeroMemory(session.SigningSeed);
            CryptographicOperations.ZeroMemory(session.EncryptionKey);
            CryptographicOperations.ZeroMemory(session.MasterSecret);
        }
        _gate.Dispose();
    }

    private async Task<EnclaveResult<SessionKeysResult>> ProvenKeysAsync(SessionMessageType type, PublicationProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var setPubKey = type == SessionMessageType.SessionSetPubKey;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // 1. The enclave's own phase.
            if (_session is not { } session)
            {
                return Refuse<SessionKeysResult>(EnclaveReason.NotInstantiated, $"{type} before Instantiate");
            }
            if (setPubKey && session.Phase < EnclavePhase.Created)
            {
                return Refuse<SessionKeysResult>(EnclaveReason.SessionNotCreated, "SessionSetPubKey before SessionCreate: the enclave has drawn no nonce");
            }
            if (!setPubKey && session.Phase != EnclavePhase.Established)
            {
                return Refuse<SessionKeysResult>(EnclaveReason.SessionNotEstablished, $"SessionReattest in phase {session.Phase}: the enclave has issued no session keys");
            }

            // 2. The sealed light-client state, not older than any this process has seen.
            var load = _store.Load(_config!.TrustRoot);
            if (!load.IsSuccess)
            {
                _lightAccepted = false;
                return EnclaveResult.Refused<SessionKeysResult>(LoadRefusal(load));
            }
            var state = load.State!;
            _light = state;
            _lightAccepted = true;

            // 3. Proof of publication of the record, under a header verified from that state.
            var claim = new PublicationClaim(SessionFormats.Store, SessionFormats.RecordKey(session.Contract));
            var verdict = PublicationVerifier.Verify(state, claim, proof);
            if (!verdict.IsSuccess)
            {
                return EnclaveResult.Refused<SessionKeysResult>(new EnclaveRefusal(EnclaveReason.PublicationRefused, verdict.Detail)
                {
                    PublicationReason = verdict.Reason,
                    LightClientReason = verdict.LightClientReason,
                    Ics23Error = verdict.Ics23Error,
                });
            }

            // 4. The record: decodes, right phase, our nonce (and for a reattest our keys).
            if (!SessionFormats.TryDecodeRecord(verdict.Value, out var record, out var recordError))
            {
                return Refuse<SessionKeysResult>(EnclaveReason.RecordMalformed, $"session record proven at height {verdict.VerifiedHeight}: {recordError}");
            }
            var expected = setPubKey ? SessionPhase.Created : SessionPhase.Established;
            if (record!.Phase != expected)
            {
                return Refuse<SessionKeysResult>(setPubKey ? EnclaveReason.RecordNotCreated : EnclaveReason.RecordNotEstablished,
                    $"the session record proven at height {verdict.VerifiedHeight} is {record.Phase}, {type} needs {expected}");
            }
            if (!CryptographicOperations.FixedTimeEquals(record.Nonce, session.Nonce))
            {
                return Refuse<SessionKeysResult>(EnclaveReason.NonceMismatch, $"the session record holds nonce {Hex(record.Nonce)}, the enclave's is {Hex(session.Nonce)}");
            }
            if (!setPubKey
                && (!record.SigningKey.AsSpan().SequenceEqual(_signingKey!.PublicKey) || !record.EncryptionKey.AsSpan().SequenceEqual(_encryptionPublicKey)))
            {
                return Refuse<SessionKeysResult>(EnclaveReason.KeysMismatch,
                    $"the session record holds keys {Hex(record.SigningKey)}/{Hex(record.EncryptionKey)}, the enclave's are {Hex(_signingKey!.PublicKey)}/{Hex(_encryptionPublicKey)}");
            }
            // The chain saw this enclave verify up to the record's height: a state below it is an older sealed copy.
            if (record.VerifiedHeight > (ulong)state.Height)
            {
                _lightAccepted = false;
                return EnclaveResult.Refused<SessionKeysResult>(new EnclaveRefusal(EnclaveReason.StateRolledBack,
                    $"the sealed light-client state is at height {state.Height}, behind the verified height {record.VerifiedHeight} in the chain's session record")
                {
                    StateLoadReason = StateLoadReason.BelowFloor,
                });
            }

            // 5. Keys: generated once per nonce, inside the enclave.
            var next = session with { LightGeneration = verdict.State!.Generation, LightHeight = verdict.State.Height };
            if (session.Phase == EnclavePhase.Created)
            {
                var seed = new byte[32];
                var encryption = new byte[X25519.KeySize];
                var master = new byte[SessionStateCodec.KeySize];
                _options.Random.Fill(seed);
                _options.Random.Fill(encryption);
                _options.Random.Fill(master);
                next = next with { Phase = EnclavePhase.Established, SigningSeed = seed, EncryptionKey = encryption, MasterSecret = master };
            }
            if (Persist(verdict.State, next) is { } storage)
            {
                return EnclaveResult.Refused<SessionKeysResult>(storage);
            }

            // 6. Attest to nonce, keys and the verified height under the call's own tag.
            var signing = _signingKey!.ExportPublicKey();
            var body = ReportData.KeysBody(next.Nonce, signing, _encryptionPublicKey, (ulong)verdict.VerifiedHeight);
            var attested = await AttestAsync(type, next.Contract, body, cancellationToken).ConfigureAwait(false);
            return attested.Refusal is { } refused
                ? EnclaveResult.Refused<SessionKeysResult>(refused)
                : EnclaveResult.Ok(new SessionKeysResult((byte[])next.Nonce.Clone(), signing, (byte[])_encryptionPublicKey.Clone(), verdict.VerifiedHeight, attested.Evidence!));
        }
        finally
        {
            _gate.Release();
            OnStateChanged();
        }
    }

    /// <summary>Loads the sealed session state and light-client state, if any; a refusal when they cannot be trusted.</summary>
    private EnclaveRefusal? Resume()
    {
        if (!File.Exists(_sessionPath))
        {
            return null;
        }
        byte[] blob;
        try
        {
            blob = File.ReadAllBytes(_sessionPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new EnclaveRefusal(EnclaveReason.StorageFailed, $"{_sessionPath}: {e.Message}");
        }
        if (!_options.Sealer.TryUnseal(SessionPurpose, blob, out var encoded, out _, out var unsealDetail))
        {
            return new EnclaveRefusal(EnclaveReason.SealedStateInvalid, $"{_sessionPath}: {unsealDetail}") { StateLoadReason = StateLoadReason.UnsealFailed };
        }
        SessionState session;
        try
        {
            session = SessionStateCodec.Decode(encoded);
        }
        catch (SessionStateFormatException e)
        {
            return new EnclaveRefusal(EnclaveReason.SealedStateInvalid, $"{_sessionPath}: {e.Message}") { StateLoadReason = StateLoadReason.Malformed };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }
        if (!SessionFormats.TryParseConfig(session.Config, out var facts, out var configError))
        {
            return new EnclaveRefusal(EnclaveReason.SealedStateInvalid, $"the sealed config no longer parses: {configError}") { StateLoadReason = StateLoadReason.Malformed };
        }
        // The session state records the newest light-client state saved before it: a sealed
        // light-client copy below it was rolled back while the process was down.
        var load = _store.Load(facts!.TrustRoot, session.LightHeight);
        if (load.IsSuccess && load.State!.Generation < session.LightGeneration)
        {
            load = new StateLoadResult(null, StateLoadReason.BelowFloor, $"sealed light-client state is at generation {load.State.Generation}, below generation {session.LightGeneration} the session state records");
        }
        if (!load.IsSuccess)
        {
            return LoadRefusal(load);
        }
        Adopt(session);
        _config = facts;
        _light = load.State;
        return null;
    }

    /// <summary>Seals the light-client state, then the session state (so the session's floor never exceeds what is on disk), and adopts them.</summary>
    private EnclaveRefusal? Persist(TrustedState state, SessionState session)
    {
        try
        {
            _store.Save(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new EnclaveRefusal(e is InvalidOperationException ? EnclaveReason.StateRolledBack : EnclaveReason.StorageFailed, $"saving the light-client state: {e.Message}");
        }
        _light = state;
        return SaveSession(session);
    }

    private EnclaveRefusal? SaveSession(SessionState session)
    {
        var encoded = SessionStateCodec.Encode(session);
        try
        {
            var blob = _options.Sealer.Seal(SessionPurpose, encoded);
            var temp = _sessionPath + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(blob);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, _sessionPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new EnclaveRefusal(EnclaveReason.StorageFailed, $"saving the session state: {e.Message}");
        }
        finally
        {
            SessionStateCodec.Wipe(encoded);
        }
        Adopt(session);
        return null;
    }

    private void Adopt(SessionState session)
    {
        if (session.Phase == EnclavePhase.Established && _signingKey is null)
        {
            _signingKey = Ed25519PrivateKey.FromSeed(session.SigningSeed);
            _encryptionPublicKey = X25519.PublicKeyFromPrivate(session.EncryptionKey);
        }
        _session = session;
    }

    private async Task<(AttestationEvidence? Evidence, EnclaveRefusal? Refusal)> AttestAsync(SessionMessageType type, byte[] contract, byte[] body, CancellationToken cancellationToken)
    {
        var reportData = ReportData.Compute(type, _config!.ChainId, contract, body, SHA512.HashData);
        try
        {
            var evidence = await _options.Attestor.AttestAsync(reportData, cancellationToken).ConfigureAwait(false);
            if (!evidence.ReportData.AsSpan().SequenceEqual(reportData))
            {
                return (null, new EnclaveRefusal(EnclaveReason.AttestationFailed, $"the attestor bound report data {Hex(evidence.ReportData)}, not {Hex(reportData)}")
                {
                    AttestorError = Citrine.Attestation.Attestors.AttestorError.ReportDataMismatch,
                });
            }
            return (evidence, null);
        }
        catch (AttestorException e)
        {
            return (null, new EnclaveRefusal(EnclaveReason.AttestationFailed, e.Message) { AttestorError = e.Error });
        }
    }

    private static EnclaveRefusal LoadRefusal(StateLoadResult load) =>
        new(load.Reason is StateLoadReason.OlderThanSeen or StateLoadReason.BelowFloor or StateLoadReason.ForkedCopy ? EnclaveReason.StateRolledBack : EnclaveReason.SealedStateInvalid,
            $"sealed light-client state: {load.Detail}")
        {
            StateLoadReason = load.Reason,
        };

    private static EnclaveResult<T> Refuse<T>(EnclaveReason reason, string detail)
        where T : class => EnclaveResult.Refused<T>(new EnclaveRefusal(reason, detail));

    private void OnStateChanged() => StateChanged?.Invoke(this, EventArgs.Empty);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

using System.Security.Cryptography;
using Citrine.Attestation.Attestors;
using Citrine.CometBft.LightClient;
using Citrine.Contracts.Session;
using Citrine.Crypto.Signatures;
using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Verification;
using static Citrine.Enclave.Tests.EnclaveResults;

namespace Citrine.Enclave.Tests.Runtime;

/// <summary>Deterministic bytes (SHA-256 of a label and a counter): reproducible nonces and keys in tests.</summary>
internal sealed class SeededRandom(string label) : IRandomSource
{
    private ulong _counter;

    public int Draws { get; private set; }

    public void Fill(Span<byte> destination)
    {
        Draws++;
        var offset = 0;
        while (offset < destination.Length)
        {
            var block = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{label}/{_counter++}"));
            var count = Math.Min(block.Length, destination.Length - offset);
            block.AsSpan(0, count).CopyTo(destination[offset..]);
            offset += count;
        }
    }
}

/// <summary>
/// The handshake against a real in-process devnet: the session record is written by a contract
/// into the wasm store at <c>0x03 ‖ contract ‖ "session"</c> and proven with light blocks and
/// ICS23 proofs from the node. One test per refusal reason, each asserting the exact reason.
/// </summary>
public sealed class EnclaveRuntimeTests : IDisposable
{
    internal static readonly byte[] MockMeasurement = [.. Enumerable.Repeat((byte)0x77, 32)];

    private readonly Devnet _chain = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-enclave-").FullName;
    private readonly InsecureFileSealer _sealer;
    private readonly byte[] _contract;
    private readonly long _trustedHeight;
    private readonly List<EnclaveRuntime> _opened = [];

    public EnclaveRuntimeTests()
    {
        _chain.Produce(2);
        _contract = _chain.InstantiateRecordContract();
        _trustedHeight = _chain.Node.Height;
        _sealer = InsecureFileSealer.OpenOrCreate(_directory);
    }

    public void Dispose()
    {
        foreach (var runtime in _opened)
        {
            runtime.Dispose();
        }
        _sealer.Dispose();
        _chain.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    internal static byte[] Config(Devnet chain, long trustedHeight, uint maxBlockLag = 10) => SessionConfig.Write(
        [Measurement.Mock(MockMeasurement)],
        new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86400 },
        new SessionTrustRoot
        {
            ChainId = chain.ChainId,
            TrustedHeight = trustedHeight,
            TrustedHash = chain.Block(trustedHeight).Header.Hash(),
            TrustingPeriodSeconds = 14 * 24 * 3600,
            TrustThresholdNumerator = 1,
            TrustThresholdDenominator = 3,
            MaxClockDriftSeconds = 10,
            MaxBlockLag = maxBlockLag,
        },
        []);

    internal static byte[] Record(SessionPhase phase, byte[] nonce, byte[]? signingKey = null, byte[]? encryptionKey = null, ulong verifiedHeight = 0) => new SessionRecord
    {
        Phase = phase,
        Id = 1,
        Nonce = nonce,
        CreatedHeight = 4,
        Measurement = Measurement.Mock(MockMeasurement).CanonicalId,
        SigningKey = signingKey ?? new byte[32],
        EncryptionKey = encryptionKey ?? new byte[32],
        VerifiedHeight = verifiedHeight,
        AttestationExpiryUnixSeconds = 1_900_000_000,
        EndReason = phase == SessionPhase.Ended ? SessionEndReason.Replaced : SessionEndReason.None,
    }.Encode();

    private byte[] Config(uint maxBlockLag = 10) => Config(_chain, _trustedHeight, maxBlockLag);

    private EnclaveRuntime Open(IAttestor? attestor = null)
    {
        var runtime = EnclaveRuntime.Open(new EnclaveRuntimeOptions
        {
            Attestor = attestor ?? new MockAttestor(MockMeasurement),
            Sealer = _sealer,
            StorageDirectory = _directory,
            Random = new SeededRandom("runtime-tests"),
            Measurement = MockMeasurement,
        });
        _opened.Add(runtime);
        return runtime;
    }

    private static EnclaveRefusal AssertPublicationRefused<T>(PublicationReason inner, EnclaveResult<T> result)
        where T : class
    {
        var refusal = AssertRefused(EnclaveReason.PublicationRefused, result);
        Assert.True(inner == refusal.PublicationReason, $"expected {inner}, got {refusal}");
        return refusal;
    }

    private async Task<EnclaveRuntime> Instantiated()
    {
        var runtime = Open();
        Ok(await runtime.InstantiateAsync(Config(), _chain.Block(_trustedHeight)));
        return runtime;
    }

    private async Task<(EnclaveRuntime Runtime, byte[] Nonce)> Created()
    {
        var runtime = await Instantiated();
        var created = Ok(await runtime.SessionCreateAsync(_contract));
        return (runtime, created.Nonce);
    }

    /// <summary>Publishes a Created record for the enclave's nonce and returns the proof of it from the trusted height.</summary>
    private PublicationProof PublishCreated(byte[] nonce, long? from = null)
    {
        _chain.PublishRecord(_contract, Record(SessionPhase.Created, nonce));
        return _chain.RecordProof(_contract, from ?? _trustedHeight + 1);
    }

    private async Task<(EnclaveRuntime Runtime, SessionKeysResult Keys)> Established()
    {
        var (runtime, nonce) = await Created();
        var keys = Ok(await runtime.SessionSetPubKeyAsync(PublishCreated(nonce)));
        _chain.PublishRecord(_contract, Record(SessionPhase.Established, keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight));
        return (runtime, keys);
    }

    private static void AssertReportData(AttestationEvidence evidence, SessionMessageType type, string chainId, byte[] contract, byte[] body)
    {
        var expected = ReportData.Compute(type, chainId, contract, body, SHA512.HashData);
        Assert.Equal(expected, evidence.ReportData);
        Assert.Equal(MockEvidenceReason.None, MockEvidence.Verify(evidence.Quote, acceptInsecureMock: true, MockMeasurement, expected));
    }

    // ---- the handshake ----

    [Fact]
    public async Task Handshake_instantiates_creates_and_establishes_with_attested_report_data()
    {
        using var runtime = Open();
        Assert.Equal(EnclavePhase.Uninitialised, runtime.Phase);
        var config = Config();
        var instantiated = Ok(await runtime.InstantiateAsync(config, _chain.Block(_trustedHeight)));
        AssertReportData(instantiated.Evidence, SessionMessageType.Instantiate, _chain.ChainId, [], ReportData.InstantiateBody(config));
        Assert.Equal(SHA256.HashData(config), instantiated.ConfigHash);
        Assert.Equal(EnclavePhase.Instantiated, runtime.Phase);

        var created = Ok(await runtime.SessionCreateAsync(_contract));
        Assert.Equal(32, created.Nonce.Length);
        AssertReportData(created.Evidence, SessionMessageType.SessionCreate, _chain.ChainId, _contract, ReportData.SessionCreateBody(created.Nonce));
        Assert.False(runtime.IsServing);

        var keys = Ok(await runtime.SessionSetPubKeyAsync(PublishCreated(created.Nonce)));
        Assert.Equal(created.Nonce, keys.Nonce);
        Assert.Equal(_chain.Node.Height, keys.VerifiedHeight);
        AssertReportData(keys.Evidence, SessionMessageType.SessionSetPubKey, _chain.ChainId, _contract,
            ReportData.KeysBody(keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight));
        Assert.NotEqual(keys.SigningKey, keys.EncryptionKey);
        Assert.True(runtime.IsServing);

        var status = runtime.Status();
        Assert.Equal(EnclavePhase.Established, status.Phase);
        Assert.Equal(_contract, status.Contract);
        Assert.Equal(keys.SigningKey, status.SigningKey);
        Assert.Equal(keys.EncryptionKey, status.EncryptionKey);
        Assert.Equal(keys.VerifiedHeight, status.TrustedHeight);
        Assert.Equal(_chain.Block(keys.VerifiedHeight).Header.Time, status.TrustedTime);
        Assert.True(status.Insecure);
    }

    [Fact]
    public async Task SessionReattest_attests_the_same_keys_at_the_new_verified_height()
    {
        var (runtime, keys) = await Established();
        var proof = _chain.RecordProof(_contract, keys.VerifiedHeight + 1);
        var again = Ok(await runtime.SessionReattestAsync(proof));
        Assert.Equal(keys.SigningKey, again.SigningKey);
        Assert.Equal(keys.EncryptionKey, again.EncryptionKey);
        Assert.True(again.VerifiedHeight > keys.VerifiedHeight);
        AssertReportData(again.Evidence, SessionMessageType.SessionReattest, _chain.ChainId, _contract,
            ReportData.KeysBody(keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)again.VerifiedHeight));
    }

    [Fact]
    public async Task Instantiate_with_the_same_bytes_gives_a_fresh_quote_over_the_same_report_data()
    {
        using var runtime = Open();
        var first = Ok(await runtime.InstantiateAsync(Config(), _chain.Block(_trustedHeight)));
        var second = Ok(await runtime.InstantiateAsync(Config(), _chain.Block(_trustedHeight)));
        Assert.Equal(first.Evidence.ReportData, second.Evidence.ReportData);
        Assert.NotSame(first.Evidence, second.Evidence);
    }

    [Fact]
    public async Task SessionCreate_returns_the_pending_nonce_for_the_same_contract()
    {
        var (runtime, nonce) = await Created();
        var again = Ok(await runtime.SessionCreateAsync(_contract));
        Assert.Equal(nonce, again.Nonce);
    }

    [Fact]
    public async Task SessionSetPubKey_again_for_the_same_nonce_returns_the_same_keys()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        var first = Ok(await runtime.SessionSetPubKeyAsync(proof));
        var second = Ok(await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, first.VerifiedHeight + 1)));
        Assert.Equal(first.SigningKey, second.SigningKey);
        Assert.Equal(first.EncryptionKey, second.EncryptionKey);
    }

    [Fact]
    public async Task Restart_resumes_the_handshake_from_the_sealed_state()
    {
        var (runtime, nonce) = await Created();
        runtime.Dispose();

        var resumed = Open();
        Assert.Equal(EnclavePhase.Created, resumed.Phase);
        Assert.Equal(nonce, Ok(await resumed.SessionCreateAsync(_contract)).Nonce);
        var keys = Ok(await resumed.SessionSetPubKeyAsync(PublishCreated(nonce)));
        _chain.PublishRecord(_contract, Record(SessionPhase.Established, nonce, keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight));
        resumed.Dispose();

        var again = Open();
        Assert.Equal(EnclavePhase.Established, again.Phase);
        Assert.True(again.IsServing);
        var reattested = Ok(await again.SessionReattestAsync(_chain.RecordProof(_contract, keys.VerifiedHeight + 1)));
        Assert.Equal(keys.SigningKey, reattested.SigningKey);
        Assert.Equal(keys.EncryptionKey, reattested.EncryptionKey);
    }

    [Fact]
    public async Task Sealed_files_hold_no_private_key_in_the_clear()
    {
        var (runtime, keys) = await Established();
        var status = runtime.Status();
        var seedHolder = new byte[32];
        // The seed is the runtime's second draw after the nonce; rebuild it from the same seeded source.
        var random = new SeededRandom("runtime-tests");
        random.Fill(new byte[32]);
        random.Fill(seedHolder);
        using var key = Ed25519PrivateKey.FromSeed(seedHolder);
        Assert.Equal(keys.SigningKey, key.ExportPublicKey());
        Assert.Equal(keys.SigningKey, status.SigningKey);
        foreach (var file in Directory.GetFiles(_directory, "*.sealed"))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(seedHolder));
        }
    }

    // ---- one test per refusal ----

    [Fact]
    public async Task Instantiate_refuses_config_bytes_the_parser_refuses()
    {
        using var runtime = Open();
        var refusal = AssertRefused(EnclaveReason.ConfigInvalid, await runtime.InstantiateAsync("{\"version\":1}"u8.ToArray(), _chain.Block(_trustedHeight)));
        Assert.Contains("policy", refusal.Detail, StringComparison.Ordinal);
        Assert.Equal(EnclavePhase.Uninitialised, runtime.Phase);
    }

    [Fact]
    public async Task Instantiate_refuses_other_config_bytes_once_instantiated()
    {
        var runtime = await Instantiated();
        AssertRefused(EnclaveReason.AlreadyInstantiated, await runtime.InstantiateAsync(Config(maxBlockLag: 11), _chain.Block(_trustedHeight)));
    }

    [Fact]
    public async Task Instantiate_refuses_a_trusted_block_that_does_not_match_the_root()
    {
        // The same height on a fork signed by the same validator: right height, other hash.
        using var fork = new Devnet();
        fork.Produce(2);
        fork.SendAndProduce(5, 0);
        using var runtime = Open();
        var refusal = AssertRefused(EnclaveReason.TrustRootRefused, await runtime.InstantiateAsync(Config(), fork.Block(_trustedHeight)));
        Assert.Equal(TrustRootReason.HashMismatch, refusal.TrustRootReason);
        Assert.Equal(EnclavePhase.Uninitialised, runtime.Phase);
    }

    [Fact]
    public async Task SessionCreate_refuses_before_Instantiate()
    {
        using var runtime = Open();
        AssertRefused(EnclaveReason.NotInstantiated, await runtime.SessionCreateAsync(_contract));
    }

    [Fact]
    public async Task SessionCreate_refuses_a_contract_address_that_is_not_20_bytes()
    {
        var runtime = await Instantiated();
        AssertRefused(EnclaveReason.InputMalformed, await runtime.SessionCreateAsync(new byte[21]));
    }

    [Fact]
    public async Task SessionCreate_refuses_another_contract_once_a_session_is_pending()
    {
        var (runtime, _) = await Created();
        AssertRefused(EnclaveReason.ContractMismatch, await runtime.SessionCreateAsync(new byte[20]));
    }

    [Fact]
    public async Task SessionCreate_refuses_to_replace_an_established_session()
    {
        var (runtime, _) = await Established();
        AssertRefused(EnclaveReason.SessionEstablished, await runtime.SessionCreateAsync(_contract));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_before_SessionCreate()
    {
        var runtime = await Instantiated();
        _chain.PublishRecord(_contract, Record(SessionPhase.Created, new byte[32]));
        AssertRefused(EnclaveReason.SessionNotCreated, await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, _trustedHeight + 1)));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_proof_of_another_contracts_record()
    {
        var (runtime, nonce) = await Created();
        var other = _chain.InstantiateRecordContract();
        _chain.PublishRecord(other, Record(SessionPhase.Created, nonce));
        var refusal = AssertPublicationRefused(PublicationReason.WrongKey, await runtime.SessionSetPubKeyAsync(_chain.RecordProof(other, _trustedHeight + 1)));
        Assert.Contains(Convert.ToHexString(Devnet.RecordKey(_contract)), refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_record_that_does_not_decode()
    {
        var (runtime, _) = await Created();
        _chain.PublishRecord(_contract, [1, 2, 3]);
        AssertRefused(EnclaveReason.RecordMalformed, await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, _trustedHeight + 1)));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_record_that_is_not_Created()
    {
        var (runtime, nonce) = await Created();
        _chain.PublishRecord(_contract, Record(SessionPhase.Ended, nonce));
        AssertRefused(EnclaveReason.RecordNotCreated, await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, _trustedHeight + 1)));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_record_with_another_nonce()
    {
        var (runtime, nonce) = await Created();
        var other = (byte[])nonce.Clone();
        other[0] ^= 1;
        _chain.PublishRecord(_contract, Record(SessionPhase.Created, other));
        AssertRefused(EnclaveReason.NonceMismatch, await runtime.SessionSetPubKeyAsync(_chain.RecordProof(_contract, _trustedHeight + 1)));
        Assert.Equal(EnclavePhase.Created, runtime.Phase);
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_proof_from_a_forged_chain()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        var first = proof.LightBlocks[0];
        using var forger = Ed25519PrivateKey.FromSeed(new byte[32]);
        var forged = Devnet.Resign(first, first.Header with { AppHash = new byte[32] }, [forger]);
        var refusal = AssertPublicationRefused(PublicationReason.LightClientRefused,
            await runtime.SessionSetPubKeyAsync(proof with { LightBlocks = [forged, .. proof.LightBlocks.Skip(1)] }));
        Assert.Equal(VerdictReason.InvalidSignature, refusal.LightClientReason);
        Assert.Equal("LightClientRefused/InvalidSignature", refusal.InnerReason);
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_proof_under_a_wrong_app_hash()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        // The proof's own header, re-signed by the real validator with another app hash: the
        // light client accepts it, ICS23 does not.
        var last = proof.LightBlocks[^1];
        var altered = Devnet.Resign(last, last.Header with { AppHash = SHA256.HashData(last.Header.AppHash) }, _chain.ValidatorKeys());
        var refusal = AssertPublicationRefused(PublicationReason.AppHashMismatch,
            await runtime.SessionSetPubKeyAsync(proof with { LightBlocks = [.. proof.LightBlocks.SkipLast(1), altered] }));
        Assert.Equal(Ics23Error.AppHashMismatch, refusal.Ics23Error);
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_first_block_that_does_not_chain_to_the_trusted_hash()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        // A fork signed by the same validator, diverging before the trusted height.
        using var fork = new Devnet();
        fork.Produce(2);
        fork.SendAndProduce(5, 0);
        fork.Produce(proof.LightBlocks.Count);
        var forked = fork.Blocks(_trustedHeight + 1, proof.QueryHeight + 1);
        AssertPublicationRefused(PublicationReason.NotChained, await runtime.SessionSetPubKeyAsync(proof with { LightBlocks = forked }));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_reordered_proof_ops()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        AssertPublicationRefused(PublicationReason.WrongStore,
            await runtime.SessionSetPubKeyAsync(proof with { ProofOps = [proof.ProofOps[1], proof.ProofOps[0]] }));
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_swapped_specs_whatever_the_ops_claim()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        ProofOp[] swapped = [proof.ProofOps[0] with { Type = ProofOps.SimpleType }, proof.ProofOps[1] with { Type = ProofOps.IavlType }];
        var refusal = AssertPublicationRefused(PublicationReason.Ics23Refused, await runtime.SessionSetPubKeyAsync(proof with { ProofOps = swapped }));
        Assert.Equal(Ics23Error.ProofOpTypeMismatch, refusal.Ics23Error);
    }

    [Fact]
    public async Task SessionSetPubKey_refuses_a_host_that_winds_the_enclave_clock_back()
    {
        var (runtime, nonce) = await Created();
        var proof = PublishCreated(nonce);
        var first = proof.LightBlocks[0];
        var trustedTime = _chain.Block(_trustedHeight).Header.Time;
        var wound = Devnet.Resign(first, first.Header with { Time = trustedTime }, _chain.ValidatorKeys());
        AssertPublicationRefused(PublicationReason.ClockWoundBack, await runtime.SessionSetPubKeyAsync(proof with { LightBlocks = [wound] }));
    }

    [Fact]
    public async Task The_enclave_clock_never_goes_back_after_an_advance()
    {
        var (runtime, keys) = await Established();
        var clock = runtime.Status().TrustedTime!.Value;
        // A proof under the old trusted header, with no blocks, is now behind the enclave's state.
        var old = PublishCreated(keys.Nonce);
        var behind = AssertPublicationRefused(PublicationReason.HeightNotAscending, await runtime.SessionReattestAsync(old));
        Assert.Contains(keys.VerifiedHeight.ToString(System.Globalization.CultureInfo.InvariantCulture), behind.Detail, StringComparison.Ordinal);
        Assert.Equal(clock, runtime.Status().TrustedTime);
    }

    [Fact]
    public async Task SessionReattest_refuses_before_the_session_is_established()
    {
        var (runtime, nonce) = await Created();
        AssertRefused(EnclaveReason.SessionNotEstablished, await runtime.SessionReattestAsync(PublishCreated(nonce)));
    }

    [Fact]
    public async Task SessionReattest_refuses_a_record_that_is_not_Established()
    {
        var (runtime, keys) = await Established();
        _chain.PublishRecord(_contract, Record(SessionPhase.Created, keys.Nonce));
        AssertRefused(EnclaveReason.RecordNotEstablished, await runtime.SessionReattestAsync(_chain.RecordProof(_contract, keys.VerifiedHeight + 1)));
    }

    [Fact]
    public async Task SessionReattest_refuses_a_record_with_other_keys()
    {
        var (runtime, keys) = await Established();
        _chain.PublishRecord(_contract, Record(SessionPhase.Established, keys.Nonce, keys.EncryptionKey, keys.SigningKey, (ulong)keys.VerifiedHeight));
        AssertRefused(EnclaveReason.KeysMismatch, await runtime.SessionReattestAsync(_chain.RecordProof(_contract, keys.VerifiedHeight + 1)));
    }

    [Fact]
    public async Task A_sealed_light_client_state_rolled_back_in_a_running_enclave_is_refused()
    {
        var (runtime, nonce) = await Created();
        var lightPath = Path.Combine(_directory, EnclaveRuntime.LightClientFileName);
        var older = File.ReadAllBytes(lightPath);
        var keys = Ok(await runtime.SessionSetPubKeyAsync(PublishCreated(nonce)));
        _chain.PublishRecord(_contract, Record(SessionPhase.Established, keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)keys.VerifiedHeight));
        Assert.True(runtime.IsServing);

        File.WriteAllBytes(lightPath, older);
        var refusal = AssertRefused(EnclaveReason.StateRolledBack, await runtime.SessionReattestAsync(_chain.RecordProof(_contract, _trustedHeight + 1)));
        Assert.Equal(StateLoadReason.OlderThanSeen, refusal.StateLoadReason);
        Assert.False(runtime.IsServing);
    }

    [Fact]
    public async Task A_sealed_light_client_state_rolled_back_while_the_enclave_was_down_is_refused_at_start()
    {
        var (runtime, nonce) = await Created();
        var lightPath = Path.Combine(_directory, EnclaveRuntime.LightClientFileName);
        var older = File.ReadAllBytes(lightPath);
        Ok(await runtime.SessionSetPubKeyAsync(PublishCreated(nonce)));
        runtime.Dispose();

        File.WriteAllBytes(lightPath, older);
        var error = Assert.Throws<EnclaveStartException>(() => Open());
        Assert.Equal(EnclaveReason.StateRolledBack, error.Refusal!.Reason);
        Assert.Equal(StateLoadReason.BelowFloor, error.Refusal.StateLoadReason);
    }

    [Fact]
    public async Task A_sealed_pair_rolled_back_behind_the_chains_session_record_is_refused()
    {
        var (runtime, keys) = await Established();
        var files = Directory.GetFiles(_directory, "*.sealed").ToDictionary(f => f, File.ReadAllBytes);
        var again = Ok(await runtime.SessionReattestAsync(_chain.RecordProof(_contract, keys.VerifiedHeight + 1)));
        _chain.PublishRecord(_contract, Record(SessionPhase.Established, keys.Nonce, keys.SigningKey, keys.EncryptionKey, (ulong)again.VerifiedHeight));
        runtime.Dispose();

        // Both sealed files as they were after SetPubKey: consistent with each other, behind the chain.
        foreach (var (path, bytes) in files)
        {
            File.WriteAllBytes(path, bytes);
        }
        var restarted = Open();
        var refusal = AssertRefused(EnclaveReason.StateRolledBack, await restarted.SessionReattestAsync(_chain.RecordProof(_contract, keys.VerifiedHeight + 1)));
        Assert.Contains("session record", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_file_that_does_not_unseal_is_refused_at_start()
    {
        var (runtime, _) = await Created();
        runtime.Dispose();
        var path = Path.Combine(_directory, EnclaveRuntime.SessionFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<EnclaveStartException>(() => Open());
        Assert.Equal(EnclaveReason.SealedStateInvalid, error.Refusal!.Reason);
        Assert.Equal(StateLoadReason.UnsealFailed, error.Refusal.StateLoadReason);
    }

    [Fact]
    public async Task Attestation_failures_are_refusals_with_the_attestors_code()
    {
        // The real Gramine attestor outside Gramine: its device directory does not exist.
        using var runtime = Open(new GramineAttestor(Path.Combine(_directory, "no-dev-attestation")));
        var refusal = AssertRefused(EnclaveReason.AttestationFailed, await runtime.InstantiateAsync(Config(), _chain.Block(_trustedHeight)));
        Assert.Equal(AttestorError.DeviceMissing, refusal.AttestorError);
        // The state is sealed before the quote: a retry under a working attestor is the same Instantiate.
        Assert.Equal(EnclavePhase.Instantiated, runtime.Phase);
    }

    [Fact]
    public async Task Storage_failures_are_refusals_and_leave_the_phase_unchanged()
    {
        var runtime = await Instantiated();
        // A directory where the temporary session file would go: the write fails.
        Directory.CreateDirectory(Path.Combine(_directory, EnclaveRuntime.SessionFileName + ".tmp"));
        AssertRefused(EnclaveReason.StorageFailed, await runtime.SessionCreateAsync(_contract));
        Assert.Equal(EnclavePhase.Instantiated, runtime.Phase);
    }

    [Fact]
    public void Every_reason_has_a_test()
    {
        var tested = typeof(EnclaveRuntimeTests).GetMethods().Concat(typeof(Execution.ExecutionRuntimeTests).GetMethods())
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var expectedTests = new Dictionary<EnclaveReason, string>
        {
            [EnclaveReason.None] = nameof(Handshake_instantiates_creates_and_establishes_with_attested_report_data),
            [EnclaveReason.InputMalformed] = nameof(SessionCreate_refuses_a_contract_address_that_is_not_20_bytes),
            [EnclaveReason.ConfigInvalid] = nameof(Instantiate_refuses_config_bytes_the_parser_refuses),
            [EnclaveReason.TrustRootRefused] = nameof(Instantiate_refuses_a_trusted_block_that_does_not_match_the_root),
            [EnclaveReason.AlreadyInstantiated] = nameof(Instantiate_refuses_other_config_bytes_once_instantiated),
            [EnclaveReason.NotInstantiated] = nameof(SessionCreate_refuses_before_Instantiate),
            [EnclaveReason.ContractMismatch] = nameof(SessionCreate_refuses_another_contract_once_a_session_is_pending),
            [EnclaveReason.SessionNotCreated] = nameof(SessionSetPubKey_refuses_before_SessionCreate),
            [EnclaveReason.SessionEstablished] = nameof(SessionCreate_refuses_to_replace_an_established_session),
            [EnclaveReason.SessionNotEstablished] = nameof(SessionReattest_refuses_before_the_session_is_established),
            [EnclaveReason.PublicationRefused] = nameof(SessionSetPubKey_refuses_a_proof_of_another_contracts_record),
            [EnclaveReason.RecordMalformed] = nameof(SessionSetPubKey_refuses_a_record_that_does_not_decode),
            [EnclaveReason.RecordNotCreated] = nameof(SessionSetPubKey_refuses_a_record_that_is_not_Created),
            [EnclaveReason.NonceMismatch] = nameof(SessionSetPubKey_refuses_a_record_with_another_nonce),
            [EnclaveReason.RecordNotEstablished] = nameof(SessionReattest_refuses_a_record_that_is_not_Established),
            [EnclaveReason.KeysMismatch] = nameof(SessionReattest_refuses_a_record_with_other_keys),
            [EnclaveReason.StateRolledBack] = nameof(A_sealed_light_client_state_rolled_back_in_a_running_enclave_is_refused),
            [EnclaveReason.SealedStateInvalid] = nameof(A_session_file_that_does_not_unseal_is_refused_at_start),
            [EnclaveReason.AttestationFailed] = nameof(Attestation_failures_are_refusals_with_the_attestors_code),
            [EnclaveReason.StorageFailed] = nameof(Storage_failures_are_refusals_and_leave_the_phase_unchanged),
            [EnclaveReason.NoApp] = nameof(Execution.ExecutionRuntimeTests.Execute_without_an_app_is_refused_NoApp),
            [EnclaveReason.BatchEmpty] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_call_that_proves_no_request),
            [EnclaveReason.BatchTooLarge] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_more_than_1024_requests),
            [EnclaveReason.ProvenValueMalformed] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_queue_head_that_is_not_a_u64),
            [EnclaveReason.BatchBeyondQueue] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_batch_past_queue_next),
            [EnclaveReason.StateHashMismatch] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_state_that_does_not_match_its_hash),
            [EnclaveReason.RequestMalformed] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_request_record_that_does_not_decode),
            [EnclaveReason.RequestSeqMismatch] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_request_record_whose_seq_is_not_its_key),
            [EnclaveReason.StateUndecryptable] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_a_state_that_does_not_open_under_the_session_state_key),
            [EnclaveReason.AppFailed] = nameof(Execution.ExecutionRuntimeTests.Execute_refuses_the_batch_when_the_app_throws),
        };
        foreach (var reason in Enum.GetValues<EnclaveReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test), $"EnclaveReason.{reason} has no test");
            Assert.Contains(test, tested);
        }
    }
}

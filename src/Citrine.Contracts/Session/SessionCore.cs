using System.Buffers.Binary;
using System.Globalization;
using Citrine.Chain.Contracts;

namespace Citrine.Contracts.Session;

/// <summary>
/// The session handshake on chain (DESIGN.md, "The handshake"; docs/session.md): the part of a
/// contract that decides which enclave may act for it. An app contract calls it with
/// the messages it does not handle itself; <see cref="RequireActiveSession"/> is what the app's
/// own handlers call before trusting anything signed with the session keys.
/// </summary>
/// <remarks>
/// Each handler is a numbered list of checks, each with its own <see cref="SessionError"/> and a
/// detail naming the values, in the order docs/session.md gives. The core keeps nothing between
/// calls (all state is the contract's, under the keys below), reads time only from the block and
/// runs inside the contract sandbox: no clock, no randomness, no reflection.
/// State keys: <c>config</c> (the config bytes as instantiated), <c>measurements</c> (the current
/// set), <c>admin</c> (20 bytes, absent without admin), <c>session</c> (<see cref="SessionRecord"/>),
/// <c>history/‖u64be id</c> (ended and replaced records), <c>nonce/‖nonce</c> (u64be id of the
/// session that used it).
/// </remarks>
public static class SessionCore
{
    /// <summary>State key of the config bytes as instantiated.</summary>
    public static ReadOnlySpan<byte> ConfigKey => "config"u8;

    /// <summary>State key of the current measurement set: (u16be length ‖ canonical id)*.</summary>
    public static ReadOnlySpan<byte> MeasurementsKey => "measurements"u8;

    /// <summary>State key of the admin address (absent when the config has none).</summary>
    public static ReadOnlySpan<byte> AdminKey => "admin"u8;

    /// <summary>Prefix of the used-nonce keys: <c>nonce/ ‖ nonce[32]</c> → u64be session id.</summary>
    public static ReadOnlySpan<byte> NoncePrefix => "nonce/"u8;

    /// <summary>The used-nonce key of <paramref name="nonce"/>.</summary>
    public static byte[] NonceKey(ReadOnlySpan<byte> nonce) => [.. NoncePrefix, .. nonce];

    // ---- entry points ----

    /// <summary>Instantiates from the raw message <c>{"config":b64,"quote":b64[,"app":…]}</c>; returns the parsed message so an app can read its <c>app</c> member.</summary>
    public static InstantiateMessage Instantiate(IContractContext ctx, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        InstantiateMessage parsed;
        try
        {
            parsed = SessionMessages.ParseInstantiate(message);
        }
        catch (SessionMessageException e)
        {
            throw new SessionException(SessionError.MessageInvalid, $"instantiate: {e.Message}");
        }
        Instantiate(ctx, parsed);
        return parsed;
    }

    /// <summary>
    /// Handles <paramref name="message"/> when it is one of the core's execute messages and sets
    /// <paramref name="result"/> to the session record after it (JSON, as the <c>session</c> query
    /// answers); false, touching nothing, when it is not, so the app can handle it. A session
    /// message that fails a check throws <see cref="SessionException"/>.
    /// </summary>
    public static bool TryExecute(IContractContext ctx, byte[] message, out byte[] result)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        result = [];
        SessionExecuteMessage? parsed;
        try
        {
            if (!SessionMessages.TryParseExecute(message, out parsed))
            {
                return false;
            }
        }
        catch (SessionMessageException e)
        {
            throw new SessionException(SessionError.MessageInvalid, e.Message);
        }
        var record = parsed switch
        {
            SessionCreateMessage create => SessionCreate(ctx, create),
            SessionKeysMessage { Type: SessionMessageType.SessionSetPubKey } keys => SessionSetPubKey(ctx, keys),
            SessionKeysMessage keys => SessionReattest(ctx, keys),
            AddMeasurementMessage add => AddMeasurement(ctx, add.Measurement),
            RemoveMeasurementMessage remove => RemoveMeasurement(ctx, remove.Measurement),
            _ => throw new SessionException(SessionError.MessageInvalid, "not a session message"),
        };
        result = SessionMessages.SessionAnswer(record);
        return true;
    }

    /// <summary>As <see cref="TryExecute"/> for a contract that is only the session core: anything else is <see cref="SessionError.MessageInvalid"/>.</summary>
    public static byte[] Execute(IContractContext ctx, byte[] message) =>
        TryExecute(ctx, message, out var result)
            ? result
            : throw new SessionException(SessionError.MessageInvalid,
                "not a session message (expected one of session_create, session_set_pub_key, session_reattest, add_measurement, remove_measurement)");

    /// <summary>Answers the core's queries (<c>session</c>, <c>session_history</c>, <c>config</c>); false for any other message.</summary>
    public static bool TryQuery(IContractQueryContext ctx, byte[] message, out byte[] result)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        result = [];
        SessionQuery query;
        try
        {
            if (!SessionMessages.TryParseQuery(message, out query))
            {
                return false;
            }
        }
        catch (SessionMessageException e)
        {
            throw new SessionException(SessionError.MessageInvalid, e.Message);
        }
        var config = LoadConfig(ctx);
        switch (query)
        {
            case SessionQuery.Session:
                result = SessionMessages.SessionAnswer(ReadSession(ctx));
                break;
            case SessionQuery.SessionHistory:
                var history = new List<SessionRecord>();
                var current = ReadSession(ctx);
                for (ulong id = 1; current is not null && id <= current.Id; id++)
                {
                    if (ReadRecord(ctx, SessionRecord.HistoryKey(id)) is { } ended)
                    {
                        history.Add(ended);
                    }
                }
                result = SessionMessages.HistoryAnswer(history);
                break;
            default:
                result = SessionMessages.ConfigAnswerJson(config.Raw, ReadMeasurements(ctx));
                break;
        }
        return true;
    }

    /// <summary>As <see cref="TryQuery"/> for a contract that is only the session core.</summary>
    public static byte[] Query(IContractQueryContext ctx, byte[] message) =>
        TryQuery(ctx, message, out var result)
            ? result
            : throw new SessionException(SessionError.MessageInvalid, "not a session query (expected one of session, session_history, config)");

    // ---- the handshake ----

    /// <summary>Instantiate (docs/session.md, "Config"; DESIGN.md, handshake step 1).</summary>
    public static void Instantiate(IContractContext ctx, InstantiateMessage message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);

        // 1. Once: the config is what every later check reads.
        if (ctx.Read(ConfigKey) is not null)
        {
            throw new SessionException(SessionError.ConfigInvalid, "the contract already has a config");
        }

        // 2. The config parses (strictly: its exact bytes are what the enclave attested).
        SessionConfig config;
        try
        {
            config = SessionConfig.Parse(message.Config);
        }
        catch (SessionConfigException e)
        {
            throw new SessionException(SessionError.ConfigInvalid, e.Message);
        }

        // 3. The trust root is this chain's: the enclave's light client follows trust_root.chain_id.
        if (!string.Equals(config.TrustRoot.ChainId, ctx.ChainId, StringComparison.Ordinal))
        {
            throw new SessionException(SessionError.ChainIdMismatch,
                $"the config's trust root is for chain '{config.TrustRoot.ChainId}', the contract runs on '{ctx.ChainId}'");
        }

        // 4. The trusted height exists: a trust root above the chain's height cannot be a header of it.
        if (config.TrustRoot.TrustedHeight > ctx.BlockHeight)
        {
            throw new SessionException(SessionError.TrustRootInFuture,
                $"trusted height {config.TrustRoot.TrustedHeight} is above the current height {ctx.BlockHeight}");
        }

        // 5–7. A genuine quote under the config's policy, binding these config bytes, of an accepted measurement.
        var verdict = VerifyQuote(ctx, message.Quote, config);
        RequireReportData(verdict, ctx, SessionMessageType.Instantiate, config.TrustRoot.ChainId, [], ReportData.InstantiateBody(message.Config));
        var measurement = RequireAcceptedMeasurement(verdict, config.Measurements);

        ctx.Write(ConfigKey, message.Config);
        WriteMeasurements(ctx, config.Measurements);
        if (config.Admin is { } admin)
        {
            ctx.Write(AdminKey, admin);
        }
        ctx.Emit("action", "instantiate");
        ctx.Emit("measurement", Convert.ToHexStringLower(measurement.CanonicalId));
    }

    /// <summary>SessionCreate (DESIGN.md, handshake step 2; docs/session.md, "Replacement rule").</summary>
    public static SessionRecord SessionCreate(IContractContext ctx, SessionCreateMessage message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);
        var config = LoadConfig(ctx);
        var measurements = ReadMeasurements(ctx);
        var current = ReadSession(ctx);

        // 1–3. A genuine quote binding (session_create, this chain, this contract, nonce), of an accepted measurement.
        var verdict = VerifyQuote(ctx, message.Quote, config);
        RequireReportData(verdict, ctx, SessionMessageType.SessionCreate, ctx.ChainId, ctx.ContractAddress, ReportData.SessionCreateBody(message.Nonce));
        var measurement = RequireAcceptedMeasurement(verdict, measurements);

        // 4. A nonce is used once per contract: a replayed SessionCreate cannot bring an old session back.
        if (ctx.Read(NonceKey(message.Nonce)) is { } usedBy)
        {
            throw new SessionException(SessionError.NonceReused,
                $"nonce {Convert.ToHexStringLower(message.Nonce)} was used by session {(usedBy.Length == 8 ? BinaryPrimitives.ReadUInt64BigEndian(usedBy) : 0)}");
        }

        // 5. The replacement rule: an Established session whose attestation is current and whose
        //    measurement is still accepted is never replaced.
        if (current is { Phase: SessionPhase.Established }
            && BlockSeconds(ctx) < current.AttestationExpiryUnixSeconds
            && Contains(measurements, current.Measurement))
        {
            throw new SessionException(SessionError.SessionActive,
                $"session {current.Id} is established and attested until {current.AttestationExpiryUnixSeconds} (block time {BlockSeconds(ctx)})");
        }

        if (current is not null && current.Phase != SessionPhase.Ended)
        {
            ctx.Write(SessionRecord.HistoryKey(current.Id), (current with { Phase = SessionPhase.Ended, EndReason = SessionEndReason.Replaced }).Encode());
        }
        var record = new SessionRecord
        {
            Phase = SessionPhase.Created,
            Id = (current?.Id ?? 0) + 1,
            Nonce = message.Nonce,
            CreatedHeight = (ulong)ctx.BlockHeight,
            Measurement = measurement.CanonicalId,
            AttestationExpiryUnixSeconds = Expiry(ctx, verdict, config),
        };
        var id = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(id, record.Id);
        ctx.Write(NonceKey(message.Nonce), id);
        ctx.Write(SessionRecord.StateKey, record.Encode());
        Emit(ctx, SessionMessages.SessionCreateName, record);
        return record;
    }

    /// <summary>SessionSetPubKey (DESIGN.md, handshake step 3).</summary>
    public static SessionRecord SessionSetPubKey(IContractContext ctx, SessionKeysMessage message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);
        var config = LoadConfig(ctx);

        // 1. There is a session, and it is waiting for its keys.
        var record = ReadSession(ctx) ?? throw new SessionException(SessionError.NoSession, "no session was created");
        if (record.Phase == SessionPhase.Established)
        {
            throw new SessionException(SessionError.SessionAlreadyEstablished, $"session {record.Id} is already established");
        }
        if (record.Phase != SessionPhase.Created)
        {
            throw new SessionException(SessionError.SessionNotCreated, $"session {record.Id} is {record.Phase}, not Created");
        }

        // 2. The enclave answers for this session's nonce (the one it proved published).
        RequireNonce(record, message);

        // 3. The enclave's view of the chain is recent and includes the session record.
        RequireVerifiedHeight(ctx, config, record, message.VerifiedHeight);

        // 4–6. A genuine quote binding the keys and height, of the measurement the session was created with.
        var verdict = VerifyQuote(ctx, message.Quote, config);
        RequireReportData(verdict, ctx, SessionMessageType.SessionSetPubKey, ctx.ChainId, ctx.ContractAddress,
            ReportData.KeysBody(message.Nonce, message.SigningKey, message.EncryptionKey, message.VerifiedHeight));
        RequireSameMeasurement(ctx, verdict, record);

        var established = record with
        {
            Phase = SessionPhase.Established,
            SigningKey = message.SigningKey,
            EncryptionKey = message.EncryptionKey,
            VerifiedHeight = message.VerifiedHeight,
            AttestationExpiryUnixSeconds = Expiry(ctx, verdict, config),
        };
        ctx.Write(SessionRecord.StateKey, established.Encode());
        Emit(ctx, SessionMessages.SessionSetPubKeyName, established);
        return established;
    }

    /// <summary>SessionReattest: a fresh quote over the same keys renews the attestation (DESIGN.md, "After the handshake").</summary>
    public static SessionRecord SessionReattest(IContractContext ctx, SessionKeysMessage message)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(message);
        var config = LoadConfig(ctx);

        // 1. There is an established session.
        var record = ReadSession(ctx) ?? throw new SessionException(SessionError.NoSession, "no session was created");
        if (record.Phase != SessionPhase.Established)
        {
            throw new SessionException(SessionError.SessionNotEstablished, $"session {record.Id} is {record.Phase}, not Established");
        }

        // 2. Same session, same keys: a reattest renews, it never rotates keys.
        RequireNonce(record, message);
        if (!record.SigningKey.AsSpan().SequenceEqual(message.SigningKey) || !record.EncryptionKey.AsSpan().SequenceEqual(message.EncryptionKey))
        {
            throw new SessionException(SessionError.KeysMismatch,
                $"keys {Convert.ToHexStringLower(message.SigningKey)}/{Convert.ToHexStringLower(message.EncryptionKey)} are not session {record.Id}'s "
                + $"{Convert.ToHexStringLower(record.SigningKey)}/{Convert.ToHexStringLower(record.EncryptionKey)}");
        }

        // 3. Recent, and newer than the last accepted height: an old reattest cannot be replayed.
        RequireVerifiedHeight(ctx, config, record, message.VerifiedHeight);
        if (message.VerifiedHeight <= record.VerifiedHeight)
        {
            throw new SessionException(SessionError.VerifiedHeightNotNewer,
                $"verified height {message.VerifiedHeight} is not above the last accepted {record.VerifiedHeight}");
        }

        // 4–6. A genuine quote binding the keys and height under session_reattest, of the session's measurement.
        var verdict = VerifyQuote(ctx, message.Quote, config);
        RequireReportData(verdict, ctx, SessionMessageType.SessionReattest, ctx.ChainId, ctx.ContractAddress,
            ReportData.KeysBody(message.Nonce, message.SigningKey, message.EncryptionKey, message.VerifiedHeight));
        RequireSameMeasurement(ctx, verdict, record);

        var renewed = record with { VerifiedHeight = message.VerifiedHeight, AttestationExpiryUnixSeconds = Expiry(ctx, verdict, config) };
        ctx.Write(SessionRecord.StateKey, renewed.Encode());
        Emit(ctx, SessionMessages.SessionReattestName, renewed);
        return renewed;
    }

    // ---- governance ----

    /// <summary>add_measurement (admin only): how a code upgrade is admitted.</summary>
    public static SessionRecord? AddMeasurement(IContractContext ctx, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(measurement);
        var config = LoadConfig(ctx);

        // 1. Only the admin changes the set.
        RequireAdmin(ctx);

        // 2. Mock entries only where the policy takes mock evidence (as the config parser requires).
        if (measurement.Kind == MeasurementKind.Mock && !config.Policy.AcceptMock)
        {
            throw new SessionException(SessionError.MockNotAccepted, "a mock measurement needs policy.accept_mock = true");
        }

        // 3. A set, of bounded size.
        var measurements = ReadMeasurements(ctx);
        if (measurements.Contains(measurement))
        {
            throw new SessionException(SessionError.MeasurementDuplicate, $"{measurement} is already in the set");
        }
        if (measurements.Count >= SessionConfig.MaxMeasurements)
        {
            throw new SessionException(SessionError.MeasurementSetFull, $"the set already holds {measurements.Count} measurements");
        }

        measurements.Add(measurement);
        WriteMeasurements(ctx, measurements);
        ctx.Emit("action", SessionMessages.AddMeasurementName);
        ctx.Emit("measurement", Convert.ToHexStringLower(measurement.CanonicalId));
        return ReadSession(ctx);
    }

    /// <summary>remove_measurement (admin only): the session running that measurement ends.</summary>
    public static SessionRecord? RemoveMeasurement(IContractContext ctx, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(measurement);
        LoadConfig(ctx);

        // 1. Only the admin changes the set.
        RequireAdmin(ctx);

        // 2. Only what is in the set can leave it.
        var measurements = ReadMeasurements(ctx);
        if (!measurements.Remove(measurement))
        {
            throw new SessionException(SessionError.MeasurementUnknown, $"{measurement} is not in the set");
        }

        WriteMeasurements(ctx, measurements);
        ctx.Emit("action", SessionMessages.RemoveMeasurementName);
        ctx.Emit("measurement", Convert.ToHexStringLower(measurement.CanonicalId));
        var current = ReadSession(ctx);
        if (current is not null && current.Phase != SessionPhase.Ended && current.Measurement.AsSpan().SequenceEqual(measurement.CanonicalId))
        {
            var ended = current with { Phase = SessionPhase.Ended, EndReason = SessionEndReason.MeasurementRemoved };
            var bytes = ended.Encode();
            ctx.Write(SessionRecord.StateKey, bytes);
            ctx.Write(SessionRecord.HistoryKey(ended.Id), bytes);
            Emit(ctx, null, ended);
            return ended;
        }
        return current;
    }

    // ---- for the app ----

    /// <summary>
    /// The session the app may trust right now: Established, its attestation not expired at the
    /// block time, its measurement still accepted. Throws <see cref="SessionException"/> naming
    /// which of these failed.
    /// </summary>
    public static SessionRecord RequireActiveSession(IContractQueryContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        LoadConfig(ctx);

        // 1. A session exists and finished its handshake.
        var record = ReadSession(ctx) ?? throw new SessionException(SessionError.NoSession, "no session was created");
        if (record.Phase == SessionPhase.Ended)
        {
            throw new SessionException(SessionError.SessionEnded, $"session {record.Id} ended ({record.EndReason})");
        }
        if (record.Phase != SessionPhase.Established)
        {
            throw new SessionException(SessionError.SessionNotEstablished, $"session {record.Id} is {record.Phase}, not Established");
        }

        // 2. Its attestation is current at the block time.
        if (BlockSeconds(ctx) >= record.AttestationExpiryUnixSeconds)
        {
            throw new SessionException(SessionError.AttestationExpired,
                $"session {record.Id}'s attestation expired at {record.AttestationExpiryUnixSeconds} (block time {BlockSeconds(ctx)})");
        }

        // 3. Its measurement is still accepted.
        if (!Contains(ReadMeasurements(ctx), record.Measurement))
        {
            throw new SessionException(SessionError.MeasurementNotAccepted,
                $"session {record.Id}'s measurement {Convert.ToHexStringLower(record.Measurement)} is no longer in the set");
        }
        return record;
    }

    // ---- checks shared by the handlers ----

    private static QuoteVerification VerifyQuote(IContractContext ctx, byte[] quote, SessionConfig config)
    {
        var verdict = ctx.Attestation.VerifyQuote(quote, config.Policy.ToQuotePolicy());
        if (verdict is null || !verdict.Accepted)
        {
            throw new SessionException(SessionError.QuoteRefused, $"{verdict?.Reason ?? "NoVerdict"}: {verdict?.Detail ?? "the attestation module returned no verdict"}");
        }
        return verdict;
    }

    private static void RequireReportData(QuoteVerification verdict, IContractQueryContext ctx, SessionMessageType type, string chainId, byte[] contract, byte[] body)
    {
        var crypto = ctx.Crypto;
        var expected = ReportData.Compute(type, chainId, contract, body, data => crypto.Sha512(data));
        if (!verdict.ReportData.AsSpan().SequenceEqual(expected))
        {
            throw new SessionException(SessionError.ReportDataMismatch,
                $"the quote's report data {Convert.ToHexStringLower(verdict.ReportData)} is not {ReportData.Tag(type)} for chain '{chainId}', "
                + $"contract {Convert.ToHexStringLower(contract)}: {Convert.ToHexStringLower(expected)}");
        }
    }

    private static Measurement RequireAcceptedMeasurement(QuoteVerification verdict, IReadOnlyList<Measurement> measurements)
    {
        foreach (var measurement in measurements)
        {
            if (measurement.Matches(verdict))
            {
                return measurement;
            }
        }
        throw new SessionException(SessionError.MeasurementNotAccepted, $"the quote's measurement ({Describe(verdict)}) matches none of the {measurements.Count} accepted");
    }

    private static void RequireSameMeasurement(IContractQueryContext ctx, QuoteVerification verdict, SessionRecord record)
    {
        if (!Measurement.TryFromCanonicalId(record.Measurement, out var measurement, out var error))
        {
            throw new SessionException(SessionError.StateCorrupt, $"session {record.Id}'s measurement: {error}");
        }
        if (!measurement!.Matches(verdict))
        {
            throw new SessionException(SessionError.MeasurementChanged, $"the quote's measurement ({Describe(verdict)}) is not session {record.Id}'s {measurement}");
        }
        if (!ReadMeasurements(ctx).Contains(measurement))
        {
            throw new SessionException(SessionError.MeasurementNotAccepted, $"session {record.Id}'s measurement {measurement} is no longer in the set");
        }
    }

    private static void RequireNonce(SessionRecord record, SessionKeysMessage message)
    {
        if (!record.Nonce.AsSpan().SequenceEqual(message.Nonce))
        {
            throw new SessionException(SessionError.NonceMismatch,
                $"nonce {Convert.ToHexStringLower(message.Nonce)} is not session {record.Id}'s {Convert.ToHexStringLower(record.Nonce)}");
        }
    }

    /// <summary>
    /// DESIGN.md, "Time and freshness": the enclave's verified height is below the current height
    /// (it verified a committed header), above the SessionCreate height (so the record it proved
    /// exists), and at most max block lag behind.
    /// </summary>
    private static void RequireVerifiedHeight(IContractQueryContext ctx, SessionConfig config, SessionRecord record, ulong verified)
    {
        var height = (ulong)Math.Max(0, ctx.BlockHeight);
        if (verified >= height)
        {
            throw new SessionException(SessionError.VerifiedHeightInFuture, $"verified height {verified} is not below the current height {height}");
        }
        if (verified <= record.CreatedHeight)
        {
            throw new SessionException(SessionError.VerifiedHeightBeforeSession,
                $"verified height {verified} is not above session {record.Id}'s creation height {record.CreatedHeight}");
        }
        if (height - verified > config.TrustRoot.MaxBlockLag)
        {
            throw new SessionException(SessionError.VerifiedHeightTooOld,
                $"verified height {verified} is {height - verified} blocks behind {height}; the max block lag is {config.TrustRoot.MaxBlockLag}");
        }
    }

    private static void RequireAdmin(IContractContext ctx)
    {
        var admin = ctx.Read(AdminKey) ?? throw new SessionException(SessionError.NoAdmin, "the config has no admin: the measurement set is fixed");
        if (!admin.AsSpan().SequenceEqual(ctx.Sender))
        {
            throw new SessionException(SessionError.Unauthorized, $"sender {Convert.ToHexStringLower(ctx.Sender)} is not the admin {Convert.ToHexStringLower(admin)}");
        }
    }

    /// <summary>min(collateral nextUpdate, block time + max age), in whole seconds; mock evidence has no collateral.</summary>
    private static long Expiry(IContractQueryContext ctx, QuoteVerification verdict, SessionConfig config)
    {
        var byAge = BlockSeconds(ctx) + config.Policy.MaxAttestationAgeSeconds;
        return verdict.CollateralNextUpdate is { } next ? Math.Min(next.Seconds, byAge) : byAge;
    }

    private static long BlockSeconds(IContractQueryContext ctx) => ctx.BlockTime.Seconds;

    // ---- state ----

    internal static SessionConfig LoadConfig(IContractQueryContext ctx)
    {
        var raw = ctx.Read(ConfigKey) ?? throw new SessionException(SessionError.NotInstantiated, "the contract has no session config");
        try
        {
            return SessionConfig.Parse(raw);
        }
        catch (SessionConfigException e)
        {
            throw new SessionException(SessionError.StateCorrupt, $"stored config: {e.Message}");
        }
    }

    private static SessionRecord? ReadSession(IContractQueryContext ctx) => ReadRecord(ctx, SessionRecord.StateKey);

    private static SessionRecord? ReadRecord(IContractQueryContext ctx, ReadOnlySpan<byte> key)
    {
        var bytes = ctx.Read(key);
        if (bytes is null)
        {
            return null;
        }
        return SessionRecord.TryDecode(bytes, out var record, out var error)
            ? record
            : throw new SessionException(SessionError.StateCorrupt, $"stored session record: {error}");
    }

    private static List<Measurement> ReadMeasurements(IContractQueryContext ctx)
    {
        var bytes = ctx.Read(MeasurementsKey) ?? throw new SessionException(SessionError.StateCorrupt, "no stored measurement set");
        return DecodeMeasurements(bytes, out var error) ?? throw new SessionException(SessionError.StateCorrupt, $"stored measurement set: {error}");
    }

    private static void WriteMeasurements(IContractContext ctx, IReadOnlyList<Measurement> measurements) =>
        ctx.Write(MeasurementsKey, EncodeMeasurements(measurements));

    /// <summary>The stored set: (u16be length ‖ canonical id)*, in the order entries were added.</summary>
    internal static byte[] EncodeMeasurements(IReadOnlyList<Measurement> measurements)
    {
        var ids = measurements.Select(m => m.CanonicalId).ToList();
        var bytes = new byte[ids.Sum(id => 2 + id.Length)];
        var offset = 0;
        foreach (var id in ids)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)id.Length);
            id.CopyTo(bytes, offset + 2);
            offset += 2 + id.Length;
        }
        return bytes;
    }

    internal static List<Measurement>? DecodeMeasurements(ReadOnlySpan<byte> bytes, out string error)
    {
        var measurements = new List<Measurement>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < 2)
            {
                error = $"offset {offset}: truncated length";
                return null;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
            if (length > bytes.Length - offset - 2)
            {
                error = $"offset {offset}: length {length} runs past the end";
                return null;
            }
            if (!Measurement.TryFromCanonicalId(bytes.Slice(offset + 2, length), out var measurement, out error))
            {
                error = $"offset {offset + 2}: {error}";
                return null;
            }
            measurements.Add(measurement!);
            offset += 2 + length;
        }
        error = "";
        return measurements;
    }

    private static bool Contains(List<Measurement> measurements, byte[] canonicalId) =>
        measurements.Exists(m => m.CanonicalId.AsSpan().SequenceEqual(canonicalId));

    private static void Emit(IContractContext ctx, string? action, SessionRecord record)
    {
        if (action is not null)
        {
            ctx.Emit("action", action);
        }
        ctx.Emit("session_id", record.Id.ToString(CultureInfo.InvariantCulture));
        ctx.Emit("phase", SessionMessages.PhaseName(record.Phase));
        ctx.Emit("attestation_expiry", record.AttestationExpiryUnixSeconds.ToString(CultureInfo.InvariantCulture));
        if (record.EndReason != SessionEndReason.None)
        {
            ctx.Emit("end_reason", SessionMessages.EndReasonName(record.EndReason));
        }
    }

    private static string Describe(QuoteVerification verdict) => verdict.Tee switch
    {
        QuoteTee.Sgx => $"SGX mrenclave {Convert.ToHexStringLower(verdict.MrEnclave ?? [])}, mrsigner {Convert.ToHexStringLower(verdict.MrSigner ?? [])}, "
            + $"prod id {verdict.IsvProdId}, svn {verdict.IsvSvn}",
        QuoteTee.Tdx => $"TDX mrtd {Convert.ToHexStringLower(verdict.MrTd ?? [])}",
        _ => $"mock {Convert.ToHexStringLower(verdict.MrEnclave ?? [])}",
    };
}

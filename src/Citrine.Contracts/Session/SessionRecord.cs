using System.Buffers.Binary;

namespace Citrine.Contracts.Session;

/// <summary>Where a session is in the handshake (docs/session.md, "Session record").</summary>
public enum SessionPhase : byte
{
    Created = 1,
    Established = 2,
    Ended = 3,
}

/// <summary>Why a session ended; <see cref="None"/> while it runs.</summary>
public enum SessionEndReason : byte
{
    None = 0,
    Replaced = 1,
    MeasurementRemoved = 2,
}

/// <summary>
/// The session record (docs/session.md, "Session record"): the value under the contract's state
/// key <c>session</c> that the enclave proves before SessionSetPubKey and SessionReattest. Binary,
/// big-endian, fixed order, exact length:
/// <code>
/// u8 version ‖ u8 phase ‖ u64 id ‖ [32] nonce ‖ u64 created_height ‖ u32 len ‖ measurement ‖
/// [32] signing_key ‖ [32] encryption_key ‖ u64 verified_height ‖ i64 attestation_expiry ‖ u8 end_reason
/// </code>
/// </summary>
public sealed record SessionRecord
{
    public const byte CurrentVersion = 1;
    public const int NonceSize = 32;
    public const int KeySize = 32;

    /// <summary>Every byte but the measurement's.</summary>
    public const int FixedSize = 1 + 1 + 8 + NonceSize + 8 + 4 + KeySize + KeySize + 8 + 8 + 1;

    /// <summary>The contract state key of the current record: UTF-8 <c>session</c>.</summary>
    public static ReadOnlySpan<byte> StateKey => "session"u8;

    /// <summary>The prefix of the history keys: UTF-8 <c>history/</c>.</summary>
    public static ReadOnlySpan<byte> HistoryPrefix => "history/"u8;

    public byte Version { get; init; } = CurrentVersion;

    public required SessionPhase Phase { get; init; }

    /// <summary>1 for the first session, +1 per SessionCreate.</summary>
    public required ulong Id { get; init; }

    public required byte[] Nonce { get; init; }

    /// <summary>The block height of the SessionCreate tx.</summary>
    public required ulong CreatedHeight { get; init; }

    /// <summary>The canonical id of the matched measurement (<see cref="Session.Measurement.CanonicalId"/>).</summary>
    public required byte[] Measurement { get; init; }

    /// <summary>The Ed25519 output key; zeros until Established.</summary>
    public byte[] SigningKey { get; init; } = new byte[KeySize];

    /// <summary>The X25519 request key; zeros until Established.</summary>
    public byte[] EncryptionKey { get; init; } = new byte[KeySize];

    /// <summary>The enclave's verified height of the last SetPubKey/Reattest; 0 before.</summary>
    public ulong VerifiedHeight { get; init; }

    /// <summary>Unix seconds: min(collateral nextUpdate, attested block time + max age).</summary>
    public required long AttestationExpiryUnixSeconds { get; init; }

    public SessionEndReason EndReason { get; init; }

    /// <summary>The history key of session <paramref name="id"/>: <c>history/ ‖ u64be id</c>.</summary>
    public static byte[] HistoryKey(ulong id)
    {
        var key = new byte[HistoryPrefix.Length + 8];
        HistoryPrefix.CopyTo(key);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(HistoryPrefix.Length), id);
        return key;
    }

    /// <summary>The encoding; throws <see cref="InvalidOperationException"/> when a field cannot be encoded (what <see cref="TryDecode"/> would refuse).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[FixedSize + (Measurement?.Length ?? 0)];
        var offset = 0;
        bytes[offset++] = Version;
        bytes[offset++] = (byte)Phase;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), Id);
        offset += 8;
        offset = Copy(bytes, offset, Nonce, NonceSize, "nonce");
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), CreatedHeight);
        offset += 8;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)(Measurement?.Length ?? 0));
        offset += 4;
        offset = Copy(bytes, offset, Measurement, Measurement?.Length ?? 0, "measurement");
        offset = Copy(bytes, offset, SigningKey, KeySize, "signing_key");
        offset = Copy(bytes, offset, EncryptionKey, KeySize, "encryption_key");
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), VerifiedHeight);
        offset += 8;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(offset), AttestationExpiryUnixSeconds);
        offset += 8;
        bytes[offset] = (byte)EndReason;
        if (!TryDecode(bytes, out _, out var error))
        {
            throw new InvalidOperationException($"the session record cannot be encoded: {error}");
        }
        return bytes;
    }

    /// <summary>
    /// Decodes exactly one record; false with an error naming the field and its offset for a wrong
    /// length, an unknown version, phase or end reason, a malformed measurement id, or fields that
    /// contradict the phase. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out SessionRecord? record, out string error)
    {
        record = null;
        if (bytes.Length < FixedSize)
        {
            error = $"length: a session record is at least {FixedSize} bytes, got {bytes.Length}";
            return false;
        }
        var version = bytes[0];
        if (version != CurrentVersion)
        {
            error = $"version (offset 0): unknown version {version}";
            return false;
        }
        var phase = (SessionPhase)bytes[1];
        if (phase is not (SessionPhase.Created or SessionPhase.Established or SessionPhase.Ended))
        {
            error = $"phase (offset 1): unknown phase {bytes[1]}";
            return false;
        }
        var id = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
        if (id == 0)
        {
            error = "id (offset 2): session ids start at 1";
            return false;
        }
        var nonce = bytes.Slice(10, NonceSize);
        var createdHeight = BinaryPrimitives.ReadUInt64BigEndian(bytes[42..]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[50..]);
        const int measurementOffset = 54;
        if (length != (uint)(bytes.Length - FixedSize))
        {
            error = $"measurement length (offset 50): {length} does not leave exactly the record's remaining {FixedSize - measurementOffset} bytes of {bytes.Length}";
            return false;
        }
        var measurement = bytes.Slice(measurementOffset, (int)length);
        if (!Session.Measurement.TryFromCanonicalId(measurement, out _, out var measurementError))
        {
            error = $"measurement (offset {measurementOffset}): {measurementError}";
            return false;
        }
        var offset = measurementOffset + (int)length;
        var signingKey = bytes.Slice(offset, KeySize);
        var encryptionKey = bytes.Slice(offset + KeySize, KeySize);
        var verifiedHeight = BinaryPrimitives.ReadUInt64BigEndian(bytes[(offset + (2 * KeySize))..]);
        var expiry = BinaryPrimitives.ReadInt64BigEndian(bytes[(offset + (2 * KeySize) + 8)..]);
        var endOffset = offset + (2 * KeySize) + 16;
        var endReason = (SessionEndReason)bytes[endOffset];
        if (endReason is not (SessionEndReason.None or SessionEndReason.Replaced or SessionEndReason.MeasurementRemoved))
        {
            error = $"end_reason (offset {endOffset}): unknown end reason {bytes[endOffset]}";
            return false;
        }
        if ((phase == SessionPhase.Ended) != (endReason != SessionEndReason.None))
        {
            error = $"end_reason (offset {endOffset}): {endReason} contradicts phase {phase}";
            return false;
        }
        if (phase == SessionPhase.Created && (signingKey.ContainsAnyExcept((byte)0) || encryptionKey.ContainsAnyExcept((byte)0) || verifiedHeight != 0))
        {
            error = $"signing_key (offset {offset}): a Created session has no keys and no verified height yet";
            return false;
        }
        record = new SessionRecord
        {
            Version = version,
            Phase = phase,
            Id = id,
            Nonce = nonce.ToArray(),
            CreatedHeight = createdHeight,
            Measurement = measurement.ToArray(),
            SigningKey = signingKey.ToArray(),
            EncryptionKey = encryptionKey.ToArray(),
            VerifiedHeight = verifiedHeight,
            AttestationExpiryUnixSeconds = expiry,
            EndReason = endReason,
        };
        error = "";
        return true;
    }

    /// <summary>Field-by-field equality of the bytes (a record's synthesized equality would compare array references).</summary>
    public bool Equals(SessionRecord? other) =>
        other is not null && Version == other.Version && Phase == other.Phase && Id == other.Id && Same(Nonce, other.Nonce)
        && CreatedHeight == other.CreatedHeight && Same(Measurement, other.Measurement) && Same(SigningKey, other.SigningKey)
        && Same(EncryptionKey, other.EncryptionKey) && VerifiedHeight == other.VerifiedHeight
        && AttestationExpiryUnixSeconds == other.AttestationExpiryUnixSeconds && EndReason == other.EndReason;

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    public override int GetHashCode() => (int)Id ^ (int)Phase;

    private static int Copy(byte[] destination, int offset, byte[]? value, int length, string field)
    {
        if (value is null || value.Length != length)
        {
            throw new InvalidOperationException($"{field} must be {length} bytes, got {value?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
        }
        value.CopyTo(destination, offset);
        return offset + length;
    }
}

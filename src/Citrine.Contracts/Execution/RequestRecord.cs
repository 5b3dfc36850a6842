using System.Text;

namespace Citrine.Contracts.Execution;

/// <summary>
/// A queued request (docs/execution.md, "Requests"): the value under <c>queue/ ‖ u64be seq</c>
/// that the enclave proves before it decrypts. Binary, big-endian, exact length:
/// <code>
/// u8 version = 1 ‖ u64 seq ‖ u64 session_id ‖ LP(sender[20]) ‖ LP(kind) ‖ u16 aead_id ‖
/// LP(enc: 0 or 32 bytes) ‖ LP(ciphertext) ‖ u64 funds ‖ u64 height
/// </code>
/// The sender is the tx signer as the chain authenticated it, never a value from the ciphertext.
/// </summary>
public sealed record RequestRecord
{
    public const byte CurrentVersion = 1;
    public const int AddressSize = 20;
    public const int MaxKindLength = 32;

    /// <summary>The largest ciphertext a request may carry: 16 KiB.</summary>
    public const int MaxCiphertextSize = 16 * 1024;

    /// <summary>The size of a record with an empty kind, enc and ciphertext.</summary>
    public const int FixedSize = 1 + 8 + 8 + 4 + AddressSize + 4 + 2 + 4 + 4 + 8 + 8;

    public byte Version { get; init; } = CurrentVersion;

    public required ulong Seq { get; init; }

    /// <summary>The session the ciphertext was encrypted for.</summary>
    public required ulong SessionId { get; init; }

    /// <summary>The 20-byte tx signer.</summary>
    public required byte[] Sender { get; init; }

    /// <summary>The app's request kind: 1..32 bytes of <c>[a-z0-9_]</c>.</summary>
    public required string Kind { get; init; }

    /// <summary><see cref="RequestSuite.ChaCha20Poly1305AeadId"/> or <see cref="RequestSuite.Aes256GcmAeadId"/>.</summary>
    public required ushort AeadId { get; init; }

    /// <summary>The HPKE encapsulated key: 32 bytes, or empty when <see cref="Ciphertext"/> is.</summary>
    public byte[] Enc { get; init; } = [];

    public byte[] Ciphertext { get; init; } = [];

    /// <summary>Devnet tokens sent with the request (0 unless the app takes deposits).</summary>
    public ulong Funds { get; init; }

    /// <summary>The block height the request was queued at.</summary>
    public required ulong Height { get; init; }

    /// <summary>True when <paramref name="kind"/> is 1..32 bytes of <c>[a-z0-9_]</c>.</summary>
    public static bool IsValidKind(string? kind)
    {
        if (kind is null || kind.Length is 0 or > MaxKindLength)
        {
            return false;
        }
        foreach (var c in kind)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The encoding; throws <see cref="InvalidOperationException"/> when a field cannot be encoded (what <see cref="TryDecode"/> would refuse).</summary>
    public byte[] Encode()
    {
        if (Sender is null || Enc is null || Ciphertext is null || !IsValidKind(Kind))
        {
            throw new InvalidOperationException("the request record cannot be encoded: sender, enc and ciphertext must be set and the kind valid");
        }
        var bytes = new byte[FixedSize + Sender.Length - AddressSize + Kind.Length + Enc.Length + Ciphertext.Length];
        var w = new BinaryWriterCursor(bytes);
        w.U8(Version);
        w.U64(Seq);
        w.U64(SessionId);
        w.Lp(Sender);
        w.Lp(Encoding.ASCII.GetBytes(Kind));
        w.U16(AeadId);
        w.Lp(Enc);
        w.Lp(Ciphertext);
        w.U64(Funds);
        w.U64(Height);
        if (!TryDecode(bytes, out _, out var error))
        {
            throw new InvalidOperationException($"the request record cannot be encoded: {error}");
        }
        return bytes;
    }

    /// <summary>
    /// Decodes exactly one record; false with an error naming the field and its offset for a wrong
    /// length, an unknown version or AEAD, a sender that is not 20 bytes, an invalid kind, an enc
    /// that is not 32 bytes with a ciphertext (or not empty without one), or a ciphertext above
    /// 16 KiB. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out RequestRecord? record, out string error)
    {
        record = null;
        var r = new BinaryReaderCursor(bytes);
        if (!r.U8("version", out var version))
        {
            error = r.Error;
            return false;
        }
        if (version != CurrentVersion)
        {
            error = $"version (offset 0): unknown version {version}";
            return false;
        }
        if (!r.U64("seq", out var seq) || !r.U64("session_id", out var sessionId))
        {
            error = r.Error;
            return false;
        }
        var at = r.Position;
        if (!r.Lp("sender", AddressSize, out var sender))
        {
            error = r.Error;
            return false;
        }
        if (sender.Length != AddressSize)
        {
            error = $"sender (offset {at}): expected {AddressSize} bytes, got {sender.Length}";
            return false;
        }
        at = r.Position;
        if (!r.Lp("kind", MaxKindLength, out var kindBytes))
        {
            error = r.Error;
            return false;
        }
        // Non-ASCII bytes decode to '?', which IsValidKind refuses like any other byte outside [a-z0-9_].
        var kind = Encoding.ASCII.GetString(kindBytes);
        if (!IsValidKind(kind))
        {
            error = $"kind (offset {at}): not 1..{MaxKindLength} bytes of [a-z0-9_]";
            return false;
        }
        at = r.Position;
        if (!r.U16("aead_id", out var aeadId))
        {
            error = r.Error;
            return false;
        }
        if (!RequestSuite.IsAeadId(aeadId))
        {
            error = $"aead_id (offset {at}): 0x{aeadId:x4} is not ChaCha20Poly1305 (0x0003) or AES-256-GCM (0x0002)";
            return false;
        }
        at = r.Position;
        if (!r.Lp("enc", RequestSuite.EncSize, out var enc) || !r.Lp("ciphertext", MaxCiphertextSize, out var ciphertext))
        {
            error = r.Error;
            return false;
        }
        if (enc.Length != (ciphertext.IsEmpty ? 0 : RequestSuite.EncSize))
        {
            error = $"enc (offset {at}): {enc.Length} bytes with a {ciphertext.Length}-byte ciphertext (32 with a ciphertext, 0 without)";
            return false;
        }
        if (!r.U64("funds", out var funds) || !r.U64("height", out var height) || !r.End("request record"))
        {
            error = r.Error;
            return false;
        }
        record = new RequestRecord
        {
            Version = version,
            Seq = seq,
            SessionId = sessionId,
            Sender = sender.ToArray(),
            Kind = kind,
            AeadId = aeadId,
            Enc = enc.ToArray(),
            Ciphertext = ciphertext.ToArray(),
            Funds = funds,
            Height = height,
        };
        error = "";
        return true;
    }

    /// <summary>The HPKE associated data of this request for <paramref name="chainId"/> and <paramref name="contract"/> (<see cref="RequestAad.Build"/>).</summary>
    public byte[] Aad(string chainId, ReadOnlySpan<byte> contract) => RequestAad.Build(chainId, contract, Sender, SessionId, Kind);

    /// <summary>Field-by-field equality of the bytes (a record's synthesized equality would compare array references).</summary>
    public bool Equals(RequestRecord? other) =>
        other is not null && Version == other.Version && Seq == other.Seq && SessionId == other.SessionId && Same(Sender, other.Sender)
        && string.Equals(Kind, other.Kind, StringComparison.Ordinal) && AeadId == other.AeadId && Same(Enc, other.Enc)
        && Same(Ciphertext, other.Ciphertext) && Funds == other.Funds && Height == other.Height;

    public override int GetHashCode() => (int)Seq ^ (int)SessionId;

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}

/// <summary>
/// The HPKE associated data of a request (docs/execution.md, "Requests"):
/// <code>
/// LP("citrine/v1/request") ‖ LP(chain_id) ‖ LP(contract[20]) ‖ LP(sender[20]) ‖ u64 session_id ‖ LP(kind)
/// </code>
/// The enclave rebuilds it from the proven record, so a ciphertext moved to another chain,
/// contract, sender, session or kind does not open.
/// </summary>
public static class RequestAad
{
    /// <summary>The domain tag: UTF-8 <c>citrine/v1/request</c> (also the HPKE info, <see cref="RequestSuite.Info"/>).</summary>
    public const string Tag = "citrine/v1/request";

    public static byte[] Build(string chainId, ReadOnlySpan<byte> contract, ReadOnlySpan<byte> sender, ulong sessionId, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        if (contract.Length != RequestRecord.AddressSize)
        {
            throw new ArgumentException($"the contract address is {RequestRecord.AddressSize} bytes, got {contract.Length}", nameof(contract));
        }
        if (sender.Length != RequestRecord.AddressSize)
        {
            throw new ArgumentException($"the sender address is {RequestRecord.AddressSize} bytes, got {sender.Length}", nameof(sender));
        }
        if (!RequestRecord.IsValidKind(kind))
        {
            throw new ArgumentException($"'{kind}' is not 1..{RequestRecord.MaxKindLength} bytes of [a-z0-9_]", nameof(kind));
        }
        var tag = Encoding.UTF8.GetBytes(Tag);
        var chain = Encoding.UTF8.GetBytes(chainId);
        var aad = new byte[(5 * 4) + tag.Length + chain.Length + contract.Length + sender.Length + 8 + kind.Length];
        var w = new BinaryWriterCursor(aad);
        w.Lp(tag);
        w.Lp(chain);
        w.Lp(contract);
        w.Lp(sender);
        w.U64(sessionId);
        w.Lp(Encoding.ASCII.GetBytes(kind));
        return aad;
    }
}

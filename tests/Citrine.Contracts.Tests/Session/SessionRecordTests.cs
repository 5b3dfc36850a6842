using Citrine.Contracts.Session;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Session;

public sealed class SessionRecordTests
{
    private static SessionRecord Established() => new()
    {
        Phase = SessionPhase.Established,
        Id = 2,
        Nonce = Bytes(0xab, 32),
        CreatedHeight = 7,
        Measurement = Mock().CanonicalId,
        SigningKey = Bytes(0x11, 32),
        EncryptionKey = Bytes(0x22, 32),
        VerifiedHeight = 9,
        AttestationExpiryUnixSeconds = 1_750_086_400,
    };

    [Fact]
    public void Encode_writes_the_documented_layout()
    {
        var expected =
            "01" + "02" + "0000000000000002" + Hex(0xab, 32) + "0000000000000007"
            + "00000021" + "03" + Hex(0x77, 32)
            + Hex(0x11, 32) + Hex(0x22, 32) + "0000000000000009" + "0000000068503300" + "00";
        Assert.Equal(expected, Convert.ToHexStringLower(Established().Encode()));
        Assert.Equal(SessionRecord.FixedSize + 33, Established().Encode().Length);
    }

    [Fact]
    public void Keys_are_the_documented_strings()
    {
        Assert.Equal("session"u8.ToArray(), SessionRecord.StateKey.ToArray());
        Assert.Equal([.. "history/"u8, 0, 0, 0, 0, 0, 0, 1, 2], SessionRecord.HistoryKey(0x0102));
    }

    [Fact]
    public void Decode_reads_back_what_encode_wrote()
    {
        var record = Established();
        Assert.True(SessionRecord.TryDecode(record.Encode(), out var back, out var error), error);
        Assert.Equal(record, back);
    }

    public static TheoryData<int, byte, string> Tampers() => new()
    {
        { 0, 2, "version (offset 0)" },
        { 1, 0, "phase (offset 1)" },
        { 1, 4, "phase (offset 1)" },
        { 53, 0x20, "measurement length (offset 50)" },
        { 54, 0x09, "measurement (offset 54)" },
        { 54 + 33 + 64 + 16, 3, "end_reason (offset 167)" },
        { 54 + 33 + 64 + 16, 1, "end_reason (offset 167)" },
        { 1, 1, "signing_key (offset 87)" },
    };

    [Theory]
    [MemberData(nameof(Tampers))]
    public void Decode_refuses_a_tampered_field_and_names_it(int offset, byte value, string field)
    {
        var bytes = Established().Encode();
        bytes[offset] = value;
        Assert.False(SessionRecord.TryDecode(bytes, out var record, out var error));
        Assert.Null(record);
        Assert.StartsWith(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_id_zero_and_wrong_lengths()
    {
        var bytes = Established().Encode();
        Assert.False(SessionRecord.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _, out var shorter));
        Assert.StartsWith("measurement length", shorter, StringComparison.Ordinal);
        Assert.False(SessionRecord.TryDecode([.. bytes, 0], out _, out var longer));
        Assert.StartsWith("measurement length", longer, StringComparison.Ordinal);
        Assert.False(SessionRecord.TryDecode(bytes.AsSpan(0, 10), out _, out var tiny));
        Assert.StartsWith("length", tiny, StringComparison.Ordinal);
        bytes[9] = 0;
        Assert.False(SessionRecord.TryDecode(bytes, out _, out var zero));
        Assert.StartsWith("id (offset 2)", zero, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_refuses_a_record_decode_would_refuse()
    {
        Assert.Throws<InvalidOperationException>(() => (Established() with { Nonce = Bytes(1, 31) }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Established() with { Measurement = [9] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Established() with { EndReason = SessionEndReason.Replaced }).Encode());
    }

    [Property(MaxTest = 300)]
    public bool Every_single_bit_flip_decodes_or_is_refused_without_throwing(ushort position)
    {
        var bytes = Established().Encode();
        var bit = position % (bytes.Length * 8);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        var ok = SessionRecord.TryDecode(bytes, out var record, out var error);
        // A flip either yields another valid record (which re-encodes to the flipped bytes) or a named refusal.
        return ok ? record!.Encode().AsSpan().SequenceEqual(bytes) : record is null && error.Length > 0;
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_bytes_never_throw(byte[] bytes)
    {
        bytes ??= [];
        var ok = SessionRecord.TryDecode(bytes, out var record, out var error);
        return ok ? record!.Encode().AsSpan().SequenceEqual(bytes) : error.Length > 0;
    }

    [Property(MaxTest = 200)]
    public bool Encode_then_decode_round_trips(ulong id, ulong created, ulong verified, long expiry, byte kind, bool ended, byte seed)
    {
        var measurement = (kind % 3) switch { 0 => Sgx(seed), 1 => Tdx(seed), _ => Mock(seed) };
        var record = new SessionRecord
        {
            Phase = ended ? SessionPhase.Ended : SessionPhase.Established,
            Id = Math.Max(1, id),
            Nonce = Bytes(seed, 32),
            CreatedHeight = created,
            Measurement = measurement.CanonicalId,
            SigningKey = Bytes((byte)(seed + 1), 32),
            EncryptionKey = Bytes((byte)(seed + 2), 32),
            VerifiedHeight = verified,
            AttestationExpiryUnixSeconds = expiry,
            EndReason = ended ? SessionEndReason.MeasurementRemoved : SessionEndReason.None,
        };
        return SessionRecord.TryDecode(record.Encode(), out var back, out _) && back == record;
    }
}

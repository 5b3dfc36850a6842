using Citrine.Contracts.Execution;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Execution;

public sealed class RequestRecordTests
{
    private static readonly byte[] Contract = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];

    private static RequestRecord Record() => new()
    {
        Seq = 7,
        SessionId = 2,
        Sender = Bytes(0x11, 20),
        Kind = "transfer",
        AeadId = RequestSuite.ChaCha20Poly1305AeadId,
        Enc = Bytes(0x22, 32),
        Ciphertext = "hello"u8.ToArray(),
        Funds = 5,
        Height = 42,
    };

    private const string Known =
        "01" + "0000000000000007" + "0000000000000002" + "00000014" + "1111111111111111111111111111111111111111"
        + "00000008" + "7472616e73666572" + "0003" + "00000020" + "2222222222222222222222222222222222222222222222222222222222222222"
        + "00000005" + "68656c6c6f" + "0000000000000005" + "000000000000002a";

    [Fact]
    public void Encode_writes_the_documented_layout()
    {
        Assert.Equal(Known, Convert.ToHexStringLower(Record().Encode()));
        Assert.Equal(RequestRecord.FixedSize + 8 + 32 + 5, Record().Encode().Length);
    }

    [Fact]
    public void Decode_reads_back_the_known_encoding()
    {
        Assert.True(RequestRecord.TryDecode(Convert.FromHexString(Known), out var record, out var error), error);
        Assert.Equal(Record(), record);
    }

    [Fact]
    public void A_deposit_without_ciphertext_has_an_empty_enc()
    {
        var deposit = Record() with { Enc = [], Ciphertext = [], Funds = 1000, AeadId = RequestSuite.Aes256GcmAeadId };
        Assert.True(RequestRecord.TryDecode(deposit.Encode(), out var back, out var error), error);
        Assert.Equal(deposit, back);
    }

    public static TheoryData<string, string, string> Tampers() => new()
    {
        // (hex to replace, replacement, field the error names)
        { "01" + "00000000000000070000", "02" + "00000000000000070000", "version (offset 0)" },
        { "00000014" + "11111111", "00000013" + "11111111", "sender (offset 17)" },
        { "00000014" + "11111111", "00000015" + "11111111", "sender (offset 17): length 21 is above the limit 20" },
        { "7472616e73666572", "5472616e73666572", "kind (offset 41)" },
        { "7472616e73666572", "7472616e73662d72", "kind (offset 41)" },
        { "7472616e73666572", "7472616e7366ff72", "kind (offset 41)" },
        { "0003" + "00000020", "0001" + "00000020", "aead_id (offset 53)" },
        { "0003" + "00000020", "0004" + "00000020", "aead_id (offset 53)" },
        { "000000000000002a", "000000000000002a00", "request record (offset 116): 1 byte(s) after the end" },
    };

    [Theory]
    [MemberData(nameof(Tampers))]
    public void Decode_refuses_a_tampered_field_and_names_it(string from, string to, string field)
    {
        Assert.Contains(from, Known, StringComparison.Ordinal);
        var bytes = Convert.FromHexString(Known.Replace(from, to, StringComparison.Ordinal));
        Assert.False(RequestRecord.TryDecode(bytes, out var record, out var error));
        Assert.Null(record);
        Assert.StartsWith(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_an_empty_or_over_long_kind()
    {
        Assert.False(RequestRecord.TryDecode(Convert.FromHexString(Known.Replace("00000008" + "7472616e73666572", "00000000", StringComparison.Ordinal)), out _, out var empty));
        Assert.StartsWith("kind (offset 41)", empty, StringComparison.Ordinal);
        Assert.False(RequestRecord.TryDecode(Convert.FromHexString(Known.Replace("00000008" + "7472616e73666572", "00000021" + new string('a', 66), StringComparison.Ordinal)), out _, out var longer));
        Assert.StartsWith("kind (offset 41): length 33 is above the limit 32", longer, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_enc_that_does_not_fit_the_ciphertext()
    {
        Assert.False(RequestRecord.TryDecode(Encode(Record() with { Enc = Bytes(0x22, 31) }), out _, out var shortEnc));
        Assert.StartsWith("enc (offset 55)", shortEnc, StringComparison.Ordinal);
        Assert.False(RequestRecord.TryDecode(Encode(Record() with { Ciphertext = [] }), out _, out var encWithout));
        Assert.StartsWith("enc (offset 55)", encWithout, StringComparison.Ordinal);
        Assert.False(RequestRecord.TryDecode(Encode(Record() with { Enc = [] }), out _, out var noEnc));
        Assert.StartsWith("enc (offset 55)", noEnc, StringComparison.Ordinal);
        Assert.False(RequestRecord.TryDecode(Encode(Record() with { Enc = Bytes(0x22, 33) }), out _, out var longEnc));
        Assert.StartsWith("enc (offset 55): length 33 is above the limit 32", longEnc, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_a_ciphertext_above_16_KiB_and_takes_exactly_16_KiB()
    {
        Assert.True(RequestRecord.TryDecode(Encode(Record() with { Ciphertext = new byte[16 * 1024] }), out _, out var error), error);
        Assert.False(RequestRecord.TryDecode(Encode(Record() with { Ciphertext = new byte[(16 * 1024) + 1] }), out _, out var large));
        Assert.StartsWith("ciphertext (offset 91): length 16385 is above the limit 16384", large, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_every_truncation()
    {
        var bytes = Record().Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(RequestRecord.TryDecode(bytes.AsSpan(0, length), out var record, out var error));
            Assert.Null(record);
            Assert.NotEmpty(error);
        }
    }

    [Fact]
    public void Encode_refuses_a_record_decode_would_refuse()
    {
        Assert.Throws<InvalidOperationException>(() => (Record() with { Sender = Bytes(1, 19) }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Record() with { Kind = "Transfer" }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Record() with { AeadId = 1 }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Record() with { Enc = [] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Record() with { Version = 2 }).Encode());
    }

    [Fact]
    public void Kinds_are_1_to_32_bytes_of_lower_case_letters_digits_and_underscores()
    {
        Assert.True(RequestRecord.IsValidKind("transfer"));
        Assert.True(RequestRecord.IsValidKind("a"));
        Assert.True(RequestRecord.IsValidKind("query_balance_2"));
        Assert.True(RequestRecord.IsValidKind(new string('z', 32)));
        Assert.False(RequestRecord.IsValidKind(null));
        Assert.False(RequestRecord.IsValidKind(""));
        Assert.False(RequestRecord.IsValidKind(new string('z', 33)));
        Assert.False(RequestRecord.IsValidKind("Transfer"));
        Assert.False(RequestRecord.IsValidKind("trans-fer"));
        Assert.False(RequestRecord.IsValidKind("tränsfer"));
        Assert.False(RequestRecord.IsValidKind("a b"));
    }

    [Fact]
    public void Aad_is_the_documented_concatenation()
    {
        var expected =
            "00000012" + "63697472696e652f76312f72657175657374"
            + "00000010" + "63697472696e652d6465766e65742d31"
            + "00000014" + "0102030405060708090a0b0c0d0e0f1011121314"
            + "00000014" + "1111111111111111111111111111111111111111"
            + "0000000000000002"
            + "00000008" + "7472616e73666572";
        Assert.Equal(expected, Convert.ToHexStringLower(RequestAad.Build(ChainId, Contract, Bytes(0x11, 20), 2, "transfer")));
        Assert.Equal(expected, Convert.ToHexStringLower(Record().Aad(ChainId, Contract)));
        Assert.Equal("citrine/v1/request", RequestSuite.Info);
        Assert.Equal(RequestAad.Tag, RequestSuite.Info);
    }

    [Fact]
    public void Aad_refuses_what_its_layout_cannot_hold()
    {
        Assert.Throws<ArgumentException>(() => RequestAad.Build("", Contract, Bytes(0x11, 20), 2, "transfer"));
        Assert.Throws<ArgumentException>(() => RequestAad.Build(ChainId, Contract.AsSpan(0, 19), Bytes(0x11, 20), 2, "transfer"));
        Assert.Throws<ArgumentException>(() => RequestAad.Build(ChainId, Contract, Bytes(0x11, 21), 2, "transfer"));
        Assert.Throws<ArgumentException>(() => RequestAad.Build(ChainId, Contract, Bytes(0x11, 20), 2, "Transfer"));
    }

    [Fact]
    public void Suite_names_map_to_aead_ids_and_back()
    {
        Assert.True(RequestSuite.TryGetAeadId("x25519-sha256-chacha20poly1305", out var chacha));
        Assert.Equal(0x0003, chacha);
        Assert.True(RequestSuite.TryGetAeadId("x25519-sha256-aes256gcm", out var aes));
        Assert.Equal(0x0002, aes);
        Assert.False(RequestSuite.TryGetAeadId("X25519-SHA256-AES256GCM", out _));
        Assert.False(RequestSuite.TryGetAeadId("x25519-sha256-aes128gcm", out _));
        Assert.False(RequestSuite.TryGetAeadId(null, out _));
        Assert.True(RequestSuite.TryGetName(3, out var chachaName));
        Assert.Equal(RequestSuite.ChaCha20Poly1305, chachaName);
        Assert.True(RequestSuite.TryGetName(2, out var aesName));
        Assert.Equal(RequestSuite.Aes256Gcm, aesName);
        Assert.False(RequestSuite.TryGetName(1, out _));
        Assert.Equal((0x0020, 0x0001), (RequestSuite.KemId, RequestSuite.KdfId));
    }

    [Property(MaxTest = 300)]
    public bool Every_single_bit_flip_decodes_or_is_refused_without_throwing(ushort position)
    {
        var bytes = Record().Encode();
        var bit = position % (bytes.Length * 8);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        var ok = RequestRecord.TryDecode(bytes, out var record, out var error);
        return ok ? record!.Encode().AsSpan().SequenceEqual(bytes) : record is null && error.Length > 0;
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_bytes_never_throw(byte[] bytes)
    {
        bytes ??= [];
        var ok = RequestRecord.TryDecode(bytes, out var record, out var error);
        return ok ? record!.Encode().AsSpan().SequenceEqual(bytes) : error.Length > 0;
    }

    [Property(MaxTest = 200)]
    public bool Encode_then_decode_round_trips(ulong seq, ulong session, ulong funds, ulong height, bool aes, byte seed, byte[] ciphertext, byte kindLength)
    {
        ciphertext ??= [];
        var record = new RequestRecord
        {
            Seq = seq,
            SessionId = session,
            Sender = Bytes(seed, 20),
            Kind = new string((char)('a' + (seed % 26)), 1 + (kindLength % 32)),
            AeadId = aes ? RequestSuite.Aes256GcmAeadId : RequestSuite.ChaCha20Poly1305AeadId,
            Enc = ciphertext.Length == 0 ? [] : Bytes((byte)(seed + 1), 32),
            Ciphertext = ciphertext,
            Funds = funds,
            Height = height,
        };
        return RequestRecord.TryDecode(record.Encode(), out var back, out _) && back == record;
    }

    /// <summary>The layout without Encode's own check, to hand the decoder what Encode refuses to write.</summary>
    private static byte[] Encode(RequestRecord r)
    {
        static byte[] Lp(byte[] x) => [.. ExecutionKeys.EncodeU64((ulong)x.Length)[4..], .. x];
        return [1, .. ExecutionKeys.EncodeU64(r.Seq), .. ExecutionKeys.EncodeU64(r.SessionId), .. Lp(r.Sender), .. Lp(System.Text.Encoding.ASCII.GetBytes(r.Kind)),
            (byte)(r.AeadId >> 8), (byte)r.AeadId, .. Lp(r.Enc), .. Lp(r.Ciphertext), .. ExecutionKeys.EncodeU64(r.Funds), .. ExecutionKeys.EncodeU64(r.Height)];
    }
}

using Citrine.Crypto.Encoding;
using Citrine.Crypto.Hpke;
using FsCheck.Xunit;

namespace Citrine.Crypto.Tests.Hpke;

public sealed class HpkeTests
{
    private static readonly byte[] Info = "citrine hpke test info"u8.ToArray();
    private static readonly byte[] Aad = "chain-id|contract|sender|session"u8.ToArray();
    private static readonly byte[] Plaintext = "a private transfer of 42 tokens"u8.ToArray();
    private static readonly byte[] Psk = "0123456789abcdef0123456789abcdef"u8.ToArray();
    private static readonly byte[] PskId = "citrine-psk-1"u8.ToArray();

    private static readonly HpkeSuite[] AllSuites =
    [
        .. from kem in new[] { HpkeKemId.DhkemX25519HkdfSha256, HpkeKemId.DhkemP256HkdfSha256, HpkeKemId.DhkemP521HkdfSha512 }
           from kdf in new[] { HpkeKdfId.HkdfSha256, HpkeKdfId.HkdfSha384, HpkeKdfId.HkdfSha512 }
           from aead in new[] { HpkeAeadId.Aes128Gcm, HpkeAeadId.Aes256Gcm, HpkeAeadId.ChaCha20Poly1305 }
           select HpkeSuite.Create(kem, kdf, aead),
    ];

    private static readonly HpkeMode[] AllModes = [HpkeMode.Base, HpkeMode.Psk, HpkeMode.Auth, HpkeMode.AuthPsk];

    public static TheoryData<HpkeKemId, HpkeMode> KemsAndModes()
    {
        var data = new TheoryData<HpkeKemId, HpkeMode>();
        foreach (var kem in new[] { HpkeKemId.DhkemX25519HkdfSha256, HpkeKemId.DhkemP256HkdfSha256, HpkeKemId.DhkemP521HkdfSha512 })
        {
            foreach (var mode in AllModes)
            {
                data.Add(kem, mode);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_recovers_the_plaintext_of_an_untampered_message(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        Assert.Equal(Plaintext, f.Open());
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_rejects_a_message_whose_ciphertext_was_altered(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        for (var bit = 0; bit < f.Ciphertext.Length * 8; bit += 37)
        {
            var ex = Assert.Throws<AuthenticationFailedException>(() => f.Open(ciphertext: Flip(f.Ciphertext, bit)));
            Assert.Contains("tag", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_rejects_a_message_whose_aad_was_altered(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        Assert.Throws<AuthenticationFailedException>(() => f.Open(aad: Flip(Aad, 3)));
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_rejects_a_message_opened_with_altered_info(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        Assert.Throws<AuthenticationFailedException>(() => f.Open(info: Flip(Info, 9)));
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_rejects_a_message_whose_enc_was_altered(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        // Bit 17 sits in the first coordinate of a NIST point: the result is off the curve and
        // fails validation (§7.1.4); any 32 bytes are an X25519 key, so the tag check fails there.
        if (kem == HpkeKemId.DhkemX25519HkdfSha256)
        {
            Assert.Throws<AuthenticationFailedException>(() => f.Open(enc: Flip(f.Enc, 17)));
            // The top bit is masked by X25519 (RFC 7748 §5), yet enc is bound through kem_context.
            Assert.Throws<AuthenticationFailedException>(() => f.Open(enc: Flip(f.Enc, 255)));
        }
        else
        {
            var ex = Assert.Throws<InvalidKeyException>(() => f.Open(enc: Flip(f.Enc, 17)));
            Assert.Contains("not a point on the curve", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(KemsAndModes))]
    public void Open_rejects_a_message_opened_with_another_recipient_key(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        var sk = f.Recipient.ExportPrivateKey();
        // Byte 1 is outside the bits that X25519 clamping overwrites, so the scalar really changes.
        using var other = f.Suite.ImportPrivateKey(Flip(sk, 8));
        Assert.Throws<AuthenticationFailedException>(() => f.Open(recipient: other));
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, HpkeMode.Psk)]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, HpkeMode.AuthPsk)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, HpkeMode.Psk)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512, HpkeMode.AuthPsk)]
    public void Open_rejects_a_message_opened_with_an_altered_psk_or_psk_id(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        Assert.Throws<AuthenticationFailedException>(() => f.Open(psk: Flip(Psk, 0)));
        Assert.Throws<AuthenticationFailedException>(() => f.Open(pskId: Flip(PskId, 5)));
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, HpkeMode.Auth)]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, HpkeMode.AuthPsk)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, HpkeMode.Auth)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512, HpkeMode.AuthPsk)]
    public void Open_rejects_a_message_attributed_to_another_sender(HpkeKemId kem, HpkeMode mode)
    {
        var f = Fixture.Create(kem, mode);
        using var impostor = f.Suite.DeriveKeyPair("impostor"u8);
        Assert.Throws<AuthenticationFailedException>(() => f.Open(senderPublicKey: impostor.ExportPublicKey()));
        if (kem == HpkeKemId.DhkemX25519HkdfSha256)
        {
            Assert.Throws<AuthenticationFailedException>(() => f.Open(senderPublicKey: Flip(f.Sender!.ExportPublicKey(), 17)));
        }
        else
        {
            Assert.Throws<InvalidKeyException>(() => f.Open(senderPublicKey: Flip(f.Sender!.ExportPublicKey(), 17)));
        }
    }

    [Fact]
    public void SealDerived_is_deterministic_opens_and_refuses_short_ikmE()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        using var recipient = suite.GenerateKeyPair();
        var ikm = new byte[32];
        ikm[0] = 1;
        var a = suite.SealDerived(recipient.PublicKey, Info, Aad, Plaintext, ikm);
        var b = suite.SealDerived(recipient.PublicKey, Info, Aad, Plaintext, ikm);
        Assert.Equal(a.EncapsulatedKey, b.EncapsulatedKey);
        Assert.Equal(a.Ciphertext, b.Ciphertext);
        Assert.Equal(Plaintext, suite.Open(a.EncapsulatedKey, recipient, Info, Aad, a.Ciphertext));
        ikm[0] = 2;
        Assert.NotEqual(a.EncapsulatedKey, suite.SealDerived(recipient.PublicKey, Info, Aad, Plaintext, ikm).EncapsulatedKey);
        Assert.Throws<HpkeException>(() => suite.SealDerived(recipient.PublicKey, Info, Aad, Plaintext, new byte[31]));
    }

    [Fact]
    public void Open_rejects_a_ciphertext_shorter_than_the_tag()
    {
        var f = Fixture.Create(HpkeKemId.DhkemX25519HkdfSha256, HpkeMode.Base);
        var ex = Assert.Throws<AuthenticationFailedException>(() => f.Open(ciphertext: new byte[15]));
        Assert.Contains("shorter than the 16-byte tag", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_open_does_not_advance_the_sequence_number()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        var first = sender.Seal(Aad, Plaintext);
        using var context = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, Info);
        Assert.Throws<AuthenticationFailedException>(() => context.Open(Aad, Flip(first, 0)));
        Assert.Equal(UInt128.Zero, context.SequenceNumber);
        Assert.Equal(Plaintext, context.Open(Aad, first));
        Assert.Equal(UInt128.One, context.SequenceNumber);
    }

    [Fact]
    public void Messages_must_be_opened_in_the_order_they_were_sealed()
    {
        var suite = HpkeSuite.X25519Sha256Aes128Gcm;
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        var first = sender.Seal(Aad, "one"u8);
        var second = sender.Seal(Aad, "two"u8);
        using var context = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, Info);
        Assert.Throws<AuthenticationFailedException>(() => context.Open(Aad, second));
        Assert.Equal("one"u8.ToArray(), context.Open(Aad, first));
        Assert.Equal("two"u8.ToArray(), context.Open(Aad, second));
    }

    [Fact]
    public void Seal_throws_message_limit_reached_when_the_sequence_number_is_exhausted()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        using var context = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, Info);
        var max = (UInt128.One << 96) - 1;
        sender.SetSequenceNumberForTesting(max - 1);
        context.SetSequenceNumberForTesting(max - 1);
        // The last usable number (2^96 - 2) still works and round-trips.
        var last = sender.Seal(Aad, Plaintext);
        Assert.Equal(Plaintext, context.Open(Aad, last));
        Assert.Equal(max, sender.SequenceNumber);
        var ex = Assert.Throws<MessageLimitReachedException>(() => sender.Seal(Aad, Plaintext));
        Assert.Contains("§5.2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<MessageLimitReachedException>(() => context.Open(Aad, last));
        Assert.Equal(max, sender.SequenceNumber);
    }

    [Fact]
    public void Nonce_at_a_high_sequence_number_differs_from_nonce_at_its_low_bits()
    {
        // seq 2^64 and seq 0 must not share a nonce: the XOR covers all 12 bytes.
        var suite = HpkeSuite.X25519Sha256Aes128Gcm;
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        var atZero = sender.Seal(Aad, Plaintext);
        sender.SetSequenceNumberForTesting(UInt128.One << 64);
        var atHigh = sender.Seal(Aad, Plaintext);
        Assert.NotEqual(atZero, atHigh);
        using var context = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, Info);
        context.SetSequenceNumberForTesting(UInt128.One << 64);
        Assert.Equal(Plaintext, context.Open(Aad, atHigh));
    }

    [Fact]
    public void Export_only_context_refuses_seal_and_open_but_exports()
    {
        var suite = HpkeSuite.Create(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.ExportOnly);
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        using var context = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, Info);
        var ex = Assert.Throws<HpkeException>(() => sender.Seal(Aad, Plaintext));
        Assert.Contains("export-only", ex.Message, StringComparison.Ordinal);
        Assert.Throws<HpkeException>(() => context.Open(Aad, new byte[40]));
        Assert.Equal(sender.Export("ctx"u8, 32), context.Export("ctx"u8, 32));
    }

    [Theory]
    [InlineData(HpkeKdfId.HkdfSha256, 32)]
    [InlineData(HpkeKdfId.HkdfSha384, 48)]
    [InlineData(HpkeKdfId.HkdfSha512, 64)]
    public void Export_accepts_255_hash_lengths_and_rejects_one_byte_more(HpkeKdfId kdf, int nh)
    {
        var suite = HpkeSuite.Create(HpkeKemId.DhkemX25519HkdfSha256, kdf, HpkeAeadId.ChaCha20Poly1305);
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, Info);
        Assert.Equal(255 * nh, sender.Export("ctx"u8, 255 * nh).Length);
        var ex = Assert.Throws<HpkeException>(() => sender.Export("ctx"u8, (255 * nh) + 1));
        Assert.Contains("255·Nh", ex.Message, StringComparison.Ordinal);
        Assert.Throws<HpkeException>(() => sender.Export("ctx"u8, -1));
        Assert.Empty(sender.Export("ctx"u8, 0));
    }

    [Theory]
    [InlineData(HpkeMode.Base)]
    [InlineData(HpkeMode.AuthPsk)]
    public void Single_shot_send_export_and_receive_export_agree(HpkeMode mode)
    {
        var suite = HpkeSuite.Create(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, HpkeAeadId.ExportOnly);
        using var recipient = suite.DeriveKeyPair("recipient"u8);
        using var sender = suite.DeriveKeyPair("sender"u8);
        var auth = mode == HpkeMode.AuthPsk;
        var sent = suite.SendExport(mode, recipient.PublicKey, Info, "ctx"u8, 42, auth ? Psk : [], auth ? PskId : [], auth ? sender : null);
        var received = suite.ReceiveExport(mode, sent.EncapsulatedKey, recipient, Info, "ctx"u8, 42, auth ? Psk : [], auth ? PskId : [], auth ? sender.PublicKey : []);
        Assert.Equal(42, sent.Secret.Length);
        Assert.Equal(sent.Secret, received);
        var other = suite.ReceiveExport(mode, sent.EncapsulatedKey, recipient, Info, "ctY"u8, 42, auth ? Psk : [], auth ? PskId : [], auth ? sender.PublicKey : []);
        Assert.NotEqual(sent.Secret, other);
    }

    [Fact]
    public void Setup_rejects_a_psk_without_a_psk_id()
    {
        var (suite, recipient) = X25519Recipient();
        var ex = Assert.Throws<HpkeException>(() => suite.SetupSender(HpkeMode.Psk, recipient.PublicKey, Info, Psk, [], null));
        Assert.Contains("both be given or both be empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_rejects_a_psk_id_without_a_psk()
    {
        var (suite, recipient) = X25519Recipient();
        Assert.Throws<HpkeException>(() => suite.SetupSender(HpkeMode.Psk, recipient.PublicKey, Info, [], PskId, null));
    }

    [Theory]
    [InlineData(HpkeMode.Base)]
    [InlineData(HpkeMode.Auth)]
    public void Setup_rejects_a_psk_in_a_mode_without_psk(HpkeMode mode)
    {
        var (suite, recipient) = X25519Recipient();
        using var sender = suite.DeriveKeyPair("sender"u8);
        var ex = Assert.Throws<HpkeException>(() => suite.SetupSender(mode, recipient.PublicKey, Info, Psk, PskId, mode == HpkeMode.Auth ? sender : null));
        Assert.Contains("does not use one", ex.Message, StringComparison.Ordinal);
        Assert.Throws<HpkeException>(() => suite.SetupRecipient(mode, new byte[32], recipient, Info, Psk, PskId, mode == HpkeMode.Auth ? sender.PublicKey : []));
    }

    [Theory]
    [InlineData(HpkeMode.Psk)]
    [InlineData(HpkeMode.AuthPsk)]
    public void Setup_rejects_a_psk_mode_without_a_psk(HpkeMode mode)
    {
        var (suite, recipient) = X25519Recipient();
        using var sender = suite.DeriveKeyPair("sender"u8);
        var ex = Assert.Throws<HpkeException>(() => suite.SetupSender(mode, recipient.PublicKey, Info, [], [], mode == HpkeMode.AuthPsk ? sender : null));
        Assert.Contains("requires a PSK", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setup_rejects_an_auth_mode_without_a_sender_key_and_a_sender_key_in_base_mode()
    {
        var (suite, recipient) = X25519Recipient();
        using var sender = suite.DeriveKeyPair("sender"u8);
        Assert.Throws<HpkeException>(() => suite.SetupSender(HpkeMode.Auth, recipient.PublicKey, Info, [], [], null));
        Assert.Throws<HpkeException>(() => suite.SetupRecipient(HpkeMode.Auth, new byte[32], recipient, Info, [], [], []));
        Assert.Throws<HpkeException>(() => suite.SetupSender(HpkeMode.Base, recipient.PublicKey, Info, [], [], sender));
        Assert.Throws<HpkeException>(() => suite.SetupSender((HpkeMode)4, recipient.PublicKey, Info, [], [], null));
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, 31)]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, 33)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, 31)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, 33)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512, 65)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512, 0)]
    public void ImportPrivateKey_rejects_a_key_of_the_wrong_length(HpkeKemId kem, int length)
    {
        var suite = HpkeSuite.Create(kem, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);
        var ex = Assert.Throws<InvalidKeyException>(() => suite.ImportPrivateKey(new byte[length]));
        Assert.Contains($"got {length}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, 31)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, 64)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, 33)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512, 65)]
    public void Seal_rejects_a_recipient_public_key_of_the_wrong_length(HpkeKemId kem, int length)
    {
        var suite = HpkeSuite.Create(kem, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);
        Assert.Throws<InvalidKeyException>(() => suite.Seal(new byte[length], Info, Aad, Plaintext));
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512)]
    public void Open_rejects_an_enc_of_the_wrong_length(HpkeKemId kem)
    {
        var f = Fixture.Create(kem, HpkeMode.Base);
        var ex = Assert.Throws<InvalidKeyException>(() => f.Open(enc: f.Enc[..^1]));
        Assert.Contains("encapsulated key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256)]
    [InlineData(HpkeKemId.DhkemP521HkdfSha512)]
    public void ImportPrivateKey_rejects_zero_and_scalars_not_below_the_order(HpkeKemId kem)
    {
        var suite = HpkeSuite.Create(kem, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);
        var size = suite.PrivateKeySize;
        Assert.Throws<InvalidKeyException>(() => suite.ImportPrivateKey(new byte[size]));
        var order = kem == HpkeKemId.DhkemP256HkdfSha256
            ? Hex.Decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
            : Hex.Decode("01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409");
        var ex = Assert.Throws<InvalidKeyException>(() => suite.ImportPrivateKey(order));
        Assert.Contains("not below the group order", ex.Message, StringComparison.Ordinal);
        var belowOrder = (byte[])order.Clone();
        belowOrder[^1]--;
        using var key = suite.ImportPrivateKey(belowOrder);
        Assert.Equal(suite.PublicKeySize, key.PublicKey.Length);
    }

    [Fact]
    public void P256_public_key_validation_rejects_each_malformed_point()
    {
        var suite = HpkeSuite.P256Sha256Aes128Gcm;
        using var key = suite.DeriveKeyPair("p256"u8);
        var good = key.ExportPublicKey();
        suite.ValidatePublicKey(good);

        var compressedPrefix = (byte[])good.Clone();
        compressedPrefix[0] = 0x03;
        Assert.Contains("uncompressed point", Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey(compressedPrefix)).Message, StringComparison.Ordinal);

        var compressed = good[..33];
        Assert.Contains("got 33", Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey(compressed)).Message, StringComparison.Ordinal);

        var offCurve = (byte[])good.Clone();
        offCurve[^1] ^= 1;
        Assert.Contains("not a point on the curve", Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey(offCurve)).Message, StringComparison.Ordinal);

        // (0, 0) is the usual stand-in for the identity: not on the curve.
        var zero = new byte[65];
        zero[0] = 0x04;
        Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey(zero));

        // x = p: a coordinate that is not a field element.
        var xIsP = (byte[])good.Clone();
        Hex.Decode("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff").CopyTo(xIsP, 1);
        Assert.Contains("not below the field prime", Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey(xIsP)).Message, StringComparison.Ordinal);

        // The identity's SEC1 encoding is the single byte 0x00.
        Assert.Throws<InvalidKeyException>(() => suite.ValidatePublicKey([0x00]));
        Assert.Throws<InvalidKeyException>(() => suite.Seal(offCurve, Info, Aad, Plaintext));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    public void X25519_rejects_a_small_order_enc_whose_shared_secret_is_all_zero(string enc)
    {
        var (suite, recipient) = X25519Recipient();
        var ex = Assert.Throws<InvalidKeyException>(() => suite.Open(Hex.Decode(enc), recipient, Info, Aad, new byte[32]));
        Assert.Contains("all zero", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidKeyException>(() => suite.Seal(Hex.Decode(enc), Info, Aad, Plaintext));
    }

    [Fact]
    public void A_private_key_of_one_kem_is_refused_by_another()
    {
        using var p256Key = HpkeSuite.P256Sha256Aes128Gcm.DeriveKeyPair("k"u8);
        var ex = Assert.Throws<InvalidKeyException>(() => HpkeSuite.X25519Sha256Aes128Gcm.Open(new byte[32], p256Key, Info, Aad, new byte[32]));
        Assert.Contains("belongs to KEM 0x0010", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_rejects_unknown_identifiers()
    {
        Assert.Throws<HpkeException>(() => HpkeSuite.Create((HpkeKemId)0x0021, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm));
        Assert.Throws<HpkeException>(() => HpkeSuite.Create(HpkeKemId.DhkemX25519HkdfSha256, (HpkeKdfId)4, HpkeAeadId.Aes128Gcm));
        Assert.Throws<HpkeException>(() => HpkeSuite.Create(HpkeKemId.DhkemX25519HkdfSha256, HpkeKdfId.HkdfSha256, (HpkeAeadId)4));
    }

    [Fact]
    public void Two_seals_of_the_same_message_use_fresh_ephemeral_keys()
    {
        var (suite, recipient) = X25519Recipient();
        var a = suite.Seal(recipient.PublicKey, Info, Aad, Plaintext);
        var b = suite.Seal(recipient.PublicKey, Info, Aad, Plaintext);
        Assert.NotEqual(a.EncapsulatedKey, b.EncapsulatedKey);
        Assert.NotEqual(a.Ciphertext, b.Ciphertext);
    }

    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256)]
    public void One_recipient_key_opens_messages_on_many_threads_at_once(HpkeKemId kem)
    {
        var suite = HpkeSuite.Create(kem, HpkeKdfId.HkdfSha256, HpkeAeadId.Aes128Gcm);
        using var recipient = suite.DeriveKeyPair("shared recipient"u8);
        var messages = Enumerable.Range(0, 64).Select(i => suite.Seal(recipient.PublicKey, Info, Aad, [(byte)i])).ToArray();
        var opened = new byte[messages.Length][];
        Parallel.For(0, messages.Length, i => opened[i] = suite.Open(messages[i].EncapsulatedKey, recipient, Info, Aad, messages[i].Ciphertext));
        Assert.All(Enumerable.Range(0, messages.Length), i => Assert.Equal([(byte)i], opened[i]));
    }

    [Property(MaxTest = 60)]
    public bool Seal_then_open_round_trips_for_every_suite_and_mode(byte[] plaintext, byte[] aad, byte[] info, byte suiteIndex, byte modeIndex)
    {
        plaintext ??= [];
        aad ??= [];
        info ??= [];
        var suite = AllSuites[suiteIndex % AllSuites.Length];
        var mode = AllModes[modeIndex % AllModes.Length];
        using var recipient = suite.DeriveKeyPair([suiteIndex, modeIndex, 1]);
        using var sender = suite.DeriveKeyPair([suiteIndex, modeIndex, 2]);
        var psk = mode is HpkeMode.Psk or HpkeMode.AuthPsk ? Psk : [];
        var pskId = psk.Length > 0 ? PskId : [];
        var auth = mode is HpkeMode.Auth or HpkeMode.AuthPsk;
        var sealedMessage = suite.Seal(mode, recipient.PublicKey, info, aad, plaintext, psk, pskId, auth ? sender : null);
        var opened = suite.Open(mode, sealedMessage.EncapsulatedKey, recipient, info, aad, sealedMessage.Ciphertext, psk, pskId, auth ? sender.PublicKey : []);
        return sealedMessage.Ciphertext.Length == plaintext.Length + suite.TagSize && opened.AsSpan().SequenceEqual(plaintext);
    }

    [Property(MaxTest = 30)]
    public bool Both_sides_export_the_same_secret(byte[] context, byte length, byte suiteIndex)
    {
        context ??= [];
        var suite = AllSuites[suiteIndex % AllSuites.Length];
        using var recipient = suite.DeriveKeyPair([suiteIndex]);
        using var sender = suite.SetupBaseSender(recipient.PublicKey, []);
        using var receiver = suite.SetupBaseRecipient(sender.EncapsulatedKey, recipient, []);
        return sender.Export(context, length).AsSpan().SequenceEqual(receiver.Export(context, length));
    }

    private static (HpkeSuite Suite, HpkePrivateKey Recipient) X25519Recipient()
    {
        var suite = HpkeSuite.X25519Sha256ChaCha20Poly1305;
        return (suite, suite.DeriveKeyPair("recipient"u8));
    }

    private static byte[] Flip(byte[] value, int bit)
    {
        var copy = (byte[])value.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    /// <summary>A message sealed under fixed keys, and Open with any one input replaced.</summary>
    private sealed record Fixture(HpkeSuite Suite, HpkeMode Mode, HpkePrivateKey Recipient, HpkePrivateKey? Sender, byte[] Enc, byte[] Ciphertext)
    {
        public static Fixture Create(HpkeKemId kem, HpkeMode mode)
        {
            var suite = HpkeSuite.Create(kem, kem == HpkeKemId.DhkemP521HkdfSha512 ? HpkeKdfId.HkdfSha512 : HpkeKdfId.HkdfSha256,
                kem == HpkeKemId.DhkemX25519HkdfSha256 ? HpkeAeadId.ChaCha20Poly1305 : HpkeAeadId.Aes128Gcm);
            var recipient = suite.DeriveKeyPair("fixture recipient"u8);
            var auth = mode is HpkeMode.Auth or HpkeMode.AuthPsk;
            var sender = auth ? suite.DeriveKeyPair("fixture sender"u8) : null;
            var usesPsk = mode is HpkeMode.Psk or HpkeMode.AuthPsk;
            using var ephemeral = suite.DeriveKeyPair("fixture ephemeral"u8);
            using var context = suite.SetupSenderDeterministicForTesting(mode, recipient.PublicKey, Info, usesPsk ? Psk : [], usesPsk ? PskId : [],
                sender, ephemeral, new byte[64]);
            return new Fixture(suite, mode, recipient, sender, context.EncapsulatedKey.ToArray(), context.Seal(Aad, Plaintext));
        }

        public byte[] Open(byte[]? enc = null, byte[]? ciphertext = null, byte[]? aad = null, byte[]? info = null, byte[]? psk = null,
            byte[]? pskId = null, byte[]? senderPublicKey = null, HpkePrivateKey? recipient = null)
        {
            var usesPsk = Mode is HpkeMode.Psk or HpkeMode.AuthPsk;
            return Suite.Open(Mode, enc ?? Enc, recipient ?? Recipient, info ?? Info, aad ?? Aad, ciphertext ?? Ciphertext,
                psk ?? (usesPsk ? Psk : []), pskId ?? (usesPsk ? PskId : []), senderPublicKey ?? Sender?.ExportPublicKey() ?? []);
        }
    }
}

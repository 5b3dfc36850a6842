using Citrine.Crypto.Aead;
using Citrine.Crypto.Encoding;
using FsCheck.Xunit;

namespace Citrine.Crypto.Tests.Aead;

public sealed class AeadTests
{
    // RFC 8439 §2.8.2.
    private const string Key = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
    private const string Nonce = "070000004041424344454647";
    private const string Aad = "50515253c0c1c2c3c4c5c6c7";
    private const string Ciphertext = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116";
    private const string Tag = "1ae10b594f09e26a7e902ecbd0600691";
    private static readonly byte[] Plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."u8.ToArray();

    [Fact]
    public void ChaCha20Poly1305_matches_rfc8439_section_2_8_2()
    {
        using var cipher = new ChaCha20Poly1305Cipher(Hex.Decode(Key));
        Assert.Equal(Ciphertext + Tag, Hex.Encode(cipher.Seal(Hex.Decode(Nonce), Plaintext, Hex.Decode(Aad))));
        Assert.Equal(Plaintext, cipher.Open(Hex.Decode(Nonce), Hex.Decode(Ciphertext + Tag), Hex.Decode(Aad)));
    }

    [Fact]
    public void ChaCha20Poly1305_open_rejects_each_altered_input()
    {
        using var cipher = new ChaCha20Poly1305Cipher(Hex.Decode(Key));
        var sealedBytes = Hex.Decode(Ciphertext + Tag);
        var nonce = Hex.Decode(Nonce);
        var aad = Hex.Decode(Aad);
        Assert.Throws<AuthenticationFailedException>(() => cipher.Open(nonce, Flip(sealedBytes, 0), aad));
        Assert.Throws<AuthenticationFailedException>(() => cipher.Open(nonce, Flip(sealedBytes, (sealedBytes.Length * 8) - 1), aad));
        Assert.Throws<AuthenticationFailedException>(() => cipher.Open(Flip(nonce, 3), sealedBytes, aad));
        Assert.Throws<AuthenticationFailedException>(() => cipher.Open(nonce, sealedBytes, Flip(aad, 5)));
        using var other = new ChaCha20Poly1305Cipher(Flip(Hex.Decode(Key), 9));
        Assert.Throws<AuthenticationFailedException>(() => other.Open(nonce, sealedBytes, aad));
        Assert.Throws<AuthenticationFailedException>(() => cipher.Open(nonce, sealedBytes.AsSpan(0, 15).ToArray(), aad));
    }

    [Fact]
    public void Ciphers_reject_wrong_key_and_nonce_lengths()
    {
        Assert.Throws<InvalidKeyException>(() => new ChaCha20Poly1305Cipher(new byte[16]));
        Assert.Throws<InvalidKeyException>(() => new AesGcmCipher(new byte[24]));
        Assert.Throws<InvalidKeyException>(() => AesGcmCipher.Create(new byte[32], 16));
        using var aes = new AesGcmCipher(new byte[16]);
        Assert.Throws<ArgumentException>(() => aes.Seal(new byte[8], [1], []));
    }

    [Property(MaxTest = 100)]
    public bool AesGcm_round_trips_and_detects_a_flipped_bit(byte[] plaintext, byte[] aad, bool wide)
    {
        plaintext ??= [];
        aad ??= [];
        using var cipher = new AesGcmCipher(new byte[wide ? 32 : 16]);
        var nonce = new byte[12];
        var sealedBytes = cipher.Seal(nonce, plaintext, aad);
        if (!cipher.Open(nonce, sealedBytes, aad).AsSpan().SequenceEqual(plaintext))
        {
            return false;
        }
        try
        {
            cipher.Open(nonce, Flip(sealedBytes, plaintext.Length * 3), aad);
            return false;
        }
        catch (AuthenticationFailedException)
        {
            return true;
        }
    }

    private static byte[] Flip(byte[] value, int bit)
    {
        var copy = (byte[])value.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}

using Citrine.Crypto.Hpke;

namespace Citrine.Crypto.Tests.Hpke;

/// <summary>
/// A cheap, deterministic stand-in for the fuzz target crypto-hpke-open: thousands of seeded
/// mutations of a valid enc || ciphertext; only CryptoException types may escape Open.
/// </summary>
public sealed class HpkeMutationTests
{
    [Theory]
    [InlineData(HpkeKemId.DhkemX25519HkdfSha256, HpkeAeadId.ChaCha20Poly1305)]
    [InlineData(HpkeKemId.DhkemP256HkdfSha256, HpkeAeadId.Aes128Gcm)]
    public void Open_of_mutated_input_throws_only_crypto_exceptions(HpkeKemId kem, HpkeAeadId aead)
    {
        var suite = HpkeSuite.Create(kem, HpkeKdfId.HkdfSha256, aead);
        using var recipient = suite.DeriveKeyPair("mutation recipient"u8);
        // A fixed ephemeral key makes the seed message, and so every mutation, the same on every run.
        using var ephemeral = suite.DeriveKeyPair("mutation ephemeral"u8);
        using var sender = suite.SetupSenderDeterministicForTesting(HpkeMode.Base, recipient.PublicKey, [], [], [], null, ephemeral, new byte[64]);
        byte[] seed = [.. sender.EncapsulatedKey, .. sender.Seal([], "mutation seed message"u8)];
        var state = 0x2545F491u;
        var rejected = new Dictionary<Type, int>();
        for (var i = 0; i < 3000; i++)
        {
            state = (state * 1664525) + 1013904223;
            var input = Mutate(seed, state);
            var split = Math.Min(suite.EncapsulatedKeySize, input.Length);
            try
            {
                suite.Open(input.AsSpan(0, split), recipient, [], [], input.AsSpan(split));
                Assert.Equal(seed, input);
            }
            catch (CryptoException e)
            {
                rejected[e.GetType()] = rejected.GetValueOrDefault(e.GetType()) + 1;
            }
        }
        Assert.True(rejected.GetValueOrDefault(typeof(AuthenticationFailedException)) > 0);
        Assert.True(rejected.GetValueOrDefault(typeof(InvalidKeyException)) > 0);
        Assert.All(rejected.Keys, t => Assert.True(t == typeof(AuthenticationFailedException) || t == typeof(InvalidKeyException), t.Name));
    }

    private static byte[] Mutate(byte[] seed, uint state)
    {
        var input = (byte[])seed.Clone();
        switch (state % 4)
        {
            case 0:
                var bit = (int)((state >> 8) % (uint)(input.Length * 8));
                input[bit / 8] ^= (byte)(1 << (bit % 8));
                return input;
            case 1:
                return input[..(int)((state >> 8) % (uint)input.Length)];
            case 2:
                return [.. input, (byte)(state >> 8)];
            default:
                input[(int)((state >> 8) % (uint)input.Length)] = (byte)(state >> 20);
                return input;
        }
    }
}

using Citrine.Crypto.Hpke;
using Citrine.Enclave.Execution;

namespace Citrine.Transfers.Tests.Enclave;

/// <summary>
/// An <see cref="IAppContext"/> that seals with the real HPKE suite (fresh ephemeral keys, which is
/// all the app's tests need: they open what is sealed) and counts the seals.
/// </summary>
internal sealed class FakeAppContext : IAppContext
{
    public int Seals { get; private set; }

    public byte[] DeriveRandom(ulong seq, string label, int length) =>
        throw new InvalidOperationException("the Transfers app draws no randomness of its own");

    public HpkeSealedMessage SealTo(ReadOnlySpan<byte> recipientX25519PublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, ulong seq)
    {
        Seals++;
        return HpkeSuite.X25519Sha256ChaCha20Poly1305.Seal(recipientX25519PublicKey, info, aad, plaintext);
    }
}

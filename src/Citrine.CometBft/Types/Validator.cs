using Citrine.CometBft.Crypto;
using Citrine.CometBft.Encoding;
using Citrine.Crypto;
using NSec.Cryptography;

namespace Citrine.CometBft.Types;

/// <summary>
/// A validator with an Ed25519 key (<c>types.Validator</c>). The address is the first 20 bytes of
/// SHA-256 of the public key (CometBFT crypto/ed25519 <c>PubKey.Address</c>).
/// </summary>
public sealed class Validator
{
    public const int AddressSize = 20;

    private PublicKey? _imported;
    private bool _importFailed;

    public Validator(byte[] address, byte[] publicKey, long votingPower, long proposerPriority = 0)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(publicKey);
        Address = address;
        PublicKey = publicKey;
        VotingPower = votingPower;
        ProposerPriority = proposerPriority;
    }

    public byte[] Address { get; }
    public byte[] PublicKey { get; }
    public long VotingPower { get; }
    public long ProposerPriority { get; }

    /// <summary>A validator whose address is derived from its key.</summary>
    public static Validator FromPublicKey(byte[] publicKey, long votingPower) =>
        new(AddressOf(publicKey), publicKey, votingPower);

    public static byte[] AddressOf(ReadOnlySpan<byte> publicKey) => Hashing.Sha256(publicKey)[..AddressSize];

    /// <summary>
    /// Verifies an Ed25519 signature as CometBFT does (ZIP-215). libsodium (key imported once and
    /// cached) decides first; what it accepts ZIP-215 accepts too. Only when it rejects does the
    /// slower <see cref="Ed25519Zip215"/> check decide, so edge-case encodings that CometBFT
    /// accepts (small-order or non-canonical A and R, cofactored equation) are accepted here too.
    /// </summary>
    public bool VerifySignature(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64 || PublicKey.Length != 32)
        {
            return false;
        }
        return VerifyStrict(message, signature) || Ed25519Zip215.Verify(PublicKey, message, signature);
    }

    /// <summary>libsodium's (RFC 8032, strict) verdict alone.</summary>
    public bool VerifyStrict(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }
        var key = _imported;
        if (key is null)
        {
            if (_importFailed || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, PublicKey,
                    KeyBlobFormat.RawPublicKey, out key) || key is null)
            {
                _importFailed = true;
                return false;
            }
            _imported = key;
        }
        return SignatureAlgorithm.Ed25519.Verify(key, message, signature);
    }

    /// <summary>The Merkle leaf of this validator: <c>SimpleValidator{pub_key, voting_power}</c>.</summary>
    public byte[] HashBytes() => ValidatorSetHasher.SimpleValidatorBytes(this);

    public Validator WithVotingPower(long votingPower) => new(Address, PublicKey, votingPower, ProposerPriority);
}

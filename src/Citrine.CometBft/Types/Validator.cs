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

    /// <summary>Verifies an Ed25519 signature with this validator's key (imported once and cached).</summary>
    public bool VerifySignature(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
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

using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>
/// The root every chain must end in, pinned by its P-256 public key. The default is the Intel
/// SGX Root CA; another root (a test PKI) is only used when passed explicitly.
/// </summary>
public sealed class TrustAnchor
{
    private TrustAnchor(byte[] publicKey, string name)
    {
        PublicKey = publicKey;
        Name = name;
    }

    /// <summary>Intel SGX Root CA key (certificate SHA-256 44a0196b...674d3, valid 2018-05-21..2049-12-31).</summary>
    public static TrustAnchor IntelSgxRootCa { get; } = new(
        Hex.Decode("0ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394"),
        "Intel SGX Root CA");

    /// <summary>Raw x||y of the root's P-256 key.</summary>
    public byte[] PublicKey { get; }

    public string Name { get; }

    public static TrustAnchor FromPublicKey(ReadOnlySpan<byte> publicKey, string name = "configured root")
    {
        if (!EcdsaP256.IsValidPublicKey(publicKey))
        {
            throw new ArgumentException("the trust anchor must be a P-256 point x||y (64 bytes)", nameof(publicKey));
        }
        return new TrustAnchor(publicKey.ToArray(), name);
    }

    /// <summary>A root from its certificate (DER or PEM); only its public key is pinned.</summary>
    public static TrustAnchor FromCertificate(ReadOnlySpan<byte> certificate)
    {
        var der = PemText.DecodeAll(certificate, "CERTIFICATE", "root");
        var cert = DcapCertificate.Parse(der.Count == 1 ? der[0] : certificate.ToArray(), "root");
        if (cert.PublicKey.Length != 64)
        {
            throw new CollateralFormatException("root", "the root certificate has no P-256 key");
        }
        return new TrustAnchor(cert.PublicKey, cert.SubjectText);
    }

    public bool Matches(DcapCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.PublicKey.AsSpan().SequenceEqual(PublicKey);
    }
}

using System.Numerics;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;

namespace Citrine.Crypto.Hpke;

/// <summary>
/// DHKEM over P-256 (0x0010, HKDF-SHA256) or P-521 (0x0012, HKDF-SHA512), RFC 9180 §7.1.
/// Public keys are uncompressed SEC1 points (§7.1.1), validated per §7.1.4 (SP 800-56A
/// full public-key validation: coordinates in range, on the curve; the identity has no
/// uncompressed encoding). DH is OpenSSL's ECDH through .NET, whose raw output is the
/// X coordinate at full field length (§4.1, §7.1).
/// </summary>
internal sealed class NistDhkem : Dhkem
{
    private readonly ECCurve _curve;
    private readonly int _coordinateSize;
    private readonly byte _bitmask;
    private readonly byte[] _order;
    private readonly BigInteger _p;
    private readonly BigInteger _a;
    private readonly BigInteger _b;

    private NistDhkem(HpkeKemId id, LabeledKdf kdf, ECCurve curve, string curveName, int coordinateSize, int nsecret, byte bitmask)
        : base(id, kdf, nsecret, npk: 1 + (2 * coordinateSize), nsk: coordinateSize, ndh: coordinateSize)
    {
        _curve = curve;
        _coordinateSize = coordinateSize;
        _bitmask = bitmask;
        var parameters = ECNamedCurveTable.GetByName(curveName);
        _order = parameters.N.ToByteArrayUnsigned();
        _order = [.. new byte[coordinateSize - _order.Length], .. _order];
        _p = ToBig(parameters.Curve.Field.Characteristic.ToByteArrayUnsigned());
        _a = ToBig(parameters.Curve.A.ToBigInteger().ToByteArrayUnsigned());
        _b = ToBig(parameters.Curve.B.ToBigInteger().ToByteArrayUnsigned());
    }

    public static NistDhkem P256 { get; } = new(HpkeKemId.DhkemP256HkdfSha256, LabeledKdf.HkdfSha256, ECCurve.NamedCurves.nistP256, "P-256", 32, 32, 0xff);

    public static NistDhkem P521 { get; } = new(HpkeKemId.DhkemP521HkdfSha512, LabeledKdf.HkdfSha512, ECCurve.NamedCurves.nistP521, "P-521", 66, 64, 0x01);

    public override HpkePrivateKey GenerateKeyPair()
    {
        using var ecdh = ECDiffieHellman.Create(_curve);
        var parameters = ecdh.ExportParameters(includePrivateParameters: true);
        try
        {
            return ImportPrivateKey(parameters.D);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    // §7.1.3: rejection sampling. dkp_prk = LabeledExtract("", "dkp_prk", ikm); for counter in
    // 0..255: bytes = LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), Nsk); bytes[0] &= bitmask;
    // accept when 0 < OS2IP(bytes) < order.
    public override HpkePrivateKey DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> prk = stackalloc byte[Kdf.Nh];
        Span<byte> candidate = stackalloc byte[Nsk];
        Span<byte> counter = stackalloc byte[1];
        try
        {
            DeriveKeyPairPrk(ikm, prk);
            for (var i = 0; i <= 255; i++)
            {
                counter[0] = (byte)i;
                Kdf.LabeledExpand(SuiteId, prk, "candidate"u8, counter, candidate);
                candidate[0] &= _bitmask;
                if (IsValidScalar(candidate))
                {
                    return ImportPrivateKey(candidate);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
            CryptographicOperations.ZeroMemory(candidate);
        }
        throw new HpkeException($"{Name}: DeriveKeyPair found no valid scalar in 256 candidates (§7.1.3 DeriveKeyPairError)");
    }

    public override HpkePrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        CheckLength(privateKey, Nsk, "private key");
        if (!IsValidScalar(privateKey))
        {
            throw new InvalidKeyException($"{Name}: the private key is zero or not below the group order");
        }
        var d = privateKey.ToArray();
        var ecdh = ECDiffieHellman.Create();
        try
        {
            // With only D given, the platform computes Q = d·G.
            ecdh.ImportParameters(new ECParameters { Curve = _curve, D = d });
            var q = ecdh.ExportParameters(includePrivateParameters: false).Q;
            var publicKey = new byte[Npk];
            publicKey[0] = 0x04;
            q.X.AsSpan().CopyTo(publicKey.AsSpan(1 + _coordinateSize - q.X!.Length));
            q.Y.AsSpan().CopyTo(publicKey.AsSpan(1 + (2 * _coordinateSize) - q.Y!.Length));
            return new NistPrivateKey(Id, ecdh, d, publicKey);
        }
        catch (CryptographicException e)
        {
            ecdh.Dispose();
            CryptographicOperations.ZeroMemory(d);
            throw new InvalidKeyException($"{Name}: the private key was refused: {e.Message}", e);
        }
    }

    public override void ValidatePublicKey(ReadOnlySpan<byte> publicKey) => ParsePublicKey(publicKey);

    protected override void DiffieHellman(HpkePrivateKey privateKey, ReadOnlySpan<byte> publicKey, Span<byte> dh)
    {
        var own = (NistPrivateKey)privateKey;
        var q = ParsePublicKey(publicKey);
        byte[] raw;
        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters { Curve = _curve, Q = q });
            using var peerPublic = peer.PublicKey;
            raw = own.DeriveRawSecretAgreement(peerPublic);
        }
        catch (CryptographicException e)
        {
            // The platform validates the point again; our own checks above should have refused it first.
            throw new InvalidKeyException($"{Name}: key agreement failed: {e.Message}", e);
        }
        try
        {
            if (raw.Length != Ndh)
            {
                throw new CryptoException($"{Name}: the DH output is {raw.Length} bytes, expected {Ndh}");
            }
            raw.CopyTo(dh);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    // §7.1.1 uncompressed point 0x04 || X || Y; §7.1.4 validation.
    private ECPoint ParsePublicKey(ReadOnlySpan<byte> publicKey)
    {
        CheckLength(publicKey, Npk, "public key");
        if (publicKey[0] != 0x04)
        {
            throw new InvalidKeyException($"{Name}: a public key is an uncompressed point starting 0x04, got 0x{publicKey[0]:x2}");
        }
        var xBytes = publicKey.Slice(1, _coordinateSize);
        var yBytes = publicKey.Slice(1 + _coordinateSize, _coordinateSize);
        var x = new BigInteger(xBytes, isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(yBytes, isUnsigned: true, isBigEndian: true);
        if (x >= _p || y >= _p)
        {
            throw new InvalidKeyException($"{Name}: a public key coordinate is not below the field prime");
        }
        var left = BigInteger.ModPow(y, 2, _p);
        var right = ((BigInteger.ModPow(x, 3, _p) + (_a * x) + _b) % _p + _p) % _p;
        if (left != right)
        {
            throw new InvalidKeyException($"{Name}: the public key is not a point on the curve");
        }
        return new ECPoint { X = xBytes.ToArray(), Y = yBytes.ToArray() };
    }

    // 0 < value < order, for a big-endian value of exactly Nsk bytes.
    private bool IsValidScalar(ReadOnlySpan<byte> value) =>
        value.IndexOfAnyExcept((byte)0) >= 0 && value.SequenceCompareTo(_order) < 0;

    private static BigInteger ToBig(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private sealed class NistPrivateKey(HpkeKemId kem, ECDiffieHellman ecdh, byte[] privateKey, byte[] publicKey)
        : HpkePrivateKey(kem, privateKey, publicKey)
    {
        // .NET does not promise that one ECDiffieHellman instance may derive on several threads
        // at once; a recipient key is shared by concurrent Open calls, so derivations are serialised.
        private readonly Lock _sync = new();

        public byte[] DeriveRawSecretAgreement(ECDiffieHellmanPublicKey peer)
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                return ecdh.DeriveRawSecretAgreement(peer);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_sync)
                {
                    ecdh.Dispose();
                }
            }
            base.Dispose(disposing);
        }
    }
}

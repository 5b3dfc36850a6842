using System.Numerics;
using System.Security.Cryptography;

namespace Citrine.CometBft.Crypto;

/// <summary>
/// Ed25519 verification with the ZIP-215 rules that CometBFT (curve25519-voi
/// <c>VerifyOptionsZIP_215</c>) and tendermint-rs (ed25519-consensus) use
/// (https://zips.z.cash/zip-0215):
/// <list type="bullet">
/// <item>S must be canonical (S &lt; L), else reject;</item>
/// <item>A and R may be non-canonical encodings (y ≥ p, or x = 0 with the sign bit set) and of
/// small or mixed order; they are decoded, not re-encoded;</item>
/// <item>k = SHA-512(R bytes ‖ A bytes ‖ M) mod L over the bytes as received;</item>
/// <item>the cofactored equation [8]([S]B − R − [k]A) = identity decides.</item>
/// </list>
/// Written over <see cref="BigInteger"/> from the curve definition in RFC 8032 §5.1: correct but
/// slow (milliseconds), so it is used only as the second opinion when libsodium's stricter check
/// rejects (a signature libsodium accepts also satisfies ZIP-215: canonical S, and the
/// cofactorless equation implies the cofactored one).
/// </summary>
public static class Ed25519Zip215
{
    private static readonly BigInteger P = (BigInteger.One << 255) - 19;
    private static readonly BigInteger L = (BigInteger.One << 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger D2 = Mod(2 * D);
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point Base = BasePoint();

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
        {
            return false;
        }
        var s = new BigInteger(signature[32..], isUnsigned: true, isBigEndian: false);
        if (s >= L)
        {
            return false;
        }
        if (!TryDecode(publicKey, out var a) || !TryDecode(signature[..32], out var r))
        {
            return false;
        }
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(signature[..32]);
        sha.AppendData(publicKey);
        sha.AppendData(message);
        var k = new BigInteger(sha.GetHashAndReset(), isUnsigned: true, isBigEndian: false) % L;

        var q = Add(Add(Multiply(Base, s), Negate(r)), Negate(Multiply(a, k)));
        q = Add(q, q);
        q = Add(q, q);
        q = Add(q, q);
        return q.X.IsZero && Mod(q.Y - q.Z).IsZero;
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);

    private static BigInteger Mod(BigInteger value)
    {
        var r = value % P;
        return r.Sign < 0 ? r + P : r;
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);

    /// <summary>RFC 8032 §5.1.3 decoding, without the canonical-y and x = 0 sign checks (ZIP-215).</summary>
    private static bool TryDecode(ReadOnlySpan<byte> encoded, out Point point)
    {
        point = default;
        Span<byte> bytes = stackalloc byte[32];
        encoded.CopyTo(bytes);
        var sign = (bytes[31] >> 7) & 1;
        bytes[31] &= 0x7f;
        var y = Mod(new BigInteger(bytes, isUnsigned: true, isBigEndian: false));
        var y2 = Mod(y * y);
        var u = Mod(y2 - 1);
        var v = Mod((D * y2) + 1);
        var v3 = Mod(v * v * v);
        var x = Mod(u * v3 * BigInteger.ModPow(Mod(u * v3 * v3 * v), (P - 5) / 8, P));
        var vx2 = Mod(v * x * x);
        if (vx2 != u)
        {
            if (vx2 != Mod(-u))
            {
                return false;
            }
            x = Mod(x * SqrtMinusOne);
        }
        if ((int)(x & 1) != sign)
        {
            x = Mod(-x);
        }
        point = new Point(x, y, 1, Mod(x * y));
        return true;
    }

    /// <summary>Unified addition in extended coordinates for a = −1 (Hisil et al. 2008, "add-2008-hwcd-3"); complete on Ed25519.</summary>
    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(p.T * D2 * q.T);
        var d = Mod(p.Z * 2 * q.Z);
        var e = b - a;
        var f = d - c;
        var g = d + c;
        var h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    private static Point Negate(Point p) => new(Mod(-p.X), p.Y, p.Z, Mod(-p.T));

    private static Point Multiply(Point p, BigInteger scalar)
    {
        var result = new Point(0, 1, 1, 0);
        var addend = p;
        while (!scalar.IsZero)
        {
            if (!scalar.IsEven)
            {
                result = Add(result, addend);
            }
            addend = Add(addend, addend);
            scalar >>= 1;
        }
        return result;
    }

    private static Point BasePoint()
    {
        // RFC 8032 §5.1: B = (x, 4/5) with x even.
        var y = Mod(4 * Inverse(5));
        Span<byte> encoded = stackalloc byte[32];
        y.TryWriteBytes(encoded, out _, isUnsigned: true, isBigEndian: false);
        return TryDecode(encoded, out var point) ? point : throw new InvalidOperationException("base point does not decode");
    }
}

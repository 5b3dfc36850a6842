using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Citrine.Attestation.Testing;

/// <summary>
/// TEST/SIMULATION ONLY. The ECDSA P-256 keys of a simulated Intel DCAP PKI: root CA, PCK CA,
/// PCK leaf, TCB signing certificate, the quoting enclave's attestation key, and a spare
/// "impostor" key used to produce signatures by the wrong signer. Keys are explicit: either
/// derived deterministically from a seed (<see cref="FromSeed"/>) or supplied by the caller.
/// </summary>
public sealed class TestPkiKeys : IDisposable
{
    // Order n of the P-256 group (SEC 2 §2.4.2).
    private static readonly BigInteger P256Order = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        System.Globalization.NumberStyles.HexNumber,
        System.Globalization.CultureInfo.InvariantCulture);

    public TestPkiKeys(ECDsa root, ECDsa pckCa, ECDsa pckLeaf, ECDsa tcbSigning, ECDsa attestation, ECDsa impostor)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(pckCa);
        ArgumentNullException.ThrowIfNull(pckLeaf);
        ArgumentNullException.ThrowIfNull(tcbSigning);
        ArgumentNullException.ThrowIfNull(attestation);
        ArgumentNullException.ThrowIfNull(impostor);
        Root = root;
        PckCa = pckCa;
        PckLeaf = pckLeaf;
        TcbSigning = tcbSigning;
        Attestation = attestation;
        Impostor = impostor;
    }

    public ECDsa Root { get; }

    public ECDsa PckCa { get; }

    public ECDsa PckLeaf { get; }

    public ECDsa TcbSigning { get; }

    /// <summary>The quoting enclave's attestation key: signs header || report body.</summary>
    public ECDsa Attestation { get; }

    /// <summary>A key that belongs to nobody in the PKI: signs what must fail verification.</summary>
    public ECDsa Impostor { get; }

    /// <summary>
    /// Derives all six keys from <paramref name="seed"/>: d = HMAC-SHA256(seed, label || counter)
    /// interpreted big-endian, retried until 0 &lt; d &lt; n. Same seed, same keys.
    /// </summary>
    public static TestPkiKeys FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.IsEmpty)
        {
            throw new ArgumentException("seed must not be empty", nameof(seed));
        }
        var s = seed.ToArray();
        return new TestPkiKeys(
            Derive(s, "root"),
            Derive(s, "pck-ca"),
            Derive(s, "pck-leaf"),
            Derive(s, "tcb-signing"),
            Derive(s, "attestation"),
            Derive(s, "impostor"));
    }

    /// <summary>Derives one P-256 key from a seed and a label (see <see cref="FromSeed"/>).</summary>
    public static ECDsa Derive(ReadOnlySpan<byte> seed, string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var labelBytes = Encoding.UTF8.GetBytes(label);
        for (byte counter = 0; ; counter++)
        {
            var input = new byte[labelBytes.Length + 1];
            labelBytes.CopyTo(input, 0);
            input[^1] = counter;
            var d = HMACSHA256.HashData(seed, input);
            var value = new BigInteger(d, isUnsigned: true, isBigEndian: true);
            if (value.IsZero || value >= P256Order)
            {
                continue;
            }
            var key = ECDsa.Create();
            key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
            return key;
        }
    }

    public void Dispose()
    {
        Root.Dispose();
        PckCa.Dispose();
        PckLeaf.Dispose();
        TcbSigning.Dispose();
        Attestation.Dispose();
        Impostor.Dispose();
    }
}

using BenchmarkDotNet.Attributes;
using Citrine.Crypto.Aead;
using Citrine.Crypto.Hpke;
using NSec.Cryptography;

namespace Citrine.Benchmarks;

/// <summary>
/// HPKE base-mode single-shot Seal and Open (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256) next to the
/// floor they cannot beat: one X25519 agreement plus the AEAD (key setup and one pass) over the
/// same bytes. Seal also generates the ephemeral key pair, a second X25519 scalar multiplication
/// that one-agreement floor leaves out; "keygen + agree + AEAD" is Seal's full floor.
/// </summary>
[MemoryDiagnoser]
public class HpkeBenchmarks
{
    private static readonly byte[] Info = "citrine/v1/request"u8.ToArray();
    private static readonly byte[] Aad = "chain|contract|sender|session"u8.ToArray();

    private HpkeSuite _suite = null!;
    private HpkePrivateKey _recipient = null!;
    private byte[] _recipientPublicKey = null!;
    private byte[] _plaintext = null!;
    private HpkeSealedMessage _sealed = null!;
    private Key _floorKey = null!;
    private PublicKey _floorPeer = null!;
    private byte[] _aeadKey = null!;
    private byte[] _nonce = null!;
    private byte[] _floorCiphertext = null!;
    private byte[] _buffer = null!;

    [Params(256, 16 * 1024)]
    public int Size { get; set; }

    [Params("chacha20poly1305", "aes128gcm")]
    public string Aead { get; set; } = "chacha20poly1305";

    [GlobalSetup]
    public void Setup()
    {
        _suite = Aead == "aes128gcm" ? HpkeSuite.X25519Sha256Aes128Gcm : HpkeSuite.X25519Sha256ChaCha20Poly1305;
        _recipient = _suite.DeriveKeyPair("benchmark recipient"u8);
        _recipientPublicKey = _recipient.ExportPublicKey();
        _plaintext = new byte[Size];
        new Random(42).NextBytes(_plaintext);
        _sealed = _suite.Seal(_recipientPublicKey, Info, Aad, _plaintext);

        _floorKey = Key.Import(KeyAgreementAlgorithm.X25519, _recipient.ExportPrivateKey(), KeyBlobFormat.RawPrivateKey);
        _floorPeer = PublicKey.Import(KeyAgreementAlgorithm.X25519, _sealed.EncapsulatedKey, KeyBlobFormat.RawPublicKey);
        _aeadKey = new byte[_suite.KeySize];
        _nonce = new byte[AeadCipher.NonceSize];
        using (var cipher = CreateCipher())
        {
            _floorCiphertext = cipher.Seal(_nonce, _plaintext, Aad);
        }
        _buffer = new byte[Size + AeadCipher.TagSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recipient.Dispose();
        _floorKey.Dispose();
    }

    [Benchmark(Description = "HPKE Seal (single-shot, base)")]
    public HpkeSealedMessage Seal() => _suite.Seal(_recipientPublicKey, Info, Aad, _plaintext);

    [Benchmark(Description = "HPKE Open (single-shot, base)")]
    public byte[] Open() => _suite.Open(_sealed.EncapsulatedKey, _recipient, Info, Aad, _sealed.Ciphertext);

    [Benchmark(Description = "Floor: X25519 agree + AEAD seal")]
    public byte[] FloorSeal()
    {
        using (KeyAgreementAlgorithm.X25519.Agree(_floorKey, _floorPeer))
        {
        }
        using var cipher = CreateCipher();
        cipher.Seal(_nonce, _plaintext, Aad, _buffer);
        return _buffer;
    }

    /// <summary>Seal's full floor: it must also create the ephemeral key pair (a base-point multiplication).</summary>
    [Benchmark(Description = "Floor: X25519 keygen + agree + AEAD seal")]
    public byte[] FloorSealWithKeygen()
    {
        using var ephemeral = Key.Create(KeyAgreementAlgorithm.X25519);
        _ = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        using (KeyAgreementAlgorithm.X25519.Agree(ephemeral, _floorPeer))
        {
        }
        using var cipher = CreateCipher();
        cipher.Seal(_nonce, _plaintext, Aad, _buffer);
        return _buffer;
    }

    [Benchmark(Description = "Floor: X25519 agree + AEAD open")]
    public byte[] FloorOpen()
    {
        using (KeyAgreementAlgorithm.X25519.Agree(_floorKey, _floorPeer))
        {
        }
        using var cipher = CreateCipher();
        cipher.Open(_nonce, _floorCiphertext, Aad, _buffer.AsSpan(0, Size));
        return _buffer;
    }

    private AeadCipher CreateCipher() => Aead == "aes128gcm" ? new AesGcmCipher(_aeadKey) : new ChaCha20Poly1305Cipher(_aeadKey);
}

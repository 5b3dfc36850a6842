using System.Collections.Concurrent;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.App;

/// <summary>
/// Signatures already verified as valid, so a tx's secp256k1 check runs once: in CheckTx (or
/// before it, outside the node lock) and not again in DeliverTx. An entry is SHA-256(public key ‖
/// SHA-256(message) ‖ signature) and is added only after <see cref="Secp256k1.Verify"/> returned
/// Valid for exactly those bytes, so a hit proves the same verification would succeed; a miss
/// verifies. Failures are never cached. Gas is charged by the caller either way, so execution
/// results do not depend on the cache. Bounded: a full cache is emptied.
/// </summary>
public sealed class VerifiedSignatures
{
    /// <summary>Entries kept before the cache is emptied (two mempools' worth).</summary>
    public const int DefaultCapacity = 20_000;

    private readonly ConcurrentDictionary<string, byte> _valid = new(StringComparer.Ordinal);
    private readonly int _capacity;

    public VerifiedSignatures(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => _valid.Count;

    /// <summary>Verifies (or finds an earlier valid verification of) <paramref name="signature"/> over <paramref name="message"/>.</summary>
    public Secp256k1Verdict Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var key = Key(publicKey, message, signature);
        if (_valid.ContainsKey(key))
        {
            return Secp256k1Verdict.Valid;
        }
        var verdict = Secp256k1.Verify(publicKey, message, signature);
        if (verdict == Secp256k1Verdict.Valid)
        {
            if (_valid.Count >= _capacity)
            {
                _valid.Clear();
            }
            _valid.TryAdd(key, 0);
        }
        return verdict;
    }

    private static string Key(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> digest = stackalloc byte[32];
        Hashing.Sha256(message, digest);
        var buffer = new byte[publicKey.Length + 32 + signature.Length];
        publicKey.CopyTo(buffer);
        digest.CopyTo(buffer.AsSpan(publicKey.Length));
        signature.CopyTo(buffer.AsSpan(publicKey.Length + 32));
        return Convert.ToHexString(Hashing.Sha256(buffer));
    }
}

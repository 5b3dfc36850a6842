using System.Collections.Concurrent;

namespace Citrine.Attestation.Dcap.Verification;

/// <summary>
/// A bounded cache of collateral whose signatures were already checked, keyed by SHA-256 of the
/// exact collateral bytes plus the trust anchor key (never by FMSPC), and of individual
/// signature checks keyed by SHA-256 of (signed bytes, signature, key). Only time-independent
/// results are cached: every time window (certificates, CRLs, TCB Info, QE Identity) is still
/// checked at each call's <c>now</c>. When full, the cache is emptied (simple, bounded, no clock).
/// </summary>
public sealed class VerifiedCollateralCache
{
    private readonly ConcurrentDictionary<string, PreparedCollateral> _collateral = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _signatures = new(StringComparer.Ordinal);

    public VerifiedCollateralCache(int capacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _collateral.Count;

    internal PreparedCollateral GetOrAdd(string key, Func<PreparedCollateral> create)
    {
        if (_collateral.TryGetValue(key, out var hit))
        {
            return hit;
        }
        var value = create();
        if (_collateral.Count >= Capacity)
        {
            _collateral.Clear();
        }
        _collateral[key] = value;
        return value;
    }

    internal bool CheckSignature(string key, Func<bool> verify)
    {
        if (_signatures.TryGetValue(key, out var ok))
        {
            return ok;
        }
        ok = verify();
        if (_signatures.Count >= Capacity * 4)
        {
            _signatures.Clear();
        }
        _signatures[key] = ok;
        return ok;
    }

    public void Clear()
    {
        _collateral.Clear();
        _signatures.Clear();
    }
}

using System.Security.Cryptography;
using Citrine.Enclave.LightClient;

namespace Citrine.Enclave.Sealing;

/// <summary>Why <see cref="TrustedStateStore.Load(TrustRoot, long)"/> refused. Each check has its own code.</summary>
public enum StateLoadReason
{
    None = 0,
    /// <summary>No sealed state has been saved.</summary>
    Missing,
    /// <summary>The blob does not unseal for the light-client purpose under this sealer.</summary>
    UnsealFailed,
    /// <summary>The blob unseals but is not a valid state encoding.</summary>
    Malformed,
    /// <summary>The state is for another trust root than the one the caller expects.</summary>
    TrustRootMismatch,
    /// <summary>The copy is older (generation or height) than one this process has already seen: a rollback.</summary>
    OlderThanSeen,
    /// <summary>The copy has the generation of one already seen but other contents: a forked copy.</summary>
    ForkedCopy,
    /// <summary>The copy is below the floor height the caller gives (the chain's session record).</summary>
    BelowFloor,
}

public sealed record StateLoadResult(TrustedState? State, StateLoadReason Reason, string Detail)
{
    public bool IsSuccess => Reason == StateLoadReason.None && State is not null;

    public override string ToString() => IsSuccess ? $"loaded {State}" : $"{Reason}: {Detail}";
}

/// <summary>
/// Keeps the sealed light-client state in a file and enforces that it only moves forward
/// (DESIGN.md invariant 4): the host can hand back any older sealed copy, so a load is refused
/// when the copy is behind the newest state this process has saved or loaded, or below a floor
/// the caller knows from the chain. A restarted process has no memory, which is what the floor is
/// for. Saves are atomic (write a temporary file, then rename).
/// </summary>
public sealed class TrustedStateStore(ISealer sealer, string path)
{
    public const string Purpose = "light-client-state";

    private readonly ISealer _sealer = sealer ?? throw new ArgumentNullException(nameof(sealer));
    private readonly string _path = string.IsNullOrEmpty(path) ? throw new ArgumentException("path is empty", nameof(path)) : path;
    private readonly Lock _gate = new();
    private (ulong Generation, long Height, byte[] Digest)? _newest;

    /// <summary>Seals and writes <paramref name="state"/>; refuses one behind the newest already seen.</summary>
    /// <exception cref="InvalidOperationException">the state is older than, or forks, one already seen.</exception>
    public void Save(TrustedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var encoded = TrustedStateCodec.Encode(state);
        lock (_gate)
        {
            if (Regression(state, encoded) is { } refusal)
            {
                throw new InvalidOperationException($"refusing to save: {refusal.Detail}");
            }
            var blob = _sealer.Seal(Purpose, encoded);
            var temp = _path + ".tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(blob);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, _path, overwrite: true);
            Remember(state, encoded);
        }
    }

    /// <summary>
    /// Reads, unseals and decodes the state, for <paramref name="expectedRoot"/> (the trust root of
    /// the contract's config), refusing a copy below <paramref name="floorHeight"/> or behind one seen before.
    /// </summary>
    public StateLoadResult Load(TrustRoot expectedRoot, long floorHeight = 0)
    {
        ArgumentNullException.ThrowIfNull(expectedRoot);
        if (!File.Exists(_path))
        {
            return new(null, StateLoadReason.Missing, $"no sealed state at {_path}");
        }
        return Load(File.ReadAllBytes(_path), expectedRoot, floorHeight);
    }

    /// <summary>As <see cref="Load(TrustRoot, long)"/> for a blob the caller read (the host may hand it over).</summary>
    public StateLoadResult Load(ReadOnlySpan<byte> sealedBlob, TrustRoot expectedRoot, long floorHeight = 0)
    {
        ArgumentNullException.ThrowIfNull(expectedRoot);
        if (!_sealer.TryUnseal(Purpose, sealedBlob, out var encoded, out _, out var detail))
        {
            return new(null, StateLoadReason.UnsealFailed, detail);
        }
        if (!TrustedStateCodec.TryDecode(encoded, out var state, out var error))
        {
            return new(null, StateLoadReason.Malformed, error);
        }
        var root = state!.Root;
        if (root.ChainId != expectedRoot.ChainId || root.TrustedHeight != expectedRoot.TrustedHeight || !root.TrustedHash.Span.SequenceEqual(expectedRoot.TrustedHash.Span)
            || root.TrustingPeriod != expectedRoot.TrustingPeriod || root.TrustThreshold != expectedRoot.TrustThreshold
            || root.MaxClockDrift != expectedRoot.MaxClockDrift || root.MaxBlockLag != expectedRoot.MaxBlockLag)
        {
            return new(null, StateLoadReason.TrustRootMismatch, $"sealed state is for trust root {Describe(root)}, expected {Describe(expectedRoot)}");
        }
        if (state.Height < floorHeight)
        {
            return new(null, StateLoadReason.BelowFloor, $"sealed state is at height {state.Height}, below the floor {floorHeight}");
        }
        lock (_gate)
        {
            if (Regression(state, encoded!) is { } refusal)
            {
                return refusal;
            }
            Remember(state, encoded!);
        }
        return new(state, StateLoadReason.None, "loaded");
    }

    private StateLoadResult? Regression(TrustedState state, byte[] encoded)
    {
        if (_newest is not { } newest)
        {
            return null;
        }
        if (state.Generation < newest.Generation || state.Height < newest.Height)
        {
            return new(null, StateLoadReason.OlderThanSeen,
                $"state at generation {state.Generation}, height {state.Height} is older than generation {newest.Generation}, height {newest.Height} already seen");
        }
        if (state.Generation == newest.Generation && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(encoded), newest.Digest))
        {
            return new(null, StateLoadReason.ForkedCopy, $"state at generation {state.Generation} differs from the one already seen at that generation");
        }
        return null;
    }

    private void Remember(TrustedState state, byte[] encoded) => _newest = (state.Generation, state.Height, SHA256.HashData(encoded));

    private static string Describe(TrustRoot root) => $"{root.ChainId}@{root.TrustedHeight}:{Convert.ToHexString(root.TrustedHash.Span)}";
}

using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.Enclave.LightClient;

/// <summary>Why <see cref="TrustedState.Initialise"/> refused a trust root. Each check has its own code.</summary>
public enum TrustRootReason
{
    None = 0,
    /// <summary>The root's parameters are unusable (see <see cref="TrustRoot.Problem"/>).</summary>
    InvalidTrustRoot,
    /// <summary>The light block is not at the root's trusted height.</summary>
    HeightMismatch,
    /// <summary>The light block's header does not hash to the root's trusted hash.</summary>
    HashMismatch,
    /// <summary>The light block is malformed or not signed by more than 2/3 of its validators (carries the light client's reason).</summary>
    BlockRefused,
}

/// <summary>The outcome of <see cref="TrustedState.Initialise"/>: a state, or the refused check and a detail naming the values.</summary>
public sealed record TrustRootVerdict(TrustedState? State, TrustRootReason Reason, string Detail, VerdictReason LightClientReason = VerdictReason.None)
{
    public bool IsSuccess => Reason == TrustRootReason.None && State is not null;

    public override string ToString() => IsSuccess ? "trusted" : $"{Reason}: {Detail}";
}

/// <summary>
/// The enclave's light-client state: the trust root it started from, the newest verified light
/// block and a generation number that grows by one at each advance, so an older sealed copy is
/// detectable (DESIGN.md invariant 4: trusted state only moves forward). The enclave's clock is
/// the newest verified header time: the enclave has no trusted clock of its own, and this one
/// never goes backwards because a state only advances to a later header.
/// </summary>
public sealed class TrustedState
{
    private readonly byte[] _hash;

    internal TrustedState(TrustRoot root, ulong generation, LightBlock block)
    {
        Root = root;
        Generation = generation;
        Block = block;
        _hash = block.Header.Hash();
    }

    public TrustRoot Root { get; }

    /// <summary>0 for the state made from the trust root; one more at each advance.</summary>
    public ulong Generation { get; }

    /// <summary>The newest verified light block; the next step is verified from it.</summary>
    public LightBlock Block { get; }

    public string ChainId => Root.ChainId;

    public long Height => Block.Height;

    public ReadOnlySpan<byte> Hash => _hash;

    public ReadOnlySpan<byte> AppHash => Block.Header.AppHash;

    /// <summary>The enclave's <c>now</c>: the newest verified header time.</summary>
    public Timestamp Clock => Block.Header.Time;

    /// <summary>
    /// The state for a contract's trust root: <paramref name="block"/> must be at the root's
    /// height, hash to the root's hash and carry a commit of more than 2/3 of its validators. No
    /// trusting-period check is possible here: the enclave has no clock before its first header,
    /// and the root comes from the contract's config, which the contract checked at block time.
    /// </summary>
    public static TrustRootVerdict Initialise(TrustRoot root, LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(block);
        if (root.Problem() is { } problem)
        {
            return new(null, TrustRootReason.InvalidTrustRoot, problem);
        }
        if (block.Height != root.TrustedHeight)
        {
            return new(null, TrustRootReason.HeightMismatch, $"light block is at height {block.Height}, the trust root names height {root.TrustedHeight}");
        }
        var hash = block.Header.Hash();
        if (!hash.AsSpan().SequenceEqual(root.TrustedHash.Span))
        {
            return new(null, TrustRootReason.HashMismatch, $"light block {block.Height} hashes to {Convert.ToHexString(hash)}, the trust root names {Convert.ToHexString(root.TrustedHash.Span)}");
        }
        var verdict = Verifier.VerifyStored(block, root.ChainId);
        if (!verdict.IsSuccess)
        {
            return new(null, TrustRootReason.BlockRefused, $"trusted light block {block.Height}: {verdict}", verdict.Reason);
        }
        return new(new TrustedState(root, 0, block), TrustRootReason.None, "trusted");
    }

    /// <summary>The state one generation on, at <paramref name="newer"/>, which the caller has verified from this one.</summary>
    internal TrustedState AdvanceTo(LightBlock newer) => new(Root, checked(Generation + 1), newer);

    public override string ToString() => $"{ChainId} height {Height} generation {Generation} clock {Clock}";
}

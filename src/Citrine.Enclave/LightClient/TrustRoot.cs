using Citrine.CometBft.LightClient;

namespace Citrine.Enclave.LightClient;

/// <summary>
/// The light-client trust root of a contract's config (DESIGN.md, "The handshake", step 1): the
/// chain, the trusted height and header hash, and the parameters of trust. It is not baked into
/// the enclave binary, so a redeploy does not change the measurement.
/// </summary>
public sealed record TrustRoot(
    string ChainId,
    long TrustedHeight,
    ReadOnlyMemory<byte> TrustedHash,
    TimeSpan TrustingPeriod,
    Fraction TrustThreshold,
    TimeSpan MaxClockDrift,
    ulong MaxBlockLag)
{
    public const int HashSize = 32;

    /// <summary>At most 2^32 blocks of lag: a larger bound would disable the freshness check in practice.</summary>
    public const ulong MaxMaxBlockLag = uint.MaxValue;

    public TrustOptions Options => new(ChainId, TrustingPeriod, TrustThreshold, MaxClockDrift);

    /// <summary>Why this root is unusable, or null when it is fine.</summary>
    public string? Problem()
    {
        // Chain id, trusting period, drift and threshold (1/3 ≤ t ≤ 1, CometBFT light/verifier.go
        // ValidateTrustLevel) are the light client's own rules.
        if (Options.Problem() is { } optionsProblem)
        {
            return optionsProblem;
        }
        if (ChainId.Length > Verifier.MaxChainIdLength)
        {
            return $"chain id is {ChainId.Length} characters, at most {Verifier.MaxChainIdLength}";
        }
        // The enclave has no clock: each step is verified at the candidate header's own time
        // (see PublicationVerifier), and a header is accepted only when strictly before now plus
        // the drift, so a zero drift would refuse every header.
        if (MaxClockDrift <= TimeSpan.Zero)
        {
            return $"max clock drift must be positive, got {MaxClockDrift}";
        }
        if (TrustedHeight <= 0)
        {
            return $"trusted height must be positive, got {TrustedHeight}";
        }
        if (TrustedHash.Length != HashSize)
        {
            return $"trusted hash must be {HashSize} bytes, got {TrustedHash.Length}";
        }
        if (MaxBlockLag == 0 || MaxBlockLag > MaxMaxBlockLag)
        {
            return $"max block lag must be within [1, {MaxMaxBlockLag}], got {MaxBlockLag}";
        }
        return null;
    }
}

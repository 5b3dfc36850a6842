using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>How <see cref="LightClientUpdate"/> cross-checks the primary.</summary>
public sealed record UpdateOptions
{
    /// <summary>
    /// Verify without any witness. Off by default: with no witness a primary that controls more
    /// than the trust threshold of an old validator set can feed a fork that nothing detects, so the
    /// caller must ask for it explicitly (CometBFT refuses with <c>ErrNoWitnesses</c>).
    /// </summary>
    public bool WithoutWitnesses { get; init; }

    /// <summary>How the detector waits for a lagging witness (default: CometBFT's 2 × drift + 10 s).</summary>
    public DetectorOptions? Detector { get; init; }
}

/// <summary>The outcome of one update: the verdict, and what each stage found.</summary>
/// <param name="Verdict">Success, or the verdict of the stage that failed.</param>
/// <param name="Verified">The target block, only when the update succeeded.</param>
/// <param name="Bisection">The primary's verification (null when refused before it ran).</param>
/// <param name="Detection">The witnesses' cross-check (null when it did not run).</param>
public sealed record UpdateResult(Verdict Verdict, LightBlock? Verified, BisectionResult? Bisection, ForkReport? Detection)
{
    public bool IsSuccess => Verdict.IsSuccess;
}

/// <summary>
/// Moves trust from a trusted block to a target height as CometBFT's light client does
/// (light/client.go <c>verifySkippingAgainstPrimary</c>): skipping verification against the primary,
/// then fork detection against the witnesses, and only then are the verified blocks saved to the
/// trusted store. A failure at any stage saves nothing.
/// </summary>
public static class LightClientUpdate
{
    public static async Task<UpdateResult> VerifyToHeightAsync(
        LightBlock trusted, long targetHeight, ILightBlockProvider primary, IReadOnlyList<ILightBlockProvider> witnesses,
        TrustOptions options, DateTimeOffset now, ILightStore? store = null, UpdateOptions? updateOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(witnesses);
        ArgumentNullException.ThrowIfNull(options);
        updateOptions ??= new UpdateOptions();
        if (witnesses.Count == 0 && !updateOptions.WithoutWitnesses)
        {
            return new UpdateResult(Verdict.Invalid(VerdictReason.NoWitnesses,
                "no witnesses to cross-check the primary against (ask explicitly to verify without witnesses)"), null, null, null);
        }
        var bisection = await Bisection.VerifyToHeightAsync(trusted, targetHeight, primary, options, now, cancellationToken).ConfigureAwait(false);
        if (!bisection.IsSuccess)
        {
            return new UpdateResult(bisection.Verdict, null, bisection, null);
        }
        ForkReport? detection = null;
        if (bisection.Trace.Count >= 2 && witnesses.Count > 0)
        {
            detection = await ForkDetector.DetectAsync(bisection.Trace, primary, witnesses, options, now, updateOptions.Detector, cancellationToken).ConfigureAwait(false);
            if (!detection.IsSuccess)
            {
                return new UpdateResult(detection.Verdict, null, bisection, detection);
            }
        }
        if (store is not null)
        {
            // trace[0] is the block trust came from; it is already trusted.
            for (var i = 1; i < bisection.Trace.Count; i++)
            {
                store.Save(bisection.Trace[i]);
            }
        }
        return new UpdateResult(Verdict.Success, bisection.Verified, bisection, detection);
    }
}

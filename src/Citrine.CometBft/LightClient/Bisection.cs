using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>The outcome of verifying up to a target height.</summary>
/// <param name="Verdict">Success, or the verdict of the step that failed.</param>
/// <param name="Verified">The target light block when verification succeeded.</param>
/// <param name="Trace">The trusted block and every block verified on the way, in order (a proof path).</param>
/// <param name="StepsVerified">How many verification steps ran (including not-enough-trust ones).</param>
public sealed record BisectionResult(Verdict Verdict, LightBlock? Verified, IReadOnlyList<LightBlock> Trace, int StepsVerified)
{
    public bool IsSuccess => Verdict.IsSuccess;
}

/// <summary>
/// Skipping verification with bisection (CometBFT light/client.go <c>verifySkipping</c>; spec
/// light-client/verification "Bisection"): try to jump from the last verified block straight to
/// the target; when the trusted validators do not carry enough trust, fetch the block halfway and
/// try that first, and so on. Nothing is saved here: a verified trace is trusted only after fork
/// detection passes (<see cref="LightClientUpdate"/>), as CometBFT's <c>verifySkippingAgainstPrimary</c>
/// runs the detector before <c>updateTrustedLightBlock</c>.
/// </summary>
public static class Bisection
{
    public static async Task<BisectionResult> VerifyToHeightAsync(
        LightBlock trusted, long targetHeight, ILightBlockProvider provider, TrustOptions options, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        var target = await FetchAsync(provider, targetHeight, cancellationToken).ConfigureAwait(false);
        if (targetHeight != 0 && target.Height != targetHeight)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse, provider.Id, $"asked for height {targetHeight}, got {target.Height}");
        }
        return await VerifyToBlockAsync(trusted, target, provider, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies an already fetched <paramref name="target"/>, fetching intermediate blocks from <paramref name="provider"/>.</summary>
    public static async Task<BisectionResult> VerifyToBlockAsync(
        LightBlock trusted, LightBlock target, ILightBlockProvider provider, TrustOptions options, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(options);
        var trace = new List<LightBlock> { trusted };
        if (target.Height == trusted.Height)
        {
            // Nothing to skip: the target must be the trusted block itself.
            var same = target.Header.Hash().AsSpan().SequenceEqual(trusted.Header.Hash());
            return new BisectionResult(
                same ? Verdict.Success : Verdict.Invalid(VerdictReason.TrustedHashMismatch, $"block {target.Height} from {provider.Id} differs from the trusted block"),
                same ? trusted : null, trace, 0);
        }
        if (target.Height < trusted.Height)
        {
            return new BisectionResult(
                Verdict.Invalid(VerdictReason.NonMonotonicHeight, $"target height {target.Height} is below the trusted height {trusted.Height} (backwards verification is not supported)"),
                null, trace, 0);
        }
        var verified = trusted;
        var pending = new List<LightBlock> { target };
        var depth = 0;
        var steps = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidate = pending[depth];
            var verdict = Verifier.Verify(verified, candidate, options, now);
            steps++;
            switch (verdict.Status)
            {
                case VerdictStatus.Success:
                    verified = candidate;
                    trace.Add(verified);
                    if (depth == 0)
                    {
                        return new BisectionResult(verdict, verified, trace, steps);
                    }
                    pending.RemoveRange(depth, pending.Count - depth);
                    depth = 0;
                    break;
                case VerdictStatus.NotEnoughTrust:
                    if (depth == pending.Count - 1)
                    {
                        var pivot = verified.Height + ((candidate.Height - verified.Height) / 2);
                        var interim = await FetchAsync(provider, pivot, cancellationToken).ConfigureAwait(false);
                        if (interim.Height != pivot)
                        {
                            throw new ProviderException(ProviderErrorKind.BadResponse, provider.Id, $"asked for height {pivot}, got {interim.Height}");
                        }
                        pending.Add(interim);
                    }
                    depth++;
                    break;
                default:
                    return new BisectionResult(verdict with { Message = $"height {candidate.Height}: {verdict.Message}" }, null, trace, steps);
            }
        }
    }

    /// <summary>
    /// Establishes the first trusted block from a trust root (height + header hash), as CometBFT's
    /// <c>initializeWithTrustOptions</c>: the block must hash to the root, be well-formed, be within
    /// the trusting period, and carry the signatures of more than 2/3 of its own validators.
    /// </summary>
    public static async Task<(Verdict Verdict, LightBlock? Block)> TrustRootAsync(
        long height, byte[] trustedHash, ILightBlockProvider provider, TrustOptions options, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var block = await FetchAsync(provider, height, cancellationToken).ConfigureAwait(false);
        var verdict = Verifier.VerifyTrustRoot(block, trustedHash, options, Timestamp.FromDateTimeOffset(now));
        return (verdict, verdict.IsSuccess ? block : null);
    }

    private static async Task<LightBlock> FetchAsync(ILightBlockProvider provider, long height, CancellationToken cancellationToken) =>
        await provider.GetLightBlockAsync(height, cancellationToken).ConfigureAwait(false);
}

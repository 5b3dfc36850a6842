using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>
/// Two headers for the same height that both verify from the same trusted block: proof that more
/// than the trust threshold of validators signed conflicting blocks (a light-client attack or a
/// fork). <see cref="Trace"/> is the witness's verification path.
/// </summary>
public sealed record ForkEvidence(string WitnessId, LightBlock Primary, LightBlock Witness, IReadOnlyList<LightBlock> Trace);

/// <summary>A witness that disagreed but whose block did not verify, or that could not answer.</summary>
public sealed record WitnessProblem(string WitnessId, string Problem, Verdict? Verdict);

public sealed record ForkReport(IReadOnlyList<ForkEvidence> Forks, IReadOnlyList<WitnessProblem> WitnessProblems)
{
    public bool ForkDetected => Forks.Count > 0;
}

/// <summary>
/// Cross-checks a verified block against witnesses (CometBFT light/detector.go
/// <c>detectDivergence</c>): each witness is asked for the same height; a different header is
/// verified from the common trusted block through that witness. If it verifies, both headers are
/// reported as evidence of a fork; if not, the witness is reported as faulty.
/// </summary>
public static class ForkDetector
{
    public static async Task<ForkReport> DetectAsync(
        LightBlock trusted, LightBlock verified, IEnumerable<ILightBlockProvider> witnesses, TrustOptions options, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        ArgumentNullException.ThrowIfNull(verified);
        ArgumentNullException.ThrowIfNull(witnesses);
        var forks = new List<ForkEvidence>();
        var problems = new List<WitnessProblem>();
        var primaryHash = verified.Header.Hash();
        foreach (var witness in witnesses)
        {
            LightBlock theirs;
            try
            {
                theirs = await witness.GetLightBlockAsync(verified.Height, cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderException e)
            {
                problems.Add(new WitnessProblem(witness.Id, $"no block at {verified.Height}: {e.Message}", null));
                continue;
            }
            if (theirs.Height != verified.Height)
            {
                problems.Add(new WitnessProblem(witness.Id, $"asked for height {verified.Height}, got {theirs.Height}", null));
                continue;
            }
            if (theirs.Header.Hash().AsSpan().SequenceEqual(primaryHash))
            {
                continue;
            }
            BisectionResult result;
            try
            {
                result = await Bisection.VerifyToBlockAsync(trusted, theirs, witness, options, now, store: null, cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderException e)
            {
                problems.Add(new WitnessProblem(witness.Id, $"conflicting header at {verified.Height}, and the witness failed while proving it: {e.Message}", null));
                continue;
            }
            if (result.IsSuccess)
            {
                forks.Add(new ForkEvidence(witness.Id, verified, theirs, result.Trace));
            }
            else
            {
                problems.Add(new WitnessProblem(witness.Id, $"conflicting header at {verified.Height} does not verify: {result.Verdict}", result.Verdict));
            }
        }
        return new ForkReport(forks, problems);
    }
}

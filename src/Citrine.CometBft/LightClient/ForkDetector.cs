using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>How the detector treats a witness that does not yet have the height it is asked for.</summary>
public sealed record DetectorOptions
{
    /// <summary>
    /// How long to wait before asking a lagging witness again. CometBFT waits
    /// <c>2 * maxClockDrift + maxBlockLag</c> (light/detector.go <c>compareNewLightBlockWithWitness</c>).
    /// </summary>
    public TimeSpan LaggingWitnessWait { get; init; }

    /// <summary>CometBFT's light client default max block lag (light/client.go <c>defaultMaxBlockLag</c>).</summary>
    public static readonly TimeSpan DefaultMaxBlockLag = TimeSpan.FromSeconds(10);

    public static DetectorOptions For(TrustOptions options, TimeSpan maxBlockLag)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DetectorOptions { LaggingWitnessWait = (2 * options.MaxClockDrift) + maxBlockLag };
    }
}

/// <summary>
/// A proven attack: a witness's block at <see cref="PrimaryBlock"/>'s height conflicts with the
/// primary's and verifies from the last block both share. <see cref="AgainstPrimary"/> blames the
/// primary and goes to the witness; <see cref="AgainstWitness"/> (when the primary's trace proves
/// the reverse) blames the witness and goes to the primary (light/detector.go <c>handleConflictingHeaders</c>).
/// </summary>
public sealed record LightClientAttack(
    string WitnessId, LightBlock PrimaryBlock, LightBlock WitnessBlock, IReadOnlyList<LightBlock> WitnessTrace,
    LightClientAttackEvidence AgainstPrimary, LightClientAttackEvidence? AgainstWitness, string? AgainstWitnessProblem);

/// <summary>What one witness said: success when it holds the same block.</summary>
public sealed record WitnessCheck(string WitnessId, Verdict Verdict);

/// <summary>The outcome of cross-checking a verified trace: success only when every witness agreed.</summary>
public sealed record ForkReport(Verdict Verdict, IReadOnlyList<WitnessCheck> Witnesses, IReadOnlyList<LightClientAttack> Attacks)
{
    public bool IsSuccess => Verdict.IsSuccess;

    public bool AttackDetected => Attacks.Count > 0;
}

/// <summary>
/// Cross-checks the primary's verified trace against witnesses, following CometBFT 0.38
/// light/detector.go (<c>detectDivergence</c>, <c>compareNewLightBlockWithWitness</c>,
/// <c>examineConflictingHeaderAgainstTrace</c>), but failing closed where Go merely drops a witness:
/// <list type="number">
/// <item>no witnesses: refused (<see cref="VerdictReason.NoWitnesses"/>, Go's <c>ErrNoWitnesses</c>);</item>
/// <item>each witness is asked for the target height; an unreachable witness is
/// <see cref="VerdictReason.WitnessUnavailable"/>, a malformed answer <see cref="VerdictReason.WitnessBadResponse"/>;</item>
/// <item>a witness without the height is asked for its latest block: at or above the target it is
/// asked again for the target; below, its latest block is compared by time — not before the target's
/// time is a conflicting block (a possible forward lunatic attack), otherwise the witness is asked once
/// more after <see cref="DetectorOptions.LaggingWitnessWait"/> and, still behind, is
/// <see cref="VerdictReason.WitnessBehind"/>;</item>
/// <item>a conflicting block is verified through the witness from the last block it shares with the
/// primary's trace; when that fails the witness is <see cref="VerdictReason.FaultyWitness"/>, when it
/// succeeds the attack is <see cref="VerdictReason.LightClientAttack"/>, with evidence against the
/// primary and, when the primary's trace proves the reverse, against the witness;</item>
/// <item>a witness with the same block but other proposer priorities is
/// <see cref="VerdictReason.ProposerPrioritiesDiverge"/> (Go's <c>ErrProposerPrioritiesDiverge</c>).</item>
/// </list>
/// Every witness is consulted; an attack outranks any other failure in the verdict.
/// </summary>
public static class ForkDetector
{
    public static async Task<ForkReport> DetectAsync(
        IReadOnlyList<LightBlock> primaryTrace, ILightBlockProvider primary, IReadOnlyList<ILightBlockProvider> witnesses,
        TrustOptions options, DateTimeOffset now, DetectorOptions? detectorOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(primaryTrace);
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(witnesses);
        ArgumentNullException.ThrowIfNull(options);
        if (primaryTrace.Count < 2)
        {
            throw new ArgumentException("the primary trace must hold the trusted block and at least one verified block", nameof(primaryTrace));
        }
        if (witnesses.Count == 0)
        {
            return new ForkReport(Verdict.Invalid(VerdictReason.NoWitnesses, "no witnesses to cross-check the primary against"), [], []);
        }
        detectorOptions ??= DetectorOptions.For(options, DetectorOptions.DefaultMaxBlockLag);
        var checks = new List<WitnessCheck>();
        var attacks = new List<LightClientAttack>();
        foreach (var witness in witnesses)
        {
            var (verdict, attack) = await CheckWitnessAsync(primaryTrace, primary, witness, options, now, detectorOptions, cancellationToken).ConfigureAwait(false);
            checks.Add(new WitnessCheck(witness.Id, verdict));
            if (attack is not null)
            {
                attacks.Add(attack);
            }
        }
        var final = attacks.Count > 0
            ? checks.First(c => c.Verdict.Reason == VerdictReason.LightClientAttack).Verdict
            : checks.FirstOrDefault(c => !c.Verdict.IsSuccess)?.Verdict ?? Verdict.Success;
        return new ForkReport(final, checks, attacks);
    }

    private static async Task<(Verdict, LightClientAttack?)> CheckWitnessAsync(
        IReadOnlyList<LightBlock> primaryTrace, ILightBlockProvider primary, ILightBlockProvider witness,
        TrustOptions options, DateTimeOffset now, DetectorOptions detectorOptions, CancellationToken cancellationToken)
    {
        var target = primaryTrace[^1];
        LightBlock theirs;
        try
        {
            theirs = await FetchAsync(witness, target.Height, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException e) when (e.Kind == ProviderErrorKind.NotFound)
        {
            var (atTarget, block, failure) = await TargetOrLatestAsync(witness, target.Height, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return (failure.Value, null);
            }
            if (!atTarget && block!.Header.Time < target.Header.Time)
            {
                // The witness may just be lagging: give it the time CometBFT gives it, then ask once more.
                await Task.Delay(detectorOptions.LaggingWitnessWait, cancellationToken).ConfigureAwait(false);
                (atTarget, block, failure) = await TargetOrLatestAsync(witness, target.Height, cancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    return (failure.Value, null);
                }
                if (!atTarget && block!.Header.Time < target.Header.Time)
                {
                    return (Verdict.Invalid(VerdictReason.WitnessBehind,
                        $"witness {witness.Id} has no block at {target.Height}; its latest, {block.Height} at {block.Header.Time}, is before the primary's block time {target.Header.Time}"), null);
                }
            }
            theirs = block!;
        }
        catch (ProviderException e)
        {
            return (WitnessFailure(witness, target.Height, e), null);
        }
        if (theirs.Height == target.Height && theirs.Header.Hash().AsSpan().SequenceEqual(target.Header.Hash()))
        {
            return (PrioritiesDiverge(target, theirs, witness) ?? Verdict.Success, null);
        }
        return await HandleConflictAsync(primaryTrace, primary, witness, theirs, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Proposer priorities are not in the header hash, so a matching header says nothing about them;
    /// CometBFT compares them separately (<c>ProposerPriorityHash</c>) and fails with
    /// <c>ErrProposerPrioritiesDiverge</c>. Compared here validator by validator: equal headers mean
    /// equal sets in the same order.
    /// </summary>
    private static Verdict? PrioritiesDiverge(LightBlock primaryBlock, LightBlock witnessBlock, ILightBlockProvider witness)
    {
        var ours = primaryBlock.Validators.Validators;
        var theirs = witnessBlock.Validators.Validators;
        for (var i = 0; i < ours.Count && i < theirs.Count; i++)
        {
            if (ours[i].ProposerPriority != theirs[i].ProposerPriority)
            {
                return Verdict.Invalid(VerdictReason.ProposerPrioritiesDiverge,
                    $"witness {witness.Id} agrees on block {primaryBlock.Height} but gives validator {Convert.ToHexString(ours[i].Address)} proposer priority {theirs[i].ProposerPriority}, the primary {ours[i].ProposerPriority}");
            }
        }
        return ours.Count == theirs.Count ? null : Verdict.Invalid(VerdictReason.ProposerPrioritiesDiverge,
            $"witness {witness.Id} agrees on block {primaryBlock.Height} but lists {theirs.Count} validators, the primary {ours.Count}");
    }

    /// <summary>light/detector.go <c>getTargetBlockOrLatest</c>: the target block if the witness has reached it, else its latest.</summary>
    private static async Task<(bool AtTarget, LightBlock? Block, Verdict? Failure)> TargetOrLatestAsync(
        ILightBlockProvider witness, long height, CancellationToken cancellationToken)
    {
        try
        {
            var latest = await witness.GetLightBlockAsync(0, cancellationToken).ConfigureAwait(false);
            if (latest.Height == height)
            {
                return (true, latest, null);
            }
            if (latest.Height > height)
            {
                return (true, await FetchAsync(witness, height, cancellationToken).ConfigureAwait(false), null);
            }
            return (false, latest, null);
        }
        catch (ProviderException e)
        {
            return (false, null, WitnessFailure(witness, height, e));
        }
    }

    private static Verdict WitnessFailure(ILightBlockProvider witness, long height, ProviderException e) =>
        e.Kind == ProviderErrorKind.BadResponse
            ? Verdict.Invalid(VerdictReason.WitnessBadResponse, $"witness {witness.Id} answered badly for height {height}: {e.Message}")
            : Verdict.Invalid(VerdictReason.WitnessUnavailable, $"witness {witness.Id} could not give the block at {height}: {e.Message}");

    /// <summary>light/detector.go <c>handleConflictingHeaders</c>.</summary>
    private static async Task<(Verdict, LightClientAttack?)> HandleConflictAsync(
        IReadOnlyList<LightBlock> primaryTrace, ILightBlockProvider primary, ILightBlockProvider witness, LightBlock conflicting,
        TrustOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var examined = await ExamineAsync(primaryTrace, conflicting, witness, options, now, cancellationToken).ConfigureAwait(false);
        if (examined.Problem is not null)
        {
            return (Verdict.Invalid(VerdictReason.FaultyWitness,
                $"witness {witness.Id} sent block {conflicting.Height} ({Convert.ToHexString(conflicting.Header.Hash())}) conflicting with the primary, and it does not verify: {examined.Problem}"), null);
        }
        var witnessTrace = examined.Trace!;
        var primaryBlock = examined.Diverging!;
        var againstPrimary = LightClientAttackEvidence.Create(primaryBlock, witnessTrace[^1], witnessTrace[0]);

        // Now hold the primary as the source of truth and examine the witness's trace the same way.
        var reverse = await ExamineAsync(witnessTrace, primaryBlock, primary, options, now, cancellationToken).ConfigureAwait(false);
        LightClientAttackEvidence? againstWitness = null;
        if (reverse.Problem is null)
        {
            againstWitness = LightClientAttackEvidence.Create(reverse.Diverging!, reverse.Trace![^1], reverse.Trace[0]);
        }
        var attack = new LightClientAttack(witness.Id, primaryBlock, witnessTrace[^1], witnessTrace, againstPrimary, againstWitness, reverse.Problem);
        return (Verdict.Invalid(VerdictReason.LightClientAttack,
            $"witness {witness.Id} proves a conflicting block {witnessTrace[^1].Height} ({Convert.ToHexString(witnessTrace[^1].Header.Hash())}) against the primary's {primaryBlock.Height} ({Convert.ToHexString(primaryBlock.Header.Hash())}), common height {witnessTrace[0].Height}"), attack);
    }

    /// <summary>
    /// light/detector.go <c>examineConflictingHeaderAgainstTrace</c>: walks <paramref name="trace"/>,
    /// verifying <paramref name="source"/>'s block at each of its heights from the previous common block,
    /// until the source's block differs (the bifurcation point). Returns the source's trace from the
    /// last common block and the trace's block at the bifurcation, or why the source's blocks do not verify.
    /// </summary>
    private static async Task<(IReadOnlyList<LightBlock>? Trace, LightBlock? Diverging, string? Problem)> ExamineAsync(
        IReadOnlyList<LightBlock> trace, LightBlock target, ILightBlockProvider source, TrustOptions options, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (target.Height < trace[0].Height)
        {
            return (null, null, $"block {target.Height} is below the trusted height {trace[0].Height}");
        }
        LightBlock? previous = null;
        IReadOnlyList<LightBlock> sourceTrace = [];
        try
        {
            for (var i = 0; i < trace.Count; i++)
            {
                var traceBlock = trace[i];
                if (traceBlock.Height > target.Height)
                {
                    // A forward lunatic attack: the block after the target height is the divergent one.
                    if (traceBlock.Header.Time > target.Header.Time)
                    {
                        return (null, null, $"trace block {traceBlock.Height} is later ({traceBlock.Header.Time}) than the conflicting block {target.Height} ({target.Header.Time})");
                    }
                    if (previous!.Height != target.Height)
                    {
                        var last = await Bisection.VerifyToBlockAsync(previous, target, source, options, now, cancellationToken).ConfigureAwait(false);
                        if (!last.IsSuccess)
                        {
                            return (null, null, $"from common block {previous.Height}: {last.Verdict}");
                        }
                        sourceTrace = last.Trace;
                    }
                    return sourceTrace.Count < 2 ? (null, null, "no verified trace to the conflicting block") : (sourceTrace, traceBlock, null);
                }
                var sourceBlock = traceBlock.Height == target.Height ? target : await FetchAsync(source, traceBlock.Height, cancellationToken).ConfigureAwait(false);
                if (i == 0)
                {
                    if (!sourceBlock.Header.Hash().AsSpan().SequenceEqual(traceBlock.Header.Hash()))
                    {
                        return (null, null, $"its block {traceBlock.Height} differs from the trusted block");
                    }
                    previous = sourceBlock;
                    continue;
                }
                var step = await Bisection.VerifyToBlockAsync(previous!, sourceBlock, source, options, now, cancellationToken).ConfigureAwait(false);
                if (!step.IsSuccess)
                {
                    return (null, null, $"from common block {previous!.Height}: {step.Verdict}");
                }
                sourceTrace = step.Trace;
                if (!sourceBlock.Header.Hash().AsSpan().SequenceEqual(traceBlock.Header.Hash()))
                {
                    return (sourceTrace, traceBlock, null);
                }
                previous = sourceBlock;
            }
        }
        catch (ProviderException e)
        {
            return (null, null, $"it failed while proving it: {e.Message}");
        }
        return (null, null, "no divergence from the trace");
    }

    private static async Task<LightBlock> FetchAsync(ILightBlockProvider provider, long height, CancellationToken cancellationToken)
    {
        var block = await provider.GetLightBlockAsync(height, cancellationToken).ConfigureAwait(false);
        return block.Height == height
            ? block
            : throw new ProviderException(ProviderErrorKind.BadResponse, provider.Id, $"asked for height {height}, got {block.Height}");
    }
}

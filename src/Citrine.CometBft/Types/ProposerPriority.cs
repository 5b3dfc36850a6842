using Citrine.Crypto;

namespace Citrine.CometBft.Types;

/// <summary>Why a validator change set cannot be applied (CometBFT 0.38 <c>updateWithChangeSet</c> errors).</summary>
public enum ValidatorSetUpdateError
{
    /// <summary>Two changes name the same address (<c>processChanges</c>: "duplicate entry").</summary>
    DuplicateEntry,

    /// <summary>A change has negative voting power.</summary>
    NegativePower,

    /// <summary>A change has more than <see cref="ValidatorSet.MaxTotalVotingPower"/> voting power.</summary>
    PowerTooLarge,

    /// <summary>A removal (power 0) in a genesis set, where deletes are not allowed.</summary>
    RemovalNotAllowed,

    /// <summary>The changes would leave the set empty.</summary>
    EmptyResult,

    /// <summary>A removal names a validator that is not in the set (<c>verifyRemovals</c>).</summary>
    UnknownRemoval,

    /// <summary>The resulting total voting power would exceed <see cref="ValidatorSet.MaxTotalVotingPower"/> (<c>verifyUpdates</c>).</summary>
    TotalPowerOverflow,
}

/// <summary>A validator change set was refused; the set it was applied to is unchanged.</summary>
public sealed class ValidatorSetUpdateException : Exception
{
    public ValidatorSetUpdateException()
    {
    }

    public ValidatorSetUpdateException(string message)
        : base(message)
    {
    }

    public ValidatorSetUpdateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ValidatorSetUpdateException(ValidatorSetUpdateError error, string message)
        : base(message) => Error = error;

    public ValidatorSetUpdateError Error { get; }
}

/// <summary>
/// CometBFT 0.38's proposer selection, written from <c>types/validator_set.go</c> (v0.38.x):
/// weighted round robin over <c>ProposerPriority</c>. Every function returns a new
/// <see cref="ValidatorSet"/> (sets are immutable) and reproduces Go's 64-bit arithmetic exactly:
/// additions and subtractions clip at the int64 range (<c>safeAddClip</c>/<c>safeSubClip</c>),
/// divisions truncate toward zero, except the average, which Go computes with <c>big.Int.Div</c>
/// (Euclidean, i.e. floor for a positive divisor).
/// </summary>
public static class ProposerPriority
{
    /// <summary><c>PriorityWindowSizeFactor</c>: priorities are kept within 2 × total voting power of each other.</summary>
    public const long PriorityWindowSizeFactor = 2;

    /// <summary>
    /// <c>types.NewValidatorSet(vals)</c>: the validators as a change set applied to an empty set
    /// (every one starts at the same priority, which centring makes 0), then one
    /// <c>IncrementProposerPriority(1)</c>. This is the set of the first height
    /// (<c>state.MakeGenesisState</c>: <c>Validators = NewValidatorSet(genesis validators)</c>).
    /// </summary>
    /// <exception cref="ValidatorSetUpdateException">a power is zero, negative or too large, or an address repeats.</exception>
    public static ValidatorSet NewValidatorSet(IEnumerable<Validator> validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        var list = validators.ToList();
        var set = Apply([], list, allowDeletes: false);
        return set.Count == 0 ? new ValidatorSet([]) : Increment(set, 1);
    }

    /// <summary>
    /// <c>ValidatorSet.IncrementProposerPriority(times)</c> on a copy: rescale the priorities so
    /// that max − min ≤ 2 × total, centre them on their (floored) average, then <paramref name="times"/>
    /// rounds of "every validator gains its voting power; the one with the highest priority
    /// (ties: the smaller address) is the proposer and loses the total". The returned set's
    /// <see cref="ValidatorSet.Proposer"/> is the proposer of the last round.
    /// </summary>
    public static ValidatorSet Increment(ValidatorSet set, int times)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        var entries = Entries(set.Validators);
        var total = TotalOf(entries);
        IncrementCore(entries, total, times, out var proposer);
        return Build(entries, proposer);
    }

    /// <summary>
    /// <c>ValidatorSet.UpdateWithChangeSet(changes)</c> on a copy. A change with power 0 removes
    /// that validator; a new validator starts at −(P + P/8) where P is the total power after the
    /// updates and before the removals (CometBFT's "−1.125 × total", so leaving and re-joining
    /// cannot reset a low priority); a power change keeps the validator's priority. Then the
    /// priorities are rescaled to 2 × total and centred. The proposer is not changed here; the
    /// caller increments (CometBFT <c>state.updateState</c>: update, then <c>IncrementProposerPriority(1)</c>).
    /// </summary>
    /// <exception cref="ValidatorSetUpdateException">the change set is invalid (see <see cref="ValidatorSetUpdateError"/>).</exception>
    public static ValidatorSet UpdateWithChangeSet(ValidatorSet set, IEnumerable<Validator> changes)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(changes);
        var list = changes.ToList();
        return list.Count == 0 ? set : Apply(Entries(set.Validators), list, allowDeletes: true);
    }

    /// <summary>
    /// <c>findProposer</c>: the validator with the highest priority, ties broken by the smaller
    /// address (<c>Validator.CompareProposerPriority</c>). Null for an empty set.
    /// </summary>
    public static Validator? HighestPriority(ValidatorSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        Validator? best = null;
        foreach (var v in set.Validators)
        {
            if (best is null || v.ProposerPriority > best.ProposerPriority
                || (v.ProposerPriority == best.ProposerPriority && v.Address.AsSpan().SequenceCompareTo(best.Address) < 0))
            {
                best = v;
            }
        }
        return best;
    }

    private struct Entry
    {
        public byte[] Address;
        public byte[] PublicKey;
        public long Power;
        public long Priority;
    }

    private static Entry[] Entries(IReadOnlyList<Validator> validators)
    {
        var entries = new Entry[validators.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var v = validators[i];
            entries[i] = new Entry { Address = v.Address, PublicKey = v.PublicKey, Power = v.VotingPower, Priority = v.ProposerPriority };
        }
        return entries;
    }

    private static ValidatorSet Build(Entry[] entries, int proposer)
    {
        var validators = new Validator[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            validators[i] = new Validator(entries[i].Address, entries[i].PublicKey, entries[i].Power, entries[i].Priority);
        }
        return new ValidatorSet(validators, proposer < 0 ? null : validators[proposer]);
    }

    /// <summary><c>updateTotalVotingPower</c>: a clipped sum that must not exceed <c>MaxTotalVotingPower</c> (Go panics).</summary>
    private static long TotalOf(Entry[] entries)
    {
        if (entries.Length == 0)
        {
            throw new ArgumentException("the validator set is empty", nameof(entries));
        }
        long sum = 0;
        foreach (var e in entries)
        {
            sum = SafeAddClip(sum, e.Power);
            if (sum > ValidatorSet.MaxTotalVotingPower)
            {
                throw new ArgumentException($"total voting power exceeds {ValidatorSet.MaxTotalVotingPower}", nameof(entries));
            }
        }
        return sum;
    }

    private static void IncrementCore(Entry[] entries, long total, int times, out int proposer)
    {
        Rescale(entries, PriorityWindowSizeFactor * total);
        ShiftByAverage(entries);
        proposer = -1;
        for (var round = 0; round < times; round++)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i].Priority = SafeAddClip(entries[i].Priority, entries[i].Power);
            }
            proposer = MostPriority(entries);
            entries[proposer].Priority = SafeSubClip(entries[proposer].Priority, total);
        }
    }

    private static int MostPriority(Entry[] entries)
    {
        var best = 0;
        for (var i = 1; i < entries.Length; i++)
        {
            var p = entries[i].Priority;
            if (p > entries[best].Priority || (p == entries[best].Priority && entries[i].Address.AsSpan().SequenceCompareTo(entries[best].Address) < 0))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// <c>RescalePriorities(diffMax)</c>: when max − min exceeds <paramref name="diffMax"/>, divide
    /// every priority by ceil(diff / diffMax). The difference is computed with Go's wrapping int64
    /// subtraction and then made non-negative, as in <c>computeMaxMinPriorityDiff</c>.
    /// </summary>
    private static void Rescale(Entry[] entries, long diffMax)
    {
        if (diffMax <= 0)
        {
            return;
        }
        long max = long.MinValue, min = long.MaxValue;
        foreach (var e in entries)
        {
            min = Math.Min(min, e.Priority);
            max = Math.Max(max, e.Priority);
        }
        var diff = unchecked(max - min);
        if (diff < 0)
        {
            diff = unchecked(-diff);
        }
        var ratio = unchecked(diff + diffMax - 1) / diffMax;
        if (diff > diffMax)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i].Priority = GoDivide(entries[i].Priority, ratio);
            }
        }
    }

    /// <summary><c>shiftByAvgProposerPriority</c>: subtract floor(sum / n) (big.Int Euclidean division) with clipping.</summary>
    private static void ShiftByAverage(Entry[] entries)
    {
        Int128 sum = 0;
        foreach (var e in entries)
        {
            sum += e.Priority;
        }
        var (quotient, remainder) = Int128.DivRem(sum, entries.Length);
        var average = remainder < 0 ? quotient - 1 : quotient;
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i].Priority = SafeSubClip(entries[i].Priority, (long)average);
        }
    }

    /// <summary>Go's int64 division: truncates toward zero and wraps MinInt64 / −1 to MinInt64 instead of trapping.</summary>
    private static long GoDivide(long a, long b) => b == -1 ? unchecked(-a) : a / b;

    /// <summary><c>safeAddClip</c>: a + b, clipped to the int64 range on overflow.</summary>
    internal static long SafeAddClip(long a, long b)
    {
        if (b > 0 && a > long.MaxValue - b)
        {
            return long.MaxValue;
        }
        if (b < 0 && a < long.MinValue - b)
        {
            return long.MinValue;
        }
        return a + b;
    }

    /// <summary><c>safeSubClip</c>: a − b, clipped to the int64 range on overflow.</summary>
    internal static long SafeSubClip(long a, long b)
    {
        if (b > 0 && a < long.MinValue + b)
        {
            return long.MinValue;
        }
        if (b < 0 && a > long.MaxValue + b)
        {
            return long.MaxValue;
        }
        return a - b;
    }

    /// <summary>
    /// <c>updateWithChangeSet(changes, allowDeletes)</c>: <c>processChanges</c> (sort by address,
    /// split into updates and removals, reject duplicates and bad powers), <c>verifyRemovals</c>,
    /// <c>verifyUpdates</c>, <c>computeNewPriorities</c>, apply, then rescale and centre.
    /// </summary>
    private static ValidatorSet Apply(Entry[] existing, List<Validator> changes, bool allowDeletes)
    {
        changes.Sort((x, y) => x.Address.AsSpan().SequenceCompareTo(y.Address));
        var updates = new List<Validator>();
        var removals = new List<Validator>();
        for (var i = 0; i < changes.Count; i++)
        {
            var c = changes[i];
            if (i > 0 && c.Address.AsSpan().SequenceEqual(changes[i - 1].Address))
            {
                throw new ValidatorSetUpdateException(ValidatorSetUpdateError.DuplicateEntry, $"duplicate entry {Convert.ToHexString(c.Address)} in the change set");
            }
            if (c.VotingPower < 0)
            {
                throw new ValidatorSetUpdateException(ValidatorSetUpdateError.NegativePower, $"voting power can't be negative: {c.VotingPower} ({Convert.ToHexString(c.Address)})");
            }
            if (c.VotingPower > ValidatorSet.MaxTotalVotingPower)
            {
                throw new ValidatorSetUpdateException(ValidatorSetUpdateError.PowerTooLarge, $"voting power can't be higher than {ValidatorSet.MaxTotalVotingPower}, got {c.VotingPower} ({Convert.ToHexString(c.Address)})");
            }
            (c.VotingPower == 0 ? removals : updates).Add(c);
        }
        if (!allowDeletes && removals.Count != 0)
        {
            throw new ValidatorSetUpdateException(ValidatorSetUpdateError.RemovalNotAllowed, $"cannot process validators with voting power 0: {Convert.ToHexString(removals[0].Address)}");
        }
        var index = new Dictionary<byte[], int>(existing.Length, ByteArrayComparer.Instance);
        for (var i = 0; i < existing.Length; i++)
        {
            index.TryAdd(existing[i].Address, i);
        }
        var newCount = updates.Count(u => !index.ContainsKey(u.Address));
        if (newCount == 0 && existing.Length == removals.Count)
        {
            throw new ValidatorSetUpdateException(ValidatorSetUpdateError.EmptyResult, "applying the validator changes would result in an empty set");
        }
        long removedPower = 0;
        foreach (var r in removals)
        {
            if (!index.TryGetValue(r.Address, out var at))
            {
                throw new ValidatorSetUpdateException(ValidatorSetUpdateError.UnknownRemoval, $"failed to find validator {Convert.ToHexString(r.Address)} to remove");
            }
            removedPower += existing[at].Power;
        }
        // verifyUpdates: apply the power deltas in ascending order so a transient sum never overflows.
        long Delta(Validator u) => index.TryGetValue(u.Address, out var at) ? u.VotingPower - existing[at].Power : u.VotingPower;
        var tvp = (existing.Length == 0 ? 0 : TotalOf(existing)) - removedPower;
        foreach (var delta in updates.Select(Delta).Order())
        {
            tvp += delta;
            if (tvp > ValidatorSet.MaxTotalVotingPower)
            {
                throw new ValidatorSetUpdateException(ValidatorSetUpdateError.TotalPowerOverflow, $"total voting power of the resulting set exceeds {ValidatorSet.MaxTotalVotingPower}");
            }
        }
        var afterUpdatesBeforeRemovals = tvp + removedPower;
        // computeNewPriorities: −(P + P>>3) for a new validator; a changed one keeps its priority.
        var merged = new Dictionary<byte[], Entry>(ByteArrayComparer.Instance);
        foreach (var e in existing)
        {
            merged[e.Address] = e;
        }
        foreach (var u in updates)
        {
            var priority = index.TryGetValue(u.Address, out var at)
                ? existing[at].Priority
                : -(afterUpdatesBeforeRemovals + (afterUpdatesBeforeRemovals >> 3));
            merged[u.Address] = new Entry { Address = u.Address, PublicKey = u.PublicKey, Power = u.VotingPower, Priority = priority };
        }
        foreach (var r in removals)
        {
            merged.Remove(r.Address);
        }
        var entries = merged.Values.ToArray();
        var total = TotalOf(entries);
        Rescale(entries, PriorityWindowSizeFactor * total);
        ShiftByAverage(entries);
        return Build(entries, -1);
    }
}

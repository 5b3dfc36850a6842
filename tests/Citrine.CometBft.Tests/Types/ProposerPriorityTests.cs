using Citrine.CometBft.Types;
using FsCheck.Xunit;

namespace Citrine.CometBft.Tests.Types;

public sealed class ProposerPriorityTests
{
    private static readonly byte[] Key = new byte[32];

    private static Validator V(string name, long power, long priority = 0) => new(System.Text.Encoding.ASCII.GetBytes(name), Key, power, priority);

    private static Validator V(byte last, long power, long priority = 0)
    {
        var address = new byte[20];
        address[19] = last;
        return new Validator(address, Key, power, priority);
    }

    private static string Name(Validator v) => System.Text.Encoding.ASCII.GetString(v.Address);

    private static long PriorityOf(ValidatorSet set, string name) => set.Validators.Single(v => Name(v) == name).ProposerPriority;

    [Fact]
    public void Powers_1_2_3_propose_in_the_order_the_algorithm_gives_and_return_to_zero_after_total_rounds()
    {
        // Hand-derived from validator_set.go: start at 0, add powers, the max (ties: smaller address) loses 6.
        //   +[1,2,3]=[1,2,3]→c [1,2,-3]; [2,4,0]→b [2,-2,0]; [3,0,3]→a (tie, a<c) [-3,0,3];
        //   [-2,2,6]→c [-2,2,0]; [-1,4,3]→b [-1,-2,3]; [0,0,6]→c [0,0,0].
        var set = ProposerPriority.NewValidatorSet([V("a", 1), V("b", 2), V("c", 3)]);
        string[] expectedProposers = ["c", "b", "a", "c", "b", "c"];
        long[][] expectedPriorities = [[1, 2, -3], [2, -2, 0], [-3, 0, 3], [-2, 2, 0], [-1, -2, 3], [0, 0, 0]];
        for (var round = 0; round < 6; round++)
        {
            Assert.Equal(expectedProposers[round], Name(set.Proposer!));
            Assert.Equal(expectedPriorities[round], new[] { PriorityOf(set, "a"), PriorityOf(set, "b"), PriorityOf(set, "c") });
            set = ProposerPriority.Increment(set, 1);
        }
        Assert.Equal("c", Name(set.Proposer!));
    }

    [Fact]
    public void Proposer_sequence_matches_cometbft_TestProposerSelection1()
    {
        // Expected sequence from CometBFT types/validator_set_test.go TestProposerSelection1 (foo 1000, bar 300, baz 330).
        const string Expected =
            "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar" +
            " foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar" +
            " foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz" +
            " foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo" +
            " foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
        var set = ProposerPriority.NewValidatorSet([V("foo", 1000), V("bar", 300), V("baz", 330)]);
        var proposers = new List<string>();
        for (var i = 0; i < 99; i++)
        {
            proposers.Add(Name(set.Proposer!));
            set = ProposerPriority.Increment(set, 1);
        }
        Assert.Equal(Expected, string.Join(' ', proposers));
    }

    [Theory]
    [InlineData(1, 0, new long[] { -2, 1, 1 })]
    [InlineData(2, 0, new long[] { -4, 2, 2 })]
    [InlineData(3, 0, new long[] { -6, 3, 3 })]
    [InlineData(4, 0, new long[] { -8, 4, 4 })]
    [InlineData(5, 1, new long[] { 2, -7, 5 })]
    [InlineData(6, 0, new long[] { 0, -6, 6 })]
    [InlineData(7, 0, new long[] { -2, -5, 7 })]
    [InlineData(8, 0, new long[] { -4, -4, 8 })]
    [InlineData(9, 2, new long[] { 6, -3, -3 })]
    [InlineData(10, 0, new long[] { 4, -2, -2 })]
    [InlineData(11, 0, new long[] { 2, -1, -1 })]
    public void Increment_n_times_matches_cometbft_TestAveragingInIncrementProposerPriorityWithVotingPower(int times, byte proposer, long[] priorities)
    {
        // CometBFT types/validator_set_test.go: powers 10, 1, 1 at addresses 0, 1, 2, all priorities 0.
        var set = ProposerPriority.Increment(new ValidatorSet([V(0, 10), V(1, 1), V(2, 1)]), times);
        Assert.Equal(proposer, set.Proposer!.Address[19]);
        Assert.Equal(priorities, set.Validators.Select(v => v.ProposerPriority));
    }

    [Theory]
    [InlineData(1, 2, new long[] { 1, 2, 3 })]
    [InlineData(11, 0, new long[] { 10, -10, 1 })]
    [InlineData(1, 30, new long[] { 100, -10, 1 })]
    public void Increment_subtracts_the_floored_average_as_cometbft_TestAveragingInIncrementProposerPriority(int times, long average, long[] priorities)
    {
        // Zero voting power: only the centring moves the priorities.
        var set = new ValidatorSet([V("a", 0, priorities[0]), V("b", 0, priorities[1]), V("c", 0, priorities[2])]);
        var after = ProposerPriority.Increment(set, times);
        Assert.Equal(priorities.Select(p => p - average), new[] { PriorityOf(after, "a"), PriorityOf(after, "b"), PriorityOf(after, "c") });
    }

    [Fact]
    public void Equal_powers_take_turns_in_address_order()
    {
        var set = ProposerPriority.NewValidatorSet([V(2, 100), V(0, 100), V(1, 100)]);
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(i % 3, set.Proposer!.Address[19]);
            set = ProposerPriority.Increment(set, 1);
        }
    }

    [Fact]
    public void Increment_divides_priorities_when_their_spread_exceeds_twice_the_total()
    {
        // total 2, window 4, spread 200: ratio ceil(200/4) = 50 → [2,-2]; +1 each → [3,-1]; a proposes → [1,-1].
        var set = ProposerPriority.Increment(new ValidatorSet([V("a", 1, 100), V("b", 1, -100)]), 1);
        Assert.Equal("a", Name(set.Proposer!));
        Assert.Equal(1, PriorityOf(set, "a"));
        Assert.Equal(-1, PriorityOf(set, "b"));
    }

    [Fact]
    public void Increment_centres_on_the_floored_average_as_big_Int_Div_does()
    {
        // sum -1 over 2: floor(-1/2) = -1 (truncation would give 0) → [0,1]; +1 → [1,2]; b proposes → [1,0].
        var set = ProposerPriority.Increment(new ValidatorSet([V("a", 1, -1), V("b", 1, 0)]), 1);
        Assert.Equal("b", Name(set.Proposer!));
        Assert.Equal(1, PriorityOf(set, "a"));
        Assert.Equal(0, PriorityOf(set, "b"));
    }

    [Fact]
    public void Increment_clips_at_the_int64_range_and_keeps_gos_wrapping_spread()
    {
        // Go: max - min wraps to -1, made positive: 1 ≤ window, no rescale. avg floor(-1/2) = -1;
        // MaxInt64 - (-1) clips to MaxInt64, + 1 clips again; the proposer loses the total (2).
        var set = ProposerPriority.Increment(new ValidatorSet([V("a", 1, long.MaxValue), V("b", 1, long.MinValue)]), 1);
        Assert.Equal("a", Name(set.Proposer!));
        Assert.Equal(long.MaxValue - 2, PriorityOf(set, "a"));
        Assert.Equal(long.MinValue + 2, PriorityOf(set, "b"));
        Assert.Equal(long.MaxValue, ProposerPriority.SafeAddClip(long.MaxValue, 1));
        Assert.Equal(long.MinValue, ProposerPriority.SafeAddClip(long.MinValue, -1));
        Assert.Equal(long.MinValue, ProposerPriority.SafeSubClip(long.MinValue, 1));
        Assert.Equal(long.MaxValue, ProposerPriority.SafeSubClip(long.MaxValue, -1));
    }

    [Fact]
    public void New_validator_starts_at_minus_one_and_an_eighth_of_the_total_before_centring()
    {
        // tvp after updates = 40 → c at -(40 + 5) = -45; spread 45 ≤ 80; avg floor(-45/3) = -15.
        var set = ProposerPriority.UpdateWithChangeSet(new ValidatorSet([V("a", 10), V("b", 10)]), [V("c", 20)]);
        Assert.Equal(["c", "a", "b"], set.Validators.Select(Name));
        Assert.Equal(-30, PriorityOf(set, "c"));
        Assert.Equal(15, PriorityOf(set, "a"));
        Assert.Equal(15, PriorityOf(set, "b"));
    }

    [Fact]
    public void Power_change_keeps_the_priority_and_removal_deletes_the_validator()
    {
        var before = new ValidatorSet([V("a", 10, 5), V("b", 10, -5), V("c", 5, 0)]);
        var set = ProposerPriority.UpdateWithChangeSet(before, [V("b", 20), V("c", 0)]);
        Assert.Equal(["b", "a"], set.Validators.Select(Name));
        Assert.Equal(20, set.Validators[0].VotingPower);
        Assert.Equal(-5, PriorityOf(set, "b"));
        Assert.Equal(5, PriorityOf(set, "a"));
        Assert.Equal(3, before.Count);
    }

    [Fact]
    public void New_validator_priority_uses_the_total_before_removals()
    {
        // removing a (10) and adding c (10): tvp after updates before removals = 30 → c at -(30 + 3) = -33;
        // b keeps 0; spread 33 ≤ 40; avg floor(-33/2) = -17 → b 17, c -16.
        var set = ProposerPriority.UpdateWithChangeSet(new ValidatorSet([V("a", 10), V("b", 10)]), [V("a", 0), V("c", 10)]);
        Assert.Equal(17, PriorityOf(set, "b"));
        Assert.Equal(-16, PriorityOf(set, "c"));
    }

    private static ValidatorSetUpdateError UpdateError(ValidatorSet set, params Validator[] changes) =>
        Assert.Throws<ValidatorSetUpdateException>(() => ProposerPriority.UpdateWithChangeSet(set, changes)).Error;

    private static readonly ValidatorSet Two = new([V("a", 10), V("b", 10)]);

    [Fact]
    public void Update_rejects_a_duplicate_entry() => Assert.Equal(ValidatorSetUpdateError.DuplicateEntry, UpdateError(Two, V("c", 1), V("c", 2)));

    [Fact]
    public void Update_rejects_a_negative_power() => Assert.Equal(ValidatorSetUpdateError.NegativePower, UpdateError(Two, V("c", -1)));

    [Fact]
    public void Update_rejects_a_power_above_the_maximum_total() =>
        Assert.Equal(ValidatorSetUpdateError.PowerTooLarge, UpdateError(Two, V("c", ValidatorSet.MaxTotalVotingPower + 1)));

    [Fact]
    public void Update_rejects_removing_every_validator() => Assert.Equal(ValidatorSetUpdateError.EmptyResult, UpdateError(Two, V("a", 0), V("b", 0)));

    [Fact]
    public void Update_rejects_removing_an_unknown_validator() => Assert.Equal(ValidatorSetUpdateError.UnknownRemoval, UpdateError(Two, V("z", 0)));

    [Fact]
    public void Update_rejects_a_total_above_the_maximum() =>
        Assert.Equal(ValidatorSetUpdateError.TotalPowerOverflow, UpdateError(Two, V("c", ValidatorSet.MaxTotalVotingPower - 10)));

    [Fact]
    public void Genesis_set_rejects_a_zero_power() =>
        Assert.Equal(ValidatorSetUpdateError.RemovalNotAllowed,
            Assert.Throws<ValidatorSetUpdateException>(() => ProposerPriority.NewValidatorSet([V("a", 1), V("b", 0)])).Error);

    [Fact]
    public void Increment_refuses_an_empty_set_and_non_positive_times()
    {
        Assert.Throws<ArgumentException>(() => ProposerPriority.Increment(new ValidatorSet([]), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProposerPriority.Increment(Two, 0));
    }

    private static ValidatorSet RandomSet(byte[] powers)
    {
        var validators = new List<Validator>();
        for (var i = 0; i < Math.Min(powers.Length, 12); i++)
        {
            validators.Add(V((byte)i, 1 + (powers[i] % 100)));
        }
        return ProposerPriority.NewValidatorSet(validators.Count == 0 ? [V(0, 7)] : validators);
    }

    [Property(MaxTest = 100)]
    public bool Priorities_stay_centred_and_inside_the_window(byte[] powers, byte rounds)
    {
        var set = RandomSet(powers);
        var total = set.TotalVotingPower;
        for (var i = 0; i <= rounds; i++)
        {
            Int128 sum = 0;
            foreach (var v in set.Validators)
            {
                sum += v.ProposerPriority;
            }
            // Centring leaves 0 ≤ sum < n and a round moves +total and -total: the average is in [0, 1).
            if (sum < 0 || sum >= set.Count)
            {
                return false;
            }
            if (set.Validators.Any(v => Math.Abs(v.ProposerPriority) > ProposerPriority.PriorityWindowSizeFactor * total))
            {
                return false;
            }
            set = ProposerPriority.Increment(set, 1);
        }
        return true;
    }

    [Property(MaxTest = 50)]
    public bool Proposer_frequency_is_proportional_to_voting_power(byte[] powers, byte cycles)
    {
        var set = RandomSet(powers);
        var total = set.TotalVotingPower;
        var rounds = total * (1 + (cycles % 4));
        var counts = new Dictionary<byte, long>();
        for (var i = 0; i < rounds; i++)
        {
            counts[set.Proposer!.Address[19]] = counts.GetValueOrDefault(set.Proposer.Address[19]) + 1;
            set = ProposerPriority.Increment(set, 1);
        }
        // count = (rounds × power − final priority) / total and |priority| ≤ 2 × total.
        return set.Validators.All(v => Math.Abs(counts.GetValueOrDefault(v.Address[19]) - (rounds * v.VotingPower / total)) <= 2);
    }

    [Property(MaxTest = 100)]
    public bool Increment_by_n_equals_n_increments_by_one_for_centred_sets(byte[] powers, byte rounds)
    {
        // CometBFT's LoadValidators uses IncrementProposerPriority(n) between checkpoints while the
        // consensus state applies it once per height; the two agree on sets the algorithm produced.
        var set = RandomSet(powers);
        var times = 1 + (rounds % 40);
        var once = ProposerPriority.Increment(set, times);
        var stepwise = set;
        for (var i = 0; i < times; i++)
        {
            stepwise = ProposerPriority.Increment(stepwise, 1);
        }
        return once.Proposer!.Address.AsSpan().SequenceEqual(stepwise.Proposer!.Address)
            && once.Validators.Select(v => v.ProposerPriority).SequenceEqual(stepwise.Validators.Select(v => v.ProposerPriority));
    }

    [Fact]
    public void Highest_priority_breaks_ties_by_the_smaller_address()
    {
        var set = new ValidatorSet([V("b", 1, 5), V("a", 2, 5), V("c", 3, 4)]);
        Assert.Equal("a", Name(ProposerPriority.HighestPriority(set)!));
        Assert.Null(ProposerPriority.HighestPriority(new ValidatorSet([])));
    }
}

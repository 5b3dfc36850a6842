using Citrine.Enclave.LightClient;
using Citrine.Enclave.Publication;
using Citrine.Enclave.Sealing;

namespace Citrine.Enclave.Tests.Sealing;

public sealed class TrustedStateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-state-").FullName;
    private readonly Devnet _chain = new();
    private readonly InsecureFileSealer _sealer;

    public TrustedStateStoreTests()
    {
        _chain.Produce(6);
        _sealer = InsecureFileSealer.OpenOrCreate(_directory);
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _chain.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string StatePath => Path.Combine(_directory, "light-client.sealed");

    private TrustedStateStore NewStore() => new(_sealer, StatePath);

    /// <summary>Advances <paramref name="state"/> to <paramref name="height"/> through the verifier, as the enclave does.</summary>
    private TrustedState Advance(TrustedState state, long height)
    {
        var verdict = PublicationVerifier.Verify(state, _chain.BalanceClaim(1), _chain.Proof(1, state.Height + 1, height - 1));
        Assert.True(verdict.IsSuccess, verdict.ToString());
        return verdict.State!;
    }

    private static void AssertRefused(StateLoadReason reason, StateLoadResult result)
    {
        Assert.True(reason == result.Reason, $"expected {reason}, got {result}");
        Assert.Null(result.State);
        Assert.NotEmpty(result.Detail);
    }

    [Fact]
    public void Load_returns_the_state_saved_after_an_advance_in_a_new_process()
    {
        var advanced = Advance(_chain.State(2), 4);
        NewStore().Save(advanced);
        var result = NewStore().Load(_chain.Root(2));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(4, result.State!.Height);
        Assert.Equal(1UL, result.State.Generation);
    }

    [Fact]
    public void Load_refuses_when_nothing_was_saved() =>
        AssertRefused(StateLoadReason.Missing, NewStore().Load(_chain.Root(2)));

    [Fact]
    public void Load_refuses_a_sealed_state_that_was_tampered_with()
    {
        NewStore().Save(_chain.State(2));
        var blob = File.ReadAllBytes(StatePath);
        blob[^1] ^= 1;
        AssertRefused(StateLoadReason.UnsealFailed, NewStore().Load(blob, _chain.Root(2)));
    }

    [Fact]
    public void Load_refuses_a_blob_sealed_for_another_purpose()
    {
        var blob = _sealer.Seal("signing-key", TrustedStateCodec.Encode(_chain.State(2)));
        AssertRefused(StateLoadReason.UnsealFailed, NewStore().Load(blob, _chain.Root(2)));
    }

    [Fact]
    public void Load_refuses_a_sealed_blob_that_is_not_a_state()
    {
        var blob = _sealer.Seal(TrustedStateStore.Purpose, "not a state"u8);
        AssertRefused(StateLoadReason.Malformed, NewStore().Load(blob, _chain.Root(2)));
    }

    [Fact]
    public void Load_refuses_a_state_of_another_trust_root()
    {
        NewStore().Save(_chain.State(2));
        AssertRefused(StateLoadReason.TrustRootMismatch, NewStore().Load(_chain.Root(3)));
        AssertRefused(StateLoadReason.TrustRootMismatch, NewStore().Load(_chain.Root(2, maxBlockLag: 3)));
    }

    [Fact]
    public void Load_refuses_a_sealed_copy_rolled_back_to_an_older_one()
    {
        var store = NewStore();
        var initial = _chain.State(2);
        store.Save(initial);
        var oldCopy = File.ReadAllBytes(StatePath);
        store.Save(Advance(initial, 5));
        AssertRefused(StateLoadReason.OlderThanSeen, store.Load(oldCopy, _chain.Root(2)));
        Assert.True(store.Load(_chain.Root(2)).IsSuccess);
    }

    [Fact]
    public void Load_refuses_a_copy_of_the_same_generation_with_other_contents()
    {
        var store = NewStore();
        var initial = _chain.State(2);
        store.Save(Advance(initial, 4));
        var fork = _sealer.Seal(TrustedStateStore.Purpose, TrustedStateCodec.Encode(Advance(initial, 5)));
        AssertRefused(StateLoadReason.ForkedCopy, store.Load(fork, _chain.Root(2)));
    }

    [Fact]
    public void Load_refuses_a_copy_below_the_floor_the_chain_gives()
    {
        NewStore().Save(Advance(_chain.State(2), 4));
        AssertRefused(StateLoadReason.BelowFloor, NewStore().Load(_chain.Root(2), floorHeight: 5));
        Assert.True(NewStore().Load(_chain.Root(2), floorHeight: 4).IsSuccess);
    }

    [Fact]
    public void Save_refuses_a_state_older_than_one_already_saved()
    {
        var store = NewStore();
        var initial = _chain.State(2);
        store.Save(Advance(initial, 5));
        Assert.Throws<InvalidOperationException>(() => store.Save(initial));
        Assert.Equal(5, NewStore().Load(_chain.Root(2)).State!.Height);
    }

    [Fact]
    public void Every_reason_has_a_test()
    {
        var tested = typeof(TrustedStateStoreTests).GetMethods()
            .Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0)
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var expectedTests = new Dictionary<StateLoadReason, string>
        {
            [StateLoadReason.None] = nameof(Load_returns_the_state_saved_after_an_advance_in_a_new_process),
            [StateLoadReason.Missing] = nameof(Load_refuses_when_nothing_was_saved),
            [StateLoadReason.UnsealFailed] = nameof(Load_refuses_a_sealed_state_that_was_tampered_with),
            [StateLoadReason.Malformed] = nameof(Load_refuses_a_sealed_blob_that_is_not_a_state),
            [StateLoadReason.TrustRootMismatch] = nameof(Load_refuses_a_state_of_another_trust_root),
            [StateLoadReason.OlderThanSeen] = nameof(Load_refuses_a_sealed_copy_rolled_back_to_an_older_one),
            [StateLoadReason.ForkedCopy] = nameof(Load_refuses_a_copy_of_the_same_generation_with_other_contents),
            [StateLoadReason.BelowFloor] = nameof(Load_refuses_a_copy_below_the_floor_the_chain_gives),
        };
        foreach (var reason in Enum.GetValues<StateLoadReason>())
        {
            Assert.True(expectedTests.TryGetValue(reason, out var test) && tested.Contains(test), $"reason {reason} has no test");
        }
    }
}

using Citrine.Chain.State;

namespace Citrine.Chain.Tests.State;

public class CommittedVersionTests
{
    [Fact]
    public void Committed_version_reads_that_version_whatever_the_working_state_holds()
    {
        using var state = MultiStoreState.InMemory(["s"]);
        state.Write("s", "k"u8, "v1"u8);
        state.Commit();
        state.Write("s", "k"u8, "v2"u8);
        state.Write("s", "new"u8, "x"u8);
        var committed = new CommittedVersion(state, 1);
        Assert.Equal("v1"u8.ToArray(), committed.Read("s", "k"u8));
        Assert.Null(committed.Read("s", "new"u8));
        Assert.Equal("v2"u8.ToArray(), state.Read("s", "k"u8));
    }

    [Fact]
    public void Branch_of_a_committed_version_reads_through_and_refuses_to_write_to_it()
    {
        using var state = MultiStoreState.InMemory(["s"]);
        state.Write("s", "k"u8, "v1"u8);
        state.Commit();
        var branch = new StateBranch(new CommittedVersion(state, 1), new GasMeter(1_000_000));
        Assert.Equal("v1"u8.ToArray(), branch.Get("s", "k"u8));
        branch.Set("s", "k"u8, "v3"u8);
        Assert.Equal("v3"u8.ToArray(), branch.Get("s", "k"u8));
        var e = Assert.Throws<InvalidOperationException>(branch.Write);
        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Equal("v1"u8.ToArray(), state.Read("s", "k"u8));
    }
}

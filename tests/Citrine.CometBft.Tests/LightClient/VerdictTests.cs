using Citrine.CometBft.LightClient;

namespace Citrine.CometBft.Tests.LightClient;

public class VerdictTests
{
    [Fact]
    public void Default_verdict_is_not_a_success()
    {
        Verdict verdict = default;
        Assert.False(verdict.IsSuccess);
        Assert.Equal(VerdictStatus.Unset, verdict.Status);
        Assert.True(Verdict.Success.IsSuccess);
    }
}

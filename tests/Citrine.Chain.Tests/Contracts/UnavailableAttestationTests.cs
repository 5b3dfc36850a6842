using Citrine.Chain.Contracts;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>Until the attestation module is wired into the contract host, every quote a contract submits is refused.</summary>
public sealed class UnavailableAttestationTests
{
    [Fact]
    public void VerifyQuote_refuses_every_quote_with_its_reason()
    {
        var verdict = UnavailableAttestation.Instance.VerifyQuote(new byte[1024], new QuotePolicy { AcceptMock = true, AllowDebug = true });
        Assert.False(verdict.Accepted);
        Assert.Equal("AttestationModuleUnavailable", verdict.Reason);
        Assert.Empty(verdict.ReportData);
        Assert.Null(verdict.CollateralNextUpdate);
    }
}

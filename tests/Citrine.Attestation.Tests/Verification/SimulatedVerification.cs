using System.Text;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Attestation.Testing;

namespace Citrine.Attestation.Tests.Verification;

/// <summary>Runs the real verifier on simulated evidence, pinned to the evidence's own test root.</summary>
internal static class SimulatedVerification
{
    public static DcapVerdict Verify(SimulatedDcapEvidence evidence) =>
        Verifier.Verify(
            evidence.Quote,
            QuoteCollateral.FromQvlJson(Encoding.UTF8.GetBytes(evidence.CollateralJson)),
            evidence.Now,
            new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(evidence.TrustedRootDer) });

    public static AttestationResult VerifyAndEvaluate(SimulatedDcapEvidence evidence, AttestationPolicy? policy = null) =>
        PolicyEvaluator.VerifyAndEvaluate(
            evidence.Quote,
            QuoteCollateral.FromQvlJson(Encoding.UTF8.GetBytes(evidence.CollateralJson)),
            evidence.Now,
            new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(evidence.TrustedRootDer) },
            policy);
}

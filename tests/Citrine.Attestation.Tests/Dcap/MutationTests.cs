using System.Text;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;

namespace Citrine.Attestation.Tests.Dcap;

/// <summary>
/// Seeded random mutations of the vector inputs through every DCAP parser (and the verifier):
/// only the documented exception type may escape. Deterministic: fixed seeds.
/// </summary>
public sealed class MutationTests
{
    private const int Rounds = 1500;

    private static byte[] Mutate(Random rng, byte[] input)
    {
        var b = (byte[])input.Clone();
        switch (rng.Next(5))
        {
            case 0:
                for (var i = rng.Next(1, 8); i > 0; i--)
                {
                    b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                }
                return b;
            case 1:
                b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            case 2:
                return b[..rng.Next(b.Length)];
            case 3:
                var at = rng.Next(b.Length - 4);
                b[at] = 0xff;
                b[at + 1] = 0xff;
                b[at + 2] = (byte)rng.Next(256);
                b[at + 3] = (byte)rng.Next(256);
                return b;
            default:
                var start = rng.Next(b.Length);
                var len = rng.Next(1, Math.Min(64, b.Length - start) + 1);
                return [.. b[..start], .. b[(start + len)..]];
        }
    }

    private static void Run<TException>(byte[] seed, int rngSeed, Action<byte[]> parse, int rounds = Rounds)
        where TException : Exception
    {
        var rng = new Random(rngSeed);
        for (var i = 0; i < rounds; i++)
        {
            var input = Mutate(rng, seed);
            try
            {
                parse(input);
            }
            catch (TException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"round {i}: {e.GetType().Name} escaped: {e.Message}");
            }
        }
    }

    [SkippableFact]
    public void Quote_parser_and_verifier_only_throw_quote_format_exceptions()
    {
        var c = DcapVectorCases.FirstOk("0x81");
        var options = new VerifierOptions { TrustAnchor = c.Root };
        Run<QuoteFormatException>(c.QuoteBytes, 1, b =>
        {
            var v = Verifier.Verify(b, c.Collateral, c.Now, options);
            if (v.Reason == VerificationReason.QuoteMalformed)
            {
                QuoteParser.Parse(b);
            }
        }, rounds: 300);
        var sgx = DcapVectorCases.FirstOk("0x0");
        Run<QuoteFormatException>(sgx.QuoteBytes, 2, b => QuoteParser.Parse(b));
        Run<QuoteFormatException>(DcapVectorCases.ReadFile("phala-dcap-qvl/tdx_quote_outdated"), 3, b => QuoteParser.Parse(b));
    }

    [SkippableFact]
    public void Collateral_loaders_only_throw_collateral_format_exceptions()
    {
        var json = DcapVectorCases.ReadFile("phala-dcap-qvl/tdx_quote_collateral.json");
        Run<CollateralFormatException>(json, 4, b => QuoteCollateral.FromQvlJson(b));
        var tdx = DcapVectorCases.FirstOk("0x81");
        Run<CollateralFormatException>(tdx.Collateral.TcbInfo.Body, 5, b => TcbInfo.Parse(b));
        Run<CollateralFormatException>(tdx.Collateral.QeIdentity.Body, 6, b => EnclaveIdentity.Parse(b));
        Run<CollateralFormatException>(tdx.Collateral.PckCrl, 7, b => Crl.Parse(b));
        Run<CollateralFormatException>(tdx.Collateral.TcbInfoIssuerChain[0], 8, b => _ = DcapCertificate.Parse(b).SubjectText);
        Run<CollateralFormatException>(DcapVectorCases.ReadFile("quartz-tee-ra/fmspc_00906ED50000_2023_07_12.json"), 9, b => SignedDocument.FromPcsResponse(b, "tcbInfo"));
        Run<CollateralFormatException>(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(DcapVectorCases.ReadFile("mobilecoin-attestation/processor_crl.pem"))), 10, b => Crl.Parse(b));
    }

    [SkippableFact]
    public void Verifier_never_throws_on_mutated_collateral()
    {
        var c = DcapVectorCases.FirstOk("0x0");
        var options = new VerifierOptions { TrustAnchor = c.Root };
        var rng = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            var col = VerifierTests.With(
                c.Collateral,
                tcbInfo: new SignedDocument(Mutate(rng, c.Collateral.TcbInfo.Body), c.Collateral.TcbInfo.Signature),
                pckCrl: Mutate(rng, c.Collateral.PckCrl));
            var v = Verifier.Verify(c.QuoteBytes, col, c.Now, options);
            if (!col.TcbInfo.Body.AsSpan().SequenceEqual(c.Collateral.TcbInfo.Body))
            {
                Assert.False(v.IsVerified, $"round {i}: a changed TCB Info verified");
            }
        }
    }

    [SkippableFact]
    public void Pck_extension_parser_only_throws_pck_extension_exceptions()
    {
        var c = DcapVectorCases.FirstOk("0x0");
        var q = QuoteParser.Parse(c.QuoteBytes);
        var leaf = DcapCertificate.Parse(PemText.DecodeAll(q.PckChainPem, "CERTIFICATE", "pck")[0]);
        Run<PckExtensionException>(leaf.Extensions[PckExtensions.SgxExtensionsOid], 12, b => PckExtensions.Parse(b));
    }
}

using System.Formats.Asn1;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Testing;

namespace Citrine.Attestation.Tests.Dcap;

/// <summary>
/// The names, critical extensions and CRL extensions the role checks rely on, read from Intel's
/// real certificates and CRLs in the vectors (skipped when absent), and the parser's refusals.
/// </summary>
public sealed class CertificateRoleTests
{
    private static DcapCertificate Certificate(string relative)
    {
        var bytes = File.ReadAllBytes(Vectors.Require(Path.Combine("dcap", relative)));
        var pem = PemText.DecodeAll(bytes, "CERTIFICATE", relative);
        return DcapCertificate.Parse(pem.Count == 1 ? pem[0] : bytes, relative);
    }

    [SkippableTheory]
    [InlineData("quartz-tee-ra/tcb_signer.pem")]
    [InlineData("quartz-tcbinfo/tcb_signer.pem")]
    [InlineData("automata-dcap-attestation/solana-tests-data/signing.der")]
    public void Intel_tcb_signing_certificates_have_the_signing_role(string file)
    {
        var c = Certificate(file);
        Assert.Equal(Verifier.TcbSigningCommonName, c.CommonName);
        Assert.False(c.IsCa);
        Assert.False(c.Extensions.ContainsKey(PckExtensions.SgxExtensionsOid));
        Assert.Null(c.UnknownCriticalExtension);
    }

    [SkippableTheory]
    [InlineData("quartz-tee-ra/processor_ca.pem", Verifier.PckProcessorCaCommonName)]
    [InlineData("automata-dcap-attestation/solana-tests-data/platform.der", Verifier.PckPlatformCaCommonName)]
    [InlineData("quartz-tee-ra/leaf_cert.pem", Verifier.PckLeafCommonName)]
    [InlineData("quartz-tee-ra/root_ca.pem", "Intel SGX Root CA")]
    public void Intel_pck_certificates_carry_the_names_the_roles_need(string file, string commonName)
    {
        var c = Certificate(file);
        Assert.Equal(commonName, c.CommonName);
        Assert.Null(c.UnknownCriticalExtension);
        Assert.Equal(commonName == Verifier.PckLeafCommonName, c.Extensions.ContainsKey(PckExtensions.SgxExtensionsOid));
    }

    [SkippableTheory]
    [InlineData("quartz-tee-ra/processor_crl.der")]
    [InlineData("quartz-tee-ra/root_crl.der")]
    [InlineData("automata-dcap-attestation/evm-assets-0825/platform_crl.der")]
    [InlineData("automata-dcap-attestation/solana-tests-data/intel_root_ca_crl.der")]
    public void Intel_crls_carry_crl_number_and_authority_key_identifier(string file)
    {
        var crl = Crl.Parse(File.ReadAllBytes(Vectors.Require(Path.Combine("dcap", file))));
        Assert.True(crl.HasExtension(Crl.CrlNumberOid));
        Assert.True(crl.HasExtension(Crl.AuthorityKeyIdentifierOid));
    }

    [Theory]
    [InlineData(".4")]
    [InlineData(".2.3")]
    [InlineData(".2.17")]
    public void Pck_extension_with_an_entry_twice_is_malformed(string repeated)
    {
        var e = Assert.Throws<PckExtensionException>(() => PckExtensions.Parse(SgxExtension(repeated)));
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
        // The same extension without the repeat parses.
        Assert.Equal(6, PckExtensions.Parse(SgxExtension(null)).Fmspc.Length);
    }

    private static byte[] SgxExtension(string? repeated)
    {
        const string Oid = PckExtensions.SgxExtensionsOid;
        var w = new AsnWriter(AsnEncodingRules.DER);
        void Pair(string suffix, Action write)
        {
            for (var n = 0; n < (suffix == repeated ? 2 : 1); n++)
            {
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier(Oid + suffix);
                    write();
                }
            }
        }
        using (w.PushSequence())
        {
            Pair(".1", () => w.WriteOctetString(new byte[16]));
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(Oid + ".2");
                using (w.PushSequence())
                {
                    for (var i = 1; i <= 16; i++)
                    {
                        Pair($".2.{i}", () => w.WriteInteger(1));
                    }
                    Pair(".2.17", () => w.WriteInteger(13));
                    Pair(".2.18", () => w.WriteOctetString(new byte[16]));
                }
            }
            Pair(".3", () => w.WriteOctetString(new byte[2]));
            Pair(".4", () => w.WriteOctetString(new byte[6]));
            Pair(".5", () => w.WriteEnumeratedValue(SgxType.Standard));
        }
        return w.Encode();
    }
}

using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Policy;

namespace Citrine.Fuzz;

/// <summary>DCAP parsers: each may only reject input with its documented exception type.</summary>
internal static class DcapTargets
{
    [FuzzTarget("dcap-quote", typeof(QuoteFormatException))]
    public static void FuzzQuote(ReadOnlySpan<byte> data)
    {
        var quote = QuoteParser.Parse(data);
        _ = quote.ReportData;
    }

    [FuzzTarget("dcap-collateral-qvl", typeof(CollateralFormatException))]
    public static void FuzzQvlCollateral(ReadOnlySpan<byte> data) => _ = QuoteCollateral.FromQvlJson(data);

    [FuzzTarget("dcap-pcs-response", typeof(CollateralFormatException))]
    public static void FuzzPcsResponse(ReadOnlySpan<byte> data) => _ = SignedDocument.FromPcsResponse(data, "tcbInfo");

    [FuzzTarget("dcap-tcb-info", typeof(CollateralFormatException))]
    public static void FuzzTcbInfo(ReadOnlySpan<byte> data) => _ = TcbInfo.Parse(data.ToArray());

    [FuzzTarget("dcap-qe-identity", typeof(CollateralFormatException))]
    public static void FuzzQeIdentity(ReadOnlySpan<byte> data) => _ = EnclaveIdentity.Parse(data.ToArray());

    [FuzzTarget("dcap-crl", typeof(CollateralFormatException))]
    public static void FuzzCrl(ReadOnlySpan<byte> data) => _ = Crl.Parse(data);

    [FuzzTarget("dcap-certificate", typeof(CollateralFormatException))]
    public static void FuzzCertificate(ReadOnlySpan<byte> data)
    {
        var cert = DcapCertificate.Parse(data.ToArray());
        _ = cert.SubjectText;
    }

    [FuzzTarget("dcap-pck-extension", typeof(PckExtensionException))]
    public static void FuzzPckExtension(ReadOnlySpan<byte> data) => _ = PckExtensions.Parse(data.ToArray());

    [FuzzTarget("dcap-policy", typeof(PolicyFormatException))]
    public static void FuzzPolicy(ReadOnlySpan<byte> data) => _ = AttestationPolicy.FromJson(data);
}

using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Citrine.Attestation.Dcap.Collateral;

namespace Citrine.Attestation.Pcs;

/// <summary>
/// Collateral as fetched from a PCS/PCCS endpoint, in the shape of dcap-qvl's
/// <c>QuoteCollateralV3</c> (vectors SOURCES.md §1.2): PEM issuer chains, DER CRLs, and the TCB
/// Info / QE Identity as exactly the bytes Intel signed.
/// </summary>
public sealed class PcsCollateral
{
    public required string PckCrlIssuerChain { get; init; }

    public required byte[] RootCaCrl { get; init; }

    public required byte[] PckCrl { get; init; }

    public required string TcbInfoIssuerChain { get; init; }

    public required string TcbInfo { get; init; }

    public required byte[] TcbInfoSignature { get; init; }

    public required string QeIdentityIssuerChain { get; init; }

    public required string QeIdentity { get; init; }

    public required byte[] QeIdentitySignature { get; init; }

    /// <summary>The <c>QuoteCollateralV3</c> JSON.</summary>
    public string ToQvlJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("pck_crl_issuer_chain", PckCrlIssuerChain);
            w.WriteString("root_ca_crl", Convert.ToHexStringLower(RootCaCrl));
            w.WriteString("pck_crl", Convert.ToHexStringLower(PckCrl));
            w.WriteString("tcb_info_issuer_chain", TcbInfoIssuerChain);
            w.WriteString("tcb_info", TcbInfo);
            w.WriteString("tcb_info_signature", Convert.ToHexStringLower(TcbInfoSignature));
            w.WriteString("qe_identity_issuer_chain", QeIdentityIssuerChain);
            w.WriteString("qe_identity", QeIdentity);
            w.WriteString("qe_identity_signature", Convert.ToHexStringLower(QeIdentitySignature));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Loads it the way the verifier loads any <c>QuoteCollateralV3</c> JSON.</summary>
    public QuoteCollateral ToQuoteCollateral() => QuoteCollateral.FromQvlJson(Encoding.UTF8.GetBytes(ToQvlJson()));
}

/// <summary>A fetched TCB Evaluation Data Numbers document: the PCS response as served, its issuer chain (PEM) and the root CA CRL (DER).</summary>
public sealed record PcsTcbEvaluationNumbers(byte[] Response, string IssuerChain, byte[] RootCaCrl);

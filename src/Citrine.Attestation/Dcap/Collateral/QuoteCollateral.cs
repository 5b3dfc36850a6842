using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citrine.Crypto.Encoding;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>
/// The collateral needed to verify a quote, as raw signed material (nothing here is trusted
/// until the verifier checks it): issuer chains (DER, leaf first), CRLs (DER), and the signed
/// TCB Info and QE Identity documents.
/// </summary>
public sealed class QuoteCollateral
{
    public QuoteCollateral(
        IReadOnlyList<byte[]> pckCrlIssuerChain,
        byte[] rootCaCrl,
        byte[] pckCrl,
        IReadOnlyList<byte[]> tcbInfoIssuerChain,
        SignedDocument tcbInfo,
        IReadOnlyList<byte[]> qeIdentityIssuerChain,
        SignedDocument qeIdentity)
    {
        ArgumentNullException.ThrowIfNull(pckCrlIssuerChain);
        ArgumentNullException.ThrowIfNull(rootCaCrl);
        ArgumentNullException.ThrowIfNull(pckCrl);
        ArgumentNullException.ThrowIfNull(tcbInfoIssuerChain);
        ArgumentNullException.ThrowIfNull(tcbInfo);
        ArgumentNullException.ThrowIfNull(qeIdentityIssuerChain);
        ArgumentNullException.ThrowIfNull(qeIdentity);
        PckCrlIssuerChain = pckCrlIssuerChain;
        RootCaCrl = rootCaCrl;
        PckCrl = pckCrl;
        TcbInfoIssuerChain = tcbInfoIssuerChain;
        TcbInfo = tcbInfo;
        QeIdentityIssuerChain = qeIdentityIssuerChain;
        QeIdentity = qeIdentity;
        Digest = ComputeDigest();
    }

    /// <summary>PCK CA certificate then root (DER).</summary>
    public IReadOnlyList<byte[]> PckCrlIssuerChain { get; }

    /// <summary>CRL issued by the root CA (DER).</summary>
    public byte[] RootCaCrl { get; }

    /// <summary>CRL issued by the PCK Processor or Platform CA (DER).</summary>
    public byte[] PckCrl { get; }

    /// <summary>TCB Signing certificate then root (DER).</summary>
    public IReadOnlyList<byte[]> TcbInfoIssuerChain { get; }

    public SignedDocument TcbInfo { get; }

    public IReadOnlyList<byte[]> QeIdentityIssuerChain { get; }

    public SignedDocument QeIdentity { get; }

    /// <summary>SHA-256 over a length-prefixed encoding of every item: the key of the verified-collateral cache.</summary>
    public byte[] Digest { get; }

    /// <summary>
    /// Loads the dcap-qvl <c>QuoteCollateralV3</c> JSON: PEM issuer chains, hex DER CRLs, the
    /// TCB Info and QE Identity as strings holding exactly the signed bytes, hex r||s signatures.
    /// </summary>
    public static QuoteCollateral FromQvlJson(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CollateralFormatException("collateral", $"invalid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            const string P = "collateral";
            return new QuoteCollateral(
                Chain(JsonFields.String(root, "pck_crl_issuer_chain", P), "pck_crl_issuer_chain"),
                CrlBytes(JsonFields.String(root, "root_ca_crl", P), "root_ca_crl"),
                CrlBytes(JsonFields.String(root, "pck_crl", P), "pck_crl"),
                Chain(JsonFields.String(root, "tcb_info_issuer_chain", P), "tcb_info_issuer_chain"),
                new SignedDocument(Encoding.UTF8.GetBytes(JsonFields.String(root, "tcb_info", P)), SignedDocument.DecodeSignature(JsonFields.String(root, "tcb_info_signature", P), "tcb_info_signature")),
                Chain(JsonFields.String(root, "qe_identity_issuer_chain", P), "qe_identity_issuer_chain"),
                new SignedDocument(Encoding.UTF8.GetBytes(JsonFields.String(root, "qe_identity", P)), SignedDocument.DecodeSignature(JsonFields.String(root, "qe_identity_signature", P), "qe_identity_signature")));
        }
    }

    /// <summary>
    /// Assembles collateral from Intel PCS responses: TCB Info and QE Identity files in PCS format,
    /// issuer chains (each certificate PEM or DER), and CRLs (PEM or DER).
    /// </summary>
    public static QuoteCollateral FromPcsParts(
        ReadOnlySpan<byte> tcbInfoResponse,
        ReadOnlySpan<byte> qeIdentityResponse,
        IEnumerable<byte[]> tcbInfoIssuerChain,
        IEnumerable<byte[]> qeIdentityIssuerChain,
        IEnumerable<byte[]> pckCrlIssuerChain,
        ReadOnlySpan<byte> pckCrl,
        ReadOnlySpan<byte> rootCaCrl)
    {
        return new QuoteCollateral(
            Certificates(pckCrlIssuerChain, "pck_crl_issuer_chain"),
            Crl.Parse(rootCaCrl, "root_ca_crl").Der,
            Crl.Parse(pckCrl, "pck_crl").Der,
            Certificates(tcbInfoIssuerChain, "tcb_info_issuer_chain"),
            SignedDocument.FromPcsResponse(tcbInfoResponse, "tcbInfo"),
            Certificates(qeIdentityIssuerChain, "qe_identity_issuer_chain"),
            SignedDocument.FromPcsResponse(qeIdentityResponse, "enclaveIdentity"));
    }

    private static List<byte[]> Certificates(IEnumerable<byte[]> items, string item)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = new List<byte[]>();
        foreach (var c in items)
        {
            if (PemText.TryDecodeSingle(c, "CERTIFICATE", out var der))
            {
                list.Add(der);
            }
            else
            {
                list.Add(c);
            }
        }
        if (list.Count == 0)
        {
            throw new CollateralFormatException(item, "is empty");
        }
        return list;
    }

    private static IReadOnlyList<byte[]> Chain(string pem, string item)
    {
        var list = PemText.DecodeAll(Encoding.ASCII.GetBytes(pem), "CERTIFICATE", item);
        return list.Count > 0 ? list : throw new CollateralFormatException(item, "holds no PEM certificate");
    }

    private static byte[] CrlBytes(string text, string item)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return Crl.Parse(Encoding.ASCII.GetBytes(trimmed), item).Der;
        }
        return Hex.TryDecode(trimmed, out var der) && der.Length > 0 ? der : throw new CollateralFormatException(item, "is neither hex DER nor PEM");
    }

    private byte[] ComputeDigest()
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(ReadOnlySpan<byte> b)
        {
            Span<byte> len = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, b.Length);
            h.AppendData(len);
            h.AppendData(b);
        }
        void AddList(IReadOnlyList<byte[]> l)
        {
            Add(BitConverter.GetBytes(l.Count));
            foreach (var x in l)
            {
                Add(x);
            }
        }
        AddList(PckCrlIssuerChain);
        Add(RootCaCrl);
        Add(PckCrl);
        AddList(TcbInfoIssuerChain);
        Add(TcbInfo.Body);
        Add(TcbInfo.Signature);
        AddList(QeIdentityIssuerChain);
        Add(QeIdentity.Body);
        Add(QeIdentity.Signature);
        return h.GetHashAndReset();
    }
}

namespace Citrine.Attestation.Dcap;

/// <summary>
/// Parses ECDSA-256 DCAP quotes: v3 (SGX), v4 (SGX, TDX 1.0) and v5 (SGX, TD 1.0, TD 1.5).
/// Layouts: Intel "SGX ECDSA Quote Library API" and "TDX DCAP Quoting Library API", appendix A.
/// </summary>
/// <remarks>
/// Every length field is honoured exactly: the certification data must fill the signature data,
/// and a type-6 container must hold exactly the QE report, its signature, the authentication
/// data and one type-5 certification data. Bytes after the signature data are not part of the
/// quote (quote buffers are often padded); they are ignored and counted in
/// <see cref="Quote.TrailingByteCount"/>.
/// </remarks>
public static class QuoteParser
{
    public const int SignatureSize = 64;
    public const int PublicKeySize = 64;

    public static Quote Parse(ReadOnlySpan<byte> data)
    {
        var r = new QuoteReader(data);
        var header = ReadHeader(ref r);
        ReportBodyType bodyType;
        SgxReportBody? sgx = null;
        TdReportBody? td = null;
        switch (header.Version)
        {
            case 3:
                if (header.TeeType != TeeType.Sgx)
                {
                    throw new QuoteFormatException("header.tee_type", 4, $"version 3 quotes are SGX only, got 0x{(uint)header.TeeType:x}");
                }
                bodyType = ReportBodyType.Sgx;
                sgx = SgxReportBody.Read(ref r);
                break;
            case 4:
                bodyType = header.TeeType == TeeType.Sgx ? ReportBodyType.Sgx : ReportBodyType.Td10;
                if (bodyType == ReportBodyType.Sgx)
                {
                    sgx = SgxReportBody.Read(ref r);
                }
                else
                {
                    td = TdReportBody.Read(ref r, td15: false);
                }
                break;
            case 5:
                var typeAt = r.AbsolutePosition;
                var rawType = r.U16("body.type");
                var size = r.U32("body.size");
                bodyType = rawType switch
                {
                    1 => ReportBodyType.Sgx,
                    2 => ReportBodyType.Td10,
                    3 => ReportBodyType.Td15,
                    _ => throw new QuoteFormatException("body.type", typeAt, $"unknown report body type {rawType}"),
                };
                var expectedSize = bodyType switch
                {
                    ReportBodyType.Sgx => SgxReportBody.Size,
                    ReportBodyType.Td10 => TdReportBody.Td10Size,
                    _ => TdReportBody.Td15Size,
                };
                if (size != (uint)expectedSize)
                {
                    throw new QuoteFormatException("body.size", typeAt + 2, $"body type {rawType} has {expectedSize} bytes, header says {size}");
                }
                if ((bodyType == ReportBodyType.Sgx) != (header.TeeType == TeeType.Sgx))
                {
                    throw new QuoteFormatException("body.type", typeAt, $"body type {rawType} does not match TEE type 0x{(uint)header.TeeType:x}");
                }
                if (bodyType == ReportBodyType.Sgx)
                {
                    sgx = SgxReportBody.Read(ref r);
                }
                else
                {
                    td = TdReportBody.Read(ref r, bodyType == ReportBodyType.Td15);
                }
                break;
            default:
                throw new QuoteFormatException("header.version", 0, $"unsupported quote version {header.Version}");
        }
        var signedBytes = data[..r.Position].ToArray();

        var sigDataAt = r.AbsolutePosition + 4;
        var sigData = r.LengthPrefixed32("signature_data");
        var s = new QuoteReader(sigData, sigDataAt);
        var signature = s.Bytes(SignatureSize, "signature_data.signature").ToArray();
        var attestationKey = s.Bytes(PublicKeySize, "signature_data.attestation_key").ToArray();

        byte[] qeReportBytes;
        SgxReportBody qeReport;
        byte[] qeReportSignature;
        byte[] authData;
        CertificationData outer;
        byte[] pem;
        if (header.Version == 3)
        {
            ReadQeReportCertificationData(ref s, out qeReportBytes, out qeReport, out qeReportSignature, out authData, out pem, out var certType, out var certBytes);
            outer = new CertificationData(certType, certBytes);
        }
        else
        {
            var typeAt = s.AbsolutePosition;
            var certType = s.U16("certification_data.type");
            if (certType != CertificationData.QeReportCertificationData)
            {
                throw new QuoteFormatException("certification_data.type", typeAt, $"expected type 6 (QE report certification data), got {certType}");
            }
            var innerAt = s.AbsolutePosition + 4;
            var inner = s.LengthPrefixed32("certification_data");
            var q = new QuoteReader(inner, innerAt);
            ReadQeReportCertificationData(ref q, out qeReportBytes, out qeReport, out qeReportSignature, out authData, out pem, out _, out _);
            RequireEnd(ref q, "certification_data");
            outer = new CertificationData(certType, inner.ToArray());
        }
        RequireEnd(ref s, "signature_data");
        var length = r.Position;
        return new Quote(header, bodyType, sgx, td, signedBytes, signature, attestationKey, qeReportBytes, qeReport, qeReportSignature, authData, outer, pem, length, data.Length - length);
    }

    /// <summary>Parses without throwing; <paramref name="error"/> describes the failure.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out Quote? quote, out string? error)
    {
        try
        {
            quote = Parse(data);
            error = null;
            return true;
        }
        catch (QuoteFormatException e)
        {
            quote = null;
            error = e.Message;
            return false;
        }
    }

    private static QuoteHeader ReadHeader(ref QuoteReader r)
    {
        var version = r.U16("header.version");
        if (version is < 3 or > 5)
        {
            throw new QuoteFormatException("header.version", 0, $"unsupported quote version {version}");
        }
        var keyType = r.U16("header.att_key_type");
        if (keyType != QuoteHeader.EcdsaP256)
        {
            throw new QuoteFormatException("header.att_key_type", 2, $"only ECDSA-256 (2) attestation keys are supported, got {keyType}");
        }
        var teeRaw = r.U32("header.tee_type");
        if (teeRaw is not ((uint)TeeType.Sgx or (uint)TeeType.Tdx))
        {
            throw new QuoteFormatException("header.tee_type", 4, $"unknown TEE type 0x{teeRaw:x}");
        }
        // v3: bytes 8..12 are reserved (QE SVN, PCE SVN in the layout); v4/v5 name them QE SVN / PCE SVN.
        var qeSvn = r.U16("header.qe_svn");
        var pceSvn = r.U16("header.pce_svn");
        var vendor = r.Bytes(16, "header.qe_vendor_id").ToArray();
        var user = r.Bytes(20, "header.user_data").ToArray();
        return new QuoteHeader(version, keyType, (TeeType)teeRaw, qeSvn, pceSvn, vendor, user);
    }

    /// <summary>QE report, its signature, QE authentication data and a type-5 certification data.</summary>
    private static void ReadQeReportCertificationData(
        ref QuoteReader r,
        out byte[] qeReportBytes,
        out SgxReportBody qeReport,
        out byte[] qeReportSignature,
        out byte[] authData,
        out byte[] pem,
        out ushort certType,
        out byte[] certBytes)
    {
        var reportAt = r.AbsolutePosition;
        var raw = r.Bytes(SgxReportBody.Size, "qe_report");
        qeReportBytes = raw.ToArray();
        var rr = new QuoteReader(raw, reportAt);
        qeReport = SgxReportBody.Read(ref rr);
        qeReportSignature = r.Bytes(SignatureSize, "qe_report_signature").ToArray();
        var authLen = r.U16("qe_auth_data.length");
        authData = r.Bytes(authLen, "qe_auth_data").ToArray();
        var typeAt = r.AbsolutePosition;
        certType = r.U16("pck_certification_data.type");
        if (certType != CertificationData.PckCertChain)
        {
            throw new QuoteFormatException("pck_certification_data.type", typeAt, $"expected type 5 (PEM PCK certificate chain), got {certType}");
        }
        pem = r.LengthPrefixed32("pck_certification_data").ToArray();
        certBytes = pem;
    }

    private static void RequireEnd(ref QuoteReader r, string container)
    {
        if (r.Remaining != 0)
        {
            throw new QuoteFormatException(container, r.AbsolutePosition, $"{r.Remaining} bytes left over inside the declared length");
        }
    }
}

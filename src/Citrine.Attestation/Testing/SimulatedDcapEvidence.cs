namespace Citrine.Attestation.Testing;

/// <summary>
/// TEST/SIMULATION ONLY. A simulated DCAP quote with everything needed to verify it against a
/// locally generated root: the quote, the collateral as dcap-qvl <c>QuoteCollateralV3</c> JSON,
/// the root to pin, and the individual collateral parts (also in Intel PCS response form, so a
/// fake PCS server can serve them).
/// </summary>
public sealed class SimulatedDcapEvidence
{
    public required byte[] Quote { get; init; }

    /// <summary>dcap-qvl <c>QuoteCollateralV3</c> JSON (vectors SOURCES.md §1.2).</summary>
    public required string CollateralJson { get; init; }

    /// <summary>The root certificate (DER) a verifier must pin to accept this evidence.</summary>
    public required byte[] TrustedRootDer { get; init; }

    /// <summary>The verification time the collateral was built around.</summary>
    public required DateTimeOffset Now { get; init; }

    public required byte[] RootCertificateDer { get; init; }

    public required byte[] PckCaCertificateDer { get; init; }

    public required byte[] PckLeafCertificateDer { get; init; }

    public required byte[] TcbSigningCertificateDer { get; init; }

    public required byte[] RootCrlDer { get; init; }

    public required byte[] PckCrlDer { get; init; }

    /// <summary>The TCB Info object exactly as signed.</summary>
    public required string TcbInfoJson { get; init; }

    /// <summary>Raw r||s P-256 signature over the UTF-8 bytes of <see cref="TcbInfoJson"/>.</summary>
    public required byte[] TcbInfoSignature { get; init; }

    /// <summary>The QE Identity object exactly as signed.</summary>
    public required string QeIdentityJson { get; init; }

    public required byte[] QeIdentitySignature { get; init; }

    /// <summary>PEM: PCK CA then root.</summary>
    public required string PckCrlIssuerChainPem { get; init; }

    /// <summary>PEM: TCB signing certificate then root.</summary>
    public required string TcbSigningChainPem { get; init; }

    /// <summary>PEM: the QE Identity's signing certificate then root (the same certificate as the TCB Info's unless a QE-chain fault is set).</summary>
    public required string QeIdentitySigningChainPem { get; init; }

    /// <summary>The PEM chain inside the quote's certification data: PCK leaf, PCK CA, root.</summary>
    public required string PckChainPem { get; init; }

    public required byte[] Fmspc { get; init; }

    /// <summary>Intel PCS response body for <c>/tcb</c>: <c>{"tcbInfo":{...},"signature":"hex"}</c>.</summary>
    public string TcbInfoPcsJson => "{\"tcbInfo\":" + TcbInfoJson + ",\"signature\":\"" + Convert.ToHexStringLower(TcbInfoSignature) + "\"}";

    /// <summary>Intel PCS response body for <c>/qe/identity</c>: <c>{"enclaveIdentity":{...},"signature":"hex"}</c>.</summary>
    public string QeIdentityPcsJson => "{\"enclaveIdentity\":" + QeIdentityJson + ",\"signature\":\"" + Convert.ToHexStringLower(QeIdentitySignature) + "\"}";
}

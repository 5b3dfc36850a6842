using System.Text;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.Attestation;
using Citrine.Chain.Txs;

namespace Citrine.Cli.Dev;

/// <summary>
/// SIMULATION — the collateral of the simulated-DCAP test PKI (seed as <c>citrine simulate</c>),
/// as registry updates: the root CA CRL first (the others are checked against it), then for SGX
/// and TDX the TCB Info and the QE identity (QE, TD_QE), then the PCK Processor CA CRL. Each goes
/// in its own tx; the node verifies every one against the root its genesis pins, at block time,
/// exactly as it verifies Intel's.
/// </summary>
internal static class SimulatedCollateral
{
    /// <summary>The updates, issued at <paramref name="issuedAt"/> (use the node's newest block time so none is in the future at the next block).</summary>
    public static IReadOnlyList<(string What, MsgRegistryUpdate Update)> Updates(string seed, DateTimeOffset issuedAt, byte[] sender)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(sender);
        using var keys = TestPkiKeys.FromSeed(Encoding.UTF8.GetBytes(seed));
        var simulator = new DcapSimulator(keys);
        var sgx = simulator.Generate(new SimulatedQuoteRequest { Now = issuedAt, Tee = SimulatedTee.Sgx, QuoteVersion = 3 });
        var tdx = simulator.Generate(new SimulatedQuoteRequest { Now = issuedAt, Tee = SimulatedTee.Tdx, QuoteVersion = 4 });
        return
        [
            ("root CA CRL", Update(sender, CollateralKind.RootCaCrl, sgx.RootCrlDer, Pem(sgx.RootCertificateDer))),
            ("SGX TCB Info", Update(sender, CollateralKind.TcbInfo, Encoding.UTF8.GetBytes(sgx.TcbInfoPcsJson), sgx.TcbSigningChainPem)),
            ("QE identity", Update(sender, CollateralKind.QeIdentity, Encoding.UTF8.GetBytes(sgx.QeIdentityPcsJson), sgx.QeIdentitySigningChainPem)),
            ("TDX TCB Info", Update(sender, CollateralKind.TcbInfo, Encoding.UTF8.GetBytes(tdx.TcbInfoPcsJson), tdx.TcbSigningChainPem)),
            ("TD_QE identity", Update(sender, CollateralKind.QeIdentity, Encoding.UTF8.GetBytes(tdx.QeIdentityPcsJson), tdx.QeIdentitySigningChainPem)),
            ("PCK Processor CA CRL", Update(sender, CollateralKind.ProcessorCrl, sgx.PckCrlDer, sgx.PckCrlIssuerChainPem)),
        ];
    }

    /// <summary>Refusals that mean the registry already holds this or newer collateral: nothing to do.</summary>
    public static bool AlreadyCurrent(int code) =>
        (RegistryCode)code is RegistryCode.Unchanged or RegistryCode.IssueDateNotNewer or RegistryCode.CrlThisUpdateNotNewer
            or RegistryCode.CrlNumberDowngrade or RegistryCode.TcbEvaluationNumberDowngrade;

    private static MsgRegistryUpdate Update(byte[] sender, CollateralKind kind, byte[] document, string issuerChainPem) =>
        new(sender, (uint)kind, document, Encoding.ASCII.GetBytes(issuerChainPem));

    private static string Pem(byte[] der) => System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", der) + "\n";
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Testing;

namespace Citrine.Cli.Tests;

/// <summary>
/// <c>citrine attest verify</c> with a TCB recovery grace period: simulated evidence (its own test
/// root) and a TCB Evaluation Data Numbers document signed by the simulated TCB signing key.
/// </summary>
public sealed class AttestTcbRecoveryTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<TestPkiKeys> Keys = new(() => TestPkiKeys.FromSeed("citrine-cli-tcb-recovery"u8));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("citrine-attest-recovery-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // Evidence whose collateral carries evaluation data number 17; the document says number 18's
    // recovery event was 19 days before Now.
    private string[] Args(string policyJson, bool withDocument, ECDsa? documentSigner = null)
    {
        var evidence = new DcapSimulator(Keys.Value).Generate(new SimulatedQuoteRequest { Now = Now, Tee = SimulatedTee.Sgx, QuoteVersion = 3, TcbEvaluationDataNumber = 17 });
        var args = new List<string>
        {
            "attest", "verify",
            "--quote", Write("quote.bin", evidence.Quote),
            "--collateral", Write("collateral.json", Encoding.UTF8.GetBytes(evidence.CollateralJson)),
            "--root", Write("root.der", evidence.TrustedRootDer),
            "--now", Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            "--policy", Write("policy.json", Encoding.UTF8.GetBytes(policyJson)),
        };
        if (withDocument)
        {
            var body = "{\"id\":\"SGX\",\"version\":1,\"issueDate\":\"2026-02-28T00:00:00Z\",\"nextUpdate\":\"2026-03-30T00:00:00Z\",\"tcbEvalNumbers\":["
                + "{\"tcbEvaluationDataNumber\":18,\"tcbRecoveryEventDate\":\"2026-02-10T00:00:00Z\",\"tcbDate\":\"2026-02-11T00:00:00Z\"},"
                + "{\"tcbEvaluationDataNumber\":17,\"tcbRecoveryEventDate\":\"2025-11-11T00:00:00Z\",\"tcbDate\":\"2025-11-12T00:00:00Z\"}]}";
            var signature = (documentSigner ?? Keys.Value.TcbSigning).SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            args.AddRange([
                "--tcb-evaluation-numbers", Write("numbers.json", Encoding.UTF8.GetBytes("{\"tcbEvaluationDataNumbers\":" + body + ",\"signature\":\"" + Convert.ToHexStringLower(signature) + "\"}")),
                "--tcb-evaluation-numbers-chain", Write("numbers-chain.pem", Encoding.UTF8.GetBytes(evidence.TcbSigningChainPem)),
            ]);
        }
        return [.. args];
    }

    [Fact]
    public void Verify_accepts_collateral_inside_the_recovery_grace_period()
    {
        var r = CliRunner.Run(Args("{\"tcb_recovery_grace_days\":30}", withDocument: true));
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
    }

    [Fact]
    public void Verify_rejects_collateral_older_than_a_recovery_past_its_grace_period()
    {
        var r = CliRunner.Run(Args("{\"tcb_recovery_grace_days\":7}", withDocument: true));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("TcbRecoveryRequired", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_with_a_grace_period_and_no_document_is_rejected()
    {
        var r = CliRunner.Run(Args("{\"tcb_recovery_grace_days\":30}", withDocument: false));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("TcbEvaluationDataNumbersMissing", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_names_why_a_given_document_was_refused()
    {
        var r = CliRunner.Run(Args("{\"tcb_recovery_grace_days\":30}", withDocument: true, documentSigner: Keys.Value.Impostor));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("SignatureInvalid", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_needs_the_document_and_its_chain_together()
    {
        var args = Args("{}", withDocument: true);
        var r = CliRunner.Run([.. args.Take(args.Length - 2)]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("go together", r.Error, StringComparison.Ordinal);
    }
}

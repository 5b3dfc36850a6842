using System.Security.Cryptography;
using System.Text.Json;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Pcs;
using Citrine.Chain.Devnet;

namespace Citrine.Cli.Tests;

public sealed class RegistryCommandsTests : IDisposable
{
    private const string Seed = "citrine-registry-cli";
    private readonly string _home = Path.Combine(Path.GetTempPath(), "citrine-cli-registry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    /// <summary>A devnet home pinning the simulated root of <see cref="Seed"/>, running in this process.</summary>
    private async Task<InProcessNode> StartSimulatedDevnetAsync()
    {
        Assert.Equal(0, CliRunner.Run("devnet", "init", "--home", _home, "--attestation-root", "simulated", "--simulated-seed", Seed).ExitCode);
        return await InProcessNode.StartAsync(new DevnetHome(_home));
    }

    /// <summary>Collateral of the simulated PKI of <see cref="Seed"/>, current now (the devnet's block time is the wall clock).</summary>
    private static SimulatedDcapEvidence SimulatedCollateral()
    {
        using var keys = TestPkiKeys.FromSeed(System.Text.Encoding.UTF8.GetBytes(Seed));
        return new DcapSimulator(keys).Generate(new SimulatedQuoteRequest { Now = TimeProvider.System.GetUtcNow() });
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Init_with_the_simulated_root_says_so_in_genesis()
    {
        var init = CliRunner.Run("devnet", "init", "--home", _home, "--attestation-root", "simulated", "--simulated-seed", Seed, "--json");
        Assert.Equal(0, init.ExitCode);
        using var doc = JsonDocument.Parse(init.Output);
        Assert.Equal("simulated", doc.RootElement.GetProperty("attestation_root").GetString());
        Assert.True(new DevnetHome(_home).LoadGenesis().Attestation.IsSimulated);
        Assert.Equal(2, CliRunner.Run("devnet", "init", "--home", _home + "-x", "--attestation-root", "other").ExitCode);
    }

    [Fact]
    public async Task Upload_and_show_talk_to_a_running_node()
    {
        await using var running = await StartSimulatedDevnetAsync();
        var e = SimulatedCollateral();
        var url = running.Url;
        var rootCrl = Write("root.crl", e.RootCrlDer);
        var rootPem = Write("root.pem", System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", e.RootCertificateDer)));
        var tcb = Write("tcb.json", System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson));
        // The TCB signing chain as PCS sends it: URL-encoded in the TCB-Info-Issuer-Chain header.
        var chain = Write("tcb-chain.txt", System.Text.Encoding.ASCII.GetBytes(Uri.EscapeDataString(e.TcbSigningChainPem)));
        var root = await Task.Run(() => CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--crl", rootCrl, "--crl-kind", "root", "--issuer-chain", rootPem, "--json"));
        Assert.True(root.ExitCode == 0, root.Error + root.Output);
        var upload = await Task.Run(() => CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--tcb-info", tcb, "--issuer-chain", chain, "--json"));
        Assert.True(upload.ExitCode == 0, upload.Error + upload.Output);
        var again = await Task.Run(() => CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--tcb-info", tcb, "--issuer-chain", chain, "--json"));
        Assert.Equal(1, again.ExitCode);
        using (var doc = JsonDocument.Parse(again.Output))
        {
            Assert.Equal(21, doc.RootElement.GetProperty("code").GetInt32());
        }
        Assert.Equal(2, CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--tcb-info", tcb, "--crl", rootCrl, "--crl-kind", "root", "--issuer-chain", chain).ExitCode);
        var show = await Task.Run(() => CliRunner.Run("registry", "show", "--node", url, "--fmspc", Convert.ToHexStringLower(e.Fmspc), "--json"));
        Assert.True(show.ExitCode == 0, show.Error);
        using (var doc = JsonDocument.Parse(show.Output))
        {
            Assert.Equal("simulated", doc.RootElement.GetProperty("root").GetString());
            var entry = Assert.Single(doc.RootElement.GetProperty("tcb_info").EnumerateArray());
            Assert.Equal(Convert.ToHexStringLower(e.Fmspc), entry.GetProperty("fmspc").GetString());
        }
        var text = await Task.Run(() => CliRunner.Run("registry", "show", "--node", url));
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("WARNING", text.Output, StringComparison.Ordinal);
        Assert.Contains("RootCaCrl", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_from_pcs_fetches_from_a_loopback_pcs_and_registers_everything()
    {
        await using var running = await StartSimulatedDevnetAsync();
        var e = SimulatedCollateral();
        var fmspc = Convert.ToHexString(e.Fmspc);
        using var pcs = new LoopbackPcsServer(target => target switch
        {
            _ when target == $"sgx/certification/v4/tcb?fmspc={fmspc}" => PcsReply.Json(e.TcbInfoPcsJson, "TCB-Info-Issuer-Chain", e.TcbSigningChainPem),
            "sgx/certification/v4/qe/identity" => PcsReply.Json(e.QeIdentityPcsJson, "SGX-Enclave-Identity-Issuer-Chain", e.QeIdentitySigningChainPem),
            "sgx/certification/v4/rootcacrl" => PcsReply.Binary(e.RootCrlDer),
            _ when target.StartsWith("sgx/certification/v4/pckcrl?ca=processor", StringComparison.Ordinal) => PcsReply.Binary(e.PckCrlDer, "SGX-PCK-CRL-Issuer-Chain", e.PckCrlIssuerChainPem),
            _ => PcsReply.NotFound,
        });
        var url = running.Url;
        var upload = await Task.Run(() => CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--from-pcs", pcs.BaseAddress.ToString(), "--fmspc", fmspc, "--json"));
        Assert.True(upload.ExitCode == 0, upload.Error + upload.Output);
        using (var doc = JsonDocument.Parse(upload.Output))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("results").GetArrayLength());
        }
        // Fetched again: every document is already stored, each refused on its own as Unchanged.
        var again = await Task.Run(() => CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--from-pcs", pcs.BaseAddress.ToString(), "--fmspc", fmspc, "--json"));
        Assert.Equal(1, again.ExitCode);
        using (var doc = JsonDocument.Parse(again.Output))
        {
            Assert.All(doc.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal(21, r.GetProperty("code").GetInt32()));
        }
        var show = await Task.Run(() => CliRunner.Run("registry", "show", "--node", url, "--json"));
        using (var doc = JsonDocument.Parse(show.Output))
        {
            Assert.Single(doc.RootElement.GetProperty("tcb_info").EnumerateArray());
            Assert.Equal(3, doc.RootElement.GetProperty("entries").GetArrayLength());
        }
        Assert.Equal(2, CliRunner.Run("registry", "upload", "--home", _home, "--node", url, "--from-pcs", pcs.BaseAddress.ToString()).ExitCode);
    }
}

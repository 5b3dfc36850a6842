using System.Text;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Pcs;
using Citrine.Attestation.Testing;
using Citrine.Attestation.Tests.Testing;

namespace Citrine.Attestation.Tests.Pcs;

/// <summary>The PCS client against a real HTTP server on loopback serving simulated collateral.</summary>
public sealed class PcsCollateralClientTests : IDisposable
{
    private static readonly PcsClientOptions Fast = new() { Timeout = TimeSpan.FromSeconds(5), RetryDelay = TimeSpan.FromMilliseconds(10) };

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _http.Dispose();

    /// <summary>A PCS that serves <paramref name="e"/>'s collateral at the PCS v4 paths.</summary>
    internal static Func<string, PcsReply> Pcs(SimulatedDcapEvidence e, string family, Func<string, PcsReply?>? overrides = null, string tcbHeader = "TCB-Info-Issuer-Chain") => target =>
    {
        if (overrides?.Invoke(target) is { } custom)
        {
            return custom;
        }
        var fmspc = Convert.ToHexString(e.Fmspc);
        if (target == $"{family}/certification/v4/tcb?fmspc={fmspc}")
        {
            return PcsReply.Json(e.TcbInfoPcsJson, tcbHeader, e.TcbSigningChainPem);
        }
        if (target == $"{family}/certification/v4/qe/identity")
        {
            return PcsReply.Json(e.QeIdentityPcsJson, "SGX-Enclave-Identity-Issuer-Chain", e.QeIdentitySigningChainPem);
        }
        if (target.StartsWith("sgx/certification/v4/pckcrl?ca=processor&encoding=der", StringComparison.Ordinal))
        {
            return PcsReply.Binary(e.PckCrlDer, "SGX-PCK-CRL-Issuer-Chain", e.PckCrlIssuerChainPem);
        }
        if (target == "sgx/certification/v4/rootcacrl")
        {
            return PcsReply.Binary(e.RootCrlDer);
        }
        return PcsReply.NotFound;
    };

    private PcsCollateralClient Client(LoopbackPcsServer server, PcsClientOptions? options = null) => new(_http, server.BaseAddress, options ?? Fast);

    [Theory]
    [InlineData(SimulatedTee.Sgx, "sgx", 3)]
    [InlineData(SimulatedTee.Tdx, "tdx", 4)]
    public async Task Fetched_collateral_verifies_the_quote_it_was_fetched_for(SimulatedTee tee, string family, int version)
    {
        var e = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, Tee = tee, QuoteVersion = version });
        using var server = new LoopbackPcsServer(Pcs(e, family));
        var fetched = await Client(server).GetCollateralForQuoteAsync(e.Quote);

        Assert.Equal(e.TcbInfoJson, fetched.TcbInfo);
        Assert.Equal(e.QeIdentityJson, fetched.QeIdentity);
        Assert.Equal(e.PckCrlDer, fetched.PckCrl);
        Assert.Equal(e.RootCrlDer, fetched.RootCaCrl);
        var verdict = Verifier.Verify(e.Quote, fetched.ToQuoteCollateral(), e.Now, new VerifierOptions { TrustAnchor = TrustAnchor.FromCertificate(e.TrustedRootDer) });
        Assert.True(verdict.IsVerified, $"{verdict.Reason}: {verdict.Detail}");
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task Legacy_sgx_prefixed_tcb_info_chain_header_is_accepted()
    {
        var e = SimulatedPki.Sgx();
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", tcbHeader: "SGX-TCB-Info-Issuer-Chain"));
        var fetched = await Client(server).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor);
        Assert.Equal(e.TcbInfoJson, fetched.TcbInfo);
    }

    [Fact]
    public async Task Platform_ca_quote_asks_for_the_platform_pck_crl()
    {
        var e = SimulatedPki.Simulator.Generate(new SimulatedQuoteRequest { Now = SimulatedPki.Now, PckCa = SimulatedPckCaKind.Platform });
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => t.StartsWith("sgx/certification/v4/pckcrl?ca=platform&encoding=der", StringComparison.Ordinal)
            ? PcsReply.Binary(e.PckCrlDer, "SGX-PCK-CRL-Issuer-Chain", e.PckCrlIssuerChainPem) : null));
        await Client(server).GetCollateralForQuoteAsync(e.Quote);
        Assert.Equal(1, server.Count("sgx/certification/v4/pckcrl?ca=platform"));
    }

    [Fact]
    public async Task Hex_encoded_root_crl_from_a_pccs_is_accepted()
    {
        var e = SimulatedPki.Sgx();
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => t == "sgx/certification/v4/rootcacrl" ? PcsReply.Binary(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(e.RootCrlDer))) : null));
        var fetched = await Client(server).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor);
        Assert.Equal(e.RootCrlDer, fetched.RootCaCrl);
    }

    private async Task<PcsException> Fails(SimulatedDcapEvidence e, Func<string, PcsReply?> overrides, PcsClientOptions? options = null)
    {
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", overrides));
        return await Assert.ThrowsAsync<PcsException>(() => Client(server, options).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor));
    }

    [Fact]
    public async Task Missing_issuer_chain_header_is_reported()
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, t => t.StartsWith("sgx/certification/v4/qe/identity", StringComparison.Ordinal) ? PcsReply.Json(e.QeIdentityPcsJson) : null);
        Assert.Equal(PcsError.MissingHeader, error.Error);
        Assert.Contains("SGX-Enclave-Identity-Issuer-Chain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuer_chain_header_without_certificates_is_malformed()
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, t => t.StartsWith("sgx/certification/v4/tcb", StringComparison.Ordinal) ? PcsReply.Json(e.TcbInfoPcsJson, "TCB-Info-Issuer-Chain", "garbage") : null);
        Assert.Equal(PcsError.MalformedHeader, error.Error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"signature\":\"00\"}")]
    [InlineData("{\"tcbInfo\":{\"id\":\"SGX\"}}")]
    public async Task Tcb_info_body_that_is_not_a_pcs_document_is_malformed(string body)
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, t => t.StartsWith("sgx/certification/v4/tcb", StringComparison.Ordinal) ? PcsReply.Json(body, "TCB-Info-Issuer-Chain", e.TcbSigningChainPem) : null);
        Assert.Equal(PcsError.MalformedBody, error.Error);
    }

    [Fact]
    public async Task Pck_crl_body_that_is_not_a_crl_is_malformed()
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, t => t.StartsWith("sgx/certification/v4/pckcrl", StringComparison.Ordinal) ? PcsReply.Binary([0x30, 0x03, 0x02, 0x01, 0x00], "SGX-PCK-CRL-Issuer-Chain", e.PckCrlIssuerChainPem) : null);
        Assert.Equal(PcsError.MalformedBody, error.Error);
    }

    [Fact]
    public async Task Not_found_is_reported_without_retrying()
    {
        var e = SimulatedPki.Sgx();
        using var server = new LoopbackPcsServer(Pcs(e, "sgx"));
        var error = await Assert.ThrowsAsync<PcsException>(() => Client(server).GetCollateralAsync(TeeKind.Sgx, new byte[6], PckCaType.Processor));
        Assert.Equal(PcsError.HttpStatus, error.Error);
        Assert.Equal(404, error.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_success()
    {
        var e = SimulatedPki.Sgx();
        var failures = 2;
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => t.StartsWith("sgx/certification/v4/tcb", StringComparison.Ordinal) && Interlocked.Decrement(ref failures) >= 0 ? new PcsReply(503, []) : null));
        var fetched = await Client(server).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor);
        Assert.Equal(e.TcbInfoJson, fetched.TcbInfo);
        Assert.Equal(3, server.Count("sgx/certification/v4/tcb"));
    }

    [Fact]
    public async Task Persistent_server_errors_fail_after_the_configured_attempts()
    {
        var e = SimulatedPki.Sgx();
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => t.StartsWith("sgx/certification/v4/qe", StringComparison.Ordinal) ? new PcsReply(500, []) : null));
        var error = await Assert.ThrowsAsync<PcsException>(() => Client(server, Fast with { MaxAttempts = 2 }).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor));
        Assert.Equal(PcsError.HttpStatus, error.Error);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal(2, server.Count("sgx/certification/v4/qe"));
    }

    [Fact]
    public async Task Slow_server_times_out_on_every_attempt()
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, t => t.StartsWith("sgx/certification/v4/tcb", StringComparison.Ordinal) ? new PcsReply(200, [], Delay: TimeSpan.FromSeconds(5)) : null,
            Fast with { Timeout = TimeSpan.FromMilliseconds(150), MaxAttempts = 2 });
        Assert.Equal(PcsError.Timeout, error.Error);
    }

    [Fact]
    public async Task Oversized_body_is_refused()
    {
        var e = SimulatedPki.Sgx();
        var error = await Fails(e, _ => null, Fast with { MaxResponseBytes = 100 });
        Assert.Equal(PcsError.BodyTooLarge, error.Error);
    }

    [Fact]
    public async Task Refused_connection_is_a_network_error()
    {
        Uri closed;
        using (var server = new LoopbackPcsServer(_ => PcsReply.NotFound))
        {
            closed = server.BaseAddress;
        }
        var error = await Assert.ThrowsAsync<PcsException>(() => new PcsCollateralClient(_http, closed, Fast with { MaxAttempts = 2 }).GetCollateralAsync(TeeKind.Sgx, new byte[6], PckCaType.Processor));
        Assert.Equal(PcsError.Network, error.Error);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_a_timeout()
    {
        var e = SimulatedPki.Sgx();
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => new PcsReply(200, [], Delay: TimeSpan.FromSeconds(5))));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(server).GetCollateralAsync(TeeKind.Sgx, e.Fmspc, PckCaType.Processor, cts.Token));
    }

    [Theory]
    [InlineData(TeeKind.Sgx, "sgx", "SGX")]
    [InlineData(TeeKind.Tdx, "tdx", "TDX")]
    public async Task Fetched_tcb_evaluation_numbers_verify(TeeKind tee, string family, string id)
    {
        var e = SimulatedPki.Sgx();
        var response = Verification.TcbEvaluationNumbersTests.Response(Verification.TcbEvaluationNumbersTests.Body(id));
        using var server = new LoopbackPcsServer(Pcs(e, family, t => t == $"{family}/certification/v4/tcbevaluationdatanumbers"
            ? PcsReply.Binary(response, "TCB-Evaluation-Data-Numbers-Issuer-Chain", e.TcbSigningChainPem)
            : null));
        var fetched = await Client(server).GetTcbEvaluationNumbersAsync(tee);
        var verdict = TcbEvaluationNumbersVerifier.Verify(fetched.Response, Encoding.UTF8.GetBytes(fetched.IssuerChain), fetched.RootCaCrl,
            tee == TeeKind.Tdx ? Citrine.Attestation.Dcap.TeeType.Tdx : Citrine.Attestation.Dcap.TeeType.Sgx, e.Now, TrustAnchor.FromCertificate(e.TrustedRootDer));
        Assert.True(verdict.IsVerified, verdict.Detail);
        Assert.Equal(id, verdict.Document!.Id);
    }

    [Fact]
    public async Task Tcb_evaluation_numbers_without_their_issuer_chain_header_are_reported()
    {
        var e = SimulatedPki.Sgx();
        var response = Verification.TcbEvaluationNumbersTests.Response(Verification.TcbEvaluationNumbersTests.Body());
        using var server = new LoopbackPcsServer(Pcs(e, "sgx", t => t == "sgx/certification/v4/tcbevaluationdatanumbers" ? PcsReply.Binary(response) : null));
        var error = await Assert.ThrowsAsync<PcsException>(() => Client(server).GetTcbEvaluationNumbersAsync(TeeKind.Sgx));
        Assert.Equal(PcsError.MissingHeader, error.Error);
    }

    [Fact]
    public async Task Unparsable_quote_is_reported_before_any_request()
    {
        using var server = new LoopbackPcsServer(_ => PcsReply.NotFound);
        var error = await Assert.ThrowsAsync<PcsException>(() => Client(server).GetCollateralForQuoteAsync(new byte[100]));
        Assert.Equal(PcsError.QuoteUnusable, error.Error);
        Assert.Empty(server.Requests);
    }
}

using System.Security.Cryptography;
using System.Text;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;

namespace Citrine.Attestation.Pcs;

/// <summary>Timeouts, retries and limits of <see cref="PcsCollateralClient"/>.</summary>
public sealed record PcsClientOptions
{
    /// <summary>Per-attempt timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per request; 408, 429, 5xx, timeouts and connection failures are retried.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Delay before the second attempt; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public int MaxResponseBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Root CA CRL location, relative to the base address or absolute. PCCS serves it at
    /// <c>sgx/certification/v4/rootcacrl</c>; with Intel PCS itself use the CRL distribution point
    /// of the root certificate (https://certificates.trustedservices.intel.com/IntelSGXRootCA.der).
    /// </summary>
    public string RootCaCrlUrl { get; init; } = "sgx/certification/v4/rootcacrl";
}

/// <summary>
/// Fetches DCAP collateral from an Intel PCS or PCCS compatible endpoint (Intel "Provisioning
/// Certification Service API" v4): TCB Info (<c>/{sgx|tdx}/certification/v4/tcb?fmspc=</c>),
/// QE Identity (<c>/{sgx|tdx}/certification/v4/qe/identity</c>), PCK CRL
/// (<c>/sgx/certification/v4/pckcrl?ca=processor|platform&amp;encoding=der</c>) and the root CA
/// CRL, with the issuer chains from the URL-encoded PEM response headers. Nothing fetched is
/// trusted here: the verifier checks every signature against the pinned root.
/// </summary>
public sealed class PcsCollateralClient
{
    // PCS v4 names the TCB Info chain header "TCB-Info-Issuer-Chain"; v3 and some PCCS builds use the SGX- prefix.
    private static readonly string[] TcbInfoChainHeaders = ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"];
    private static readonly string[] QeIdentityChainHeaders = ["SGX-Enclave-Identity-Issuer-Chain"];
    private static readonly string[] PckCrlChainHeaders = ["SGX-PCK-CRL-Issuer-Chain"];
    private static readonly string[] TcbEvaluationNumbersChainHeaders = ["TCB-Evaluation-Data-Numbers-Issuer-Chain"];

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly PcsClientOptions _options;

    /// <param name="http">The client to use (its own Timeout should be infinite or above <see cref="PcsClientOptions.Timeout"/>).</param>
    /// <param name="baseAddress">e.g. https://api.trustedservices.intel.com/ or a PCCS at https://pccs.local:8081/.</param>
    /// <param name="options">Timeouts, retries, limits and the root CA CRL location.</param>
    public PcsCollateralClient(HttpClient http, Uri baseAddress, PcsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri)
        {
            throw new ArgumentException("the base address must be absolute", nameof(baseAddress));
        }
        _http = http;
        _base = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _options = options ?? new PcsClientOptions();
        if (_options.MaxAttempts < 1)
        {
            throw new ArgumentException("MaxAttempts must be at least 1", nameof(options));
        }
    }

    /// <summary>Fetches the collateral for a quote: FMSPC and PCK CA type come from its PCK certificate.</summary>
    public Task<PcsCollateral> GetCollateralForQuoteAsync(ReadOnlyMemory<byte> quote, CancellationToken cancellationToken = default)
    {
        Quote parsed;
        PckExtensions pck;
        PckCaType ca;
        try
        {
            parsed = QuoteParser.Parse(quote.Span);
            var chain = PemText.DecodeAll(parsed.PckChainPem, "CERTIFICATE", "pck_chain");
            if (chain.Count == 0)
            {
                throw new PcsException(PcsError.QuoteUnusable, "quote", "the quote carries no PCK certificate");
            }
            var leaf = DcapCertificate.Parse(chain[0], "pck_leaf");
            pck = PckExtensions.FromCertificate(leaf);
            ca = PckExtensions.CaTypeOf(leaf);
        }
        catch (Exception e) when (e is QuoteFormatException or CollateralFormatException or PckExtensionException)
        {
            throw new PcsException(PcsError.QuoteUnusable, "quote", e.Message, innerException: e);
        }
        return GetCollateralAsync(parsed.TeeType == TeeType.Tdx ? TeeKind.Tdx : TeeKind.Sgx, pck.Fmspc, ca, cancellationToken);
    }

    public async Task<PcsCollateral> GetCollateralAsync(TeeKind tee, ReadOnlyMemory<byte> fmspc, PckCaType ca, CancellationToken cancellationToken = default)
    {
        if (tee == TeeKind.Mock)
        {
            throw new ArgumentException("mock evidence has no collateral", nameof(tee));
        }
        if (fmspc.Length != 6)
        {
            throw new ArgumentException("FMSPC is 6 bytes", nameof(fmspc));
        }
        var family = tee == TeeKind.Tdx ? "tdx" : "sgx";
        var caName = ca == PckCaType.Platform ? "platform" : "processor";

        var tcb = await GetAsync($"{family}/certification/v4/tcb?fmspc={Convert.ToHexString(fmspc.Span)}", cancellationToken).ConfigureAwait(false);
        var tcbChain = Chain(tcb, TcbInfoChainHeaders);
        var tcbInfo = Document(tcb, "tcbInfo");

        var qe = await GetAsync($"{family}/certification/v4/qe/identity", cancellationToken).ConfigureAwait(false);
        var qeChain = Chain(qe, QeIdentityChainHeaders);
        var qeIdentity = Document(qe, "enclaveIdentity");

        var pckCrl = await GetAsync($"sgx/certification/v4/pckcrl?ca={caName}&encoding=der", cancellationToken).ConfigureAwait(false);
        var pckCrlChain = Chain(pckCrl, PckCrlChainHeaders);

        var rootCrl = await GetAsync(_options.RootCaCrlUrl, cancellationToken).ConfigureAwait(false);

        return new PcsCollateral
        {
            PckCrlIssuerChain = pckCrlChain,
            RootCaCrl = CrlBody(rootCrl),
            PckCrl = CrlBody(pckCrl),
            TcbInfoIssuerChain = tcbChain,
            TcbInfo = Encoding.UTF8.GetString(tcbInfo.Body),
            TcbInfoSignature = tcbInfo.Signature,
            QeIdentityIssuerChain = qeChain,
            QeIdentity = Encoding.UTF8.GetString(qeIdentity.Body),
            QeIdentitySignature = qeIdentity.Signature,
        };
    }

    /// <summary>
    /// Fetches the TCB Evaluation Data Numbers document (PCS v4
    /// <c>/{sgx|tdx}/certification/v4/tcbevaluationdatanumbers</c>) with its issuer chain and the
    /// root CA CRL: everything <see cref="Dcap.Verification.TcbEvaluationNumbersVerifier"/> needs.
    /// The body is checked to be a signed PCS document; nothing is trusted until verified.
    /// </summary>
    public async Task<PcsTcbEvaluationNumbers> GetTcbEvaluationNumbersAsync(TeeKind tee, CancellationToken cancellationToken = default)
    {
        if (tee == TeeKind.Mock)
        {
            throw new ArgumentException("mock evidence has no collateral", nameof(tee));
        }
        var family = tee == TeeKind.Tdx ? "tdx" : "sgx";
        var numbers = await GetAsync($"{family}/certification/v4/tcbevaluationdatanumbers", cancellationToken).ConfigureAwait(false);
        var chain = Chain(numbers, TcbEvaluationNumbersChainHeaders);
        _ = Document(numbers, "tcbEvaluationDataNumbers");
        var rootCrl = await GetAsync(_options.RootCaCrlUrl, cancellationToken).ConfigureAwait(false);
        return new PcsTcbEvaluationNumbers(numbers.Body, chain, CrlBody(rootCrl));
    }

    private sealed record Response(string Url, Dictionary<string, string> Headers, byte[] Body);

    private async Task<Response> GetAsync(string relative, CancellationToken cancellationToken)
    {
        var uri = new Uri(_base, relative);
        var url = uri.AbsoluteUri;
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == _options.MaxAttempts;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var (name, values) in response.Headers)
                    {
                        headers[name] = string.Join(",", values);
                    }
                    var body = await ReadLimited(response.Content, url, timeout.Token).ConfigureAwait(false);
                    return new Response(url, headers, body);
                }
                var retryable = status is 408 or 429 || status >= 500;
                if (!retryable || last)
                {
                    throw new PcsException(PcsError.HttpStatus, url, $"HTTP {status} {response.ReasonPhrase}" + (attempt > 1 ? $" after {attempt} attempts" : string.Empty), status);
                }
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (last)
                {
                    throw new PcsException(PcsError.Timeout, url, $"no response within {_options.Timeout.TotalSeconds:0.###} s ({attempt} attempts)", innerException: e);
                }
            }
            catch (HttpRequestException e)
            {
                if (last)
                {
                    throw new PcsException(PcsError.Network, url, $"{e.Message} ({attempt} attempts)", innerException: e);
                }
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private async Task<byte[]> ReadLimited(HttpContent content, string url, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > _options.MaxResponseBytes)
        {
            throw new PcsException(PcsError.BodyTooLarge, url, $"{declared} bytes exceed the {_options.MaxResponseBytes}-byte limit");
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > _options.MaxResponseBytes)
                {
                    throw new PcsException(PcsError.BodyTooLarge, url, $"the body exceeds the {_options.MaxResponseBytes}-byte limit");
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    /// <summary>An issuer chain header: URL-encoded PEM, one or more certificates; returned as PEM text.</summary>
    private static string Chain(Response response, string[] names)
    {
        string? raw = null;
        foreach (var name in names)
        {
            if (response.Headers.TryGetValue(name, out raw))
            {
                break;
            }
        }
        if (raw is null)
        {
            throw new PcsException(PcsError.MissingHeader, response.Url, $"the response has no {string.Join(" / ", names)} header");
        }
        string pem;
        try
        {
            pem = Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException e)
        {
            throw new PcsException(PcsError.MalformedHeader, response.Url, $"{names[0]} is not URL-encoded", innerException: e);
        }
        IReadOnlyList<byte[]> certificates;
        try
        {
            certificates = PemText.DecodeAll(Encoding.ASCII.GetBytes(pem), "CERTIFICATE", names[0]);
            foreach (var der in certificates)
            {
                DcapCertificate.Parse(der, names[0]);
            }
        }
        catch (CollateralFormatException e)
        {
            throw new PcsException(PcsError.MalformedHeader, response.Url, e.Message, innerException: e);
        }
        if (certificates.Count == 0)
        {
            throw new PcsException(PcsError.MalformedHeader, response.Url, $"{names[0]} holds no PEM certificate");
        }
        // Re-emit canonical PEM so the collateral carries exactly the certificates that were checked.
        var builder = new StringBuilder();
        foreach (var der in certificates)
        {
            builder.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
        }
        return builder.ToString();
    }

    private static SignedDocument Document(Response response, string key)
    {
        try
        {
            return SignedDocument.FromPcsResponse(response.Body, key);
        }
        catch (CollateralFormatException e)
        {
            throw new PcsException(PcsError.MalformedBody, response.Url, e.Message, innerException: e);
        }
    }

    /// <summary>A CRL body: DER as asked for; PEM or hex text (what some PCCS builds return) also accepted.</summary>
    private static byte[] CrlBody(Response response)
    {
        var body = response.Body;
        var text = Encoding.ASCII.GetString(body).Trim();
        if (body.Length > 0 && body[0] != 0x30 && !text.StartsWith("-----BEGIN", StringComparison.Ordinal)
            && Citrine.Crypto.Encoding.Hex.TryDecode(text, out var decoded) && decoded.Length > 0)
        {
            body = decoded;
        }
        try
        {
            return Crl.Parse(body, response.Url).Der;
        }
        catch (CollateralFormatException e)
        {
            throw new PcsException(PcsError.MalformedBody, response.Url, $"not a CRL: {e.Message}", innerException: e);
        }
    }
}

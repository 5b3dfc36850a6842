using System.Globalization;
using System.Net;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>Timeouts and retries of <see cref="HttpRpcProvider"/>.</summary>
public sealed record HttpProviderOptions
{
    /// <summary>Time allowed for one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Further attempts after a failed one (network error, timeout or HTTP 5xx).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>Delay before the first retry; doubled each time.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Validators per page of the <c>validators</c> method (CometBFT caps it at 100).</summary>
    public int ValidatorsPerPage { get; init; } = 100;

    /// <summary>A validator set claiming more members is refused (bounds memory and requests).</summary>
    public int MaxValidators { get; init; } = 10_000;

    /// <summary>A response body larger than this is refused.</summary>
    public int MaxResponseBytes { get; init; } = 32 * 1024 * 1024;
}

/// <summary>
/// Light blocks from a CometBFT node's JSON-RPC over HTTP (URI-style GET requests):
/// <c>commit?height=H</c> for the signed header and <c>validators?height=H&amp;page=P&amp;per_page=N</c>
/// (all pages) at H and H+1 for the validator sets. Responses are only decoded here; the light
/// client verifies them. Evidence is submitted with a JSON-RPC POST of <c>broadcast_evidence</c>.
/// </summary>
public sealed class HttpRpcProvider : ILightBlockProvider, IEvidenceReporter
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly HttpProviderOptions _options;

    public HttpRpcProvider(Uri baseUri, HttpClient http, HttpProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentNullException.ThrowIfNull(http);
        var text = baseUri.ToString();
        _baseUri = new Uri(text.EndsWith('/') ? text : text + "/");
        _http = http;
        _options = options ?? new HttpProviderOptions();
    }

    public string Id => _baseUri.ToString();

    public async Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default)
    {
        if (height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), "height must be 0 (latest) or positive");
        }
        var signed = (await CommitAsync(height, cancellationToken).ConfigureAwait(false)).SignedHeader;
        if (height != 0 && signed.Header.Height != height)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"asked for the commit at {height}, got height {signed.Header.Height}");
        }
        var h = signed.Header.Height;
        var validators = await ValidatorsAsync(h, cancellationToken).ConfigureAwait(false);
        var next = await ValidatorsAsync(h + 1, cancellationToken).ConfigureAwait(false);
        return new LightBlock(signed, validators, next);
    }

    public async Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        Decode(await GetAsync("status", cancellationToken).ConfigureAwait(false), b => RpcResponses.ParseStatus(b));

    public async Task<CommitResponse> CommitAsync(long height, CancellationToken cancellationToken = default) =>
        Decode(await GetAsync(height == 0 ? "commit" : $"commit?height={height.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false),
            b => RpcResponses.ParseCommit(b));

    public async Task<GenesisResponse> GenesisAsync(CancellationToken cancellationToken = default) =>
        Decode(await GetAsync("genesis", cancellationToken).ConfigureAwait(false), b => RpcResponses.ParseGenesis(b));

    /// <summary>The complete validator set at <paramref name="height"/>, following pages until <c>total</c> are read.</summary>
    public async Task<ValidatorSet> ValidatorsAsync(long height, CancellationToken cancellationToken = default)
    {
        var all = new List<Validator>();
        for (var page = 1; ; page++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"validators?height={height}&page={page}&per_page={_options.ValidatorsPerPage}");
            var result = Decode(await GetAsync(path, cancellationToken).ConfigureAwait(false), b => RpcResponses.ParseValidators(b));
            if (result.BlockHeight != height)
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"asked for validators at {height}, got {result.BlockHeight}");
            }
            if (result.Total > _options.MaxValidators)
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"validators at {height}: total {result.Total} exceeds the limit {_options.MaxValidators}");
            }
            all.AddRange(result.Validators);
            if (all.Count >= result.Total)
            {
                if (all.Count > result.Total)
                {
                    throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"validators at {height}: received {all.Count}, total says {result.Total}");
                }
                return new ValidatorSet(all);
            }
            if (result.Validators.Count == 0)
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"validators at {height}: page {page} is empty before total {result.Total} was reached");
            }
        }
    }

    /// <summary>
    /// POSTs <c>broadcast_evidence</c> once (no retries: a node that is down is reported, and the
    /// caller decides whether to try again). A JSON-RPC error, such as a node without the method,
    /// is a <see cref="ProviderErrorKind.Refused"/> failure, never a success.
    /// </summary>
    public async Task<string> ReportEvidenceAsync(LightClientAttackEvidence evidence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        byte[] body;
        try
        {
            using var content = new ByteArrayContent(EvidenceJson.BroadcastRequest(evidence));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(_baseUri, content, timeout.Token).ConfigureAwait(false);
            body = await ReadLimitedAsync(response.Content, "broadcast_evidence", timeout.Token).ConfigureAwait(false);
            if (body.Length == 0 || body[0] != (byte)'{')
            {
                throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"broadcast_evidence: HTTP {(int)response.StatusCode} without a JSON-RPC answer");
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderException(ProviderErrorKind.Unavailable, Id, $"broadcast_evidence: no answer within {_options.RequestTimeout}", e);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(ProviderErrorKind.Unavailable, Id, $"broadcast_evidence: {e.Message}", e);
        }
        try
        {
            return EvidenceJson.ParseBroadcastResult(body);
        }
        catch (RpcErrorException e)
        {
            throw new ProviderException(ProviderErrorKind.Refused, Id, $"broadcast_evidence refused: {e.Message}", e);
        }
        catch (CometJsonException e)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"broadcast_evidence: {e.Message}", e);
        }
    }

    private T Decode<T>(byte[] body, Func<byte[], T> parse)
    {
        try
        {
            return parse(body);
        }
        catch (RpcErrorException e)
        {
            // CometBFT answers unknown heights with error -32603 "height X must be less than or equal to ...".
            var kind = e.RpcData.Contains("height", StringComparison.OrdinalIgnoreCase) || e.RpcMessage.Contains("height", StringComparison.OrdinalIgnoreCase)
                ? ProviderErrorKind.NotFound : ProviderErrorKind.BadResponse;
            throw new ProviderException(kind, Id, e.Message, e);
        }
        catch (CometJsonException e)
        {
            throw new ProviderException(ProviderErrorKind.BadResponse, Id, e.Message, e);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, string relative, CancellationToken cancellationToken) =>
        await BoundedResponse.TryReadAsync(content, _options.MaxResponseBytes, cancellationToken).ConfigureAwait(false)
            ?? throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"{relative}: response exceeds {_options.MaxResponseBytes} bytes");

    private async Task<byte[]> GetAsync(string relative, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, relative);
        var delay = _options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            Exception failure;
            try
            {
                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var body = await ReadLimitedAsync(response.Content, relative, timeout.Token).ConfigureAwait(false);
                if ((int)response.StatusCode < 500 || (body.Length > 0 && body[0] == (byte)'{'))
                {
                    // CometBFT returns JSON-RPC errors (HTTP 500 for internal errors) with a JSON body; the decoder reports them.
                    if (response.StatusCode != HttpStatusCode.OK && body.Length == 0)
                    {
                        throw new ProviderException(ProviderErrorKind.BadResponse, Id, $"{relative}: HTTP {(int)response.StatusCode}");
                    }
                    return body;
                }
                failure = new HttpRequestException($"HTTP {(int)response.StatusCode}", null, response.StatusCode);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new TimeoutException($"no answer within {_options.RequestTimeout}", e);
            }
            catch (HttpRequestException e)
            {
                failure = e;
            }
            if (attempt >= _options.Retries)
            {
                throw new ProviderException(ProviderErrorKind.Unavailable, Id, $"{relative}: {failure.Message} (after {attempt + 1} attempts)", failure);
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }
}

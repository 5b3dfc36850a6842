using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Transfers.Web;

namespace Citrine.Transfers.Tests.Web;

/// <summary>The JSON API on a real loopback Kestrel: answers, refusals at the edge, the loopback-host and content-type guards.</summary>
public sealed class TransfersApiTests : IAsyncLifetime, IDisposable
{
    private readonly InProcessTransfers _backend = new();
    private readonly HttpClient _http = new();
    private TransfersWebHost? _host;

    public async Task InitializeAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "citrine-web-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "<!doctype html><title>t</title>");
        _host = await TransfersWebHost.StartAsync(_backend, _backend, root, 0, null, CancellationToken.None);
        _http.BaseAddress = _host.Address;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _backend.Dispose();
    }

    [Fact]
    public async Task Status_shows_session_keys_attestation_and_queue()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("api/status"));
        var root = doc.RootElement;
        Assert.Equal("mock", root.GetProperty("mode").GetString());
        Assert.Equal("x25519-sha256-chacha20poly1305", root.GetProperty("suite").GetString());
        var session = root.GetProperty("session");
        Assert.Equal("established", session.GetProperty("phase").GetString());
        Assert.Equal("current", session.GetProperty("attestation").GetString());
        Assert.Equal(64, session.GetProperty("encryption_key").GetString()!.Length);
        Assert.Equal(0ul, root.GetProperty("queue").GetProperty("length").GetUInt64());
    }

    [Fact]
    public async Task Deposit_is_queued_and_its_response_goes_from_pending_to_ok()
    {
        var answer = await PostAsync("""{"account":"alice","kind":"deposit","suite":"x25519-sha256-chacha20poly1305","enc":"","ciphertext":"","funds":10}""");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using var submitted = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        var seq = submitted.RootElement.GetProperty("seq").GetUInt64();
        string status;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            using var response = JsonDocument.Parse(await _http.GetStringAsync($"api/responses/{seq}"));
            status = response.RootElement.GetProperty("status").GetString()!;
            await Task.Delay(50);
        }
        while (status == "pending" && DateTime.UtcNow < deadline);
        Assert.Equal("ok", status);
    }

    [Theory]
    [InlineData("""{"account":"alice","kind":"deposit","suite":"x25519-sha256-chacha20poly1305","enc":"","ciphertext":"","funds":0}""", "funds")]
    [InlineData("""{"account":"alice","kind":"deposit","suite":"x25519-sha256-chacha20poly1305","enc":"AAAA","ciphertext":"AAAA","funds":5}""", "ciphertext")]
    [InlineData("""{"account":"alice","kind":"mint","suite":"x25519-sha256-chacha20poly1305","enc":"","ciphertext":"","funds":0}""", "kind")]
    [InlineData("""{"account":"alice","kind":"transfer","suite":"x25519-sha256-chacha20poly1305","enc":"AAAA","ciphertext":"AAAA","funds":0}""", "enc")]
    [InlineData("""{"account":"alice","kind":"withdraw","suite":"x25519-sha256-chacha20poly1305","enc":"","ciphertext":"","funds":0,"extra":1}""", "unknown member")]
    [InlineData("""{"account":"mallory","kind":"deposit","suite":"x25519-sha256-chacha20poly1305","enc":"","ciphertext":"","funds":5}""", "devnet accounts")]
    public async Task Bad_request_bodies_are_refused_naming_what_is_wrong(string body, string mentions)
    {
        var answer = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains(mentions, await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("api/status"));
        Assert.Equal(0ul, doc.RootElement.GetProperty("queue").GetProperty("next").GetUInt64());
    }

    [Fact]
    public async Task A_form_post_without_json_content_type_is_refused()
    {
        using var content = new StringContent("account=alice", Encoding.UTF8, "application/x-www-form-urlencoded");
        var answer = await _http.PostAsync("api/requests", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.StatusCode);
    }

    [Fact]
    public async Task A_request_for_another_host_name_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/status");
        request.Headers.Host = "attacker.example";
        var answer = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await _http.PostAsync("api/requests", content);
    }
}

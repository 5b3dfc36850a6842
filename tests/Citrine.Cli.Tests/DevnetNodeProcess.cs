using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Citrine.Cli.Tests;

/// <summary>
/// A real <c>citrine devnet start</c> process on loopback (any free port), with a JSON-RPC client.
/// <see cref="Kill"/> sends SIGKILL: no shutdown code of the node runs.
/// </summary>
internal sealed class DevnetNodeProcess : IDisposable
{
    private readonly CliProcess _child;

    private DevnetNodeProcess(CliProcess child, Uri rpc)
    {
        _child = child;
        Rpc = rpc;
        Http = new HttpClient { BaseAddress = rpc, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri Rpc { get; }

    public HttpClient Http { get; }

    public bool HasExited => _child.Process.HasExited;

    /// <summary>What the node wrote to stderr so far.</summary>
    public string Errors => _child.Errors;

    public static async Task<DevnetNodeProcess> StartAsync(string home, string blockTime)
    {
        var (child, address) = await CliProcess.StartAsync(["devnet", "start", "--home", home, "--block-time", blockTime, "--rpc", "127.0.0.1:0"], "RPC on ");
        return new DevnetNodeProcess(child, new Uri(address));
    }

    /// <summary>SIGKILL, then wait for the exit.</summary>
    public void Kill()
    {
        _child.KillQuietly();
        _child.Process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        Http.Dispose();
        _child.Process.Dispose();
    }

    /// <summary>The result of a JSON-RPC call, or null when the node answered with a JSON-RPC error.</summary>
    public async Task<JsonElement?> TryCall(string method, object parameters, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters }, cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return doc.RootElement.TryGetProperty("error", out _) ? null : doc.RootElement.GetProperty("result").Clone();
    }

    public async Task<JsonElement> Call(string method, object parameters, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("", new { jsonrpc = "2.0", id = 1, method, @params = parameters }, cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        if (doc.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{method}: {error}");
        }
        return doc.RootElement.GetProperty("result").Clone();
    }

    public async Task<long> HeightAsync()
    {
        var status = await Call("status", new { });
        return long.Parse(status.GetProperty("sync_info").GetProperty("latest_block_height").GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The raw value under <paramref name="key"/> in store <paramref name="store"/>, or null.</summary>
    public async Task<byte[]?> QueryStore(string store, byte[] key)
    {
        var response = (await Call("abci_query", new { path = $"/store/{store}/key", data = Convert.ToHexString(key) })).GetProperty("response");
        if (response.GetProperty("code").GetInt32() != 0)
        {
            throw new InvalidOperationException($"abci_query /store/{store}/key: {response.GetProperty("log").GetString()}");
        }
        return response.GetProperty("value").GetString() is { } value ? Convert.FromBase64String(value) : null;
    }
}

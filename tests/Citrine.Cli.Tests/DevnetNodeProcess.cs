using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Citrine.Cli.Tests;

/// <summary>
/// A real <c>citrine devnet start</c> process on loopback (any free port), with a JSON-RPC client.
/// <see cref="Kill"/> sends SIGKILL: no shutdown code of the node runs.
/// </summary>
internal sealed class DevnetNodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private DevnetNodeProcess(Process process, Uri rpc, StringBuilder stderr)
    {
        _process = process;
        _stderr = stderr;
        Rpc = rpc;
        Http = new HttpClient { BaseAddress = rpc, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri Rpc { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the node wrote to stderr so far.</summary>
    public string Errors
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static async Task<DevnetNodeProcess> StartAsync(string home, string blockTime)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "citrine.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "devnet", "start", "--home", home, "--block-time", blockTime, "--rpc", "127.0.0.1:0" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    await process.WaitForExitAsync(timeout.Token);
                    string errors;
                    lock (stderr)
                    {
                        errors = stderr.ToString();
                    }
                    throw new InvalidOperationException($"the node exited with code {process.ExitCode} before serving RPC: {errors}");
                }
                var at = line.IndexOf("RPC on ", StringComparison.Ordinal);
                if (at >= 0)
                {
                    return new DevnetNodeProcess(process, new Uri(line[(at + 7)..].Trim()), stderr);
                }
            }
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, then wait for the exit.</summary>
    public void Kill()
    {
        KillQuietly(_process);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
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

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

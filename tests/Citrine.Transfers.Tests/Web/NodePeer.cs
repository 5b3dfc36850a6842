using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Citrine.Transfers.Tests.Web;

/// <summary>examples/Transfers/web-tests/interop.mjs as a peer: one JSON command per line, one answer per line.</summary>
internal sealed class NodePeer : IDisposable
{
    private readonly Process _process;

    public NodePeer(string node)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = WebTools.WebTests,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("interop.mjs");
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
    }

    public async Task<JsonObject> AskAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
            ?? throw new InvalidOperationException("interop.mjs ended: " + await _process.StandardError.ReadToEndAsync());
        var answer = JsonNode.Parse(line)!.AsObject();
        if (answer["error"] is { } error)
        {
            throw new InvalidOperationException("interop.mjs: " + error);
        }
        return answer;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}

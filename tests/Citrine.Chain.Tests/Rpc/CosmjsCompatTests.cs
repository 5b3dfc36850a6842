using System.Diagnostics;
using System.Text.Json;
using Citrine.Chain.Rpc;

namespace Citrine.Chain.Tests.Rpc;

/// <summary>
/// Runs <c>tests/compat/cosmjs/check.mjs</c> — @cosmjs/tendermint-rpc's Comet38Client, pinned in
/// its package-lock.json — against the devnet RPC served in-process on loopback, with a block
/// produced every 150 ms. Skipped (with the reason) when node or the npm packages are missing;
/// under <c>CI=true</c> with node present, missing packages are a failure, because
/// <c>scripts/test</c> runs <c>scripts/compat-setup</c> first.
/// </summary>
[Trait("Category", "Compat")]
public sealed class CosmjsCompatTests
{
    private static readonly string[] ExpectedChecks =
    [
        "status", "health", "genesis", "block", "blockResults", "blockchain", "commit", "validators", "validatorsAll",
        "abciInfo", "abciQuery", "broadcastTxSync", "broadcastTxAsync", "broadcastTxCommit", "tx", "txSearch", "blockSearch",
        "numUnconfirmedTxs", "rpcError", "subscribeNewBlock", "subscribeNewBlockHeader", "subscribeTx", "wsCall",
    ];

    [SkippableFact]
    public async Task Cosmjs_Comet38Client_decodes_every_method_and_event_the_devnet_serves()
    {
        var directory = Path.Combine(RepoRoot(), "tests", "compat", "cosmjs");
        var node = FindOnPath("node");
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Skip.If(node is null, "node is not on PATH: the @cosmjs/tendermint-rpc compatibility check cannot run");
        var modules = Path.Combine(directory, "node_modules", "@cosmjs", "tendermint-rpc", "package.json");
        if (!File.Exists(modules))
        {
            const string Reason = "tests/compat/cosmjs/node_modules is missing: run scripts/compat-setup";
            Assert.False(ci, Reason + " (CI=true: scripts/test runs it, so this is a failure)");
            Skip.If(true, Reason);
        }

        using var chain = new TestChain(validators: 2);
        await using var server = await RpcServer.StartAsync(chain.Node, "127.0.0.1:0", 1 << 20);
        Assert.True(chain.Node.SubmitTx(chain.Send(0, 1, 1, 0)).Result.IsOk);
        chain.Produce(2);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(150, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                chain.Produce();
            }
        });
        try
        {
            var fixture = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["chainId"] = chain.Genesis.ChainId,
                ["recipient"] = chain.Genesis.Bech32(chain.Address(1)),
                ["storePath"] = "/store/bank/key",
                ["storeKeyHex"] = Convert.ToHexString(chain.Address(1)),
                ["txSync"] = Convert.ToHexString(chain.Send(0, 1, 2, 1)),
                ["txAsync"] = Convert.ToHexString(chain.Send(0, 1, 3, 2)),
                ["txCommit"] = Convert.ToHexString(chain.Send(0, 1, 4, 3)),
                ["txWs"] = Convert.ToHexString(chain.Send(0, 1, 5, 4)),
            });
            var http = server.Address.ToString().TrimEnd('/');
            var ws = $"ws://{server.Address.Authority}";
            var (exit, stdout, stderr) = await RunAsync(node!, directory, ["check.mjs", http, ws], fixture, TimeSpan.FromSeconds(120));
            var report = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            Assert.True(exit == 0, $"check.mjs exited {exit}\nreport: {report}\nstderr: {stderr}");
            using var doc = JsonDocument.Parse(report);
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean(), report);
            Assert.Equal(0, doc.RootElement.GetProperty("failed").GetArrayLength());
            var passed = doc.RootElement.GetProperty("passed").EnumerateArray().Select(p => p.GetString()!).ToList();
            Assert.Equal(ExpectedChecks, passed);
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, string directory, string[] args, string stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"check.mjs did not finish within {timeout}: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Citrine.slnx not found above " + AppContext.BaseDirectory);
    }
}

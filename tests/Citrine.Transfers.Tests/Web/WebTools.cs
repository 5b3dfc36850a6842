using System.Diagnostics;

namespace Citrine.Transfers.Tests.Web;

/// <summary>
/// Where the page, its npm packages, node and chromium are, and the skip rule of the web tests:
/// missing tools skip with the reason, except under <c>CI=true</c>, where scripts/test has run
/// scripts/web-setup and a missing tool is a failure.
/// </summary>
internal static class WebTools
{
    public static bool Ci => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Citrine.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string WebRoot => Path.Combine(RepoRoot(), "examples", "Transfers", "web");

    public static string WebTests => Path.Combine(RepoRoot(), "examples", "Transfers", "web-tests");

    /// <summary>node, or a skip (a failure under CI) naming what is missing, including the npm packages the page loads.</summary>
    public static string RequireNode()
    {
        var node = FindOnPath("node");
        Require(node is not null, "node is not on PATH");
        Require(File.Exists(Path.Combine(WebRoot, "node_modules", "@hpke", "core", "package.json")),
            "examples/Transfers/web/node_modules is missing: run scripts/web-setup");
        return node!;
    }

    /// <summary>chromium, node and playwright-core, or a skip (a failure under CI).</summary>
    public static (string Node, string Chromium) RequireBrowser()
    {
        var node = RequireNode();
        Require(File.Exists(Path.Combine(WebRoot, "vendor", "@hpke", "core", "esm", "mod.js")),
            "examples/Transfers/web/vendor is missing: run scripts/web-setup");
        Require(File.Exists(Path.Combine(WebTests, "node_modules", "playwright-core", "package.json")),
            "examples/Transfers/web-tests/node_modules is missing: run scripts/web-setup");
        var chromium = FindOnPath("chromium") ?? FindOnPath("chromium-browser");
        Require(chromium is not null, "chromium is not on PATH: run scripts/web-setup (Debian package chromium)");
        return (node!, chromium!);
    }

    public static string? FindOnPath(string name)
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

    private static void Require(bool present, string reason)
    {
        if (!present)
        {
            Assert.False(Ci, reason + " (CI=true: scripts/test runs scripts/web-setup, so this is a failure)");
            Skip.If(true, reason);
        }
    }

    /// <summary>Runs <paramref name="file"/> to completion with a timeout; returns exit code and output.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        string file, string directory, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
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
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

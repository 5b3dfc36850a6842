using System.Diagnostics;
using System.Text;

namespace Citrine.Cli.Tests;

/// <summary>
/// A real <c>citrine</c> child process (the built citrine.dll under <c>dotnet</c>) that announces
/// where it serves on stdout: started with its arguments, its stderr collected, and the first
/// stdout line holding <c>marker</c> awaited (60 s); what follows the marker is the address.
/// </summary>
internal sealed class CliProcess
{
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>What the process wrote to stderr so far.</summary>
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

    /// <summary>Starts <c>citrine <paramref name="args"/></c>; returns it and the text after <paramref name="marker"/> on its first line that holds it.</summary>
    public static async Task<(CliProcess Process, string Address)> StartAsync(IEnumerable<string> args, string marker)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "citrine.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var child = new CliProcess(Process.Start(info)!);
        child.Process.ErrorDataReceived += (_, e) =>
        {
            lock (child._stderr)
            {
                child._stderr.AppendLine(e.Data);
            }
        };
        child.Process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await child.Process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    await child.Process.WaitForExitAsync(timeout.Token);
                    throw new InvalidOperationException($"citrine {string.Join(' ', args)} exited with code {child.Process.ExitCode} before printing '{marker}': {child.Errors}");
                }
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return (child, line[(at + marker.Length)..].Trim());
                }
            }
        }
        catch
        {
            child.KillQuietly();
            child.Process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL to the process tree (nothing of the process runs after it), if it still runs.</summary>
    public void KillQuietly()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

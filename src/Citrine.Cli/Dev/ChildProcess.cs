using System.Diagnostics;
using System.Text;

namespace Citrine.Cli.Dev;

/// <summary>Why a child process could not be brought up.</summary>
public sealed class ChildProcessException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A <c>citrine</c> sub-command running as its own process (the devnet node, the enclave), as
/// <c>citrine dev</c> runs them: started with this same assembly, ready once it prints its
/// ready line on stdout, its stderr kept for the error a failure reports. Kill is SIGKILL: no
/// shutdown code of the child runs, so a restart after it exercises the child's crash recovery.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int MaxErrorChars = 16 * 1024;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    /// <summary>The stdout line that said the child is ready (it names the bound address).</summary>
    public string ReadyLine { get; private set; } = "";

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The tail of what the child wrote to stderr.</summary>
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

    /// <summary>
    /// Starts <c>citrine <paramref name="arguments"/></c> and waits until a stdout line contains
    /// <paramref name="readyMarker"/>; refuses with the child's stderr when it exits first or
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(string name, IReadOnlyList<string> arguments, string readyMarker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentException.ThrowIfNullOrEmpty(readyMarker);
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(CliApp).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ChildProcessException($"{name}: the process did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ChildProcessException($"{name}: cannot start '{info.FileName}': {e.Message}", e);
        }
        var child = new ChildProcess(name, process);
        process.ErrorDataReceived += (_, e) => child.AppendError(e.Data);
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                if (line is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    throw new ChildProcessException($"{name} exited with code {process.ExitCode} before it was ready: {LastLines(child.Errors)}");
                }
                if (line.Contains(readyMarker, StringComparison.Ordinal))
                {
                    child.ReadyLine = line;
                    // Keep draining stdout so the child never blocks on a full pipe.
                    _ = DrainAsync(process.StandardOutput);
                    return child;
                }
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            KillQuietly(process);
            process.Dispose();
            throw new ChildProcessException($"{name} was not ready within {timeout.TotalSeconds:0} s: {LastLines(child.Errors)}", e);
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL (the whole tree), then wait for the exit.</summary>
    public void Kill()
    {
        KillQuietly(_process);
        _process.WaitForExit();
    }

    /// <summary>Asks the child to stop (SIGTERM), and kills it when it has not within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            // SIGTERM: the node and the enclave stop cleanly on it (PosixSignalRegistration).
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1): fall through to SIGKILL below.
        }
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        KillQuietly(_process);
        _process.Dispose();
    }

    /// <summary>The dotnet host that runs this process (so the child uses the same runtime), or <c>dotnet</c> from PATH.</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    private void AppendError(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_stderr)
        {
            _stderr.AppendLine(line);
            if (_stderr.Length > MaxErrorChars)
            {
                _stderr.Remove(0, _stderr.Length - MaxErrorChars);
            }
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The child is gone.
        }
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(nothing on stderr)" : string.Join(" | ", lines[^Math.Min(5, lines.Length)..]);
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

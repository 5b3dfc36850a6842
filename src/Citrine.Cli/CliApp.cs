using System.CommandLine;
using System.Reflection;

namespace Citrine.Cli;

/// <summary>
/// The <c>citrine</c> command. Exit codes: 0 success, 1 a verification or authentication
/// failure, 2 bad arguments or unreadable input, 70 an internal error. Errors go to stderr as
/// one line; bad input never produces a stack trace.
/// </summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int InternalError = 70;

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Citrine: contracts that govern programs in trusted execution environments.");
        // The built-in --version reads the entry assembly, which is the test host under tests;
        // ours always reports this assembly's version.
        foreach (var builtIn in root.Options.OfType<VersionOption>().ToList())
        {
            root.Options.Remove(builtIn);
        }
        var version = new Option<bool>("--version") { Description = "Print the version and exit." };
        root.Options.Add(version);
        // Command groups: one line each, root.Add(Commands.XCommands.Create()); see Commands/.
        root.Add(Commands.HpkeCommands.Create());
        root.Add(Commands.AttestCommands.Create());
        root.Add(Commands.ProofCommands.Create());
        root.Add(Commands.LightCommands.Create());
        root.Add(Commands.SimulateCommands.Create());
        root.Add(Commands.DevnetCommands.Create());
        root.Add(Commands.TxCommands.Create());
        root.Add(Commands.QueryCommands.Create());
        root.Add(Commands.RegistryCommands.Create());
        root.Add(Commands.EnclaveCommands.Create(Commands.EnclaveApps.Create()));
        foreach (var command in Commands.SessionCommands.Create())
        {
            root.Add(command);
        }
        root.Add(Commands.DevCommands.Create());
        root.Add(Commands.TransfersCommands.Create());
        root.Add(Commands.NodeCommands.Create());
        // (group registrations go above this line)
        root.SetAction(parsed =>
        {
            if (parsed.GetValue(version))
            {
                parsed.InvocationConfiguration.Output.WriteLine(Version);
                return Ok;
            }
            parsed.InvocationConfiguration.Error.WriteLine("citrine: a command is required. Run 'citrine --help' for usage.");
            return BadInput;
        });
        // Each command group lives in Commands/<Group>Commands.cs and registers itself here.
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var root = BuildRoot();
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e)
        {
            error.WriteLine($"citrine: {e.Message}");
            return BadInput;
        }
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"citrine: {parseError.Message}");
            }
            error.WriteLine("Run 'citrine --help' for usage.");
            return BadInput;
        }
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return parsed.Invoke(config);
        }
        catch (Exception e) when (Unwrap(e) is CliInputException input)
        {
            error.WriteLine($"citrine: {input.Message}");
            return BadInput;
        }
        catch (Exception e) when (Unwrap(e) is CliFailureException failure)
        {
            error.WriteLine($"citrine: {failure.Message}");
            return Failed;
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            error.WriteLine($"citrine: internal error ({inner.GetType().Name}): {inner.Message}");
            return InternalError;
        }
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }
        return e;
    }
}

/// <summary>Bad arguments or unreadable input: exit code 2.</summary>
public sealed class CliInputException : Exception
{
    public CliInputException()
    {
    }

    public CliInputException(string message)
        : base(message)
    {
    }

    public CliInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A verification or authentication failure to report with exit code 1.</summary>
public sealed class CliFailureException : Exception
{
    public CliFailureException()
    {
    }

    public CliFailureException(string message)
        : base(message)
    {
    }

    public CliFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

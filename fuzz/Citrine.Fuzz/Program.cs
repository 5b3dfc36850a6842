using System.Reflection;
using Citrine.Fuzz;
using SharpFuzz;

// Usage:
//   Citrine.Fuzz list                       the targets
//   Citrine.Fuzz run TARGET                 libFuzzer mode (build with SharpFuzz instrumentation)
//   Citrine.Fuzz afl TARGET                 AFL out-of-process mode
//   Citrine.Fuzz replay TARGET FILE|DIR...  runs inputs once each (regression corpus)
//   Citrine.Fuzz seeds TARGET DIR           writes the target's built-in seeds (Seeds.cs) into DIR
//   Citrine.Fuzz mutate TARGET COUNT [FILE|DIR...]
//                                           no instrumentation: the seeds (built-in, or the files
//                                           given) and COUNT seeded random mutations of them, once
//                                           each; every distinct crash is printed with its input
var targets = typeof(FuzzTargetAttribute).Assembly.GetTypes()
    .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
    .Select(m => (Method: m, Attr: m.GetCustomAttribute<FuzzTargetAttribute>()))
    .Where(x => x.Attr is not null)
    .ToDictionary(x => x.Attr!.Name, x => new FuzzTarget(x.Method, x.Attr!.ExpectedExceptions), StringComparer.Ordinal);

if (args.Length == 0 || args[0] == "list")
{
    foreach (var name in targets.Keys.Order(StringComparer.Ordinal))
    {
        Console.WriteLine(name);
    }
    return 0;
}
if (args.Length < 2 || !targets.TryGetValue(args[1], out var target))
{
    Console.Error.WriteLine("usage: Citrine.Fuzz list | run TARGET | afl TARGET | replay TARGET PATH... | seeds TARGET DIR | mutate TARGET COUNT [PATH...]");
    return 2;
}
switch (args[0])
{
    case "run":
        Fuzzer.LibFuzzer.Run(span => target.Invoke(span));
        return 0;
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            target.Invoke(ms.ToArray());
        });
        return 0;
    case "replay":
        var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).ToList();
        foreach (var file in files)
        {
            target.Invoke(File.ReadAllBytes(file));
        }
        Console.WriteLine($"{files.Count} inputs replayed without a crash");
        return 0;
    case "seeds" when args.Length == 3:
        if (!Seeds.TryGet(args[1], out var builtIn))
        {
            Console.Error.WriteLine($"target '{args[1]}' has no built-in seeds");
            return 1;
        }
        Directory.CreateDirectory(args[2]);
        for (var i = 0; i < builtIn.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(args[2], $"builtin-{i:D3}"), builtIn[i]);
        }
        Console.WriteLine($"{builtIn.Count} seeds written to {args[2]}");
        return 0;
    case "mutate" when args.Length >= 3 && int.TryParse(args[2], System.Globalization.CultureInfo.InvariantCulture, out var count) && count >= 0:
        IReadOnlyList<byte[]> seeds = args.Length > 3
            ? [.. args.Skip(3).SelectMany(p => Directory.Exists(p) ? [.. Directory.GetFiles(p).Order(StringComparer.Ordinal)] : new[] { p }).Select(File.ReadAllBytes)]
            : Seeds.TryGet(args[1], out var own) ? own : [];
        if (seeds.Count == 0)
        {
            Console.Error.WriteLine($"no seeds for '{args[1]}': give files, or add built-in seeds in Seeds.cs");
            return 1;
        }
        return Mutation.Run(target, seeds, count);
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}

internal sealed class FuzzTarget(MethodInfo method, IReadOnlyList<Type> expected)
{
    private delegate void SpanTarget(ReadOnlySpan<byte> data);

    private readonly SpanTarget _call = method.CreateDelegate<SpanTarget>();

    /// <summary>Runs one input; false when the target rejected it with a documented exception.</summary>
    public bool Invoke(ReadOnlySpan<byte> data)
    {
        Refusal.Take();
        try
        {
            _call(data);
            return !Refusal.Take();
        }
        catch (Exception e) when (expected.Any(t => t.IsInstanceOfType(e)))
        {
            // A clean rejection of bad input.
            return false;
        }
    }
}

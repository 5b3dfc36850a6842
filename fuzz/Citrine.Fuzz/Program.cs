using System.Reflection;
using Citrine.Fuzz;
using SharpFuzz;

// Usage:
//   Citrine.Fuzz list                       the targets
//   Citrine.Fuzz run TARGET                 libFuzzer mode (build with SharpFuzz instrumentation)
//   Citrine.Fuzz afl TARGET                 AFL out-of-process mode
//   Citrine.Fuzz replay TARGET FILE|DIR...  runs inputs once each (regression corpus)
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
    Console.Error.WriteLine("usage: Citrine.Fuzz list | run TARGET | afl TARGET | replay TARGET PATH...");
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
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}

internal sealed class FuzzTarget(MethodInfo method, IReadOnlyList<Type> expected)
{
    private delegate void SpanTarget(ReadOnlySpan<byte> data);

    private readonly SpanTarget _call = method.CreateDelegate<SpanTarget>();

    public void Invoke(ReadOnlySpan<byte> data)
    {
        try
        {
            _call(data);
        }
        catch (Exception e) when (expected.Any(t => t.IsInstanceOfType(e)))
        {
            // A clean rejection of bad input.
        }
    }
}

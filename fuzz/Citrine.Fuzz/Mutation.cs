namespace Citrine.Fuzz;

/// <summary>
/// The <c>mutate</c> mode: a bounded, uninstrumented run of the seeds and seeded random mutations
/// of them (the operators of the test suites' mutation tests: bit flips, boundary bytes,
/// insertions, deletions, truncations, duplicated runs). It is a smoke test of a target where AFL
/// is not at hand, not a substitute for a coverage-guided campaign. Every distinct crash (exception
/// type and first product-code frame) is reported once, with the shortest input that produced it.
/// </summary>
internal static class Mutation
{
    /// <summary>Fixed, so a run can be repeated input for input.</summary>
    private const int RandomSeed = 20261123;

    public static int Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int count)
    {
        var crashes = new Dictionary<string, (byte[] Input, Exception Error, int Hits)>(StringComparer.Ordinal);
        int passed = 0, rejected = 0;
        foreach (var input in seeds.Concat(Citrine.Testing.ByteMutator.Mutate(seeds, RandomSeed, count)))
        {
            try
            {
                if (target.Invoke(input))
                {
                    passed++;
                }
                else
                {
                    rejected++;
                }
            }
            catch (Exception e)
            {
                // The first frame in product code names the site better than a framework frame would.
                var frames = (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
                var frame = frames.FirstOrDefault(l => l.StartsWith("at Citrine.", StringComparison.Ordinal) && !l.StartsWith("at Citrine.Fuzz.", StringComparison.Ordinal))
                    ?? frames.FirstOrDefault() ?? "?";
                var key = $"{e.GetType().FullName} {frame}";
                crashes[key] = crashes.TryGetValue(key, out var seen)
                    ? (seen.Input.Length <= input.Length ? seen.Input : input, seen.Input.Length <= input.Length ? seen.Error : e, seen.Hits + 1)
                    : (input, e, 1);
            }
        }
        var total = seeds.Count + count;
        var crashed = crashes.Values.Sum(c => c.Hits);
        Console.WriteLine($"{total} inputs ({seeds.Count} seeds + {count} mutations): {passed} accepted, {rejected} refused, {crashed} crashed ({crashes.Count} distinct)");
        foreach (var (key, (input, error, hits)) in crashes)
        {
            Console.WriteLine($"CRASH x{hits}: {key}");
            Console.WriteLine($"  input ({input.Length} bytes): {Convert.ToHexString(input)}");
            Console.WriteLine($"  {error.ToString().ReplaceLineEndings(Environment.NewLine + "  ")}");
        }
        return crashes.Count == 0 ? 0 : 1;
    }

}

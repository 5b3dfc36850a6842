namespace Citrine.Testing;

/// <summary>
/// Locates the shared test vectors. They live outside the repository: <c>$CITRINE_VECTORS</c>,
/// or <c>../shared/vectors</c> next to the repository root. Conformance tests discover their
/// cases from the files there and are reported as skipped (never passed) when they are absent.
/// </summary>
public static class Vectors
{
    public const string MissingCase = "<vectors folder missing>";

    private static readonly Lazy<string?> RootPath = new(FindRoot);

    /// <summary>The vectors folder, or null when it does not exist.</summary>
    public static string? Root => RootPath.Value;

    /// <summary>The absolute path of a file or folder below the vectors root, or null when absent.</summary>
    public static string? Find(string relative)
    {
        if (Root is null)
        {
            return null;
        }
        var path = Path.Combine(Root, relative);
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }

    /// <summary>Skips the current test when <paramref name="relative"/> is not present.</summary>
    public static string Require(string relative)
    {
        var path = Find(relative);
        Skip.If(path is null, $"test vectors not found: {relative} (set CITRINE_VECTORS)");
        return path!;
    }

    /// <summary>
    /// Theory data for a data-driven conformance test: the cases <paramref name="discover"/> finds
    /// below <paramref name="relative"/>, or one <see cref="MissingCase"/> row (which the test
    /// turns into a skip through <see cref="SkipIfMissing"/>) when the folder is absent.
    /// </summary>
    public static TheoryData<string> Cases(string relative, Func<string, IEnumerable<string>> discover)
    {
        var data = new TheoryData<string>();
        var path = Find(relative);
        if (path is null)
        {
            data.Add(MissingCase);
            return data;
        }
        foreach (var id in discover(path))
        {
            data.Add(id);
        }
        return data;
    }

    /// <summary>Skips a conformance case that stands for a missing vectors folder.</summary>
    public static void SkipIfMissing(string caseId) =>
        Skip.If(caseId == MissingCase, "test vectors not found (set CITRINE_VECTORS)");

    private static string? FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("CITRINE_VECTORS");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "vectors"));
                return Directory.Exists(candidate) ? candidate : null;
            }
        }
        return null;
    }
}

using System.Xml.Linq;

namespace Citrine.Architecture.Tests;

/// <summary>A project file and the names of the projects it references directly.</summary>
public sealed record ProjectNode(string Name, string RelativePath, IReadOnlyList<string> References);

/// <summary>A project file could not be read completely, so its references are not known.</summary>
public sealed class ProjectGraphException(string message) : Exception(message);

/// <summary>
/// The project-reference graph of a source tree, read from the project files themselves. A
/// reference can also come from a file the project imports (a contract project gets the SDK from
/// <c>eng/Contract.props</c>) or from a <c>Directory.Build.props</c>/<c>.targets</c> above it, so
/// both are followed. A path that cannot be resolved without evaluating MSBuild is an error: an
/// unread reference would let a forbidden dependency through.
/// </summary>
public static class ProjectGraph
{
    private const string ThisFileDirectory = "$(MSBuildThisFileDirectory)";

    /// <summary>Reads every <c>*.csproj</c> below <paramref name="folders"/> of <paramref name="root"/>.</summary>
    public static IReadOnlyDictionary<string, ProjectNode> Load(string root, params string[] folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        root = Path.GetFullPath(root);
        var nodes = new Dictionary<string, ProjectNode>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(directory, "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (IsBuildOutput(root, file))
                {
                    continue;
                }
                var node = Read(root, file);
                if (!nodes.TryAdd(node.Name, node))
                {
                    throw new ProjectGraphException(
                        $"two projects are named {node.Name}: {nodes[node.Name].RelativePath} and {node.RelativePath}");
                }
            }
        }
        return nodes;
    }

    /// <summary>Reads one project file and what it imports from inside <paramref name="root"/>.</summary>
    public static ProjectNode Read(string root, string projectFile)
    {
        root = Path.GetFullPath(root);
        projectFile = Path.GetFullPath(projectFile);
        var references = new SortedSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var implicitImport in DirectoryBuildFiles(root, projectFile))
        {
            Collect(root, implicitImport, references, visited);
        }
        Collect(root, projectFile, references, visited);
        return new ProjectNode(
            Path.GetFileNameWithoutExtension(projectFile),
            Path.GetRelativePath(root, projectFile).Replace('\\', '/'),
            [.. references]);
    }

    private static void Collect(string root, string file, SortedSet<string> references, HashSet<string> visited)
    {
        if (!visited.Add(file))
        {
            return;
        }
        XDocument document;
        try
        {
            document = XDocument.Load(file);
        }
        catch (System.Xml.XmlException e)
        {
            throw new ProjectGraphException($"{Path.GetRelativePath(root, file)} is not valid XML: {e.Message}");
        }
        var directory = Path.GetDirectoryName(file)!;
        foreach (var element in document.Descendants())
        {
            switch (element.Name.LocalName)
            {
                case "ProjectReference":
                    var target = Resolve(root, file, directory, element.Attribute("Include")?.Value, "ProjectReference");
                    references.Add(Path.GetFileNameWithoutExtension(target));
                    break;
                case "Import":
                    var imported = Resolve(root, file, directory, element.Attribute("Project")?.Value, "Import");
                    // Only the repository's own files can add project references; SDK imports cannot.
                    if (IsInside(root, imported))
                    {
                        if (!File.Exists(imported))
                        {
                            throw new ProjectGraphException(
                                $"{Path.GetRelativePath(root, file)} imports {Path.GetRelativePath(root, imported)}, which does not exist");
                        }
                        Collect(root, imported, references, visited);
                    }
                    break;
            }
        }
    }

    private static string Resolve(string root, string file, string directory, string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ProjectGraphException($"{Path.GetRelativePath(root, file)}: a {what} without a path");
        }
        var path = value.Replace(ThisFileDirectory, directory + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (path.Contains("$(", StringComparison.Ordinal) || path.Contains('*', StringComparison.Ordinal))
        {
            throw new ProjectGraphException(
                $"{Path.GetRelativePath(root, file)}: cannot resolve the {what} path '{value}' without evaluating MSBuild; write it as a relative path");
        }
        return Path.GetFullPath(Path.Combine(directory, path.Replace('\\', Path.DirectorySeparatorChar)));
    }

    // MSBuild imports the nearest Directory.Build.props/.targets above a project (which may import
    // the next one up itself); reading all of them inside the root is a superset, which is the
    // safe direction for a rule that forbids references.
    private static IEnumerable<string> DirectoryBuildFiles(string root, string projectFile)
    {
        for (var directory = Path.GetDirectoryName(projectFile); directory is not null && IsInside(root, directory); directory = Path.GetDirectoryName(directory))
        {
            foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    yield return candidate;
                }
            }
            if (string.Equals(directory.TrimEnd(Path.DirectorySeparatorChar), root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            {
                yield break;
            }
        }
    }

    private static bool IsInside(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.IsPathRooted(relative);
    }

    private static bool IsBuildOutput(string root, string file) =>
        Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules");
}

using System.Reflection;
using System.Reflection.Metadata;

namespace Citrine.Chain.Contracts;

/// <summary>
/// The API rules a contract is held to at registration, from its metadata alone (nothing is
/// loaded): the contract analyzer's banned list (<c>BannedSymbols.Contracts.txt</c>, embedded, so
/// the node enforces what the analyzer only advises), plus what would escape the sandbox or
/// metering: reflection and code loading, interop and raw memory, threads and tasks, the GC, and
/// finalizers (they run on the finalizer thread, unmetered, and an exception there ends the
/// process). Matching is on the referenced type's full name and member name, so it does not
/// depend on which framework assembly defines them.
/// </summary>
internal static class ContractApiRules
{
    private const string BannedListResource = "Citrine.Chain.Contracts.BannedSymbols.Contracts.txt";

    private static readonly (HashSet<string> Types, HashSet<string> Members, Dictionary<string, string> Reasons) Banned = ReadBannedList();

    // Whole namespaces (prefix match on "namespace."), with the exceptions below.
    private static readonly string[] ForbiddenNamespaces =
    [
        "System.Reflection", "System.Runtime.Loader", "System.Threading.Tasks", "System.Net", "System.IO.Pipes",
        "System.IO.MemoryMappedFiles", "System.IO.IsolatedStorage",
    ];

    private static readonly HashSet<string> ForbiddenTypes = new(StringComparer.Ordinal)
    {
        "System.Activator", "System.AppDomain", "System.GC", "System.Runtime.CompilerServices.Unsafe",
        "System.Runtime.InteropServices.Marshal", "System.Runtime.InteropServices.NativeMemory",
        "System.Runtime.InteropServices.GCHandle", "System.Runtime.InteropServices.NativeLibrary",
        "System.Threading.ThreadLocal`1", "System.Threading.CancellationTokenSource", "System.Threading.PeriodicTimer",
        "System.Diagnostics.Debugger", "System.IO.Path", "System.IO.DriveInfo", "System.IO.FileSystemWatcher",
        "System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute",
    };

    // System.Type: only what typeof(T), comparisons and names need; the rest is reflection.
    private static readonly HashSet<string> AllowedTypeMembers = new(StringComparer.Ordinal)
    {
        "GetTypeFromHandle", "op_Equality", "op_Inequality", "get_Name", "get_FullName", "get_Namespace", "ToString", "Equals",
    };

    /// <summary>Throws <see cref="ContractLoadException"/> (<see cref="ContractLoadError.ForbiddenApi"/>) for the first rule broken.</summary>
    public static void Check(MetadataReader reader, string assembly, string source)
    {
        foreach (var handle in reader.TypeReferences)
        {
            var name = FullName(reader, handle);
            if (Refusal(name) is { } why)
            {
                throw Forbidden(source, assembly, name, why);
            }
        }
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue; // members of generic instantiations: their TypeReference was checked above
            }
            var type = FullName(reader, (TypeReferenceHandle)member.Parent);
            var name = reader.GetString(member.Name);
            if (Banned.Members.Contains(type + "." + name))
            {
                throw Forbidden(source, assembly, type + "." + name, Banned.Reasons[type + "." + name]);
            }
            if (type == "System.Type" && !AllowedTypeMembers.Contains(name))
            {
                throw Forbidden(source, assembly, type + "." + name, "reflection is not available to contracts");
            }
        }
        foreach (var handle in reader.TypeDefinitions)
        {
            var definition = reader.GetTypeDefinition(handle);
            if (reader.StringComparer.Equals(definition.Name, "IgnoresAccessChecksToAttribute"))
            {
                throw Forbidden(source, assembly, reader.GetString(definition.Name), "it would let the contract reach non-public members of other assemblies");
            }
            foreach (var methodHandle in definition.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                if (reader.StringComparer.Equals(method.Name, "Finalize") && (method.Attributes & MethodAttributes.Virtual) != 0
                    && method.GetParameters().Count == 0)
                {
                    throw Forbidden(source, assembly, $"{reader.GetString(definition.Namespace)}.{reader.GetString(definition.Name)}.Finalize",
                        "finalizers run on the finalizer thread, unmetered, and an exception there ends the node");
                }
            }
        }
    }

    private static string? Refusal(string type)
    {
        if (Banned.Types.Contains(type))
        {
            return Banned.Reasons[type];
        }
        if (ForbiddenTypes.Contains(type))
        {
            return "it escapes the contract sandbox (reflection, raw memory, threads, the GC or the file system)";
        }
        foreach (var ns in ForbiddenNamespaces)
        {
            if (type.StartsWith(ns + ".", StringComparison.Ordinal))
            {
                // The compiler writes assembly attributes (AssemblyVersion, DefaultMember, ...) from System.Reflection.
                if (ns == "System.Reflection" && type.EndsWith("Attribute", StringComparison.Ordinal) && type.LastIndexOf('.') == "System.Reflection".Length)
                {
                    return null;
                }
                return $"the namespace {ns} is not available to contracts";
            }
        }
        return null;
    }

    private static ContractLoadException Forbidden(string source, string assembly, string api, string why) =>
        new(ContractLoadError.ForbiddenApi, $"{source}: assembly {assembly} uses {api}: {why}");

    /// <summary>Nesting deeper than this is not a real program (and a cycle in corrupted metadata must not recurse forever).</summary>
    private const int MaxNesting = 32;

    private static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        // A nested type's scope is its declaring type (ECMA-335 II.22.38): Outer+Inner is matched as Outer.Inner.
        var parts = new List<string>();
        var type = reader.GetTypeReference(handle);
        while (true)
        {
            parts.Add(reader.GetString(type.Name));
            if (type.ResolutionScope.Kind != HandleKind.TypeReference)
            {
                break;
            }
            if (parts.Count > MaxNesting)
            {
                throw new BadImageFormatException($"type reference nesting deeper than {MaxNesting} (or cyclic)");
            }
            type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
        }
        var ns = reader.GetString(type.Namespace);
        if (ns.Length > 0)
        {
            parts.Add(ns);
        }
        parts.Reverse();
        return string.Join('.', parts);
    }

    /// <summary>
    /// Reads the analyzer's list (lines <c>T:Type;reason</c>, <c>M:Type.Method;reason</c>,
    /// <c>P:Type.Property;reason</c> — a property bans its get_ and set_ accessors).
    /// </summary>
    private static (HashSet<string>, HashSet<string>, Dictionary<string, string>) ReadBannedList()
    {
        using var stream = typeof(ContractApiRules).Assembly.GetManifestResourceStream(BannedListResource)
            ?? throw new InvalidOperationException($"the embedded resource {BannedListResource} is missing");
        using var text = new StreamReader(stream);
        var types = new HashSet<string>(StringComparer.Ordinal);
        var members = new HashSet<string>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        while (text.ReadLine() is { } line)
        {
            if (line.Length < 3 || line[1] != ':')
            {
                continue;
            }
            var separator = line.IndexOf(';', StringComparison.Ordinal);
            var id = separator < 0 ? line[2..] : line[2..separator];
            var reason = separator < 0 ? "banned for contracts" : line[(separator + 1)..];
            switch (line[0])
            {
                case 'T':
                    types.Add(id);
                    reasons[id] = reason;
                    break;
                case 'M':
                    members.Add(id);
                    reasons[id] = reason;
                    break;
                case 'P':
                    var dot = id.LastIndexOf('.');
                    foreach (var accessor in new[] { "get_", "set_" })
                    {
                        var key = id[..(dot + 1)] + accessor + id[(dot + 1)..];
                        members.Add(key);
                        reasons[key] = reason;
                    }
                    break;
            }
        }
        return (types, members, reasons);
    }
}

namespace Citrine.Architecture.Tests;

/// <summary>
/// The dependency rules of DESIGN.md ("Components"), as data. Dependencies point one way:
/// Crypto ← Attestation, CometBft, Ics23 ← Store ← Chain; contracts see only the SDK (and the
/// session core, which sees only the SDK); the enclave never references Chain or Host; the host
/// talks to the chain over RPC and to the enclave over gRPC only; the CLI composes everything.
/// A project under a checked folder that has no rule is itself a violation, so a new library
/// has to be placed in the graph deliberately.
/// </summary>
public static class DependencyRules
{
    private const string Crypto = "Citrine.Crypto";
    private const string Attestation = "Citrine.Attestation";
    private const string CometBft = "Citrine.CometBft";
    private const string Ics23 = "Citrine.Ics23";
    private const string Store = "Citrine.Store";
    private const string Sdk = "Citrine.Contracts.Sdk";
    private const string Contracts = "Citrine.Contracts";
    private const string Chain = "Citrine.Chain";
    public const string Enclave = "Citrine.Enclave";
    private const string EnclaveProtocol = "Citrine.Enclave.Protocol";
    private const string Host = "Citrine.Host";
    private const string Cli = "Citrine.Cli";

    /// <summary>The folders whose projects ship in the product and are checked.</summary>
    public static readonly string[] CheckedFolders = ["src", "contracts", "examples"];

    /// <summary>Which Citrine projects each library may reference directly.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed =
        new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            [Crypto] = Set(),
            [Attestation] = Set(Crypto),
            [CometBft] = Set(Crypto),
            [Ics23] = Set(Crypto),
            [Store] = Set(Crypto, Attestation, CometBft, Ics23),
            [Sdk] = Set(),
            [Contracts] = Set(Sdk),
            [Chain] = Set(Crypto, Attestation, CometBft, Ics23, Store, Sdk, Contracts),
            // The gRPC wire types only: the enclave serves them, the host calls them.
            [EnclaveProtocol] = Set(),
            [Enclave] = Set(Crypto, Attestation, CometBft, Ics23, Sdk, Contracts, EnclaveProtocol),
            [Host] = Set(Crypto, Attestation, CometBft, Ics23, Sdk, Contracts, EnclaveProtocol),
        };

    /// <summary>Projects that may reference anything: they compose the system.</summary>
    public static readonly IReadOnlySet<string> CompositionRoots = Set(Cli);

    /// <summary>What a project that has the enclave runtime in it must never reach, by any path.</summary>
    public static readonly IReadOnlySet<string> ForbiddenInEnclave = Set(Chain, Host, Cli);

    /// <summary>What the host must never reach: it talks to both over the wire.</summary>
    public static readonly IReadOnlySet<string> ForbiddenInHost = Set(Chain, Enclave, Cli);

    /// <summary>Every broken rule in <paramref name="graph"/>, one sentence each; empty when it follows them all.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, ProjectNode> graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var violations = new List<string>();
        foreach (var node in graph.Values.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            if (CompositionRoots.Contains(node.Name))
            {
                continue;
            }
            if (Allowed.TryGetValue(node.Name, out var allowed))
            {
                foreach (var reference in node.References.Where(r => !allowed.Contains(r)))
                {
                    violations.Add($"{node.Name} ({node.RelativePath}) references {reference}, which DESIGN.md does not allow it");
                }
            }
            else if (IsContractProject(node))
            {
                foreach (var reference in node.References.Where(r => r is not Sdk and not Contracts))
                {
                    violations.Add($"contract {node.Name} ({node.RelativePath}) references {reference}; a contract may reference only {Sdk} and {Contracts}");
                }
            }
            else if (!IsAppProject(node))
            {
                violations.Add($"{node.Name} ({node.RelativePath}) has no dependency rule; add it to {nameof(DependencyRules)}");
                continue;
            }

            var paths = Reach(graph, node.Name);
            if (node.Name == Host || paths.ContainsKey(Host))
            {
                AddForbidden(violations, node, paths, ForbiddenInHost, "the host");
            }
            else if (IsHostSideAppProject(node))
            {
                AddForbidden(violations, node, paths, ForbiddenInHost, "an app's host-side web API");
            }
            if (node.Name == Enclave || paths.ContainsKey(Enclave))
            {
                AddForbidden(violations, node, paths, ForbiddenInEnclave, "a project with the enclave runtime in it");
            }
        }
        return violations;
    }

    private static void AddForbidden(
        List<string> violations, ProjectNode node, IReadOnlyDictionary<string, string> paths, IReadOnlySet<string> forbidden, string role)
    {
        foreach (var target in forbidden.Order(StringComparer.Ordinal))
        {
            if (paths.TryGetValue(target, out var path))
            {
                violations.Add($"{node.Name} is {role} and reaches {target} ({path})");
            }
        }
    }

    // Breadth first, so each reachable project is reported with a shortest path to it.
    private static Dictionary<string, string> Reach(IReadOnlyDictionary<string, ProjectNode> graph, string start)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal) { [start] = start };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var current))
        {
            if (!graph.TryGetValue(current, out var node))
            {
                continue;
            }
            foreach (var reference in node.References)
            {
                if (paths.TryAdd(reference, $"{paths[current]} → {reference}"))
                {
                    queue.Enqueue(reference);
                }
            }
        }
        paths.Remove(start);
        return paths;
    }

    // Contract assemblies run on every validator under the sandbox: the sample contracts and
    // an example app's contract project (examples/<App>/<Name>.Contract).
    private static bool IsContractProject(ProjectNode node) =>
        node.RelativePath.StartsWith("contracts/", StringComparison.Ordinal)
        || node.RelativePath.StartsWith("examples/", StringComparison.Ordinal) && node.Name.EndsWith(".Contract", StringComparison.Ordinal);

    // An app's web API (examples/<App>/<Name>.Web) runs in the host process and sees the chain only
    // through interfaces the host implements: held to the host's rule even when it does not reference the host.
    private static bool IsHostSideAppProject(ProjectNode node) =>
        node.RelativePath.StartsWith("examples/", StringComparison.Ordinal) && node.Name.EndsWith(".Web", StringComparison.Ordinal);

    // Other example projects (an app's enclave handler, its client) are checked by what they reach.
    private static bool IsAppProject(ProjectNode node) =>
        node.RelativePath.StartsWith("examples/", StringComparison.Ordinal);

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}

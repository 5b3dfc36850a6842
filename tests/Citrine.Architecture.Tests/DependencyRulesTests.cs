namespace Citrine.Architecture.Tests;

public sealed class DependencyRulesTests
{
    private static readonly Lazy<string> RepositoryRoot = new(FindRepositoryRoot);

    [Fact]
    public void Repository_projects_follow_the_dependency_rules_of_the_design()
    {
        var graph = ProjectGraph.Load(RepositoryRoot.Value, DependencyRules.CheckedFolders);

        var violations = DependencyRules.Violations(graph);

        Assert.True(violations.Count == 0, "dependency rules broken:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_repository_graph_is_read_from_the_real_project_files()
    {
        // Guards the test above against passing on an empty or misread graph.
        var graph = ProjectGraph.Load(RepositoryRoot.Value, DependencyRules.CheckedFolders);

        Assert.Contains("Citrine.Crypto", graph.Keys);
        Assert.Contains("Citrine.Cli", graph.Keys);
        Assert.Empty(graph["Citrine.Crypto"].References);
        Assert.Contains("Citrine.Store", graph["Citrine.Chain"].References);
        Assert.Contains("Citrine.Chain", graph["Citrine.Cli"].References);
        // The sample contract gets its only reference through eng/Contract.props.
        Assert.Equal(["Citrine.Contracts.Sdk"], graph["Citrine.Samples.Counter"].References);
    }

    [Fact]
    public void Enclave_referencing_the_chain_is_refused()
    {
        var graph = Graph(Src("Citrine.Crypto"), Src("Citrine.Chain", "Citrine.Crypto"), Src("Citrine.Enclave", "Citrine.Crypto", "Citrine.Chain"));

        var violations = DependencyRules.Violations(graph);

        Assert.Contains("Citrine.Enclave (src/Citrine.Enclave/Citrine.Enclave.csproj) references Citrine.Chain, which DESIGN.md does not allow it", violations);
        Assert.Contains("Citrine.Enclave is a project with the enclave runtime in it and reaches Citrine.Chain (Citrine.Enclave → Citrine.Chain)", violations);
    }

    [Fact]
    public void Enclave_referencing_the_host_is_refused()
    {
        var graph = Graph(Src("Citrine.Crypto"), Src("Citrine.Host", "Citrine.Crypto"), Src("Citrine.Enclave", "Citrine.Host"));

        var violations = DependencyRules.Violations(graph);

        Assert.Contains("Citrine.Enclave is a project with the enclave runtime in it and reaches Citrine.Host (Citrine.Enclave → Citrine.Host)", violations);
    }

    [Fact]
    public void Enclave_reaching_the_chain_through_another_library_is_refused()
    {
        // Each direct reference here breaks a rule too, but the transitive one is what must be named.
        var graph = Graph(Src("Citrine.Chain"), Src("Citrine.Contracts", "Citrine.Chain"), Src("Citrine.Enclave", "Citrine.Contracts"));

        var violations = DependencyRules.Violations(graph);

        Assert.Contains("Citrine.Enclave is a project with the enclave runtime in it and reaches Citrine.Chain (Citrine.Enclave → Citrine.Contracts → Citrine.Chain)", violations);
    }

    [Fact]
    public void App_enclave_project_that_pulls_in_the_chain_is_refused()
    {
        var graph = Graph(
            Src("Citrine.Chain"),
            Src("Citrine.Enclave"),
            At("examples/Transfers/Transfers.Enclave/Transfers.Enclave.csproj", "Citrine.Enclave", "Citrine.Chain"));

        var violations = DependencyRules.Violations(graph);

        Assert.Equal(["Transfers.Enclave is a project with the enclave runtime in it and reaches Citrine.Chain (Transfers.Enclave → Citrine.Chain)"], violations);
    }

    [Fact]
    public void App_web_api_that_reaches_the_chain_or_the_enclave_is_refused()
    {
        var graph = Graph(
            Src("Citrine.Chain"),
            Src("Citrine.Enclave"),
            Src("Citrine.Contracts"),
            At("examples/Transfers/Transfers.Enclave/Transfers.Enclave.csproj", "Citrine.Enclave"),
            At("examples/Transfers/Transfers.Web/Transfers.Web.csproj", "Citrine.Contracts", "Citrine.Chain", "Transfers.Enclave"));

        var violations = DependencyRules.Violations(graph);

        Assert.Contains("Transfers.Web is an app's host-side web API and reaches Citrine.Chain (Transfers.Web → Citrine.Chain)", violations);
        Assert.Contains("Transfers.Web is an app's host-side web API and reaches Citrine.Enclave (Transfers.Web → Transfers.Enclave → Citrine.Enclave)", violations);
    }

    [Fact]
    public void Host_referencing_the_enclave_runtime_is_refused()
    {
        var graph = Graph(Src("Citrine.Enclave"), Src("Citrine.Host", "Citrine.Enclave"));

        var violations = DependencyRules.Violations(graph);

        Assert.Contains("Citrine.Host is the host and reaches Citrine.Enclave (Citrine.Host → Citrine.Enclave)", violations);
    }

    [Fact]
    public void Lower_layer_referencing_a_higher_one_is_refused()
    {
        var graph = Graph(Src("Citrine.Store"), Src("Citrine.Ics23", "Citrine.Store"));

        var violations = DependencyRules.Violations(graph);

        Assert.Equal(["Citrine.Ics23 (src/Citrine.Ics23/Citrine.Ics23.csproj) references Citrine.Store, which DESIGN.md does not allow it"], violations);
    }

    [Fact]
    public void Contract_referencing_anything_but_the_sdk_is_refused()
    {
        var graph = Graph(Src("Citrine.Crypto"), At("contracts/Sample/Sample.csproj", "Citrine.Contracts.Sdk", "Citrine.Crypto"));

        var violations = DependencyRules.Violations(graph);

        Assert.Equal(["contract Sample (contracts/Sample/Sample.csproj) references Citrine.Crypto; a contract may reference only Citrine.Contracts.Sdk and Citrine.Contracts"], violations);
    }

    [Fact]
    public void Library_without_a_rule_is_refused()
    {
        var graph = Graph(Src("Citrine.Relay"));

        var violations = DependencyRules.Violations(graph);

        Assert.Equal(["Citrine.Relay (src/Citrine.Relay/Citrine.Relay.csproj) has no dependency rule; add it to DependencyRules"], violations);
    }

    [Fact]
    public void Composition_root_may_reference_everything()
    {
        var graph = Graph(Src("Citrine.Chain"), Src("Citrine.Enclave"), Src("Citrine.Host"), Src("Citrine.Cli", "Citrine.Chain", "Citrine.Enclave", "Citrine.Host"));

        Assert.Empty(DependencyRules.Violations(graph));
    }

    private static Dictionary<string, ProjectNode> Graph(params ProjectNode[] projects) =>
        projects.ToDictionary(p => p.Name, StringComparer.Ordinal);

    private static ProjectNode Src(string name, params string[] references) =>
        new(name, $"src/{name}/{name}.csproj", references);

    private static ProjectNode At(string path, params string[] references) =>
        new(Path.GetFileNameWithoutExtension(path), path, references);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Citrine.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Citrine.slnx not found above " + AppContext.BaseDirectory);
    }
}

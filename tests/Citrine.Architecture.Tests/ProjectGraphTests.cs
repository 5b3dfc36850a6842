namespace Citrine.Architecture.Tests;

public sealed class ProjectGraphTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("citrine-graph-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Read_follows_imports_and_directory_build_files_inside_the_root()
    {
        Write("Directory.Build.props", """<Project><ItemGroup><ProjectReference Include="src/Base/Base.csproj" /></ItemGroup></Project>""");
        Write("eng/Extra.props", """<Project><ItemGroup><ProjectReference Include="$(MSBuildThisFileDirectory)../src/Extra/Extra.csproj" /></ItemGroup></Project>""");
        var project = Write("src/App/App.csproj",
            """<Project Sdk="Microsoft.NET.Sdk"><Import Project="../../eng/Extra.props" /><ItemGroup><ProjectReference Include="..\Lib\Lib.csproj" /></ItemGroup></Project>""");

        var node = ProjectGraph.Read(_root, project);

        Assert.Equal("App", node.Name);
        Assert.Equal("src/App/App.csproj", node.RelativePath);
        Assert.Equal(["Base", "Extra", "Lib"], node.References);
    }

    [Fact]
    public void Read_refuses_a_reference_path_it_cannot_resolve()
    {
        var project = Write("src/App/App.csproj",
            """<Project><ItemGroup><ProjectReference Include="$(SomeRoot)/Lib/Lib.csproj" /></ItemGroup></Project>""");

        var e = Assert.Throws<ProjectGraphException>(() => ProjectGraph.Read(_root, project));

        Assert.Contains("cannot resolve the ProjectReference path '$(SomeRoot)/Lib/Lib.csproj'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_refuses_an_import_of_a_missing_repository_file()
    {
        var project = Write("src/App/App.csproj", """<Project><Import Project="../../eng/Gone.props" /></Project>""");

        var e = Assert.Throws<ProjectGraphException>(() => ProjectGraph.Read(_root, project));

        Assert.Contains("imports eng/Gone.props, which does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_skips_build_output_and_refuses_two_projects_of_one_name()
    {
        Write("src/A/obj/Copy.csproj", "<Project />");
        Write("src/A/A.csproj", "<Project />");
        Assert.Equal(["A"], ProjectGraph.Load(_root, "src").Keys);

        Write("src/B/A.csproj", "<Project />");
        var e = Assert.Throws<ProjectGraphException>(() => ProjectGraph.Load(_root, "src"));
        Assert.Equal("two projects are named A: src/A/A.csproj and src/B/A.csproj", e.Message);
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}

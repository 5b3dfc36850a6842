using System.Globalization;
using System.Text.RegularExpressions;
using Citrine.Enclave.Modes;

namespace Citrine.Enclave.Tests.Deploy;

/// <summary>
/// deploy/gramine/citrine-enclave.manifest.template rendered as gramine-manifest would render it
/// with deploy/gramine/build.sh's defaults (the template uses only plain <c>{{ var }}</c> forms,
/// so a substitution is the whole of Jinja it needs; an unknown variable fails, as Gramine's
/// StrictUndefined does), then checked for what an SGX build of a .NET enclave must have.
/// Gramine itself is not installed here: this checks the text, not a signed enclave.
/// </summary>
public sealed partial class GramineManifestTests
{
    private static readonly string Root = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Citrine.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Citrine.slnx not found above the test directory");
    }

    private static string Template => File.ReadAllText(Path.Combine(Root, "deploy", "gramine", "citrine-enclave.manifest.template"));

    private static string BuildScript => File.ReadAllText(Path.Combine(Root, "deploy", "gramine", "build.sh"));

    [GeneratedRegex(@"^: ""\$\{([A-Z_]+):=(.*)\}""$", RegexOptions.Multiline)]
    private static partial Regex DefaultPattern();

    [GeneratedRegex(@"-D([a-z_]+)=""\$([A-Z_]+)""")]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial Regex VariablePattern();

    /// <summary>The -D variables build.sh passes, with its defaults (and fixed stand-ins for the paths it discovers).</summary>
    private static Dictionary<string, string> BuildVariables()
    {
        var defaults = DefaultPattern().Matches(BuildScript).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        var discovered = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["OUT"] = "/build/artifacts/gramine",
            ["DOTNET_ROOT"] = "/usr/lib/dotnet",
            ["ARCH_LIBDIR"] = "/lib/x86_64-linux-gnu",
            ["SEALED_HOST_DIR"] = "/build/artifacts/gramine/sealed",
        };
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["gramine.libos"] = "/usr/lib/x86_64-linux-gnu/gramine/libsysdb.so",
            ["gramine_runtimedir"] = "/usr/lib/x86_64-linux-gnu/gramine/runtime/glibc",
            ["app_dir"] = "/app",
            ["app_host_dir"] = "/build/artifacts/gramine/app",
        };
        foreach (Match define in DefinePattern().Matches(BuildScript))
        {
            var source = define.Groups[2].Value;
            variables[define.Groups[1].Value] = discovered.TryGetValue(source, out var path) ? path
                : defaults.TryGetValue(source, out var value) ? value
                : throw new InvalidOperationException($"build.sh passes -D{define.Groups[1].Value} from ${source}, which has no default");
        }
        return variables;
    }

    private static string Render(string template, IReadOnlyDictionary<string, string> variables) =>
        VariablePattern().Replace(template, m => variables.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"'{m.Groups[1].Value}' is undefined (gramine-manifest would fail)"));

    private static string Rendered() => Render(Template, BuildVariables());

    /// <summary>The value text of a top-level <c>key = value</c> line (arrays: up to the closing bracket).</summary>
    private static string Value(string manifest, string key)
    {
        var match = Regex.Match(manifest, $@"^{Regex.Escape(key)} = (\[.*?^\]|.*?)$", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(match.Success, $"{key} is not set");
        return match.Groups[1].Value;
    }

    private static long Size(string text)
    {
        var unit = text[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L };
        return long.Parse(unit == 1 ? text : text[..^1], CultureInfo.InvariantCulture) * unit;
    }

    [Fact]
    public void Template_renders_with_the_variables_build_sh_passes_and_nothing_else()
    {
        var manifest = Rendered();
        Assert.DoesNotContain("{{", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("{%", manifest, StringComparison.Ordinal);
        var used = VariablePattern().Matches(Template).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var passed = BuildVariables().Keys.ToHashSet(StringComparer.Ordinal);
        Assert.Empty(passed.Except(used).Except(["gramine.libos", "gramine_runtimedir", "app_dir", "app_host_dir"]));
    }

    [Fact]
    public void Manifest_runs_dotnet_under_the_gramine_loader_with_a_fixed_command_line()
    {
        var manifest = Rendered();
        var variables = BuildVariables();
        Assert.Equal($"\"file:{variables["gramine.libos"]}\"", Value(manifest, "loader.entrypoint.uri"));
        Assert.Equal($"\"{variables["dotnet_root"]}/dotnet\"", Value(manifest, "libos.entrypoint"));
        var argv = Value(manifest, "loader.argv");
        Assert.Contains("\"/app/citrine.dll\", \"enclave\", \"start\", \"--mode\", \"gramine-sgx\"", argv, StringComparison.Ordinal);
        Assert.Contains($"\"--data\", \"{EnclaveModeOptions.DefaultSealedMountPath}/", argv, StringComparison.Ordinal);
        // The host must not choose the command line or the environment.
        var settings = string.Join('\n', manifest.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotContain("insecure__", settings, StringComparison.Ordinal);
        Assert.Equal("\"0\"", Value(manifest, "loader.env.DOTNET_EnableDiagnostics"));
    }

    [Fact]
    public void Manifest_asks_for_DCAP_refuses_debug_and_seals_under_MRENCLAVE()
    {
        var manifest = Rendered();
        Assert.Equal("\"dcap\"", Value(manifest, "sgx.remote_attestation"));
        Assert.Equal("false", Value(manifest, "sgx.debug"));
        Assert.Equal("\"strict\"", Value(manifest, "sgx.file_check_policy"));
        var mounts = Value(manifest, "fs.mounts");
        var sealedMount = mounts.Split('\n').Single(l => l.Contains($"path = \"{EnclaveModeOptions.DefaultSealedMountPath}\"", StringComparison.Ordinal));
        Assert.Contains("type = \"encrypted\"", sealedMount, StringComparison.Ordinal);
        Assert.Contains("key_name = \"_sgx_mrenclave\"", sealedMount, StringComparison.Ordinal);
    }

    [Fact]
    public void Trusted_files_cover_gramine_the_dotnet_runtime_and_the_published_app()
    {
        var manifest = Rendered();
        var variables = BuildVariables();
        var trusted = Value(manifest, "sgx.trusted_files");
        foreach (var required in new[]
        {
            $"\"file:{variables["gramine.libos"]}\"",
            $"\"file:{variables["gramine_runtimedir"]}/\"",
            $"\"file:{variables["dotnet_root"]}/\"",
            $"\"file:{variables["app_host_dir"]}/\"",
        })
        {
            Assert.Contains(required, trusted, StringComparison.Ordinal);
        }
        // The app is mounted from the very directory that is trusted, and nothing is merely allowed.
        Assert.Contains($"{{ path = \"/app\", uri = \"file:{variables["app_host_dir"]}\" }}", Value(manifest, "fs.mounts"), StringComparison.Ordinal);
        Assert.DoesNotContain("sgx.allowed_files", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Enclave_size_threads_and_heap_are_sane_for_dotnet()
    {
        var manifest = Rendered();
        var size = Size(Value(manifest, "sgx.enclave_size").Trim('"'));
        Assert.True(size >= 2L << 30, $"enclave size {size}: .NET reserves address space for the GC and JIT; at least 2 GiB");
        Assert.True((size & (size - 1)) == 0, $"enclave size {size} must be a power of two");
        var heap = Convert.ToInt64(Value(manifest, "loader.env.DOTNET_GCHeapHardLimit").Trim('"'), 16);
        Assert.InRange(heap, 256L << 20, size / 2);
        var threads = int.Parse(Value(manifest, "sgx.max_threads"), CultureInfo.InvariantCulture);
        Assert.InRange(threads, 32, 1024);
        Assert.Equal("false", Value(manifest, "sgx.edmm_enable"));
    }
}

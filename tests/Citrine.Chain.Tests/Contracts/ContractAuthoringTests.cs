using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.Rpc;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>
/// The authoring kit end to end: contract projects under <c>contracts/</c> import
/// <c>eng/Contract.props</c>; these tests build them with the real <c>dotnet build</c>.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ContractAuthoringTests : IDisposable
{
    private const string CounterType = "Citrine.Samples.Counter.CounterContract";
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-authoring-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Citrine.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Citrine.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Builds into <paramref name="artifacts"/> (bin/obj per project there, nothing in the repository).</summary>
    private static (int ExitCode, string Output) DotnetBuild(string project, string artifacts)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", project, "-c", "Release", "--artifacts-path", artifacts, "-nologo", "-clp:NoSummary", "-p:UseSharedCompilation=false" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet build did not finish in 5 minutes");
        return (process.ExitCode, stdout + stderr.Result);
    }

    [Fact]
    public void A_contract_project_using_the_clock_randomness_threads_or_files_fails_to_build_with_RS0030()
    {
        var (exitCode, output) = DotnetBuild(Path.Combine(RepoRoot(), "contracts/fixtures/BannedApis/BannedApis.csproj"), Path.Combine(_directory, "artifacts"));
        Assert.NotEqual(0, exitCode);
        foreach (var symbol in new[] { "'DateTime.Now'", "'Random'", "'Thread'", "'File'" })
        {
            Assert.Contains(output.Split('\n'), line => line.Contains("error RS0030", StringComparison.Ordinal) && line.Contains(symbol, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_sample_counter_contract_runs_from_genesis_and_its_state_is_proven_through_abci_query()
    {
        var artifacts = Path.Combine(_directory, "artifacts");
        var (exitCode, log) = DotnetBuild(Path.Combine(RepoRoot(), "contracts/Citrine.Samples.Counter/Citrine.Samples.Counter.csproj"), artifacts);
        Assert.True(exitCode == 0, log);
        var assemblyPath = Path.Combine(artifacts, "bin", "Citrine.Samples.Counter", "release", "Citrine.Samples.Counter.dll");
        AssertReferencesOnlyFrameworkAndSdk(assemblyPath);

        // Register the built assembly in a devnet genesis and open the node the way `devnet start` does.
        var home = new DevnetHome(Path.Combine(_directory, "home"));
        var seed = 0;
        var genesis = home.Initialize("citrine-e2e", 1, new Timestamp(1_750_000_000, 0), accounts: 1,
            random: span => span.Fill((byte)++seed));
        genesis = genesis with { Contracts = [new GenesisContract(CounterType, assemblyPath, Hashing.Sha256(File.ReadAllBytes(assemblyPath)))] };
        File.WriteAllBytes(home.GenesisPath, genesis.ToJson());
        var clock = new ManualNodeClock(new Timestamp(1_750_000_000, 0));
        using var node = ChainNode.Open(home, clock);
        var admin = home.LoadAccountKey(DevnetHome.AdminKeyName);
        var user = home.LoadAccountKey("user0");

        TxResult Run(AccountKey key, ulong accountNumber, ulong sequence, Msg msg)
        {
            var tx = Tx.Create([msg], "", key.PrivateKey, sequence, 2_000_000, "citrine-e2e", accountNumber);
            Assert.True(node.SubmitTx(tx.Encode()).Result.IsOk);
            clock.Advance(TimeSpan.FromMilliseconds(500));
            node.ProduceBlock();
            return node.GetResults(node.Height)!.TxResults[0];
        }

        var instantiated = Run(admin, 0, 0, new MsgInstantiate(admin.Address, CounterType, """{"count":41}"""u8.ToArray(), 0, "counter"));
        Assert.True(instantiated.IsOk, instantiated.Log);
        var contract = instantiated.Data;
        Assert.Contains(instantiated.Events, e => e.Type == "instantiate" && e.Attributes.Any(a => a.Key == "code_id" && a.Value.StartsWith(CounterType + "@", StringComparison.Ordinal)));

        var incremented = Run(user, 1, 0, new MsgExecute(user.Address, contract, """{"increment":{}}"""u8.ToArray(), 250));
        Assert.True(incremented.IsOk, incremented.Log);
        Assert.Equal("""{"count":42}""", System.Text.Encoding.UTF8.GetString(incremented.Data));
        Assert.Contains(incremented.Events, e => e.Type == "wasm" && e.Attributes.Any(a => a.Key == "deposit" && a.Value == "250"));

        var refused = Run(user, 1, 1, new MsgExecute(user.Address, contract, """{"reset":{"count":0}}"""u8.ToArray(), 0));
        Assert.Equal(ContractException.Code, refused.Code);
        Assert.Contains("only the owner", refused.Log, StringComparison.Ordinal);

        var rpc = new RpcHandler(node);
        var smart = Query(rpc, $"/wasm/smart/{Convert.ToHexString(contract)}", """{"get_count":{}}"""u8.ToArray(), prove: false);
        Assert.Equal(0, smart.GetProperty("code").GetInt32());
        var answer = JsonDocument.Parse(Convert.FromBase64String(smart.GetProperty("value").GetString()!)).RootElement;
        Assert.Equal(42UL, answer.GetProperty("count").GetUInt64());
        Assert.Equal(250UL, answer.GetProperty("deposited").GetUInt64());
        Assert.Equal(Convert.ToHexStringLower(admin.Address), answer.GetProperty("owner").GetString());

        // The count key, proven at the current height against the app hash in the next header.
        var key = ContractHost.StateKey(contract, "count"u8);
        var raw = Query(rpc, "/store/wasm/key", key, prove: true);
        var value = Convert.FromBase64String(raw.GetProperty("value").GetString()!);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 42], value);
        var height = long.Parse(raw.GetProperty("height").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        node.ProduceBlock();
        var appHash = node.GetBlock(height + 1)!.Block.Header.AppHash;
        var ops = Ics23.Abci.ProofOps.ParseJson(System.Text.Encoding.UTF8.GetBytes(raw.GetRawText()));
        var verdict = Ics23.Abci.ProofOps.VerifyMembership(ops, appHash, ["wasm"u8.ToArray(), key], value);
        Assert.True(verdict.IsValid, verdict.ToString());
        value[7] ^= 1;
        Assert.False(Ics23.Abci.ProofOps.VerifyMembership(ops, appHash, ["wasm"u8.ToArray(), key], value).IsValid);
    }

    private static JsonElement Query(RpcHandler rpc, string path, byte[] data, bool prove)
    {
        using var request = JsonDocument.Parse($$"""{"path":"{{path}}","data":"{{Convert.ToHexString(data)}}","prove":{{(prove ? "true" : "false")}}}""");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            rpc.HandleAsync("abci_query", RpcParams.FromJson(request.RootElement), writer, CancellationToken.None).GetAwaiter().GetResult();
        }
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.GetProperty("response").Clone();
    }

    private static void AssertReferencesOnlyFrameworkAndSdk(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var reader = pe.GetMetadataReader();
        var references = reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).ToList();
        Assert.Contains(typeof(IContract).Assembly.GetName().Name, references);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, typeof(IContract).Assembly.GetName().Name + ".dll")),
            "the SDK must not be copied next to the contract: the node supplies its own copy");
    }
}

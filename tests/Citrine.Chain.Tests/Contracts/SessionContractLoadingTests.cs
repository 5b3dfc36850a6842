using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.Txs;
using Citrine.CometBft.Types;
using Citrine.Contracts.Session;
using Citrine.Crypto;

namespace Citrine.Chain.Tests.Contracts;

/// <summary>Builds <c>contracts/Citrine.Samples.Session</c> once with the real <c>dotnet build</c>.</summary>
public sealed class SessionSampleBuild : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-session-sample-").FullName;

    public SessionSampleBuild()
    {
        var root = RepoRoot();
        var artifacts = Path.Combine(_directory, "artifacts");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "build", Path.Combine(root, "contracts/Citrine.Samples.Session/Citrine.Samples.Session.csproj"), "-c", "Release",
                "--artifacts-path", artifacts, "-nologo", "-clp:NoSummary", "-p:UseSharedCompilation=false",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException("building the session sample failed:\n" + stdout + stderr.Result);
        }
        var output = Path.Combine(artifacts, "bin", "Citrine.Samples.Session", "release");
        ContractPath = Path.Combine(output, "Citrine.Samples.Session.dll");
        LibraryPath = Path.Combine(output, "Citrine.Contracts.dll");
        Contract = File.ReadAllBytes(ContractPath);
        Library = File.ReadAllBytes(LibraryPath);
    }

    public string WorkDirectory => _directory;
    public string ContractPath { get; }
    public string LibraryPath { get; }
    public byte[] Contract { get; }
    public byte[] Library { get; }

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
}

/// <summary>
/// The node loads a contract that embeds the session core: Citrine.Contracts comes only from bytes
/// genesis pins, is held to the contract rules and metered, and the code id covers it.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SessionContractLoadingTests(SessionSampleBuild build) : IClassFixture<SessionSampleBuild>
{
    private const string SessionType = "Citrine.Samples.Session.SessionContract";

    private ContractLibraryImage Pinned(byte[]? bytes = null, byte[]? sha = null) =>
        new(bytes ?? build.Library, sha ?? Hashing.Sha256(build.Library), "Citrine.Contracts.dll");

    private ContractCode Load(params ContractLibraryImage[] libraries) =>
        ContractLoader.Load(SessionType, build.Contract, Hashing.Sha256(build.Contract), "session.dll", libraries);

    [Fact]
    public void The_session_sample_references_the_session_core_and_not_the_sdk_file()
    {
        Assert.Equal(["Citrine.Contracts"], ContractLoader.ReferencedLibraries(build.Contract));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(build.ContractPath)!, "Citrine.Contracts.Sdk.dll")),
            "the SDK must not be copied next to the contract: the node supplies its own copy");
    }

    [Fact]
    public void The_sample_loads_with_its_pinned_library_and_the_code_id_covers_the_library()
    {
        var code = Load(Pinned());
        var contractSha = Hashing.Sha256(build.Contract);
        Assert.Equal(contractSha, code.AssemblySha256);
        Assert.Equal(ContractLoader.CodeHash(contractSha, [("Citrine.Contracts", Hashing.Sha256(build.Library))]), code.CodeHash);
        Assert.NotEqual(contractSha, code.CodeHash);
        Assert.Equal($"{SessionType}@{Convert.ToHexStringLower(code.CodeHash)}", code.CodeId);

        // Another library build under the same contract bytes is another code id.
        var other = Hashing.Sha256([.. build.Library, 0]);
        Assert.NotEqual(code.CodeHash, ContractLoader.CodeHash(contractSha, [("Citrine.Contracts", other)]));
        Assert.IsAssignableFrom<IContract>(code.Factory());
    }

    [Fact]
    public void A_tampered_library_is_refused_with_hash_mismatch()
    {
        var tampered = (byte[])build.Library.Clone();
        tampered[tampered.Length / 2] ^= 1;
        var e = Assert.Throws<ContractLoadException>(() => Load(Pinned(tampered)));
        Assert.Equal(ContractLoadError.HashMismatch, e.Reason);
        Assert.Contains("Citrine.Contracts.dll", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_library_genesis_does_not_pin_is_refused()
    {
        var e = Assert.Throws<ContractLoadException>(() => Load());
        Assert.Equal(ContractLoadError.UnpinnedLibrary, e.Reason);
        Assert.Contains("'Citrine.Contracts'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_rules_apply_to_the_library()
    {
        var forbidden = new EmittedContract
        {
            AssemblyName = "Citrine.Contracts",
            ExecuteCalls = typeof(GC).GetMethod(nameof(GC.Collect), Type.EmptyTypes),
        }.Build();
        var e = Assert.Throws<ContractLoadException>(() => Load(new ContractLibraryImage(forbidden, Hashing.Sha256(forbidden), "evil/Citrine.Contracts.dll")));
        Assert.Equal(ContractLoadError.ForbiddenApi, e.Reason);
        Assert.Contains("evil/Citrine.Contracts.dll", e.Message, StringComparison.Ordinal);
        Assert.Contains("System.GC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_known_libraries_may_be_pinned_and_a_contract_may_not_take_their_name()
    {
        var stranger = new EmittedContract { AssemblyName = "Citrine.Other" }.Build();
        Assert.Equal(ContractLoadError.ForbiddenReference,
            Assert.Throws<ContractLoadException>(() => Load(Pinned(), new ContractLibraryImage(stranger, Hashing.Sha256(stranger), "other.dll"))).Reason);
        var impostor = new EmittedContract { AssemblyName = "Citrine.Contracts" }.Build();
        Assert.Equal(ContractLoadError.ReservedName,
            Assert.Throws<ContractLoadException>(() => ContractLoader.Load("Fixture.Contract", impostor, Hashing.Sha256(impostor), "impostor.dll")).Reason);
    }

    [Fact]
    public void The_library_runs_metered()
    {
        Load(Pinned());
        var libraries = AssemblyLoadContext.All
            .Where(c => c.Name == "contract:Citrine.Samples.Session")
            .SelectMany(c => c.Assemblies)
            .Where(a => a.GetName().Name == "Citrine.Contracts")
            .ToList();
        Assert.NotEmpty(libraries);
        foreach (var library in libraries)
        {
            var query = library.GetType("Citrine.Contracts.Session.SessionCore")!.GetMethod("Query")!;
            Assert.Contains(CalledMethods(query), m => m.DeclaringType?.FullName == typeof(ContractRuntime).FullName && m.Name == nameof(ContractRuntime.Enter));
        }
    }

    [Fact]
    public void Instantiate_through_the_node_reaches_the_session_core_and_is_refused_until_quotes_verify()
    {
        var home = new DevnetHome(Path.Combine(build.WorkDirectory, "home-" + Guid.NewGuid().ToString("N")));
        var seed = 0;
        var genesis = home.Initialize("citrine-e2e", 1, new Timestamp(1_750_000_000, 0), accounts: 0,
            random: span => span.Fill((byte)++seed), contracts: [DevnetHome.PinContract(SessionType, build.ContractPath)]);
        var pinned = Assert.Single(genesis.Contracts);
        Assert.Equal(Hashing.Sha256(build.Library), Assert.Single(pinned.Libraries).Sha256);
        Assert.Equal(pinned.Libraries, GenesisDoc.Parse(File.ReadAllBytes(home.GenesisPath)).Contracts[0].Libraries, new LibraryComparer());

        var clock = new ManualNodeClock(new Timestamp(1_750_000_000, 0));
        using var node = ChainNode.Open(home, clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        node.ProduceBlock();
        var admin = home.LoadAccountKey(DevnetHome.AdminKeyName);
        var config = SessionConfig.Write(
            [Measurement.Mock(new byte[32])],
            new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 3600 },
            new SessionTrustRoot
            {
                ChainId = "citrine-e2e", TrustedHeight = 1, TrustedHash = new byte[32], TrustingPeriodSeconds = 1_209_600,
                TrustThresholdNumerator = 1, TrustThresholdDenominator = 3, MaxClockDriftSeconds = 10, MaxBlockLag = 10,
            },
            []);
        var message = SessionMessages.Instantiate(config, [1, 2, 3]);
        var tx = Tx.Create([new MsgInstantiate(admin.Address, SessionType, message, 0, "session")], "", admin.PrivateKey, 0, 5_000_000, "citrine-e2e", 0);
        Assert.True(node.SubmitTx(tx.Encode()).Result.IsOk);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        node.ProduceBlock();
        var result = node.GetResults(node.Height)!.TxResults[0];
        Assert.Equal(ContractException.Code, result.Code);
        Assert.Contains("[QuoteRefused] AttestationModuleUnavailable", result.Log, StringComparison.Ordinal);
    }

    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] != 0x28) // call
            {
                continue;
            }
            MethodBase? called = null;
            try
            {
                called = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1));
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMethodException)
            {
                // Not a method token: a byte of some other instruction's operand.
            }
            if (called is not null)
            {
                yield return called;
            }
        }
    }

    private sealed class LibraryComparer : IEqualityComparer<GenesisLibrary>
    {
        public bool Equals(GenesisLibrary? x, GenesisLibrary? y) =>
            x is not null && y is not null && x.AssemblyPath == y.AssemblyPath && x.Sha256.AsSpan().SequenceEqual(y.Sha256);

        public int GetHashCode(GenesisLibrary obj) => obj.AssemblyPath.Length;
    }
}

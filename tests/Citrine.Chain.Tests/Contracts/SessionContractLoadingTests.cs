using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Contracts;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Chain.Node;
using Citrine.Chain.State;
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
    public void A_mock_mode_session_is_established_through_the_node_and_the_quote_check_is_real()
    {
        var home = new DevnetHome(Path.Combine(build.WorkDirectory, "home-" + Guid.NewGuid().ToString("N")));
        var seed = 0;
        const string chainId = "citrine-e2e";
        var genesis = home.Initialize(chainId, 1, new Timestamp(1_750_000_000, 0), accounts: 0,
            random: span => span.Fill((byte)++seed), contracts: [DevnetHome.PinContract(SessionType, build.ContractPath)]);
        var pinned = Assert.Single(genesis.Contracts);
        Assert.Equal(Hashing.Sha256(build.Library), Assert.Single(pinned.Libraries).Sha256);
        Assert.Equal(pinned.Libraries, GenesisDoc.Parse(File.ReadAllBytes(home.GenesisPath)).Contracts[0].Libraries, new LibraryComparer());

        var clock = new ManualNodeClock(new Timestamp(1_750_000_000, 0));
        using var node = ChainNode.Open(home, clock);
        var admin = home.LoadAccountKey(DevnetHome.AdminKeyName);
        ulong sequence = 0;
        TxResult Run(Msg msg)
        {
            var tx = Tx.Create([msg], "", admin.PrivateKey, sequence++, 5_000_000, chainId, 0);
            Assert.True(node.SubmitTx(tx.Encode()).Result.IsOk);
            clock.Advance(TimeSpan.FromMilliseconds(500));
            node.ProduceBlock();
            return node.GetResults(node.Height)!.TxResults[0];
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        node.ProduceBlock();

        var measurement = Enumerable.Repeat((byte)0x6D, 32).ToArray();
        var config = SessionConfig.Write(
            [Measurement.Mock(measurement)],
            new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 3600 },
            new SessionTrustRoot
            {
                ChainId = chainId, TrustedHeight = 1, TrustedHash = node.GetBlock(1)!.Block.Header.Hash(), TrustingPeriodSeconds = 1_209_600,
                TrustThresholdNumerator = 1, TrustThresholdDenominator = 3, MaxClockDriftSeconds = 10, MaxBlockLag = 10,
            },
            []);
        byte[] Quote(SessionMessageType type, byte[] contract, byte[] body) =>
            Citrine.Attestation.Attestors.MockEvidence.Encode(measurement, ReportData.Compute(type, chainId, contract, body, b => Hashing.Sha512(b)));

        // Evidence that binds other report data is refused by the session core, through the node.
        var forged = Run(new MsgInstantiate(admin.Address, SessionType, SessionMessages.Instantiate(config, Citrine.Attestation.Attestors.MockEvidence.Encode(measurement, new byte[64])), 0, "session"));
        Assert.Equal(ContractException.Code, forged.Code);
        Assert.Contains("[ReportDataMismatch]", forged.Log, StringComparison.Ordinal);

        var instantiated = Run(new MsgInstantiate(admin.Address, SessionType, SessionMessages.Instantiate(config, Quote(SessionMessageType.Instantiate, [], ReportData.InstantiateBody(config))), 0, "session"));
        Assert.True(instantiated.IsOk, instantiated.Log);
        var contract = instantiated.Data;
        Assert.Equal(20, contract.Length);

        var nonce = Enumerable.Repeat((byte)0xA5, 32).ToArray();
        var created = Run(new MsgExecute(admin.Address, contract, SessionMessages.SessionCreate(nonce, Quote(SessionMessageType.SessionCreate, contract, ReportData.SessionCreateBody(nonce))), 0));
        Assert.True(created.IsOk, created.Log);
        var createdHeight = node.Height;
        clock.Advance(TimeSpan.FromMilliseconds(500));
        node.ProduceBlock();

        var signingKey = Enumerable.Repeat((byte)0x11, 32).ToArray();
        var encryptionKey = Enumerable.Repeat((byte)0x22, 32).ToArray();
        var verified = (ulong)createdHeight + 1;
        var keys = Run(new MsgExecute(admin.Address, contract, SessionMessages.SessionSetPubKey(nonce, signingKey, encryptionKey, verified,
            Quote(SessionMessageType.SessionSetPubKey, contract, ReportData.KeysBody(nonce, signingKey, encryptionKey, verified))), 0));
        Assert.True(keys.IsOk, keys.Log);

        var (answer, _) = node.QueryContract(contract, SessionMessages.Query(SessionQuery.Session));
        var record = SessionMessages.ParseSessionAnswer(answer)!;
        Assert.Equal(SessionPhase.Established, record.Phase);
        Assert.Equal(signingKey, record.SigningKey);
        Assert.Equal(encryptionKey, record.EncryptionKey);
        Assert.Equal(verified, record.VerifiedHeight);
        // Each message pays for its quote check at the attestation module's fixed price, and more.
        Assert.All([instantiated, created, keys], r => Assert.True(r.GasUsed > GasCosts.QuoteVerifyFlat, $"gas used {r.GasUsed}"));
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

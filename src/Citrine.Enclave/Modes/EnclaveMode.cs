using System.Security.Cryptography;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Testing;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;

namespace Citrine.Enclave.Modes;

/// <summary>How the enclave process attests and seals (docs/enclave.md, "Modes").</summary>
public enum EnclaveMode
{
    /// <summary>INSECURE: mock evidence, a sealing key in a plain file. Development only.</summary>
    Mock,
    /// <summary>SIMULATION: genuine-format DCAP quotes under a local test PKI, a sealing key in a plain file.</summary>
    SimulatedDcap,
    /// <summary>SGX under Gramine: /dev/attestation quotes, Gramine's encrypted-files mount.</summary>
    GramineSgx,
    /// <summary>A TDX TD: configfs-tsm quotes, no sealing (a restart starts a new session).</summary>
    Tdx,
}

/// <summary>What a mode is built from; each mode reads only the options that concern it.</summary>
public sealed class EnclaveModeOptions
{
    public required EnclaveMode Mode { get; init; }

    /// <summary>The data directory. gramine-sgx: under <see cref="SealedMountPath"/>; tdx: its <c>tdx-volatile</c> subdirectory is cleared at each start.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>simulated-dcap: SGX (default) or TDX quotes.</summary>
    public TeeKind SimulatedTee { get; init; } = TeeKind.Sgx;

    /// <summary>simulated-dcap: the test PKI seed, as <c>citrine devnet init --attestation-root simulated --simulated-seed</c>.</summary>
    public string SimulatedSeed { get; init; } = DefaultSimulatedSeed;

    /// <summary>
    /// simulated-dcap: the clock the simulated collateral is built around. The process edge passes
    /// the system clock; the runtime itself never reads one.
    /// </summary>
    public TimeProvider? SimulatorClock { get; init; }

    /// <summary>mock: the 32-byte mock measurement; by default SHA-256 of the Citrine.Enclave assembly file.</summary>
    public ReadOnlyMemory<byte>? MockMeasurement { get; init; }

    /// <summary>gramine-sgx: the encrypted mount's path inside the enclave (deploy/gramine manifest: /sealed).</summary>
    public string SealedMountPath { get; init; } = DefaultSealedMountPath;

    /// <summary>gramine-sgx: Gramine's attestation pseudo-files.</summary>
    public string GramineAttestationDirectory { get; init; } = GramineAttestor.DefaultDirectory;

    /// <summary>tdx: the configfs-tsm report root.</summary>
    public string TsmReportRoot { get; init; } = ConfigFsTsmAttestor.DefaultReportRoot;

    public IRandomSource Random { get; init; } = SystemRandomSource.Instance;

    /// <summary>The app whose handler Execute runs (the same in every mode); null: Execute is refused NoApp.</summary>
    public Execution.IEnclaveApp? App { get; init; }

    public const string DefaultSimulatedSeed = "citrine-dev";
    public const string DefaultSealedMountPath = "/sealed";
}

/// <summary>
/// A mode made concrete: the runtime options (attestor, sealer, storage, measurement) and what
/// must be disposed with them.
/// </summary>
public sealed class EnclaveComposition : IDisposable
{
    private readonly List<IDisposable> _owned;

    internal EnclaveComposition(EnclaveRuntimeOptions runtimeOptions, List<IDisposable> owned)
    {
        RuntimeOptions = runtimeOptions;
        _owned = owned;
    }

    public EnclaveRuntimeOptions RuntimeOptions { get; }

    public void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }
        _owned.Clear();
    }
}

/// <summary>Names and builds the modes.</summary>
public static class EnclaveModes
{
    /// <summary>The subdirectory of the data directory that a tdx enclave uses, and clears at start.</summary>
    public const string TdxVolatileDirectory = "tdx-volatile";

    public static string Name(EnclaveMode mode) => mode switch
    {
        EnclaveMode.Mock => "mock",
        EnclaveMode.SimulatedDcap => "simulated-dcap",
        EnclaveMode.GramineSgx => "gramine-sgx",
        EnclaveMode.Tdx => "tdx",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not an enclave mode"),
    };

    public static bool TryParse(string? text, out EnclaveMode mode)
    {
        foreach (var candidate in Enum.GetValues<EnclaveMode>())
        {
            if (Name(candidate) == text)
            {
                mode = candidate;
                return true;
            }
        }
        mode = default;
        return false;
    }

    /// <summary>The mock measurement when none is configured: SHA-256 of the Citrine.Enclave assembly file.</summary>
    /// <exception cref="InvalidOperationException">the assembly has no file (single-file publish): configure the measurement.</exception>
    public static byte[] DefaultMockMeasurement()
    {
        var location = typeof(EnclaveRuntime).Assembly.Location;
        if (string.IsNullOrEmpty(location))
        {
            throw new InvalidOperationException("the Citrine.Enclave assembly has no file to measure (single-file publish); pass a mock measurement");
        }
        return SHA256.HashData(File.ReadAllBytes(location));
    }

    /// <summary>Builds the attestor, sealer and storage of <paramref name="options"/>.<see cref="EnclaveModeOptions.Mode"/>.</summary>
    /// <exception cref="ArgumentException">an option does not fit the mode.</exception>
    public static EnclaveComposition Compose(EnclaveModeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DataDirectory);
        var data = Path.GetFullPath(options.DataDirectory);
        var owned = new List<IDisposable>();
        try
        {
            var runtime = options.Mode switch
            {
                EnclaveMode.Mock => Mock(options, data, owned),
                EnclaveMode.SimulatedDcap => Simulated(options, data, owned),
                EnclaveMode.GramineSgx => Gramine(options, data),
                EnclaveMode.Tdx => Tdx(options, data, owned),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "not an enclave mode"),
            };
            return new EnclaveComposition(runtime, owned);
        }
        catch
        {
            foreach (var item in owned)
            {
                item.Dispose();
            }
            throw;
        }
    }

    private static EnclaveRuntimeOptions Mock(EnclaveModeOptions options, string data, List<IDisposable> owned)
    {
        var measurement = options.MockMeasurement?.ToArray() ?? DefaultMockMeasurement();
        if (measurement.Length != MockEvidence.MeasurementSize)
        {
            throw new ArgumentException($"the mock measurement must be {MockEvidence.MeasurementSize} bytes, got {measurement.Length}", nameof(options));
        }
        var sealer = InsecureFileSealer.OpenOrCreate(data);
        owned.Add(sealer);
        return new EnclaveRuntimeOptions
        {
            Attestor = new MockAttestor(measurement),
            Sealer = sealer,
            StorageDirectory = data,
            Random = options.Random,
            App = options.App,
            Mode = Name(EnclaveMode.Mock),
            Measurement = measurement,
        };
    }

    private static EnclaveRuntimeOptions Simulated(EnclaveModeOptions options, string data, List<IDisposable> owned)
    {
        var clock = options.SimulatorClock ?? throw new ArgumentException("simulated-dcap needs the clock the simulated collateral is built around", nameof(options));
        if (options.SimulatedTee is not (TeeKind.Sgx or TeeKind.Tdx))
        {
            throw new ArgumentException($"simulated-dcap produces SGX or TDX quotes, not {options.SimulatedTee}", nameof(options));
        }
        ArgumentException.ThrowIfNullOrEmpty(options.SimulatedSeed);
        var keys = TestPkiKeys.FromSeed(System.Text.Encoding.UTF8.GetBytes(options.SimulatedSeed));
        owned.Add(keys);
        var sealer = InsecureFileSealer.OpenOrCreate(data);
        owned.Add(sealer);
        // The simulator's default report body: the measurement a config must list for these quotes.
        var defaults = new SimulatedQuoteRequest { Now = DateTimeOffset.UnixEpoch };
        return new EnclaveRuntimeOptions
        {
            Attestor = new SimulatedDcapAttestor(new DcapSimulator(keys), options.SimulatedTee, clock.GetUtcNow),
            Sealer = sealer,
            StorageDirectory = data,
            Random = options.Random,
            App = options.App,
            Mode = Name(EnclaveMode.SimulatedDcap),
            Measurement = options.SimulatedTee == TeeKind.Tdx ? defaults.MrTd : defaults.MrEnclave,
        };
    }

    private static EnclaveRuntimeOptions Gramine(EnclaveModeOptions options, string data)
    {
        var sealer = new EncryptedMountSealer(options.SealedMountPath, data);
        return new EnclaveRuntimeOptions
        {
            Attestor = new GramineAttestor(options.GramineAttestationDirectory),
            Sealer = sealer,
            StorageDirectory = data,
            Random = options.Random,
            App = options.App,
            Mode = Name(EnclaveMode.GramineSgx),
            Measurement = GramineMrEnclave(options.GramineAttestationDirectory),
        };
    }

    private static EnclaveRuntimeOptions Tdx(EnclaveModeOptions options, string data, List<IDisposable> owned)
    {
        // Nothing a previous TD sealed can be read (its key died with it): start from an empty directory.
        var volatileDirectory = Path.Combine(data, TdxVolatileDirectory);
        if (Directory.Exists(volatileDirectory))
        {
            Directory.Delete(volatileDirectory, recursive: true);
        }
        var sealer = new EphemeralSealer();
        owned.Add(sealer);
        return new EnclaveRuntimeOptions
        {
            Attestor = new ConfigFsTsmAttestor(options.TsmReportRoot),
            Sealer = sealer,
            StorageDirectory = volatileDirectory,
            Random = options.Random,
            App = options.App,
            Mode = Name(EnclaveMode.Tdx),
        };
    }

    /// <summary>MRENCLAVE from Gramine's <c>my_target_info</c> (an SGX TARGETINFO: MRENCLAVE is its first 32 bytes); empty when absent.</summary>
    private static byte[] GramineMrEnclave(string directory)
    {
        var path = Path.Combine(directory, "my_target_info");
        try
        {
            var info = File.ReadAllBytes(path);
            return info.Length >= 32 ? info[..32] : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

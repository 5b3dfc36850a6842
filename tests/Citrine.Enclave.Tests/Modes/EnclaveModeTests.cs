using System.Security.Cryptography;
using Citrine.Attestation.Attestors;
using Citrine.Enclave.Modes;
using Citrine.Enclave.Runtime;
using Citrine.Enclave.Sealing;
using Citrine.Enclave.Tests.Runtime;

namespace Citrine.Enclave.Tests.Modes;

/// <summary>A clock stopped at one instant: the process edge's clock, as the simulated mode is given it.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

public sealed class EnclaveModeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citrine-modes-").FullName;
    private readonly Devnet _chain = new();

    public EnclaveModeTests() => _chain.Produce(2);

    public void Dispose()
    {
        _chain.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<InstantiateResult> Instantiate(EnclaveComposition composition)
    {
        using var runtime = EnclaveRuntime.Open(composition.RuntimeOptions);
        var result = await runtime.InstantiateAsync(EnclaveRuntimeTests.Config(_chain, 2), _chain.Block(2));
        Assert.True(result.IsSuccess, result.ToString());
        return result.Value!;
    }

    [Fact]
    public void Mode_names_round_trip()
    {
        foreach (var mode in Enum.GetValues<EnclaveMode>())
        {
            Assert.True(EnclaveModes.TryParse(EnclaveModes.Name(mode), out var parsed));
            Assert.Equal(mode, parsed);
        }
        Assert.False(EnclaveModes.TryParse("sgx", out _));
    }

    [Fact]
    public async Task Mock_measures_the_enclave_assembly_and_seals_with_the_insecure_file_key()
    {
        using var composition = EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.Mock, DataDirectory = _directory });
        var expected = SHA256.HashData(File.ReadAllBytes(typeof(EnclaveRuntime).Assembly.Location));
        Assert.Equal(expected, composition.RuntimeOptions.Measurement.ToArray());
        Assert.IsType<InsecureFileSealer>(composition.RuntimeOptions.Sealer);
        var result = await Instantiate(composition);
        Assert.Equal(TeeKind.Mock, result.Evidence.Kind);
        Assert.Equal(MockEvidenceReason.None, MockEvidence.Verify(result.Evidence.Quote, true, expected, result.Evidence.ReportData));
    }

    [Fact]
    public void Mock_takes_a_configured_measurement_of_32_bytes_only()
    {
        using var composition = EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.Mock, DataDirectory = _directory, MockMeasurement = EnclaveRuntimeTests.MockMeasurement });
        Assert.Equal(EnclaveRuntimeTests.MockMeasurement, composition.RuntimeOptions.Measurement.ToArray());
        Assert.Throws<ArgumentException>(() => EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.Mock, DataDirectory = _directory, MockMeasurement = new byte[31] }));
    }

    [Theory]
    [InlineData(TeeKind.Sgx)]
    [InlineData(TeeKind.Tdx)]
    public async Task Simulated_DCAP_quotes_bind_the_report_data_for_the_chosen_TEE(TeeKind tee)
    {
        using var composition = EnclaveModes.Compose(new EnclaveModeOptions
        {
            Mode = EnclaveMode.SimulatedDcap,
            DataDirectory = _directory,
            SimulatedTee = tee,
            SimulatorClock = new FixedTimeProvider(Devnet.GenesisTime.ToDateTimeOffset()),
        });
        var result = await Instantiate(composition);
        Assert.Equal(tee, result.Evidence.Kind);
        Assert.Equal("simulated-dcap", result.Evidence.Source);
        Assert.NotNull(result.Evidence.CollateralJson);
        Assert.Equal(tee == TeeKind.Tdx ? 48 : 32, composition.RuntimeOptions.Measurement.Length);
    }

    [Fact]
    public void Simulated_DCAP_needs_the_edge_clock() =>
        Assert.Throws<ArgumentException>(() => EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.SimulatedDcap, DataDirectory = _directory }));

    [Fact]
    public void Gramine_refuses_a_data_directory_outside_the_encrypted_mount()
    {
        var mount = Path.Combine(_directory, "sealed");
        Directory.CreateDirectory(mount);
        Assert.Throws<ArgumentException>(() => EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.GramineSgx, DataDirectory = Path.Combine(_directory, "elsewhere"), SealedMountPath = mount }));
        Assert.Throws<ArgumentException>(() => EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.GramineSgx, DataDirectory = mount + "-sibling", SealedMountPath = mount }));
        using var composition = EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.GramineSgx, DataDirectory = Path.Combine(mount, "enclave"), SealedMountPath = mount });
        var sealer = Assert.IsType<EncryptedMountSealer>(composition.RuntimeOptions.Sealer);
        Assert.False(sealer.IsInsecure);
        Assert.IsType<GramineAttestor>(composition.RuntimeOptions.Attestor);
    }

    [Fact]
    public void Gramine_sealer_binds_the_purpose()
    {
        var sealer = new EncryptedMountSealer(_directory, _directory);
        var blob = sealer.Seal("session-state", [1, 2, 3]);
        Assert.True(sealer.TryUnseal("session-state", blob, out var plaintext, out _, out _));
        Assert.Equal([1, 2, 3], plaintext);
        Assert.False(sealer.TryUnseal("light-client-state", blob, out _, out var reason, out _));
        Assert.Equal(UnsealError.AuthenticationFailed, reason);
        Assert.False(sealer.TryUnseal("session-state", blob.AsSpan(0, 5), out _, out reason, out _));
        Assert.Equal(UnsealError.Malformed, reason);
    }

    [Fact]
    public async Task A_restarted_TDX_enclave_starts_a_new_session()
    {
        // The TD's attestation device is absent here; the runtime seals before it attests, so the state exists.
        using (var first = EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.Tdx, DataDirectory = _directory, TsmReportRoot = Path.Combine(_directory, "no-tsm") }))
        {
            using var runtime = EnclaveRuntime.Open(first.RuntimeOptions);
            var result = await runtime.InstantiateAsync(EnclaveRuntimeTests.Config(_chain, 2), _chain.Block(2));
            Assert.Equal(EnclaveReason.AttestationFailed, result.Reason);
            Assert.Equal(EnclavePhase.Instantiated, runtime.Phase);
            Assert.False(runtime.Status().Insecure);
        }
        using var second = EnclaveModes.Compose(new EnclaveModeOptions { Mode = EnclaveMode.Tdx, DataDirectory = _directory, TsmReportRoot = Path.Combine(_directory, "no-tsm") });
        using var restarted = EnclaveRuntime.Open(second.RuntimeOptions);
        Assert.Equal(EnclavePhase.Uninitialised, restarted.Phase);
    }
}

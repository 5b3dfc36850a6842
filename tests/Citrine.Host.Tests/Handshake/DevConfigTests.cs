using Citrine.Contracts.Session;
using Citrine.Host.Handshake;
using Google.Protobuf;
using Wire = Citrine.Enclave.Protocol.V1;

namespace Citrine.Host.Tests.Handshake;

public sealed class DevConfigTests
{
    [Fact]
    public async Task Dev_config_trusts_the_nodes_latest_header_and_the_mock_enclaves_measurement()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce(4);
        var measurement = Enumerable.Repeat((byte)0x3C, 32).ToArray();
        var bytes = await DevConfig.BuildAsync(devnet.Client, new Wire.StatusResponse { Mode = "mock", Measurement = ByteString.CopyFrom(measurement) });

        var config = SessionConfig.Parse(bytes);
        Assert.Equal(devnet.ChainId, config.TrustRoot.ChainId);
        Assert.Equal(4, config.TrustRoot.TrustedHeight);
        Assert.Equal(devnet.Block(4).Header.Hash(), config.TrustRoot.TrustedHash);
        Assert.Equal((1UL, 3UL), (config.TrustRoot.TrustThresholdNumerator, config.TrustRoot.TrustThresholdDenominator));
        Assert.Equal(10u, config.TrustRoot.MaxBlockLag);
        Assert.True(config.Policy.AcceptMock);
        Assert.Equal(Measurement.Mock(measurement), Assert.Single(config.Measurements));
        // The enclave's trust root is the config's, so its first block is exactly the one named.
        Assert.True(Citrine.Enclave.LightClient.TrustedState.Initialise(devnet.Root(4), devnet.Block(4)).IsSuccess);
    }

    [Fact]
    public async Task Dev_config_for_a_real_tee_needs_the_measurement_from_a_quote()
    {
        await using var devnet = await Devnet.StartAsync();
        devnet.Produce();
        await Assert.ThrowsAsync<ArgumentException>(() => DevConfig.BuildAsync(devnet.Client, new Wire.StatusResponse { Mode = "gramine-sgx" }));
    }
}

using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Testing;

/// <summary>Serves a <see cref="SyntheticChain"/> as a provider, counting requests (for tests and benchmarks).</summary>
public sealed class SyntheticChainProvider(SyntheticChain chain, string id = "synthetic") : ILightBlockProvider
{
    private int _requests;

    public string Id { get; } = id;

    public int Requests => _requests;

    public Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chain);
        Interlocked.Increment(ref _requests);
        if (height > chain.LatestHeight || height < 0)
        {
            throw new ProviderException(ProviderErrorKind.NotFound, Id, $"no block at height {height}");
        }
        return Task.FromResult(chain.LightBlockAt(height == 0 ? chain.LatestHeight : height));
    }
}

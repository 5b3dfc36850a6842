using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.Host.Chain;

/// <summary>
/// The host's view of a CometBFT node over RPC. Every failure is a <see cref="ChainClientException"/>
/// with a <see cref="ChainErrorKind"/>; nothing returned here is trusted by the enclave, which
/// verifies it (light client, ICS23) before use.
/// </summary>
public interface IChainClient
{
    /// <summary>The node's RPC address.</summary>
    Uri Endpoint { get; }

    Task<NodeStatus> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary><c>abci_query</c> at <paramref name="height"/> (0: the node's latest committed height).</summary>
    Task<AbciQueryResult> AbciQueryAsync(string path, ReadOnlyMemory<byte> data, long height, bool prove, CancellationToken cancellationToken = default);

    /// <summary>The light block (signed header, validators, next validators) at <paramref name="height"/>.</summary>
    Task<LightBlock> LightBlockAsync(long height, CancellationToken cancellationToken = default);

    /// <summary>The committed tx with this hash, or null when the node has not committed it.</summary>
    Task<CommittedTx?> TxAsync(ReadOnlyMemory<byte> hash, CancellationToken cancellationToken = default);

    /// <summary><c>tx_search</c> (ascending by height), page from 1.</summary>
    Task<TxSearchPage> TxSearchAsync(string query, int page, int perPage, CancellationToken cancellationToken = default);
}

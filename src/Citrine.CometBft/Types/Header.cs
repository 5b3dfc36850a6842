using Citrine.CometBft.Encoding;

namespace Citrine.CometBft.Types;

/// <summary>Block and app protocol versions (<c>tendermint.version.Consensus</c>).</summary>
public readonly record struct ConsensusVersion(ulong Block, ulong App);

/// <summary>
/// A CometBFT block header with every field (CometBFT spec, core/data_structures.md "Header").
/// Byte fields are raw bytes (hashes 32 bytes or empty, the proposer address 20 bytes).
/// </summary>
public sealed record Header
{
    /// <summary>The block protocol version this implementation speaks (CometBFT <c>version.BlockProtocol</c>).</summary>
    public const ulong BlockProtocol = 11;

    public required ConsensusVersion Version { get; init; }
    public required string ChainId { get; init; }
    public required long Height { get; init; }
    public required Timestamp Time { get; init; }
    public required BlockId LastBlockId { get; init; }
    public required byte[] LastCommitHash { get; init; }
    public required byte[] DataHash { get; init; }
    public required byte[] ValidatorsHash { get; init; }
    public required byte[] NextValidatorsHash { get; init; }
    public required byte[] ConsensusHash { get; init; }
    public required byte[] AppHash { get; init; }
    public required byte[] LastResultsHash { get; init; }
    public required byte[] EvidenceHash { get; init; }
    public required byte[] ProposerAddress { get; init; }

    /// <summary>The header hash: Merkle root over the 14 encoded fields (see <see cref="HeaderHasher"/>).</summary>
    public byte[] Hash() => HeaderHasher.Hash(this);
}

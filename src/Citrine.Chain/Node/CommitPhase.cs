namespace Citrine.Chain.Node;

/// <summary>The points of <see cref="ChainNode.ProduceBlock"/> that a <see cref="ICommitPhaseBarrier"/> sees, in order.</summary>
public enum CommitPhase
{
    /// <summary>Block H and its commit are stored; nothing of it is executed yet.</summary>
    BlockSaved,

    /// <summary>Block H is executed, its results stored, its state committed and indexed, the mempool rechecked; H is not visible yet.</summary>
    StateCommitted,
}

/// <summary>
/// A seam in block production: <see cref="ChainNode.ProduceBlock"/> calls it on the producing
/// thread at each <see cref="CommitPhase"/> of block H, outside the node lock and before H becomes
/// visible, so a test can hold the node between storing a block and publishing it and check what
/// every reader sees there. An exception thrown here stops the node as a failed commit would.
/// </summary>
public interface ICommitPhaseBarrier
{
    void Reached(CommitPhase phase, long height);
}

/// <summary>The latest height whose block, results, state and index are all committed, with its app hash and header time.</summary>
/// <param name="Height">0 before block 1.</param>
/// <param name="AppHash">The app hash after block <paramref name="Height"/> (the genesis state's before block 1): the one header Height + 1 carries.</param>
/// <param name="Time">The header time of <paramref name="Height"/>, the genesis time before block 1.</param>
public sealed record CommittedTip(long Height, ReadOnlyMemory<byte> AppHash, CometBft.Types.Timestamp Time);

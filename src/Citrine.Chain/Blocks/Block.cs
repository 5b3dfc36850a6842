using Citrine.CometBft.Types;

namespace Citrine.Chain.Blocks;

/// <summary>An event attribute (<c>abci.EventAttribute</c>); <c>index</c> marks it for tx_search/subscribe.</summary>
public sealed record EventAttr(string Key, string Value, bool Index = true);

/// <summary>An ABCI event: a type and its attributes (e.g. <c>transfer</c>, <c>wasm</c>).</summary>
public sealed record AbciEvent(string Type, IReadOnlyList<EventAttr> Attributes);

/// <summary>The result of executing one transaction (<c>abci.ExecTxResult</c>).</summary>
public sealed record TxResult(
    uint Code, byte[] Data, string Log, long GasWanted, long GasUsed, IReadOnlyList<AbciEvent> Events, string Codespace = "") : IDeterministicTxResult
{
    public bool IsOk => Code == 0;
}

/// <summary>A validator power change decided by a block (<c>abci.ValidatorUpdate</c>); power 0 removes it.</summary>
public sealed record ValidatorUpdate(byte[] PublicKey, long Power);

/// <summary>
/// A committed block as the node keeps it: the header, its transactions, the commit of the previous
/// block carried inside it (<c>last_commit</c>), and the commit that signed this block (the
/// "seen commit", which the next block carries as its last commit).
/// </summary>
public sealed record Block(BlockId BlockId, Header Header, IReadOnlyList<byte[]> Txs, Commit? LastCommit, Commit Commit)
{
    public long Height => Header.Height;
}

/// <summary>What executing a block produced: per-tx results, block events, validator updates, the app hash after it.</summary>
public sealed record BlockResults(long Height, IReadOnlyList<TxResult> TxResults, IReadOnlyList<ValidatorUpdate> ValidatorUpdates, byte[] AppHash);

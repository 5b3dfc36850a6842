using Citrine.Ics23.Abci;

namespace Citrine.Host.Chain;

/// <summary>
/// An <c>abci_query</c> answer. <see cref="Value"/> is null when the node answered <c>"value": null</c>
/// (the key is absent); <see cref="ProofOps"/> are innermost first, empty unless <c>prove</c> was asked.
/// </summary>
public sealed record AbciQueryResult(uint Code, string Codespace, string Log, long Height, byte[]? Value, IReadOnlyList<ProofOp> ProofOps)
{
    public bool IsOk => Code == 0;
}

/// <summary>One attribute of an ABCI event.</summary>
public sealed record ChainEventAttr(string Key, string Value, bool Index);

/// <summary>An ABCI event of a tx result (e.g. <c>wasm</c>, <c>instantiate</c>).</summary>
public sealed record ChainEvent(string Type, IReadOnlyList<ChainEventAttr> Attributes)
{
    /// <summary>The value of the first attribute named <paramref name="key"/>, or null.</summary>
    public string? Attribute(string key) => Attributes.FirstOrDefault(a => a.Key == key)?.Value;
}

/// <summary>A committed tx (the <c>tx</c> and <c>tx_search</c> ResultTx, or a <c>Tx</c> event).</summary>
public sealed record CommittedTx(
    string Hash, long Height, int Index, uint Code, string Codespace, string Log, byte[] Data, long GasUsed, IReadOnlyList<ChainEvent> Events)
{
    public bool IsOk => Code == 0;
}

/// <summary>One page of <c>tx_search</c>.</summary>
public sealed record TxSearchPage(IReadOnlyList<CommittedTx> Txs, int TotalCount);

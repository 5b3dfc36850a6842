using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Ics23.Abci;
using Citrine.Store.Multistore;

namespace Citrine.Chain.App;

/// <summary>
/// The committed state of a chain as queries see it: the devnet node and the ABCI application both
/// answer these, so <see cref="AppQuery"/> serves the same paths and proofs over either.
/// </summary>
public interface IChainQueries
{
    GenesisDoc Genesis { get; }

    /// <summary>True when contracts can be queried (a contract runtime is present).</summary>
    bool HasContracts { get; }

    /// <summary>
    /// Reads <paramref name="key"/> of <paramref name="store"/> as committed at <paramref name="height"/>
    /// (0 = the latest committed height), with ICS23 proof ops to the app hash committed at that
    /// height (the one header height + 1 carries) when <paramref name="prove"/>.
    /// </summary>
    /// <exception cref="Store.StoreException">the height is negative, not committed, or pruned; the store is unknown.</exception>
    StoreQueryResult QueryState(string store, ReadOnlySpan<byte> key, long height, bool prove);

    /// <summary>Runs <paramref name="read"/> against the latest committed state; returns its result and that height.</summary>
    (T Result, long Height) ReadCommitted<T>(Func<IStateReader, T> read);

    /// <summary>Runs a contract's read-only query against the latest committed state; returns its answer and that height.</summary>
    (byte[] Result, long Height) QueryContract(byte[] contract, byte[] message);
}

/// <summary>The answer to an <c>abci_query</c>: a failed query is an answer with a non-zero code, as CometBFT returns it.</summary>
public sealed record AppQueryResult(uint Code, string Log, byte[]? Value, long Height, IReadOnlyList<ProofOp>? ProofOps)
{
    public string Codespace => Code == 0 ? "" : TxCodes.Codespace;
}

/// <summary>
/// The <c>abci_query</c> paths (Cosmos conventions): <c>/store/&lt;name&gt;/key</c> reads a raw key
/// (with ICS23 proof ops when <c>prove</c>), <c>/attestation/registry</c> the registry's JSON view
/// (data = an optional 6-byte FMSPC), <c>/wasm/smart/&lt;hex address&gt;</c> a contract query
/// (data = the query message).
/// </summary>
public static class AppQuery
{
    /// <summary>Cosmos SDK <c>ErrInvalidHeight</c> (codespace sdk).</summary>
    public const uint InvalidHeight = 26;

    public static AppQueryResult Run(IChainQueries chain, string path, byte[] data, long height, bool prove)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        var parts = path.Split('/');
        if (parts.Length == 4 && parts[0].Length == 0 && parts[1] == "store" && parts[3] == "key" && ChainApp.StoreNames.Contains(parts[2]))
        {
            try
            {
                var result = chain.QueryState(parts[2], data, height, prove);
                return new AppQueryResult(TxCodes.Ok, "", result.Value, result.Version, result.ProofOps);
            }
            catch (Store.StoreException e)
            {
                return new AppQueryResult(InvalidHeight, e.Message, null, 0, null);
            }
        }
        if (parts.Length == 3 && parts[0].Length == 0 && parts[1] == "attestation" && parts[2] == "registry")
        {
            if (data.Length is not (0 or 6))
            {
                return new AppQueryResult(TxCodes.InvalidRequest, "data must be empty or a 6-byte FMSPC", null, 0, null);
            }
            var (value, version) = chain.ReadCommitted(state => Attestation.CollateralRegistry.ShowJson(state, chain.Genesis.Attestation, data.Length == 0 ? null : data));
            return new AppQueryResult(TxCodes.Ok, "", value, version, null);
        }
        if (parts.Length == 4 && parts[0].Length == 0 && parts[1] == "wasm" && parts[2] == "smart" && chain.HasContracts)
        {
            try
            {
                var (value, version) = chain.QueryContract(Convert.FromHexString(parts[3]), data);
                return new AppQueryResult(TxCodes.Ok, "", value, version, null);
            }
            catch (Exception e) when (e is FormatException or TxFailedException or ContractException or OutOfGasException)
            {
                return new AppQueryResult(e is ContractException ? ContractException.Code : TxCodes.InvalidRequest, e.Message, null, 0, null);
            }
        }
        return new AppQueryResult(TxCodes.UnknownRequest,
            $"unknown query path '{path}' (supported: /store/<{string.Join("|", ChainApp.StoreNames)}>/key, /attestation/registry, /wasm/smart/<hex address>)", null, 0, null);
    }
}

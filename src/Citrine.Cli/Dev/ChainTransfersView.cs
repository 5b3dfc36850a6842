using System.Buffers.Binary;
using Citrine.Chain.App;
using Citrine.Chain.Devnet;
using Citrine.Chain.Genesis;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Host.Chain;
using Citrine.Host.Enclave;
using Transfers.Web;

namespace Citrine.Cli.Dev;

/// <summary>
/// What the Transfers page reads, from the running system (docs/transfers.md, "The web API"): the
/// node's latest block, the contract's <c>session</c> and <c>queue</c> queries, the enclave's mode
/// from its status, the devnet home's user accounts with their bank balances, and responses through
/// the contract's <c>response</c> query. Read afresh on every call: the page polls, and the state is
/// the chain's.
/// </summary>
internal sealed class ChainTransfersView(IChainClient chain, IEnclaveClient enclave, GenesisDoc genesis, byte[] contract, IReadOnlyList<AccountKey> users) : ITransfersView
{
    private readonly string _smart = "/wasm/smart/" + Convert.ToHexString(contract);

    public async Task<TransfersSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        // The block first: the record read after it is at least as new, so "current" is never judged
        // against a block time later than the record the page shows.
        var status = await chain.StatusAsync(cancellationToken).ConfigureAwait(false);
        var session = SessionMessages.ParseSessionAnswer(await QueryAsync(SessionMessages.Query(SessionQuery.Session), cancellationToken).ConfigureAwait(false));
        var queue = ExecutionMessages.ParseQueueAnswer(await QueryAsync(ExecutionMessages.QueueQuery(), cancellationToken).ConfigureAwait(false));
        var enclaveStatus = await enclave.StatusAsync(cancellationToken).ConfigureAwait(false);
        return new TransfersSnapshot
        {
            ChainId = genesis.ChainId,
            Contract = contract,
            ContractDisplay = genesis.Bech32(contract),
            Height = status.LatestBlockHeight,
            BlockTimeUnixSeconds = status.LatestBlockTime.ToDateTimeOffset().ToUnixTimeSeconds(),
            Mode = enclaveStatus.Mode,
            Session = session,
            Queue = queue,
        };
    }

    public async Task<IReadOnlyList<DevAccount>> GetAccountsAsync(CancellationToken cancellationToken)
    {
        var accounts = new List<DevAccount>(users.Count);
        foreach (var user in users)
        {
            var balance = await chain.AbciQueryAsync($"/store/{ChainApp.BankStore}/key", user.Address, 0, prove: false, cancellationToken).ConfigureAwait(false);
            if (!balance.IsOk)
            {
                throw new ChainClientException(ChainErrorKind.Refused, "abci_query", $"the bank balance of {user.Name}: code {balance.Code} {balance.Log}");
            }
            accounts.Add(new DevAccount(user.Name, user.Address, genesis.Bech32(user.Address), balance.Value is { Length: 8 } v ? BinaryPrimitives.ReadUInt64BigEndian(v) : 0));
        }
        return accounts;
    }

    public async Task<OutputResponse?> GetResponseAsync(ulong seq, CancellationToken cancellationToken) =>
        ExecutionMessages.ParseResponseAnswer(await QueryAsync(ExecutionMessages.ResponseQuery(seq), cancellationToken).ConfigureAwait(false));

    private async Task<byte[]> QueryAsync(byte[] message, CancellationToken cancellationToken)
    {
        var answer = await chain.AbciQueryAsync(_smart, message, 0, prove: false, cancellationToken).ConfigureAwait(false);
        return answer.IsOk && answer.Value is { } value
            ? value
            : throw new ChainClientException(ChainErrorKind.Refused, "abci_query", $"{_smart} {System.Text.Encoding.UTF8.GetString(message)}: code {answer.Code} {answer.Log}");
    }
}

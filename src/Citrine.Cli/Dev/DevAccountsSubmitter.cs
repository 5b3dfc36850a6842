using Citrine.Chain.Devnet;
using Citrine.Host.Chain;
using Citrine.Host.Execution;
using Transfers.Web;

namespace Citrine.Cli.Dev;

/// <summary>
/// Sends the page's requests to the Transfers contract, each signed with the chosen devnet
/// account's own key (a <see cref="ChainTxClient"/> per account): the tx signer is the sender the
/// request's AAD binds, so a request sealed in the browser for one account opens only when that
/// account signs it. One request at a time per account, so two never sign at the same sequence.
/// </summary>
internal sealed class DevAccountsSubmitter : ITransfersSubmitter, IDisposable
{
    private readonly Dictionary<string, (ChainTxClient Tx, RequestClient Client, SemaphoreSlim Gate)> _accounts = new(StringComparer.Ordinal);

    public DevAccountsSubmitter(IChainClient chain, HttpClient http, string chainId, byte[] contract, IReadOnlyList<AccountKey> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        foreach (var user in users)
        {
            var tx = new ChainTxClient(http, user, chainId);
            _accounts.Add(Convert.ToHexStringLower(user.Address), (tx, new RequestClient(chain, tx, chainId, contract), new SemaphoreSlim(1, 1)));
        }
    }

    public async Task<SubmittedRequest> SubmitAsync(DevAccount account, byte[] message, ulong funds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (!_accounts.TryGetValue(Convert.ToHexStringLower(account.Address), out var signer))
        {
            throw new TransfersSubmitException($"no key for account {account.Name} ({account.Display}) in the dev home");
        }
        await signer.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var queued = await signer.Client.SubmitAsync(message, funds, cancellationToken).ConfigureAwait(false);
            return new SubmittedRequest(queued.Seq, queued.TxHash, queued.Height);
        }
        catch (RequestClientException e) when (e.Error is RequestClientError.ChainRefused or RequestClientError.TxRejected or RequestClientError.NoSequence)
        {
            throw new TransfersSubmitException(e.ChainLog ?? e.Message, e);
        }
        finally
        {
            signer.Gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var (tx, _, gate) in _accounts.Values)
        {
            tx.Dispose();
            gate.Dispose();
        }
    }
}

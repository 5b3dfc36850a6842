using Citrine.Host.Chain;

namespace Citrine.Host.Transactions;

/// <summary>
/// Lands one signed tx at most once (docs/host.md, "Handshake and resume"): its outcome is looked
/// up by hash first, and only the same signed bytes are (re-)broadcast, so the account sequence
/// they carry lets them land at most once. After a transport failure it looks again and re-sends,
/// a bounded number of times; a node that refuses the bytes before execution (a duplicate, a spent
/// sequence) gets one more look after the next block, because the tx may have just landed.
/// </summary>
internal sealed class TxLander(IChainClient chain, ITxSubmitter submitter, int transportRetries, Func<long, CancellationToken, Task> waitForHeight)
{
    /// <summary>The committed outcome of <paramref name="signed"/>; null when the node refuses it before execution and it is not on chain.</summary>
    public async Task<TxOutcome?> LandAsync(SignedTx signed, CancellationToken cancellationToken)
    {
        var hash = Convert.FromHexString(signed.Hash);
        for (var attempt = 0; ; attempt++)
        {
            if (await chain.TxAsync(hash, cancellationToken).ConfigureAwait(false) is { } committed)
            {
                return TxOutcome.From(committed);
            }
            try
            {
                return await submitter.BroadcastAsync(signed, cancellationToken).ConfigureAwait(false);
            }
            catch (TxSubmitException e) when (e.Kind == TxSubmitErrorKind.Rejected)
            {
                var latest = (await chain.StatusAsync(cancellationToken).ConfigureAwait(false)).LatestBlockHeight;
                await waitForHeight(latest + 1, cancellationToken).ConfigureAwait(false);
                return await chain.TxAsync(hash, cancellationToken).ConfigureAwait(false) is { } late ? TxOutcome.From(late) : null;
            }
            catch (TxSubmitException) when (attempt < transportRetries)
            {
                // Unreachable or not committed in time: the same bytes can land at most once, so look it up and send again.
            }
        }
    }
}

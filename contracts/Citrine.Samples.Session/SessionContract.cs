using Citrine.Chain.Contracts;
using Citrine.Contracts.Session;

namespace Citrine.Samples.Session;

/// <summary>
/// A contract that is the session core and nothing else (docs/session.md): instantiate with
/// <c>{"config":b64,"quote":b64}</c>, then the handshake and measurement messages, and the
/// <c>session</c>, <c>session_history</c> and <c>config</c> queries. An app contract does the same
/// and handles its own messages where <see cref="SessionCore.TryExecute"/> returns false.
/// </summary>
public sealed class SessionContract : IContract
{
    public void Instantiate(IContractContext context, byte[] message) => SessionCore.Instantiate(context, message);

    public byte[] Execute(IContractContext context, byte[] message) => SessionCore.Execute(context, message);

    public byte[] Query(IContractQueryContext context, byte[] message) => SessionCore.Query(context, message);
}

using Citrine.Chain.Contracts;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Tests.Execution;

/// <summary>
/// A minimal app contract composed as docs/execution.md intends: session messages to the session
/// core, <c>request</c> and <c>output</c> to the execution core, and one message of its own
/// (<c>{"ping":{}}</c> → <c>"pong"</c>) to show that the rest reaches the app.
/// </summary>
internal sealed class ExecutionTestApp(ExecutionOptions options) : IContract
{
    public void Instantiate(IContractContext context, byte[] message) => SessionCore.Instantiate(context, message);

    public byte[] Execute(IContractContext context, byte[] message)
    {
        if (SessionCore.TryExecute(context, message, out var result) || ExecutionCore.TryExecute(context, message, options, out result))
        {
            return result;
        }
        return message.AsSpan().SequenceEqual("{\"ping\":{}}"u8)
            ? "\"pong\""u8.ToArray()
            : throw new ArgumentException("the test app knows only ping");
    }

    public byte[] Query(IContractQueryContext context, byte[] message)
    {
        if (SessionCore.TryQuery(context, message, out var result) || ExecutionCore.TryQuery(context, message, out result))
        {
            return result;
        }
        return message.AsSpan().SequenceEqual("{\"ping\":{}}"u8)
            ? "\"pong\""u8.ToArray()
            : throw new ArgumentException("the test app knows only ping");
    }
}

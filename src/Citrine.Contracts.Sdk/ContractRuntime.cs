using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Citrine.Chain.Contracts;

/// <summary>
/// The metering hooks that the node writes into every contract method when it registers the
/// contract (see the node's <c>ContractMetering</c>); contract code never calls them itself, and
/// the node refuses an assembly that does. Each hook charges the gas of the transaction whose
/// contract call is running on this thread; outside such a call the hooks do nothing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ContractRuntime
{
    /// <summary>
    /// The deepest contract call chain allowed. A fixed number, not a stack probe, so every node
    /// fails the same transaction at the same point; 512 frames stay far inside the 1.5 MB
    /// default stack of a .NET secondary thread for ordinary frame sizes.
    /// </summary>
    public const int MaxCallDepth = 512;

    /// <summary>The gas a method entry costs.</summary>
    public const int EntryCost = 10;

    /// <summary>The gas the start of a catch, filter, finally or fault block costs.</summary>
    public const int HandlerCost = 1;

    [ThreadStatic]
    private static Call? _current;

    /// <summary>Method entry: charges <see cref="EntryCost"/>, deepens the call chain and returns the new depth.</summary>
    public static int Enter()
    {
        var call = _current;
        if (call is null)
        {
            return 0;
        }
        call.Gas.Consume(EntryCost, "contract method entry");
        if (call.Depth >= MaxCallDepth)
        {
            throw new InsufficientExecutionStackException($"contract call depth exceeded {MaxCallDepth}");
        }
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // A backstop, not the rule: where it fires depends on frame sizes and the thread's stack,
            // so it is reached only by what the depth bound does not cover (large stackalloc per
            // frame); failing here beats a stack overflow, which kills the node.
            throw new InsufficientExecutionStackException($"contract call stack exhausted at depth {call.Depth + 1}");
        }
        return ++call.Depth;
    }

    /// <summary>Before <c>ret</c> (and <c>jmp</c>): the method's frame is gone.</summary>
    public static void Exit()
    {
        var call = _current;
        if (call is not null && call.Depth > 0)
        {
            call.Depth--;
        }
    }

    /// <summary>Gas per byte of a new array (<c>newarr</c>), charged before the array exists.</summary>
    public const int AllocationGasPerByte = 1;

    /// <summary>
    /// Before every <c>newarr</c>: charges <paramref name="length"/> × <paramref name="elementSize"/>
    /// bytes (a negative length is the runtime's OverflowException, not a charge), so a contract
    /// cannot allocate more memory than its gas buys. Element sizes are fixed per element type by
    /// the rewriter, so the charge is deterministic.
    /// </summary>
    public static void ChargeAllocation(long length, int elementSize)
    {
        if (length > 0)
        {
            // At most 2^31 elements × 16 bytes: no overflow in 64 bits.
            _current?.Gas.Consume(length * elementSize * AllocationGasPerByte, "contract allocation");
        }
    }

    /// <summary>Before a backward branch: charges the instructions of the loop it closes.</summary>
    public static void Charge(int cost)
    {
        _current?.Gas.Consume(cost, "contract loop");
    }

    /// <summary>
    /// At the start of every exception handler: charges <see cref="HandlerCost"/> (so an exhausted
    /// meter throws again and a contract cannot swallow running out of gas) and resets the depth
    /// to the handling method's own, since the frames the exception unwound never reached their <c>ret</c>.
    /// </summary>
    public static void Handler(int depth)
    {
        var call = _current;
        if (call is null)
        {
            return;
        }
        call.Gas.Consume(HandlerCost, "contract exception handler");
        call.Depth = depth;
    }

    /// <summary>Installs <paramref name="gas"/> for a contract call on this thread; returns what to restore with <see cref="End"/>.</summary>
    internal static object? Begin(IContractGas gas)
    {
        ArgumentNullException.ThrowIfNull(gas);
        var previous = _current;
        _current = new Call(gas);
        return previous;
    }

    /// <summary>Ends the call begun by <see cref="Begin"/>.</summary>
    internal static void End(object? previous) => _current = (Call?)previous;

    private sealed class Call(IContractGas gas)
    {
        public IContractGas Gas { get; } = gas;
        public int Depth { get; set; }
    }
}

/// <summary>The gas meter of the running transaction, as the node hands it to <see cref="ContractRuntime"/>.</summary>
internal interface IContractGas
{
    /// <summary>Charges <paramref name="amount"/>; throws the node's out-of-gas exception when the limit is crossed (and on every charge after).</summary>
    void Consume(long amount, string descriptor);
}

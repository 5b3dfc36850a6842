namespace Citrine.Chain.State;

/// <summary>One committed version of a state store, read-only: what a query at that height sees, whatever the working state holds.</summary>
internal sealed class CommittedVersion(IStateStore state, long version) : IStateReader
{
    public byte[]? Read(string store, ReadOnlySpan<byte> key) => state.Query(store, key, version, prove: false).Value;
}

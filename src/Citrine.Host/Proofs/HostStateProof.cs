using Citrine.CometBft.Types;
using Citrine.Ics23.Abci;

namespace Citrine.Host.Proofs;

/// <summary>One key's <c>abci_query prove=true</c> answer: its value (null: absent) and the ops proving it, innermost first.</summary>
public sealed record KeyProof(byte[] Key, byte[]? Value, IReadOnlyList<ProofOp> ProofOps);

/// <summary>
/// Several keys of one store proven at the same height (docs/execution.md, "Proven inputs"): one
/// chain of light blocks from the enclave's trusted height up to header <c>QueryHeight + 1</c>,
/// ascending, and each key's answer at <c>QueryHeight</c>, in the order asked.
/// </summary>
public sealed record HostStateProof(IReadOnlyList<LightBlock> LightBlocks, long QueryHeight, string Store, IReadOnlyList<KeyProof> Keys)
{
    /// <summary>The answer for <paramref name="key"/>; throws when the proof does not cover it.</summary>
    public KeyProof For(ReadOnlySpan<byte> key)
    {
        foreach (var proven in Keys)
        {
            if (proven.Key.AsSpan().SequenceEqual(key))
            {
                return proven;
            }
        }
        throw new KeyNotFoundException($"the proof does not cover key {Convert.ToHexString(key)}");
    }
}

/// <summary>Where the execution relay gets multi-key proofs (the builder; a fake in tests).</summary>
public interface IStateProofSource
{
    Task<HostStateProof> BuildManyAsync(string store, IReadOnlyList<ReadOnlyMemory<byte>> keys, EnclaveTrust trust, long? queryHeight = null, CancellationToken cancellationToken = default);
}

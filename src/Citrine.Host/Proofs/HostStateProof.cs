using Citrine.CometBft.Types;
using Citrine.Ics23.Abci;
using Google.Protobuf;
using Wire = Citrine.Enclave.Protocol.V1;

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
    /// <summary>
    /// The enclave's <c>Execute</c> request: light blocks as <c>tendermint.types.LightBlock</c>
    /// protobuf with their next validator sets, and one entry per key in this proof's order (the
    /// caller orders the keys as docs/execution.md, "Proven inputs", lists them); an absent key's
    /// entry has no value.
    /// </summary>
    public Wire.ExecuteRequest ToExecuteRequest()
    {
        var request = new Wire.ExecuteRequest { QueryHeight = QueryHeight };
        foreach (var block in LightBlocks)
        {
            request.LightBlocks.Add(PublicationProofBuilder.ToWire(block));
        }
        foreach (var proven in Keys)
        {
            var entry = new Wire.ProvenEntry { Key = ByteString.CopyFrom(proven.Key) };
            if (proven.Value is not null)
            {
                entry.Value = ByteString.CopyFrom(proven.Value);
            }
            foreach (var op in proven.ProofOps)
            {
                entry.ProofOps.Add(new Wire.ProofOp { Type = op.Type, Key = ByteString.CopyFrom(op.Key.Span), Data = ByteString.CopyFrom(op.Data.Span) });
            }
            request.Entries.Add(entry);
        }
        return request;
    }

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

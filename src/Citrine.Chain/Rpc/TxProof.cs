using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Encoding;
using Citrine.Crypto;

namespace Citrine.Chain.Rpc;

/// <summary>
/// The Merkle proof that a tx is in a block's data (CometBFT types/tx.go <c>Txs.Proof</c>): the
/// leaves are the SHA-256 hashes of the txs, the root is the header's <c>data_hash</c>, and the
/// aunts (crypto/merkle/proof.go <c>FlattenAunts</c>) run from the leaf's sibling up to a child
/// of the root.
/// </summary>
public static class TxProof
{
    /// <summary>The aunts of item <paramref name="index"/> among <paramref name="items"/>, leaf side first.</summary>
    public static List<byte[]> Aunts(IReadOnlyList<byte[]> items, int index)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, items.Count);
        var aunts = new List<byte[]>();
        AddAunts(items, 0, items.Count, index, aunts);
        return aunts;
    }

    /// <summary>Writes <c>{"root_hash", "data", "proof": {"total", "index", "leaf_hash", "aunts"}}</c> for tx <paramref name="index"/>.</summary>
    public static void Write(Utf8JsonWriter w, IReadOnlyList<byte[]> txs, int index)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(txs);
        var leaves = txs.Select(t => Hashing.Sha256(t)).ToList();
        Span<byte> leafHash = stackalloc byte[32];
        Merkle.LeafHash(leaves[index], leafHash);
        w.WriteStartObject();
        w.WriteString("root_hash", Convert.ToHexString(Merkle.HashFromByteSlices(leaves)));
        w.WriteString("data", Convert.ToBase64String(txs[index]));
        w.WriteStartObject("proof");
        w.WriteString("total", txs.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteString("index", index.ToString(CultureInfo.InvariantCulture));
        w.WriteString("leaf_hash", Convert.ToBase64String(leafHash));
        w.WriteStartArray("aunts");
        foreach (var aunt in Aunts(leaves, index))
        {
            w.WriteStringValue(Convert.ToBase64String(aunt));
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void AddAunts(IReadOnlyList<byte[]> items, int start, int count, int index, List<byte[]> aunts)
    {
        if (count <= 1)
        {
            return;
        }
        var split = Merkle.SplitPoint(count);
        if (index < start + split)
        {
            AddAunts(items, start, split, index, aunts);
            aunts.Add(Merkle.HashFromByteSlices([.. items.Skip(start + split).Take(count - split)]));
        }
        else
        {
            AddAunts(items, start + split, count - split, index, aunts);
            aunts.Add(Merkle.HashFromByteSlices([.. items.Skip(start).Take(split)]));
        }
    }
}

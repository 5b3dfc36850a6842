using System.Security.Cryptography;
using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Tests;

/// <summary>
/// A CometBFT simple Merkle tree (RFC 6962 shape: split at the largest power of two below n),
/// built independently of the library so its proofs test the verifier from outside. Leaves are
/// key/value pairs encoded as the Tendermint ICS23 leaf: 0x00 || varint(len k) || k || varint(32) || sha256(v).
/// </summary>
internal sealed class SimpleMerkleTree
{
    private readonly byte[][] _keys;
    private readonly byte[][] _values;

    public SimpleMerkleTree(IEnumerable<(byte[] Key, byte[] Value)> items)
    {
        var sorted = items.OrderBy(i => i.Key, ByteComparer.Instance).ToArray();
        _keys = [.. sorted.Select(i => i.Key)];
        _values = [.. sorted.Select(i => i.Value)];
        Root = Hash(0, _keys.Length);
    }

    public static LeafOp Leaf { get; } = new() { Hash = HashOp.Sha256, PrehashValue = HashOp.Sha256, Length = LengthOp.VarProto, Prefix = new byte[] { 0 } };

    public byte[] Root { get; }

    public int Count => _keys.Length;

    public byte[] Key(int i) => _keys[i];

    public byte[] Value(int i) => _values[i];

    public ExistenceProof Prove(int index)
    {
        var path = new List<InnerOp>();
        Collect(0, _keys.Length, index, path);
        path.Reverse();
        return new ExistenceProof { Key = _keys[index], Value = _values[index], Leaf = Leaf, Path = path };
    }

    private void Collect(int start, int count, int index, List<InnerOp> path)
    {
        if (count == 1)
        {
            return;
        }
        var split = SplitPoint(count);
        if (index < start + split)
        {
            path.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = new byte[] { 1 }, Suffix = Hash(start + split, count - split) });
            Collect(start, split, index, path);
        }
        else
        {
            path.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[1, .. Hash(start, split)] });
            Collect(start + split, count - split, index, path);
        }
    }

    private byte[] Hash(int start, int count)
    {
        if (count == 1)
        {
            var key = _keys[start];
            byte[] leaf = [0, .. Varint(key.Length), .. key, 32, .. SHA256.HashData(_values[start])];
            return SHA256.HashData(leaf);
        }
        var split = SplitPoint(count);
        return SHA256.HashData([1, .. Hash(start, split), .. Hash(start + split, count - split)]);
    }

    private static int SplitPoint(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }
        return k;
    }

    private static byte[] Varint(int value)
    {
        var result = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            result.Add((byte)(v | 0x80));
            v >>= 7;
        }
        result.Add((byte)v);
        return [.. result];
    }

    private sealed class ByteComparer : IComparer<byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

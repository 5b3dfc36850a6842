using System.Security.Cryptography;
using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Tests;

/// <summary>
/// A balanced IAVL-shaped tree built by the test (not by the library): node hash =
/// sha256(zz(height) zz(size) zz(version) || child data), leaves hash varint(len key) key
/// varint(32) sha256(value), inner nodes varint(32) left varint(32) right, where zz is a zig-zag
/// varint (the IAVL node hashing that the ICS23 IavlSpec describes).
/// </summary>
internal sealed class IavlTestTree
{
    private const int Version = 1;
    private readonly byte[][] _keys;
    private readonly byte[][] _values;
    private readonly Node _root;

    public IavlTestTree(IEnumerable<(byte[] Key, byte[] Value)> items)
    {
        var sorted = items.OrderBy(i => i.Key, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToArray();
        _keys = [.. sorted.Select(i => i.Key)];
        _values = [.. sorted.Select(i => i.Value)];
        _root = Build(0, _keys.Length);
    }

    public static LeafOp Leaf { get; } = new() { Hash = HashOp.Sha256, PrehashValue = HashOp.Sha256, Length = LengthOp.VarProto, Prefix = (byte[])[0, 2, .. ZigZag(Version)] };

    public byte[] Root => _root.Hash;

    public int Count => _keys.Length;

    public byte[] Key(int i) => _keys[i];

    public byte[] Value(int i) => _values[i];

    public ExistenceProof Prove(int index)
    {
        var path = new List<InnerOp>();
        var node = _root;
        while (node.Left is not null)
        {
            byte[] header = [.. ZigZag(node.Height), .. ZigZag(node.Size), .. ZigZag(Version)];
            if (index < node.Start + node.Left.Size)
            {
                path.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[.. header, 32], Suffix = (byte[])[32, .. node.Right!.Hash] });
                node = node.Left;
            }
            else
            {
                path.Add(new InnerOp { Hash = HashOp.Sha256, Prefix = (byte[])[.. header, 32, .. node.Left.Hash, 32] });
                node = node.Right!;
            }
        }
        path.Reverse();
        return new ExistenceProof { Key = _keys[index], Value = _values[index], Leaf = Leaf, Path = path };
    }

    private Node Build(int start, int count)
    {
        if (count == 1)
        {
            var key = _keys[start];
            byte[] leaf = [0, 2, .. ZigZag(Version), .. Uvarint(key.Length), .. key, 32, .. SHA256.HashData(_values[start])];
            return new Node(SHA256.HashData(leaf), 0, 1, start, null, null);
        }
        var leftCount = count / 2;
        var left = Build(start, leftCount);
        var right = Build(start + leftCount, count - leftCount);
        var height = Math.Max(left.Height, right.Height) + 1;
        byte[] inner = [.. ZigZag(height), .. ZigZag(count), .. ZigZag(Version), 32, .. left.Hash, 32, .. right.Hash];
        return new Node(SHA256.HashData(inner), height, count, start, left, right);
    }

    private static byte[] ZigZag(long v) => Uvarint((ulong)((v << 1) ^ (v >> 63)));

    private static byte[] Uvarint(long v) => Uvarint((ulong)v);

    private static byte[] Uvarint(ulong v)
    {
        var result = new List<byte>();
        while (v >= 0x80)
        {
            result.Add((byte)(v | 0x80));
            v >>= 7;
        }
        result.Add((byte)v);
        return [.. result];
    }

    private sealed record Node(byte[] Hash, int Height, int Size, int Start, Node? Left, Node? Right);
}

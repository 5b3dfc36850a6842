using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Store.Iavl;

/// <summary>
/// The on-disk record of a node (Citrine's own layout; only the hash is fixed by IAVL):
/// <code>
/// uvarint(height) || uvarint(size) || uvarint(len key) || key ||
///   leaf:  uvarint(len value) || value
///   inner: uvarint(left.version) || uvarint(left.nonce) || leftHash[32] || uvarint(left.height) || uvarint(left.size) ||
///          uvarint(right.version) || uvarint(right.nonce) || rightHash[32] || uvarint(right.height) || uvarint(right.size)
/// </code>
/// The node's own version is its id's version. Child hashes are stored so that a parent's hash can
/// be recomputed without loading its children, and checked against them when they are loaded.
/// </summary>
internal static class NodeCodec
{
    public static byte[] Encode(Node node)
    {
        var length = Varint.MaxLength * 3 + node.Key.Length;
        length += node.IsLeaf ? Varint.MaxLength + node.Value!.Length : 2 * ((4 * Varint.MaxLength) + IavlHashing.HashSize);
        var buffer = new byte[length];
        var span = buffer.AsSpan();
        var n = Varint.WriteUnsigned(span, (ulong)node.Height);
        n += Varint.WriteUnsigned(span[n..], (ulong)node.Size);
        n += WriteBytes(span[n..], node.Key);
        if (node.IsLeaf)
        {
            n += WriteBytes(span[n..], node.Value!);
        }
        else
        {
            n += WriteChild(span[n..], node.LeftId!.Value, node.LeftHash!, node.LeftHeight, node.LeftSize);
            n += WriteChild(span[n..], node.RightId!.Value, node.RightHash!, node.RightHeight, node.RightSize);
        }
        return buffer.AsSpan(0, n).ToArray();
    }

    /// <summary>Decodes a stored node and recomputes its hash. Throws <see cref="StoreException"/> (CorruptRecord).</summary>
    public static Node Decode(NodeKey id, ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data, id);
        var height = reader.ReadUnsigned("height", 255);
        var size = reader.ReadUnsigned("size", long.MaxValue);
        var key = reader.ReadBytes("key");
        Node node;
        if (height == 0)
        {
            var value = reader.ReadBytes("value");
            if (size != 1)
            {
                throw reader.Error("size", "a leaf must have size 1");
            }
            node = new Node { Key = key, Value = value, Height = 0, Size = 1, Version = id.Version, Id = id };
            node.Hash = IavlHashing.LeafHash(key, value, id.Version);
        }
        else
        {
            var leftId = reader.ReadId("left");
            var leftHash = reader.ReadHash("left hash");
            var leftHeight = reader.ReadUnsigned("left height", 254);
            var leftSize = reader.ReadUnsigned("left size", long.MaxValue);
            var rightId = reader.ReadId("right");
            var rightHash = reader.ReadHash("right hash");
            var rightHeight = reader.ReadUnsigned("right height", 254);
            var rightSize = reader.ReadUnsigned("right size", long.MaxValue);
            if (size < 2)
            {
                throw reader.Error("size", "an inner node must have size >= 2");
            }
            if (height != Math.Max(leftHeight, rightHeight) + 1 || size != leftSize + rightSize || leftSize == 0 || rightSize == 0)
            {
                throw reader.Error("children", "height or size disagrees with the children's");
            }
            node = new Node
            {
                Key = key,
                Height = (int)height,
                Size = (long)size,
                Version = id.Version,
                Id = id,
                LeftId = leftId,
                LeftHash = leftHash,
                RightId = rightId,
                RightHash = rightHash,
                LeftHeight = (int)leftHeight,
                LeftSize = (long)leftSize,
                RightHeight = (int)rightHeight,
                RightSize = (long)rightSize,
            };
            node.Hash = IavlHashing.InnerHash(node.Height, node.Size, id.Version, leftHash, rightHash);
        }
        reader.EnsureEnd();
        return node;
    }

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        var n = Varint.WriteUnsigned(destination, (ulong)bytes.Length);
        bytes.CopyTo(destination[n..]);
        return n + bytes.Length;
    }

    private static int WriteChild(Span<byte> destination, NodeKey id, byte[] hash, int height, long size)
    {
        var n = Varint.WriteUnsigned(destination, (ulong)id.Version);
        n += Varint.WriteUnsigned(destination[n..], id.Nonce);
        hash.CopyTo(destination[n..]);
        n += hash.Length;
        n += Varint.WriteUnsigned(destination[n..], (ulong)height);
        n += Varint.WriteUnsigned(destination[n..], (ulong)size);
        return n;
    }

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly NodeKey _id;
        private int _position;

        public Reader(ReadOnlySpan<byte> data, NodeKey id)
        {
            _data = data;
            _id = id;
            _position = 0;
        }

        public readonly StoreException Error(string field, string what) =>
            new(StoreError.CorruptRecord, $"node {_id}: {field} at offset {_position}: {what}");

        public ulong ReadUnsigned(string field, ulong max)
        {
            if (!Varint.TryReadUnsigned(_data[_position..], out var value, out var read))
            {
                throw Error(field, "truncated or overlong varint");
            }
            if (value > max)
            {
                throw Error(field, $"value {value} exceeds {max}");
            }
            _position += read;
            return value;
        }

        public byte[] ReadBytes(string field)
        {
            var length = ReadUnsigned(field + " length", int.MaxValue);
            if (length > (ulong)(_data.Length - _position))
            {
                throw Error(field, $"length {length} runs past the end of the record");
            }
            var bytes = _data.Slice(_position, (int)length).ToArray();
            _position += (int)length;
            return bytes;
        }

        public NodeKey ReadId(string field)
        {
            var version = ReadUnsigned(field + " version", long.MaxValue);
            var nonce = ReadUnsigned(field + " nonce", uint.MaxValue);
            return new NodeKey((long)version, (uint)nonce);
        }

        public byte[] ReadHash(string field)
        {
            if (IavlHashing.HashSize > _data.Length - _position)
            {
                throw Error(field, "truncated hash");
            }
            var hash = _data.Slice(_position, IavlHashing.HashSize).ToArray();
            _position += IavlHashing.HashSize;
            return hash;
        }

        public readonly void EnsureEnd()
        {
            if (_position != _data.Length)
            {
                throw Error("end", $"{_data.Length - _position} trailing bytes");
            }
        }
    }
}

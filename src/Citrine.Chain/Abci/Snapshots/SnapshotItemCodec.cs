using System.Text;
using TextEncoding = System.Text.Encoding;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Store.Snapshots;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// Format 1's byte stream (docs/abci.md, "State sync"): the multistore export's items, one after
/// another, then an end marker.
/// <code>
/// store: 0x01 || uvarint(len name) || name (UTF-8)
/// node:  0x02 || uvarint(height) || uvarint(version) || uvarint(len key) || key
///               [ height 0 only: uvarint(len value) || value ]
/// end:   0x00   (the stream's last byte)
/// </code>
/// </summary>
public static class SnapshotItemCodec
{
    public const uint Format = 1;

    internal const byte EndTag = 0x00;
    internal const byte StoreTag = 0x01;
    internal const byte NodeTag = 0x02;

    /// <summary>Longest key or store name the reader accepts.</summary>
    public const int MaxKeyLength = 1 << 16;

    /// <summary>Longest value the reader accepts.</summary>
    public const int MaxValueLength = 1 << 27;

    /// <summary>Writes <paramref name="items"/> and the end marker to <paramref name="output"/>.</summary>
    public static void Write(IEnumerable<SnapshotItem> items, Stream output)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> header = stackalloc byte[1 + (3 * Varint.MaxLength)];
        foreach (var item in items)
        {
            switch (item)
            {
                case SnapshotStoreItem store:
                {
                    var name = TextEncoding.UTF8.GetBytes(store.Name);
                    header[0] = StoreTag;
                    var n = 1 + Varint.WriteUnsigned(header[1..], (ulong)name.Length);
                    output.Write(header[..n]);
                    output.Write(name);
                    break;
                }
                case SnapshotNodeItem node:
                {
                    header[0] = NodeTag;
                    var n = 1 + Varint.WriteUnsigned(header[1..], (ulong)node.Height);
                    n += Varint.WriteUnsigned(header[n..], (ulong)node.Version);
                    n += Varint.WriteUnsigned(header[n..], (ulong)node.Key.Length);
                    output.Write(header[..n]);
                    output.Write(node.Key);
                    if (node.Height == 0)
                    {
                        var value = node.Value ?? throw new ArgumentException("a leaf item has no value", nameof(items));
                        output.Write(header[..Varint.WriteUnsigned(header, (ulong)value.Length)]);
                        output.Write(value);
                    }
                    break;
                }
                default:
                    throw new ArgumentException($"unknown item {item?.GetType().Name ?? "null"}", nameof(items));
            }
        }
        output.WriteByte(EndTag);
    }

    /// <summary>
    /// Reads items from <paramref name="input"/> as they are enumerated; throws
    /// <see cref="InvalidDataException"/> naming the offset and field of the first fault (unknown tag,
    /// bad varint, a length over its limit or past the end, a missing end marker, bytes after it).
    /// </summary>
    public static IEnumerable<SnapshotItem> Read(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ReadCore(new Reader(input));
    }

    private static IEnumerable<SnapshotItem> ReadCore(Reader reader)
    {
        while (true)
        {
            var tag = reader.ReadByte("tag");
            switch (tag)
            {
                case EndTag:
                    reader.EnsureEnd();
                    yield break;
                case StoreTag:
                {
                    var name = reader.ReadBytes("store name", MaxKeyLength);
                    string text;
                    try
                    {
                        text = new UTF8Encoding(false, true).GetString(name);
                    }
                    catch (DecoderFallbackException)
                    {
                        throw reader.Error("store name", "not UTF-8");
                    }
                    yield return new SnapshotStoreItem(text);
                    break;
                }
                case NodeTag:
                {
                    var height = (int)reader.ReadUnsigned("height", int.MaxValue);
                    var version = (long)reader.ReadUnsigned("version", long.MaxValue);
                    var key = reader.ReadBytes("key", MaxKeyLength);
                    var value = height == 0 ? reader.ReadBytes("value", MaxValueLength) : null;
                    yield return new SnapshotNodeItem(key, value, version, height);
                    break;
                }
                default:
                    throw reader.Error("tag", $"unknown item tag 0x{tag:x2}");
            }
        }
    }

    private sealed class Reader(Stream input)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private long _offset;

        public InvalidDataException Error(string field, string what) => new($"snapshot stream: {field} at offset {_offset}: {what}");

        public byte ReadByte(string field)
        {
            if (!Fill(1))
            {
                throw Error(field, "the stream ends without the end marker");
            }
            _offset++;
            return _buffer[_start++];
        }

        public ulong ReadUnsigned(string field, ulong max)
        {
            Fill(Varint.MaxLength);
            if (!Varint.TryReadUnsigned(_buffer.AsSpan(_start, _end - _start), out var value, out var read))
            {
                throw Error(field, "truncated or overlong varint");
            }
            if (value > max)
            {
                throw Error(field, $"{value} exceeds {max}");
            }
            _start += read;
            _offset += read;
            return value;
        }

        public byte[] ReadBytes(string field, int maxLength)
        {
            var length = (int)ReadUnsigned(field + " length", (ulong)maxLength);
            var result = new byte[length];
            var copied = 0;
            while (copied < length)
            {
                if (!Fill(1))
                {
                    throw Error(field, $"{length} bytes run past the end of the stream");
                }
                var n = Math.Min(length - copied, _end - _start);
                _buffer.AsSpan(_start, n).CopyTo(result.AsSpan(copied));
                _start += n;
                copied += n;
            }
            _offset += length;
            return result;
        }

        public void EnsureEnd()
        {
            if (Fill(1))
            {
                throw Error("end", "bytes follow the end marker");
            }
        }

        // Makes at least `wanted` bytes available when the stream has them; false when none is left.
        private bool Fill(int wanted)
        {
            if (_end - _start >= wanted)
            {
                return true;
            }
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            while (_end < wanted)
            {
                var n = input.Read(_buffer, _end, _buffer.Length - _end);
                if (n == 0)
                {
                    break;
                }
                _end += n;
            }
            return _end > _start;
        }
    }
}

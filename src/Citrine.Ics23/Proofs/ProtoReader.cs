namespace Citrine.Ics23.Proofs;

/// <summary>Protobuf wire types (protobuf encoding guide, "Message Structure").</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only reader of protobuf wire format over a span. Every read is bounds-checked and
/// fails with <see cref="Ics23FormatException"/> naming the message and the absolute offset.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private readonly string _message;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data, string message, int baseOffset = 0)
    {
        _data = data;
        _message = message;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public readonly bool End => _position >= _data.Length;

    /// <summary>Absolute offset (in the outermost input) of the next byte.</summary>
    public readonly int Offset => _baseOffset + _position;

    public (int Field, WireType Type) ReadTag()
    {
        var start = Offset;
        var tag = ReadVarint("tag");
        var field = tag >> 3;
        var type = (WireType)(tag & 7);
        if (field == 0 || field > 536_870_911)
        {
            throw Error($"invalid field number {field}", "tag", start);
        }
        if (type is WireType.StartGroup or WireType.EndGroup || (int)type > 5)
        {
            throw Error($"unsupported wire type {(int)type} for field {field}", "tag", start);
        }
        return ((int)field, type);
    }

    /// <summary>Reads a base-128 varint of at most 10 bytes that fits in 64 bits.</summary>
    public ulong ReadVarint(string field)
    {
        var start = Offset;
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Error("truncated varint", field, start);
            }
            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                throw Error("varint overflows 64 bits", field, start);
            }
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw Error("varint longer than 10 bytes", field, start);
    }

    /// <summary>A proto3 int32 (negative values are sign-extended to 10 bytes on the wire; truncation is the protobuf rule).</summary>
    public int ReadInt32(string field) => unchecked((int)ReadVarint(field));

    public bool ReadBool(string field) => ReadVarint(field) != 0;

    /// <summary>Reads a length-delimited payload; <paramref name="offset"/> is its absolute start.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited(string field, out int offset)
    {
        var start = Offset;
        var length = ReadVarint(field);
        if (length > (ulong)(_data.Length - _position))
        {
            throw Error($"length {length} exceeds the {_data.Length - _position} remaining bytes", field, start);
        }
        offset = Offset;
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public byte[] ReadBytes(string field) => ReadLengthDelimited(field, out _).ToArray();

    /// <summary>Skips an unknown field, as protobuf requires of readers.</summary>
    public void Skip(WireType type, string field)
    {
        var start = Offset;
        switch (type)
        {
            case WireType.Varint:
                ReadVarint(field);
                break;
            case WireType.Fixed64:
                Advance(8, field, start);
                break;
            case WireType.Fixed32:
                Advance(4, field, start);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited(field, out _);
                break;
            default:
                throw Error($"cannot skip wire type {(int)type}", field, start);
        }
    }

    /// <summary>Fails unless <paramref name="actual"/> is the wire type the schema gives <paramref name="field"/>.</summary>
    public readonly void Expect(WireType actual, WireType expected, string field)
    {
        if (actual != expected)
        {
            throw Error($"wire type {(int)actual} where {(int)expected} was expected", field, Offset);
        }
    }

    public readonly Ics23FormatException Error(string message, string field, int offset) =>
        new(message, $"{_message}.{field}", offset);

    private void Advance(int count, string field, int start)
    {
        if ((uint)count > (uint)(_data.Length - _position))
        {
            throw Error("truncated fixed-width field", field, start);
        }
        _position += count;
    }
}

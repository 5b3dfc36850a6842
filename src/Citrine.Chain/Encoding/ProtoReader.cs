namespace Citrine.Chain.Encoding;

/// <summary>A protobuf field could not be decoded: what was wrong and at which byte offset.</summary>
public sealed class ProtoDecodeException : Exception
{
    public ProtoDecodeException()
    {
    }

    public ProtoDecodeException(string message)
        : base(message)
    {
    }

    public ProtoDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProtoDecodeException(string what, int offset)
        : base($"{what} (at byte {offset})")
    {
        What = what;
        Offset = offset;
    }

    public string What { get; } = "";

    public int Offset { get; } = -1;
}

/// <summary>Protobuf wire types (protobuf encoding spec, "Message Structure").</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only protobuf reader over a span (protobuf encoding spec: tag = field &lt;&lt; 3 | wire
/// type, base-128 varints, length-delimited fields). Every bound is checked without overflow;
/// malformed input throws <see cref="ProtoDecodeException"/> with the offset.
/// </summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool End => _position >= _data.Length;

    public readonly int Position => _position;

    /// <summary>Reads the next tag; returns false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType wireType)
    {
        field = 0;
        wireType = WireType.Varint;
        if (End)
        {
            return false;
        }
        var start = _position;
        var tag = ReadVarint();
        if (tag >> 3 is 0 or > int.MaxValue)
        {
            throw new ProtoDecodeException($"invalid field number {tag >> 3}", start);
        }
        field = (int)(tag >> 3);
        var type = (int)(tag & 7);
        if (type is not (0 or 1 or 2 or 5))
        {
            throw new ProtoDecodeException($"unsupported wire type {type} for field {field}", start);
        }
        wireType = (WireType)type;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        var start = _position;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new ProtoDecodeException("truncated varint", start);
            }
            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                throw new ProtoDecodeException("varint overflows 64 bits", start);
            }
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new ProtoDecodeException("varint longer than 10 bytes", start);
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var start = _position;
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new ProtoDecodeException($"length {length} runs past the end of the message ({_data.Length - _position} bytes left)", start);
        }
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public string ReadString()
    {
        var start = _position;
        var bytes = ReadBytes();
        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new ProtoDecodeException("string field is not valid UTF-8", start);
        }
    }

    /// <summary>Skips a field of the given wire type (unknown fields are skipped, as protobuf requires).</summary>
    public void Skip(WireType wireType)
    {
        var start = _position;
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Advance(8, start);
                break;
            case WireType.Fixed32:
                Advance(4, start);
                break;
            default:
                ReadBytes();
                break;
        }
    }

    /// <summary>Throws unless the field has the expected wire type.</summary>
    public readonly void Expect(int field, WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new ProtoDecodeException($"field {field} has wire type {actual}, expected {expected}", _position);
        }
    }

    private void Advance(int count, int start)
    {
        if (count > _data.Length - _position)
        {
            throw new ProtoDecodeException("truncated fixed-width field", start);
        }
        _position += count;
    }
}

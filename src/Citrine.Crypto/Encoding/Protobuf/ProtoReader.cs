namespace Citrine.Crypto.Encoding.Protobuf;

/// <summary>
/// A forward-only reader of protobuf wire format over a span, returning slices of it. Every read is
/// bounds-checked without overflow and fails with <see cref="ProtoFormatException"/> naming the
/// field (<c>Message.field</c> when given a message name) and the absolute offset (a nested
/// reader is given the offset of its slice).
/// </summary>
public ref struct ProtoReader
{
    // Protobuf field numbers are 1 .. 2^29 - 1 (language guide, "Assigning Field Numbers").
    private const ulong MaxFieldNumber = (1 << 29) - 1;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private readonly string _message;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data, string message = "", int baseOffset = 0)
    {
        _data = data;
        _message = message ?? string.Empty;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public readonly bool End => _position >= _data.Length;

    /// <summary>Absolute offset (in the outermost input) of the next byte.</summary>
    public readonly int Offset => _baseOffset + _position;

    /// <summary>Reads the next tag; groups (wire types 3 and 4, deprecated) and unknown wire types are refused.</summary>
    public (int Field, WireType Type) ReadTag()
    {
        var start = Offset;
        var tag = ReadVarint("tag");
        var field = tag >> 3;
        var type = (WireType)(tag & 7);
        if (field is 0 or > MaxFieldNumber)
        {
            throw Error($"invalid field number {field}", "tag", start);
        }
        if (type is WireType.StartGroup or WireType.EndGroup || (int)type > 5)
        {
            throw Error($"unsupported wire type {(int)type} for field {field}", "tag", start);
        }
        return ((int)field, type);
    }

    /// <summary>Reads the next tag, or returns false at the end of the message.</summary>
    public bool TryReadTag(out int field, out WireType type)
    {
        if (End)
        {
            field = 0;
            type = WireType.Varint;
            return false;
        }
        (field, type) = ReadTag();
        return true;
    }

    /// <summary>Reads a varint of at most 10 bytes that fits in 64 bits (non-minimal forms accepted; see <see cref="Varint"/>).</summary>
    public ulong ReadVarint(string field = "varint")
    {
        var status = Varint.Read(_data[_position..], out var value, out var read);
        if (status != VarintStatus.Ok)
        {
            throw Error(status == VarintStatus.Truncated ? "truncated varint" : "varint overflows 64 bits", field, Offset);
        }
        _position += read;
        return value;
    }

    /// <summary>A proto3 int32 or enum (negative values are sign-extended to 10 bytes on the wire; truncation is the protobuf rule).</summary>
    public int ReadInt32(string field = "int32") => unchecked((int)ReadVarint(field));

    public bool ReadBool(string field = "bool") => ReadVarint(field) != 0;

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

    /// <summary>A bytes field or embedded message, as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBytes(string field = "bytes") => ReadLengthDelimited(field, out _);

    /// <summary>A string field; invalid UTF-8 is refused (proto3 strings must be valid UTF-8).</summary>
    public string ReadString(string field = "string")
    {
        var bytes = ReadLengthDelimited(field, out var at);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw Error("not valid UTF-8", field, at, e);
        }
    }

    /// <summary>Skips a field of an unknown number, as protobuf requires of readers.</summary>
    public void Skip(WireType type, string field = "unknown")
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

    /// <summary>An error at <paramref name="offset"/> in <paramref name="field"/> of this reader's message.</summary>
    public readonly ProtoFormatException Error(string reason, string field, int offset, Exception? inner = null) =>
        new(reason, _message.Length == 0 ? field : $"{_message}.{field}", offset, inner);

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private void Advance(int count, string field, int start)
    {
        if ((uint)count > (uint)(_data.Length - _position))
        {
            throw Error("truncated fixed-width field", field, start);
        }
        _position += count;
    }
}

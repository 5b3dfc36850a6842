using System.Buffers.Binary;

namespace Transfers.Protocol;

/// <summary>Big-endian reader over one plaintext; every read names its field, so a short input says which field it cut.</summary>
internal ref struct PlaintextReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _format;
    private int _position;

    public PlaintextReader(ReadOnlySpan<byte> data, string format)
    {
        _data = data;
        _format = format;
        _position = 0;
    }

    public readonly int Position => _position;

    public byte U8(string field) => Take(1, field)[0];

    public uint U32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));

    public ulong U64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));

    public ReadOnlySpan<byte> Bytes(int count, string field) => Take(count, field);

    public void Version(byte expected)
    {
        var at = _position;
        var version = U8("version");
        if (version != expected)
        {
            throw Fail("version", at, $"is {version}, expected {expected}");
        }
    }

    public readonly void End()
    {
        if (_position != _data.Length)
        {
            throw Fail("end", _position, $"{_data.Length - _position} trailing bytes");
        }
    }

    public readonly TransfersFormatException Fail(string field, int offset, string problem) => new(_format, field, offset, problem);

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if ((uint)count > (uint)(_data.Length - _position))
        {
            throw Fail(field, _position, $"needs {count} bytes, {_data.Length - _position} left");
        }
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}

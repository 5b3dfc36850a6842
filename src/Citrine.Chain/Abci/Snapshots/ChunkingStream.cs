using System.Security.Cryptography;

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>
/// A write-only stream that cuts what it is given into chunks of exactly <c>chunkSize</c> bytes (the
/// last one shorter), hashes each with SHA-256 and hands it to <c>emit</c>.
/// </summary>
internal sealed class ChunkingStream : Stream
{
    private readonly byte[] _chunk;
    private readonly Action<int, ReadOnlyMemory<byte>> _emit;
    private readonly List<byte[]> _hashes = [];
    private int _filled;
    private long _written;

    public ChunkingStream(int chunkSize, Action<int, ReadOnlyMemory<byte>> emit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _chunk = new byte[chunkSize];
        _emit = emit;
    }

    public IReadOnlyList<byte[]> ChunkHashes => _hashes;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _chunk.Length - _filled);
            buffer[..n].CopyTo(_chunk.AsSpan(_filled));
            _filled += n;
            _written += n;
            buffer = buffer[n..];
            if (_filled == _chunk.Length)
            {
                EmitChunk();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Emits the last, partial chunk.</summary>
    public void Complete()
    {
        if (_filled > 0)
        {
            EmitChunk();
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void EmitChunk()
    {
        var data = _chunk.AsMemory(0, _filled);
        _hashes.Add(SHA256.HashData(data.Span));
        _emit(_hashes.Count - 1, data);
        _filled = 0;
    }
}

namespace Citrine.Chain.Abci.Snapshots;

/// <summary>A read-only stream over several files, one after another (a restore's chunk files).</summary>
internal sealed class ConcatenatedFiles : Stream
{
    private readonly string[] _paths;
    private int _next;
    private FileStream? _current;

    public ConcatenatedFiles(string[] paths) => _paths = paths;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (_current is null)
            {
                if (_next == _paths.Length)
                {
                    return 0;
                }
                _current = new FileStream(_paths[_next++], FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            }
            var n = _current.Read(buffer);
            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }
            _current.Dispose();
            _current = null;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
        }
        base.Dispose(disposing);
    }
}

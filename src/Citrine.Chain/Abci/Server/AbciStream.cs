using System.IO.Pipelines;
using System.Net.Sockets;
using Google.Protobuf;

namespace Citrine.Chain.Abci.Server;

/// <summary>
/// One ABCI socket connection seen as frames: a pooled pipe reader and a buffering pipe writer over
/// the socket. Shared by the server and the client; not thread-safe (each side uses it from one task at a time).
/// </summary>
internal sealed class AbciStream : IAsyncDisposable
{
    // CometBFT wraps the connection in a bufio.Writer, which writes out when its buffer fills even
    // without a Flush; a backlog of unflushed frames past this size is written out early the same way.
    private const int BufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly int _maxMessageSize;

    public AbciStream(Socket socket, int maxMessageSize)
    {
        _socket = socket;
        _maxMessageSize = maxMessageSize;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: 4096, leaveOpen: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
    }

    public Socket Socket => _socket;

    /// <summary>The next message, or null when the peer closed the stream between frames.</summary>
    /// <exception cref="AbciFrameException">a malformed or truncated frame.</exception>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool framed;
            try
            {
                framed = AbciFraming.TryReadFrame(ref buffer, result.IsCompleted, _maxMessageSize, out var body);
                if (framed)
                {
                    var message = AbciFraming.ParseBody(body, parser);
                    _reader.AdvanceTo(buffer.Start);
                    return message;
                }
            }
            catch (AbciFrameException)
            {
                _reader.AdvanceTo(result.Buffer.Start);
                throw;
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                _reader.AdvanceTo(buffer.End);
                return null;
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Buffers one frame; returns true when the buffer has grown past the point where it should be written out.</summary>
    public bool Write(IMessage message)
    {
        AbciFraming.WriteFrame(_writer, message);
        return _writer.UnflushedBytes >= BufferSize;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>Ends both directions now, so a task blocked reading or writing this connection returns.</summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Unflushed bytes to a peer that is gone.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}

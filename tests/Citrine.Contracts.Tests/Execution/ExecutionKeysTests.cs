using Citrine.Contracts.Execution;

namespace Citrine.Contracts.Tests.Execution;

public sealed class ExecutionKeysTests
{
    [Fact]
    public void Keys_are_the_documented_strings()
    {
        Assert.Equal("queue/next"u8.ToArray(), ExecutionKeys.QueueNext.ToArray());
        Assert.Equal("queue/head"u8.ToArray(), ExecutionKeys.QueueHead.ToArray());
        Assert.Equal("state"u8.ToArray(), ExecutionKeys.State.ToArray());
        Assert.Equal("state/hash"u8.ToArray(), ExecutionKeys.StateHash.ToArray());
        Assert.Equal("output/last"u8.ToArray(), ExecutionKeys.OutputLast.ToArray());
        Assert.Equal([.. "queue/"u8, 0, 0, 0, 0, 0, 0, 1, 2], ExecutionKeys.Request(0x0102));
        Assert.Equal([.. "response/"u8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], ExecutionKeys.Response(ulong.MaxValue - 1));
    }

    [Fact]
    public void Stored_integers_are_exactly_8_bytes_big_endian()
    {
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 0], ExecutionKeys.EncodeU64(256));
        Assert.True(ExecutionKeys.TryDecodeU64([0, 0, 0, 0, 0, 0, 1, 0], out var value));
        Assert.Equal(256UL, value);
        Assert.False(ExecutionKeys.TryDecodeU64([0, 0, 0, 0, 0, 1, 0], out _));
        Assert.False(ExecutionKeys.TryDecodeU64([0, 0, 0, 0, 0, 0, 0, 1, 0], out _));
    }
}

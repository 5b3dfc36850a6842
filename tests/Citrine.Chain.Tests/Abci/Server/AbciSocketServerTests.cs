using System.Net.Sockets;
using Citrine.Chain.Abci.Server;
using Citrine.Chain.Abci.Wire;

namespace Citrine.Chain.Tests.Abci.Server;

public sealed class AbciSocketServerTests
{
    private readonly RecordingAbciApplication _app = new();

    public static TheoryData<string> Transports => ["tcp", "unix"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Every_request_kind_reaches_its_method_and_is_answered_with_its_kind(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        foreach (var (method, request) in AbciSamples.EveryKind)
        {
            var response = await client.RequestAsync(request);

            Assert.Equal((method, AbciDispatcher.ResponseKindFor(request.ValueCase)), (method, response.ValueCase));
            Assert.Equal(method, _app.Calls[^1]);
        }
        Assert.Equal(AbciSamples.EveryKind.Select(s => s.Method), _app.Calls);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Responses_carry_what_the_application_answered(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        Assert.Equal("hello", (await client.EchoAsync("hello")).Message);
        Assert.Equal("fake", (await client.InfoAsync(new RequestInfo())).Data);
        var check = await client.CheckTxAsync(new RequestCheckTx { Tx = Google.Protobuf.ByteString.CopyFromUtf8("abc") });
        Assert.Equal(3, check.GasWanted);
        var block = await client.FinalizeBlockAsync(AbciSamples.EveryKind.Single(s => s.Method == "FinalizeBlock").Request.FinalizeBlock);
        Assert.Equal(2, block.TxResults.Count);
        Assert.Equal(1, (await client.CommitAsync()).RetainHeight);
        Assert.Single((await client.ListSnapshotsAsync()).Snapshots);
        await client.FlushAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Pipelined_requests_are_answered_in_order(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        var requests = Enumerable.Range(0, 100).Select(i => i % 3 == 0 ? AbciSamples.CheckTx($"tx-{i}") : AbciSamples.Echo($"m-{i}")).ToList();

        var responses = await client.RequestManyAsync(requests);

        Assert.Equal(100, responses.Count);
        for (var i = 0; i < 100; i++)
        {
            if (i % 3 == 0)
            {
                Assert.Equal($"tx-{i}", responses[i].CheckTx.Data.ToStringUtf8());
            }
            else
            {
                Assert.Equal($"m-{i}", responses[i].Echo.Message);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Four_connections_are_served_concurrently_each_in_its_own_order(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        var clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AbciSocketClient.ConnectAsync(server.BoundAddress!)));
        try
        {
            var results = await Task.WhenAll(clients.Select(async (client, c) =>
            {
                var echoed = new List<string>();
                for (var i = 0; i < 50; i++)
                {
                    echoed.Add((await client.EchoAsync($"{c}:{i}")).Message);
                }
                return echoed;
            }));

            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{c}:{i}"), results[c]);
            }
            Assert.Equal(4, server.ConnectionCount);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_request_with_no_value_gets_an_exception_response_and_the_connection_goes_on(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        var error = await Assert.ThrowsAsync<AbciRemoteException>(() => client.RequestAsync(new Request()));

        Assert.Contains("no value set", error.Message, StringComparison.Ordinal);
        Assert.Equal("still here", (await client.EchoAsync("still here")).Message);
    }

    [Fact]
    public async Task A_request_of_a_removed_kind_gets_an_exception_response_and_the_connection_goes_on()
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, "tcp");
        await using var raw = await RawAbciConnection.ConnectAsync(server.BoundAddress!);

        // Field 4 (SetOption, removed in ABCI 2.0) with an empty message, then Flush.
        await raw.SendAsync([0x02, 0x22, 0x00, 0x02, 0x12, 0x00, .. AbciFraming.ToFrame(AbciSamples.Echo("after")), 0x02, 0x12, 0x00]);

        Assert.Equal(Response.ValueOneofCase.Exception, (await raw.ReadResponseAsync())!.ValueCase);
        Assert.Equal(Response.ValueOneofCase.Flush, (await raw.ReadResponseAsync())!.ValueCase);
        Assert.Equal("after", (await raw.ReadResponseAsync())!.Echo.Message);
        Assert.Equal(Response.ValueOneofCase.Flush, (await raw.ReadResponseAsync())!.ValueCase);
        Assert.Equal(["Echo"], _app.Calls);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task An_application_that_throws_gets_an_exception_response_with_its_message_and_the_connection_goes_on(string transport)
    {
        _app.FailOn = "Info";
        _app.FailureMessage = "state is ahead of the block store";
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        var error = await Assert.ThrowsAsync<AbciRemoteException>(() => client.InfoAsync(new RequestInfo()));

        Assert.Equal("state is ahead of the block store", error.Message);
        Assert.Equal("next", (await client.EchoAsync("next")).Message);
    }

    [Fact]
    public async Task A_pipelined_batch_with_a_failure_is_read_to_the_end_before_it_throws()
    {
        _app.FailOn = "CheckTx";
        await using var server = await AbciTestAddresses.StartAsync(_app, "tcp");
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        await Assert.ThrowsAsync<AbciRemoteException>(() => client.RequestManyAsync([AbciSamples.Echo("a"), AbciSamples.CheckTx("t"), AbciSamples.Echo("b")]));

        Assert.Equal("c", (await client.EchoAsync("c")).Message);
        Assert.Equal(["Echo", "CheckTx:NEW", "Echo", "Echo"], _app.Calls);
    }

    public static TheoryData<string, byte[]> MalformedFrames => new()
    {
        { "length prefix overflows", [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] },
        { "length over the server's limit", [0x81, 0x08] },
        { "body is not a Request", [0x02, 0x0a, 0x05] },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task A_malformed_frame_closes_only_its_connection(string description, byte[] frame)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, "tcp", maxMessageSize: 1024);
        await using var bystander = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        await bystander.EchoAsync("before");
        await using var raw = await RawAbciConnection.ConnectAsync(server.BoundAddress!);

        await raw.SendAsync(frame);

        Assert.True(await raw.ClosedByServerAsync(), description);
        Assert.Equal("after", (await bystander.EchoAsync("after")).Message);
        await using var newcomer = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        Assert.Equal("new", (await newcomer.EchoAsync("new")).Message);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_client_that_disconnects_mid_frame_leaves_the_server_serving(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using (var raw = await RawAbciConnection.ConnectAsync(server.BoundAddress!))
        {
            var frame = AbciFraming.ToFrame(AbciSamples.Echo("cut short"));
            await raw.SendAsync(frame[..5]);
            raw.CloseWrite();
            Assert.True(await raw.ClosedByServerAsync());
        }

        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        Assert.Equal("fine", (await client.EchoAsync("fine")).Message);
        Assert.Equal(["Echo"], _app.Calls);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Messages_larger_than_the_socket_buffers_round_trip(string transport)
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, transport);
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);
        var tx = new byte[3 * 1024 * 1024 + 7];
        tx.AsSpan().Fill(0x5a);

        var response = await client.CheckTxAsync(new RequestCheckTx { Tx = Google.Protobuf.ByteString.CopyFrom(tx) });
        var batch = await client.RequestManyAsync(Enumerable.Range(0, 100).Select(i => AbciSamples.CheckTx(new string((char)('a' + i % 26), 2000))));

        Assert.Equal(tx.Length, response.GasWanted);
        Assert.True(response.Data.Span.SequenceEqual(tx));
        Assert.All(batch, (r, i) => Assert.Equal(new string((char)('a' + i % 26), 2000), r.CheckTx.Data.ToStringUtf8()));
    }

    [Fact]
    public async Task A_malformed_frame_is_logged_as_a_warning_naming_the_error()
    {
        var logger = new ListLogger<AbciSocketServer>();
        await using var server = new AbciSocketServer(_app, AbciAddress.Tcp("127.0.0.1", 0), logger);
        await server.StartAsync();
        await using var raw = await RawAbciConnection.ConnectAsync(server.BoundAddress!);

        await raw.SendAsync([0x02, 0x0a, 0x05]);
        Assert.True(await raw.ClosedByServerAsync());
        await server.StopAsync();

        Assert.Contains(logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains(nameof(AbciFrameError.InvalidProtobuf), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Responses_are_held_until_a_flush_is_answered()
    {
        await using var server = await AbciTestAddresses.StartAsync(_app, "tcp");
        await using var raw = await RawAbciConnection.ConnectAsync(server.BoundAddress!);

        // An Echo with no Flush, then an Info: the server answers nothing until the Flush arrives.
        await raw.SendAsync([.. AbciFraming.ToFrame(AbciSamples.Echo("held")), .. AbciFraming.ToFrame(new Request { Info = new RequestInfo() })]);
        await raw.SendAsync([0x02, 0x12, 0x00]);

        Assert.Equal("held", (await raw.ReadResponseAsync())!.Echo.Message);
        Assert.Equal(Response.ValueOneofCase.Info, (await raw.ReadResponseAsync())!.ValueCase);
        Assert.Equal(Response.ValueOneofCase.Flush, (await raw.ReadResponseAsync())!.ValueCase);
        Assert.Equal(["Echo", "Info"], _app.Calls);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Stopping_ends_the_connections_and_frees_the_address(string transport)
    {
        var server = await AbciTestAddresses.StartAsync(_app, transport);
        var bound = server.BoundAddress!;
        await using var client = await AbciSocketClient.ConnectAsync(bound);
        await client.EchoAsync("before");
        await using var raw = await RawAbciConnection.ConnectAsync(bound);

        await server.StopAsync();

        Assert.True(await raw.ClosedByServerAsync());
        await Assert.ThrowsAnyAsync<IOException>(() => client.EchoAsync("after"));
        var outOfStep = await Assert.ThrowsAsync<AbciProtocolException>(() => client.EchoAsync("after again"));
        Assert.Contains("out of step", outOfStep.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.ConnectionCount);
        if (transport == "unix")
        {
            Assert.False(File.Exists(bound.Path));
        }
        await using var again = new AbciSocketServer(_app, bound);
        await again.StartAsync();
        await using var second = await AbciSocketClient.ConnectAsync(again.BoundAddress!);
        Assert.Equal("again", (await second.EchoAsync("again")).Message);
        await server.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_busy_address_is_refused_and_the_first_server_keeps_it(string transport)
    {
        await using var first = await AbciTestAddresses.StartAsync(_app, transport);

        await using var second = new AbciSocketServer(_app, first.BoundAddress!);
        var error = await Assert.ThrowsAsync<IOException>(() => second.StartAsync());

        Assert.Contains(first.BoundAddress!.ToString(), error.Message, StringComparison.Ordinal);
        await using var client = await AbciSocketClient.ConnectAsync(first.BoundAddress!);
        Assert.Equal("mine", (await client.EchoAsync("mine")).Message);
    }

    [Fact]
    public async Task A_stale_unix_socket_file_is_replaced()
    {
        // .NET removes the file of a socket it disposes; a process that died would not. Renaming the
        // file away from the bound path leaves a socket file nobody listens on.
        var path = AbciTestAddresses.UnixPath();
        var boundPath = AbciTestAddresses.UnixPath();
        using (var abandoned = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            abandoned.Bind(new UnixDomainSocketEndPoint(boundPath));
            File.Move(boundPath, path);
        }
        Assert.True(File.Exists(path), "the abandoned socket left its file behind");

        await using var server = new AbciSocketServer(_app, AbciAddress.Unix(path));
        await server.StartAsync();
        await using var client = await AbciSocketClient.ConnectAsync(server.BoundAddress!);

        Assert.Equal("replaced", (await client.EchoAsync("replaced")).Message);
    }

    [Fact]
    public async Task A_path_that_is_not_a_socket_is_not_deleted()
    {
        var path = AbciTestAddresses.UnixPath();
        await File.WriteAllTextAsync(path, "not a socket");
        try
        {
            await using var server = new AbciSocketServer(_app, AbciAddress.Unix(path));
            await Assert.ThrowsAsync<IOException>(() => server.StartAsync());
            Assert.Equal("not a socket", await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_grpc_address_is_refused_by_the_socket_server()
    {
        Assert.Throws<ArgumentException>(() => new AbciSocketServer(_app, AbciAddress.Grpc("127.0.0.1", 0)));
    }

    [Fact]
    public void Dispatch_in_process_answers_every_kind_and_an_unset_request_with_an_exception()
    {
        foreach (var (method, request) in AbciSamples.EveryKind)
        {
            Assert.Equal((method, AbciDispatcher.ResponseKindFor(request.ValueCase)), (method, AbciDispatcher.Dispatch(_app, request).ValueCase));
        }
        Assert.Equal(Response.ValueOneofCase.Flush, AbciDispatcher.Dispatch(_app, new Request { Flush = new RequestFlush() }).ValueCase);
        Assert.Equal(Response.ValueOneofCase.Exception, AbciDispatcher.Dispatch(_app, new Request()).ValueCase);
    }
}

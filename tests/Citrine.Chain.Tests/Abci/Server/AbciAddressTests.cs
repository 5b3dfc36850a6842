using System.Net;
using System.Net.Sockets;
using Citrine.Chain.Abci.Server;

namespace Citrine.Chain.Tests.Abci.Server;

public sealed class AbciAddressTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:26658", AbciTransport.Tcp, "127.0.0.1", 26658)]
    [InlineData("tcp://0.0.0.0:0", AbciTransport.Tcp, "0.0.0.0", 0)]
    [InlineData("tcp://[::1]:26658", AbciTransport.Tcp, "::1", 26658)]
    [InlineData("tcp://app.internal:26658", AbciTransport.Tcp, "app.internal", 26658)]
    [InlineData("grpc://localhost:26658", AbciTransport.Grpc, "localhost", 26658)]
    public void Parse_reads_host_and_port(string text, AbciTransport transport, string host, int port)
    {
        var address = AbciAddress.Parse(text);

        Assert.Equal(transport, address.Transport);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Null(address.Path);
        Assert.Equal(text, address.ToString());
    }

    [Fact]
    public void Parse_reads_an_absolute_unix_socket_path()
    {
        var address = AbciAddress.Parse("unix:///var/run/citrine/abci.sock");

        Assert.Equal(AbciTransport.Unix, address.Transport);
        Assert.Equal("/var/run/citrine/abci.sock", address.Path);
        Assert.Null(address.Host);
        Assert.Equal("unix:///var/run/citrine/abci.sock", address.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:26658", "has no scheme")]
    [InlineData("http://127.0.0.1:26658", "unknown scheme 'http'")]
    [InlineData("tcp://127.0.0.1", "has no port")]
    [InlineData("tcp://127.0.0.1:", "not a number")]
    [InlineData("tcp://127.0.0.1:abc", "not a number")]
    [InlineData("tcp://127.0.0.1:-1", "not a number")]
    [InlineData("tcp://127.0.0.1:65536", "outside 0..65535")]
    [InlineData("tcp://:26658", "empty host")]
    [InlineData("grpc://::1:26658", "IPv6 host without brackets")]
    [InlineData("tcp://user@host:26658", "cannot have")]
    [InlineData("unix://", "empty socket path")]
    [InlineData("unix://abci.sock", "relative socket path")]
    public void Parse_rejects_a_malformed_address_naming_the_problem(string text, string problem)
    {
        var error = Assert.Throws<AbciAddressException>(() => AbciAddress.Parse(text));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.Equal(text, error.Address);
        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Fact]
    public void Parse_rejects_a_unix_path_longer_than_a_socket_address_holds()
    {
        var error = Assert.Throws<AbciAddressException>(() => AbciAddress.Parse("unix:///" + new string('a', 120)));

        Assert.Contains("longer than 107 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_gives_an_ip_endpoint_for_tcp_and_a_unix_endpoint_for_unix()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 26658), await AbciAddress.Parse("tcp://localhost:26658").ResolveAsync());
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 1), await AbciAddress.Parse("tcp://[::1]:1").ResolveAsync());
        var unix = Assert.IsType<UnixDomainSocketEndPoint>(await AbciAddress.Unix("/tmp/x.sock").ResolveAsync());
        Assert.Equal("/tmp/x.sock", unix.ToString());
    }

    [Fact]
    public void WithPort_keeps_the_transport_and_host()
    {
        Assert.Equal("grpc://127.0.0.1:4242", AbciAddress.Grpc("127.0.0.1", 0).WithPort(4242).ToString());
        Assert.Throws<InvalidOperationException>(() => AbciAddress.Unix("/tmp/x.sock").WithPort(1));
    }
}

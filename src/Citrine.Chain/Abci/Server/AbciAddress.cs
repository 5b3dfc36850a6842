using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Citrine.Chain.Abci.Server;

/// <summary>How CometBFT reaches the application: its <c>proxy_app</c> setting.</summary>
public enum AbciTransport
{
    /// <summary><c>tcp://host:port</c>, the socket protocol over TCP.</summary>
    Tcp,

    /// <summary><c>unix:///absolute/path</c>, the socket protocol over a Unix domain socket.</summary>
    Unix,

    /// <summary><c>grpc://host:port</c>, the <c>tendermint.abci.ABCI</c> gRPC service over HTTP/2 cleartext (CometBFT's <c>abci = "grpc"</c>).</summary>
    Grpc,
}

/// <summary>
/// An ABCI listen or connect address. Any host is accepted because CometBFT may run on another
/// machine, but the protocol has neither authentication nor encryption: the address should be
/// loopback, a Unix socket, or a private network.
/// </summary>
public sealed record AbciAddress
{
    // sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    private AbciAddress(AbciTransport transport, string? host, int port, string? path)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Path = path;
    }

    public AbciTransport Transport { get; }

    /// <summary>The host name or IP literal (without brackets) for TCP and gRPC; null for Unix.</summary>
    public string? Host { get; }

    /// <summary>The port for TCP and gRPC (0 asks the listener for a free one); 0 for Unix.</summary>
    public int Port { get; }

    /// <summary>The absolute socket path for Unix; null otherwise.</summary>
    public string? Path { get; }

    public static AbciAddress Tcp(string host, int port) => new(AbciTransport.Tcp, CheckHost(host, host), CheckPort(port, host), null);

    public static AbciAddress Grpc(string host, int port) => new(AbciTransport.Grpc, CheckHost(host, host), CheckPort(port, host), null);

    public static AbciAddress Unix(string path) => new(AbciTransport.Unix, null, 0, CheckPath(path, path));

    /// <summary>Parses <c>tcp://host:port</c>, <c>unix:///absolute/path</c> or <c>grpc://host:port</c>.</summary>
    /// <exception cref="AbciAddressException">the text is not one of these forms; the message says which part is wrong.</exception>
    public static AbciAddress Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var separator = address.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new AbciAddressException(address, "has no scheme; expected tcp://host:port, unix:///absolute/path or grpc://host:port");
        }
        var scheme = address[..separator];
        var rest = address[(separator + 3)..];
        return scheme switch
        {
            "tcp" => ParseHostPort(AbciTransport.Tcp, address, rest),
            "grpc" => ParseHostPort(AbciTransport.Grpc, address, rest),
            "unix" => new AbciAddress(AbciTransport.Unix, null, 0, CheckPath(rest, address)),
            _ => throw new AbciAddressException(address, $"has the unknown scheme '{scheme}'; expected tcp, unix or grpc"),
        };
    }

    /// <summary>The same address with another port: what a listener bound when asked for port 0.</summary>
    public AbciAddress WithPort(int port) => Transport == AbciTransport.Unix
        ? throw new InvalidOperationException("a Unix socket address has no port")
        : new AbciAddress(Transport, Host, CheckPort(port, ToString()), null);

    /// <summary>The socket endpoint; a host name is resolved (first address, IPv4 preferred).</summary>
    public async ValueTask<EndPoint> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (Transport == AbciTransport.Unix)
        {
            return new UnixDomainSocketEndPoint(Path!);
        }
        if (IPAddress.TryParse(Host, out var literal))
        {
            return new IPEndPoint(literal, Port);
        }
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, Port);
        }
        var addresses = await Dns.GetHostAddressesAsync(Host!, cancellationToken).ConfigureAwait(false);
        var chosen = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? (addresses.Length > 0 ? addresses[0] : throw new AbciAddressException(ToString(), $"host '{Host}' resolves to no address"));
        return new IPEndPoint(chosen, Port);
    }

    public override string ToString() => Transport switch
    {
        AbciTransport.Unix => "unix://" + Path,
        _ => string.Create(CultureInfo.InvariantCulture, $"{(Transport == AbciTransport.Tcp ? "tcp" : "grpc")}://{(Host!.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port}"),
    };

    private static AbciAddress ParseHostPort(AbciTransport transport, string address, string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            throw new AbciAddressException(address, "has no port; expected host:port");
        }
        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new AbciAddressException(address, "has an IPv6 host without brackets; write [::1]:port");
        }
        var portText = hostPort.AsSpan(colon + 1);
        if (portText.IsEmpty || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new AbciAddressException(address, $"has the port '{portText}', which is not a number");
        }
        return new AbciAddress(transport, CheckHost(host, address), CheckPort(port, address), null);
    }

    private static string CheckHost(string host, string address)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Length == 0)
        {
            throw new AbciAddressException(address, "has an empty host");
        }
        if (host.AsSpan().IndexOfAny("/?#@ ") >= 0)
        {
            throw new AbciAddressException(address, $"has the host '{host}', which contains a character a host cannot have");
        }
        return host;
    }

    private static int CheckPort(int port, string address) => port is < 0 or > ushort.MaxValue
        ? throw new AbciAddressException(address, $"has the port {port}, outside 0..65535")
        : port;

    private static string CheckPath(string path, string address)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new AbciAddressException(address, "has an empty socket path");
        }
        if (path[0] != '/')
        {
            throw new AbciAddressException(address, $"has the relative socket path '{path}'; write unix:///absolute/path");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
        {
            throw new AbciAddressException(address, $"has a socket path longer than {MaxUnixPathBytes} bytes, the Unix socket limit");
        }
        return path;
    }
}

/// <summary>An ABCI address that cannot be parsed; the message names the address and what is wrong with it.</summary>
public sealed class AbciAddressException : ArgumentException
{
    public AbciAddressException()
    {
    }

    public AbciAddressException(string message)
        : base(message)
    {
    }

    public AbciAddressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AbciAddressException(string address, string problem)
        : base($"ABCI address '{address}' {problem}")
    {
        Address = address;
    }

    /// <summary>The text that was parsed.</summary>
    public string? Address { get; }
}

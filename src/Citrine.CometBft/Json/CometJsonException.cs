namespace Citrine.CometBft.Json;

/// <summary>
/// A CometBFT RPC/JSON document could not be decoded: <see cref="Path"/> says where (a JSON path
/// such as <c>result.signed_header.header.height</c>).
/// </summary>
public class CometJsonException : Exception
{
    public CometJsonException()
    {
        Path = "";
    }

    public CometJsonException(string message)
        : base(message)
    {
        Path = "";
    }

    public CometJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    public CometJsonException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}

/// <summary>The node answered with a JSON-RPC error object (<c>{"error":{code,message,data}}</c>).</summary>
public sealed class RpcErrorException : CometJsonException
{
    public RpcErrorException()
    {
    }

    public RpcErrorException(string message)
        : base(message)
    {
    }

    public RpcErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RpcErrorException(long code, string rpcMessage, string data)
        : base("error", $"JSON-RPC error {code}: {rpcMessage}{(data.Length > 0 ? " (" + data + ")" : "")}")
    {
        Code = code;
        RpcMessage = rpcMessage;
        RpcData = data;
    }

    public long Code { get; }
    public string RpcMessage { get; } = "";
    public string RpcData { get; } = "";
}

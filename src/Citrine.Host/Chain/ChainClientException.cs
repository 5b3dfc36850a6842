namespace Citrine.Host.Chain;

/// <summary>What went wrong talking to a node; callers decide on retries by kind, never by message text.</summary>
public enum ChainErrorKind
{
    /// <summary>The node could not be reached, or did not answer in time (after the configured attempts).</summary>
    Unreachable,
    /// <summary>The node answered with something that is not a well-formed response of the method.</summary>
    BadResponse,
    /// <summary>The node understood the request and refused it (a JSON-RPC error, or a query with a non-zero code).</summary>
    Refused,
    /// <summary>The node does not have what was asked for (a height not produced yet or pruned, an unknown tx).</summary>
    NotFound,
}

/// <summary>A typed failure of the chain client: no parsing or transport exception escapes it raw.</summary>
public sealed class ChainClientException : Exception
{
    public ChainClientException()
    {
    }

    public ChainClientException(string message)
        : base(message)
    {
    }

    public ChainClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ChainClientException(ChainErrorKind kind, string method, string message, Exception? innerException = null)
        : base($"{method}: {message}", innerException)
    {
        Kind = kind;
        Method = method;
    }

    public ChainErrorKind Kind { get; }

    /// <summary>The RPC method (or subscription) that failed.</summary>
    public string Method { get; } = "";
}

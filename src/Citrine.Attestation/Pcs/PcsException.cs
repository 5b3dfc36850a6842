namespace Citrine.Attestation.Pcs;

/// <summary>Why fetching collateral from a PCS/PCCS endpoint failed.</summary>
public enum PcsError
{
    /// <summary>The server answered with a non-success status (after retries for 408/429/5xx).</summary>
    HttpStatus,

    /// <summary>A required issuer-chain header is absent.</summary>
    MissingHeader,

    /// <summary>An issuer-chain header is not URL-encoded PEM certificates.</summary>
    MalformedHeader,

    /// <summary>The body is not what the endpoint returns (JSON document, CRL).</summary>
    MalformedBody,

    /// <summary>The body exceeds the configured size limit.</summary>
    BodyTooLarge,

    /// <summary>Every attempt timed out.</summary>
    Timeout,

    /// <summary>Every attempt failed at the connection level.</summary>
    Network,

    /// <summary>The quote given to find its collateral cannot be used (unparsable quote or PCK certificate).</summary>
    QuoteUnusable,
}

/// <summary>Fetching collateral failed; <see cref="Error"/> and <see cref="Url"/> say where.</summary>
public sealed class PcsException : Exception
{
    public PcsException()
    {
    }

    public PcsException(string message)
        : base(message)
    {
    }

    public PcsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PcsException(PcsError error, string url, string message, int? statusCode = null, Exception? innerException = null)
        : base($"{error}: {url}: {message}", innerException)
    {
        Error = error;
        Url = url;
        StatusCode = statusCode;
    }

    public PcsError Error { get; }

    public string Url { get; } = string.Empty;

    /// <summary>The HTTP status of the last attempt, for <see cref="PcsError.HttpStatus"/>.</summary>
    public int? StatusCode { get; }
}

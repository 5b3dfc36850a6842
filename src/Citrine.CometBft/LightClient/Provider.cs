using Citrine.CometBft.Types;

namespace Citrine.CometBft.LightClient;

/// <summary>A source of light blocks (a full node's RPC, a fixture, a synthetic chain).</summary>
public interface ILightBlockProvider
{
    /// <summary>Names the source in verdicts and evidence (e.g. its URL).</summary>
    string Id { get; }

    /// <summary>The light block at <paramref name="height"/>, or the latest one when it is 0.</summary>
    Task<LightBlock> GetLightBlockAsync(long height, CancellationToken cancellationToken = default);
}

public enum ProviderErrorKind
{
    /// <summary>The source does not have the height (pruned or not yet produced).</summary>
    NotFound,
    /// <summary>The source answered with something that is not a well-formed response.</summary>
    BadResponse,
    /// <summary>The source could not be reached or timed out after the configured retries.</summary>
    Unavailable,
    /// <summary>The source answered a request it understood with a JSON-RPC error (e.g. refused evidence, or no such method).</summary>
    Refused,
}

/// <summary>A full node that accepts evidence (CometBFT light/provider <c>ReportEvidence</c>).</summary>
public interface IEvidenceReporter
{
    string Id { get; }

    /// <summary>Submits <paramref name="evidence"/>; returns the evidence hash the node reports. A refusal throws <see cref="ProviderException"/>.</summary>
    Task<string> ReportEvidenceAsync(LightClientAttackEvidence evidence, CancellationToken cancellationToken = default);
}

/// <summary>A provider could not deliver a light block.</summary>
public sealed class ProviderException : Exception
{
    public ProviderException()
    {
    }

    public ProviderException(string message)
        : base(message)
    {
    }

    public ProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProviderException(ProviderErrorKind kind, string providerId, string message, Exception? innerException = null)
        : base($"{providerId}: {message}", innerException)
    {
        Kind = kind;
        ProviderId = providerId;
    }

    public ProviderErrorKind Kind { get; }

    public string ProviderId { get; } = "";
}

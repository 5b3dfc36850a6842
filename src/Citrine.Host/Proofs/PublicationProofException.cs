namespace Citrine.Host.Proofs;

/// <summary>Why a proof of publication could not be built. Each has its own code so callers and tests can tell them apart.</summary>
public enum ProofBuildError
{
    /// <summary>The node could not be reached.</summary>
    NodeUnreachable,
    /// <summary>The node does not have a height the proof needs (not produced yet, or pruned).</summary>
    HeightUnavailable,
    /// <summary>The node answered with something malformed, or not what was asked (another height, no proof ops).</summary>
    BadAnswer,
    /// <summary>The node refused the query (non-zero code, e.g. a height above its latest).</summary>
    QueryRefused,
    /// <summary>The node's block at the enclave's trusted height is not the block the enclave trusts: another chain or a fork.</summary>
    TrustedBlockMismatch,
    /// <summary>The query height's header is below the enclave's trusted height; the enclave refuses proofs behind its state.</summary>
    BehindTrustedState,
    /// <summary>A step from the enclave's trusted block to the proof's header fails a check the enclave makes, even after bisection.</summary>
    StepRefused,
}

/// <summary>A proof of publication that cannot be built from what the node serves.</summary>
public sealed class PublicationProofException : Exception
{
    public PublicationProofException()
    {
    }

    public PublicationProofException(string message)
        : base(message)
    {
    }

    public PublicationProofException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PublicationProofException(ProofBuildError error, string message, Exception? innerException = null)
        : base($"{error}: {message}", innerException)
    {
        Error = error;
    }

    public ProofBuildError Error { get; }
}

namespace Citrine.Store;

/// <summary>Why a store operation failed. Each value is one distinct, testable condition.</summary>
public enum StoreError
{
    /// <summary>The requested version was never committed.</summary>
    VersionNotFound,

    /// <summary>The requested version was committed but has been pruned.</summary>
    VersionPruned,

    /// <summary>Bytes read from the database do not decode as the expected record.</summary>
    CorruptRecord,

    /// <summary>A node referenced by the tree is missing from the database.</summary>
    MissingNode,

    /// <summary>A node's stored child hash disagrees with the hash recomputed from the child.</summary>
    HashMismatch,

    /// <summary>The tree structure breaks an AVL or ordering invariant.</summary>
    InvariantViolated,

    /// <summary>A key or value argument is not acceptable (empty key, null value).</summary>
    InvalidArgument,

    /// <summary>A commit failed part-way; the in-memory tree must be reopened from the database.</summary>
    Faulted,

    /// <summary>The store name is not registered in the multistore.</summary>
    UnknownStore,

    /// <summary>No proof can be made (e.g. a non-existence proof in an empty tree).</summary>
    ProofUnavailable,

    /// <summary>The pruning request is not allowed (e.g. it would delete the latest version).</summary>
    InvalidPruning,
}

/// <summary>A store operation failed for the reason in <see cref="Error"/>.</summary>
public sealed class StoreException : Exception
{
    public StoreException()
        : this(StoreError.CorruptRecord, "store error")
    {
    }

    public StoreException(string message)
        : this(StoreError.CorruptRecord, message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = StoreError.CorruptRecord;
    }

    public StoreException(StoreError error, string message)
        : base(message)
    {
        Error = error;
    }

    public StoreException(StoreError error, string message, Exception innerException)
        : base(message, innerException)
    {
        Error = error;
    }

    public StoreError Error { get; }
}

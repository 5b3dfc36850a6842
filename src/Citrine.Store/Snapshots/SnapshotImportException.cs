namespace Citrine.Store.Snapshots;

/// <summary>Why an import was refused. Each value is one check of <see cref="MultiStoreImporter"/>.</summary>
public enum ImportError
{
    /// <summary>The multistore already has a version or uncommitted changes.</summary>
    NotEmpty,

    /// <summary>The version to import at is below 1.</summary>
    InvalidVersion,

    /// <summary>A node item came before any store item.</summary>
    NodeBeforeStore,

    /// <summary>A store item names a store the multistore does not have.</summary>
    UnknownStore,

    /// <summary>A store appears a second time.</summary>
    DuplicateStore,

    /// <summary>A store appears out of the sorted order of the multistore's names.</summary>
    StoreOutOfOrder,

    /// <summary>The items ended before every store appeared.</summary>
    MissingStore,

    /// <summary>A node's height is negative or above the store's limit (255).</summary>
    HeightOutOfRange,

    /// <summary>A node's version is below 1 or above the imported version.</summary>
    VersionOutOfRange,

    /// <summary>A node has an empty key.</summary>
    EmptyKey,

    /// <summary>A leaf has no value.</summary>
    LeafWithoutValue,

    /// <summary>An inner node carries a value.</summary>
    InnerWithValue,

    /// <summary>A leaf's key is not strictly greater than the previous leaf's.</summary>
    KeysNotIncreasing,

    /// <summary>An inner node came with fewer than two subtrees before it.</summary>
    MissingChildren,

    /// <summary>An inner node's height is not 1 + the larger of its children's heights.</summary>
    HeightMismatch,

    /// <summary>An inner node's children's heights differ by more than one (not AVL-balanced).</summary>
    Unbalanced,

    /// <summary>A child is newer than its parent.</summary>
    ChildVersionNewer,

    /// <summary>An inner node's key is not the smallest key of its right subtree.</summary>
    InnerKeyMismatch,

    /// <summary>A store's nodes did not end as exactly one tree (or none).</summary>
    IncompleteTree,

    /// <summary>The rebuilt app hash is not the expected one.</summary>
    AppHashMismatch,

    /// <summary>The item stream could not be read (a decoder's error, carried as the inner exception).</summary>
    Malformed,
}

/// <summary>An import was refused for <see cref="Reason"/>; the multistore was left empty.</summary>
public sealed class SnapshotImportException : Exception
{
    public SnapshotImportException()
        : this(ImportError.Malformed, "snapshot import refused")
    {
    }

    public SnapshotImportException(string message)
        : this(ImportError.Malformed, message)
    {
    }

    public SnapshotImportException(string message, Exception innerException)
        : this(ImportError.Malformed, message, innerException)
    {
    }

    public SnapshotImportException(ImportError reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public SnapshotImportException(ImportError reason, string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public ImportError Reason { get; }
}

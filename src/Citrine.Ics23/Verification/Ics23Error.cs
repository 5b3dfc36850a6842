namespace Citrine.Ics23.Verification;

/// <summary>Why an ICS23 proof was rejected: one code per check, so a test can name the check that failed.</summary>
public enum Ics23Error
{
    None = 0,

    // Proof shape
    ProofKindMismatch,
    MissingLeafOp,
    MissingLeafSpec,
    MissingInnerSpec,

    // Leaf against spec (ICS23 LeafOp.CheckAgainstSpec)
    LeafHashOpMismatch,
    LeafPrehashKeyMismatch,
    LeafPrehashValueMismatch,
    LeafLengthOpMismatch,
    LeafPrefixMismatch,

    // IAVL-specific prefix checks (varint height, size, version at the start of every prefix)
    IavlVarintMalformed,
    IavlHeightTooLow,
    IavlSizeNegative,
    IavlVersionNegative,
    IavlLeafPrefixRemainder,
    IavlLeafHeightNotZero,
    IavlLeafSizeNotOne,
    IavlInnerPrefixRemainder,

    // Tendermint-specific inner prefix checks
    TendermintInnerPrefixEmpty,
    TendermintInnerPrefixInvalid,

    // Depth
    PathTooShort,
    PathTooLong,

    // Inner op against spec (ICS23 InnerOp.CheckAgainstSpec)
    InnerHashOpMismatch,
    InnerPrefixStartsWithLeafPrefix,
    InnerPrefixTooShort,
    InnerPrefixTooLong,
    InnerSuffixMalformed,
    SpecChildSizeInvalid,
    SpecPrefixLengthsInvalid,

    // Computing the root
    KeyMismatch,
    ValueMismatch,
    EmptyKey,
    EmptyValue,
    EmptyChild,
    UnsupportedHashOp,
    UnsupportedLengthOp,
    LengthRequirementFailed,
    InnerResultTooLong,
    RootMismatch,

    // Non-existence
    NeighborsMissing,
    KeyNotLeftOfRightNeighbor,
    KeyNotRightOfLeftNeighbor,
    RightNeighborNotLeftMost,
    LeftNeighborNotRightMost,
    NotNeighbors,
    InvalidChildOrder,
    PaddingUnrecognized,

    // Batches
    BatchEntryNotFound,
    CompressedLookupOutOfRange,

    // Chains of proofs (ProofOps, MerkleProof)
    ChainEmpty,
    ChainLengthMismatch,
    ChainKeyMismatch,
    UnsupportedProofOpType,
    ProofOpTypeMismatch,
    AppHashMismatch,

    /// <summary>A proof op's data is not a decodable CommitmentProof (bad input is a verdict, not an exception).</summary>
    ProofOpMalformed,
}

/// <summary>Facts about <see cref="Ics23Error"/> values.</summary>
public static class Ics23Errors
{
    /// <summary>True for a defined code other than <see cref="Ics23Error.None"/>: the only codes a rejection may carry.</summary>
    public static bool IsFailure(Ics23Error error) => error != Ics23Error.None && Enum.IsDefined(error);
}

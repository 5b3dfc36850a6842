namespace Citrine.CometBft.Types;

/// <summary>How a validator voted in a commit (<c>tendermint.types.BlockIDFlag</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The protobuf enum is named BlockIDFlag in the CometBFT spec.")]
public enum BlockIdFlag
{
    Unknown = 0,
    Absent = 1,
    Commit = 2,
    Nil = 3,
}

/// <summary>One validator's entry in a commit (<c>types.CommitSig</c>).</summary>
public sealed record CommitSig(BlockIdFlag Flag, byte[] ValidatorAddress, Timestamp Timestamp, byte[] Signature)
{
    public static CommitSig Absent() => new(BlockIdFlag.Absent, [], Timestamp.GoZero, []);
}

/// <summary>The precommits that committed a block (<c>types.Commit</c>); signatures are in validator-set order.</summary>
public sealed record Commit(long Height, int Round, BlockId BlockId, IReadOnlyList<CommitSig> Signatures);

/// <summary>A header together with the commit that signs it.</summary>
public sealed record SignedHeader(Header Header, Commit Commit);

/// <summary>
/// A signed header with the validator set that signed it and the set that will sign the next
/// height (the latter is what a skipping verification trusts; see tendermint-rs <c>LightBlock</c>).
/// </summary>
public sealed record LightBlock(SignedHeader SignedHeader, ValidatorSet Validators, ValidatorSet NextValidators)
{
    public long Height => SignedHeader.Header.Height;

    public Header Header => SignedHeader.Header;

    public Commit Commit => SignedHeader.Commit;
}

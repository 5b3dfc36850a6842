using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Specs;

/// <summary>
/// The proof specs ICS23 defines for the trees used by Cosmos chains (values from the ICS23
/// reference: IavlSpec, TendermintSpec, SmtSpec).
/// </summary>
public static class ProofSpecs
{
    /// <summary>Cosmos IAVL trees: leaf = 0x00 || varint heights, inner prefix 4..12 bytes plus a 33-byte (length-prefixed) sibling.</summary>
    public static ProofSpec Iavl { get; } = new()
    {
        LeafSpec = new LeafOp
        {
            Prefix = new byte[] { 0 },
            PrehashKey = HashOp.NoHash,
            Hash = HashOp.Sha256,
            PrehashValue = HashOp.Sha256,
            Length = LengthOp.VarProto,
        },
        InnerSpec = new InnerSpec
        {
            ChildOrder = [0, 1],
            MinPrefixLength = 4,
            MaxPrefixLength = 12,
            ChildSize = 33,
            Hash = HashOp.Sha256,
        },
    };

    /// <summary>CometBFT simple Merkle trees (RFC 6962 style): leaf 0x00, inner 0x01 || left || right.</summary>
    public static ProofSpec Tendermint { get; } = new()
    {
        LeafSpec = new LeafOp
        {
            Prefix = new byte[] { 0 },
            PrehashKey = HashOp.NoHash,
            Hash = HashOp.Sha256,
            PrehashValue = HashOp.Sha256,
            Length = LengthOp.VarProto,
        },
        InnerSpec = new InnerSpec
        {
            ChildOrder = [0, 1],
            MinPrefixLength = 1,
            MaxPrefixLength = 1,
            ChildSize = 32,
            Hash = HashOp.Sha256,
        },
    };

    /// <summary>Sparse Merkle trees (celestiaorg/smt): keys hashed, 32 zero bytes for an empty subtree, ordered by hashed key.</summary>
    public static ProofSpec Smt { get; } = new()
    {
        LeafSpec = new LeafOp
        {
            Prefix = new byte[] { 0 },
            PrehashKey = HashOp.Sha256,
            Hash = HashOp.Sha256,
            PrehashValue = HashOp.Sha256,
            Length = LengthOp.NoPrefix,
        },
        InnerSpec = new InnerSpec
        {
            ChildOrder = [0, 1],
            MinPrefixLength = 1,
            MaxPrefixLength = 1,
            ChildSize = 32,
            EmptyChild = new byte[32],
            Hash = HashOp.Sha256,
        },
        MaxDepth = 256,
        PrehashKeyBeforeComparison = true,
    };

    /// <summary>
    /// The layout of a Cosmos SDK chain, innermost first: an IAVL store inside the simple-Merkle
    /// multistore (ibc-go <c>commitmenttypes.GetSDKSpecs</c>). The default pin for chained proofs.
    /// </summary>
    public static IReadOnlyList<ProofSpec> SdkChain { get; } = [Iavl, Tendermint];

    /// <summary>The spec for a directory or ProofOp name: <c>iavl</c>, <c>tendermint</c>/<c>simple</c>, <c>smt</c>.</summary>
    public static ProofSpec? ByName(string name) => name switch
    {
        "iavl" => Iavl,
        "tendermint" or "simple" => Tendermint,
        "smt" => Smt,
        _ => null,
    };

    /// <summary>
    /// The reference implementation's notion of "this is the IAVL (or Tendermint) spec", which
    /// switches on the tree-specific checks: leaf hash/prehash/length and inner hash, prefix
    /// bounds, child size and number of children equal (prefixes and empty child are not compared).
    /// </summary>
    public static bool SpecEquals(ProofSpec a, ProofSpec b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if ((a.LeafSpec is null) != (b.LeafSpec is null) || (a.InnerSpec is null) != (b.InnerSpec is null))
        {
            return false;
        }
        if (a.LeafSpec is { } la && b.LeafSpec is { } lb
            && (la.Hash != lb.Hash || la.PrehashKey != lb.PrehashKey || la.PrehashValue != lb.PrehashValue || la.Length != lb.Length))
        {
            return false;
        }
        if (a.InnerSpec is { } ia && b.InnerSpec is { } ib
            && (ia.Hash != ib.Hash || ia.MinPrefixLength != ib.MinPrefixLength || ia.MaxPrefixLength != ib.MaxPrefixLength
                || ia.ChildSize != ib.ChildSize || ia.ChildOrder.Count != ib.ChildOrder.Count))
        {
            return false;
        }
        return true;
    }
}

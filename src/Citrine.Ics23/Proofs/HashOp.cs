namespace Citrine.Ics23.Proofs;

/// <summary>Hash functions named by ICS23 (<c>cosmos.ics23.v1.HashOp</c>; values are the wire numbers).</summary>
public enum HashOp
{
    NoHash = 0,
    Sha256 = 1,
    Sha512 = 2,
    Keccak256 = 3,
    Ripemd160 = 4,

    /// <summary>RIPEMD-160(SHA-256(x)).</summary>
    Bitcoin = 5,
    Sha512T256 = 6,
    Blake2b512 = 7,
    Blake2s256 = 8,
    Blake3 = 9,
}

/// <summary>How a leaf prepends the length of the key and value (<c>cosmos.ics23.v1.LengthOp</c>).</summary>
public enum LengthOp
{
    NoPrefix = 0,
    VarProto = 1,
    VarRlp = 2,
    Fixed32Big = 3,
    Fixed32Little = 4,
    Fixed64Big = 5,
    Fixed64Little = 6,
    Require32Bytes = 7,
    Require64Bytes = 8,
}

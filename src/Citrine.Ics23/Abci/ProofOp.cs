namespace Citrine.Ics23.Abci;

/// <summary>One ABCI proof operation (CometBFT <c>crypto.ProofOp</c>: type, key, data).</summary>
public sealed record ProofOp(string Type, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Data);

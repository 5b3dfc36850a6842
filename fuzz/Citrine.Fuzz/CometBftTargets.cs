using System.Buffers.Binary;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.Fuzz;

/// <summary>
/// CometBFT decoders: the RPC JSON ones may only raise <see cref="CometJsonException"/>; the
/// protobuf light block's Try form may only return false.
/// </summary>
internal static class CometBftTargets
{
    [FuzzTarget("cometbft-commit", typeof(CometJsonException))]
    public static void FuzzCommit(ReadOnlySpan<byte> data)
    {
        var signed = RpcResponses.ParseCommit(data).SignedHeader;
        // Whatever decodes must also hash and verify without crashing.
        var set = new ValidatorSet([]);
        var block = new LightBlock(signed, set, set);
        _ = signed.Header.Hash();
        _ = Verifier.ValidateLightBlock(block, signed.Header.ChainId);
    }

    [FuzzTarget("cometbft-validators", typeof(CometJsonException))]
    public static void FuzzValidators(ReadOnlySpan<byte> data)
    {
        var page = RpcResponses.ParseValidators(data);
        _ = new ValidatorSet(page.Validators).Hash();
    }

    [FuzzTarget("cometbft-status", typeof(CometJsonException))]
    public static void FuzzStatus(ReadOnlySpan<byte> data) => _ = RpcResponses.ParseStatus(data);

    [FuzzTarget("cometbft-block", typeof(CometJsonException))]
    public static void FuzzBlock(ReadOnlySpan<byte> data) => _ = RpcResponses.ParseBlock(data).Header.Hash();

    [FuzzTarget("cometbft-blockchain", typeof(CometJsonException))]
    public static void FuzzBlockchain(ReadOnlySpan<byte> data) => _ = RpcResponses.ParseBlockchain(data);

    [FuzzTarget("cometbft-genesis", typeof(CometJsonException))]
    public static void FuzzGenesis(ReadOnlySpan<byte> data) => _ = RpcResponses.ParseGenesis(data);

    [FuzzTarget("cometbft-abci-query", typeof(CometJsonException))]
    public static void FuzzAbciQuery(ReadOnlySpan<byte> data) => _ = RpcResponses.ParseAbciQuery(data);

    [FuzzTarget("cometbft-light-block", typeof(CometJsonException))]
    public static void FuzzLightBlock(ReadOnlySpan<byte> data)
    {
        var block = CometJson.ParseLightBlock(data);
        _ = Verifier.ValidateLightBlock(block, block.Header.ChainId);
    }

    /// <summary>
    /// <see cref="LightBlockProtobuf.TryDecode"/> (what the enclave reads from the host). The input
    /// carries the two byte strings as <c>u16be n ‖ light block[n] ‖ next validator set</c>; an
    /// <c>n</c> past the end takes all that is left, so every input reaches the decoder.
    /// </summary>
    [FuzzTarget("cometbft-light-block-proto")]
    public static void FuzzLightBlockProtobuf(ReadOnlySpan<byte> data)
    {
        SplitTwo(data, out var lightBlock, out var nextValidatorSet);
        if (!LightBlockProtobuf.TryDecode(lightBlock, nextValidatorSet, out var block, out var error))
        {
            if (block is not null || error.Length == 0)
            {
                throw new InvalidOperationException("a refused light block left a value or no reason");
            }
            Refusal.Note();
            return;
        }
        var (encoded, next) = LightBlockProtobuf.Encode(block!);
        if (!encoded.AsSpan().SequenceEqual(lightBlock) || !next.AsSpan().SequenceEqual(nextValidatorSet))
        {
            throw new InvalidOperationException("light block protobuf decode/encode is not a round trip");
        }
        // Whatever decodes must also hash and validate without crashing, as the enclave then does.
        _ = block!.Header.Hash();
        _ = Verifier.ValidateLightBlock(block, block.Header.ChainId);
    }

    /// <summary><c>u16be n ‖ first[n] ‖ second</c>, with <c>n</c> clamped to what is there.</summary>
    internal static void SplitTwo(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> first, out ReadOnlySpan<byte> second)
    {
        if (data.Length < 2)
        {
            first = data;
            second = [];
            return;
        }
        var rest = data[2..];
        var n = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(data), rest.Length);
        first = rest[..n];
        second = rest[n..];
    }
}

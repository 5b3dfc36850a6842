using Citrine.CometBft.Json;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Types;

namespace Citrine.Fuzz;

/// <summary>CometBFT RPC JSON decoders: bad input may only raise <see cref="CometJsonException"/>.</summary>
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
}

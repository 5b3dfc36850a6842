using System.Globalization;
using System.Text.Json;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.Genesis;

namespace Citrine.Chain.Abci.App;

/// <summary>
/// InitChain against the home's genesis (docs/abci.md, "Genesis"): CometBFT sends what its
/// genesis.json holds, and a node whose home describes another chain must stop, not run it. Each
/// check names the field that differs and both values.
/// </summary>
internal static class InitChainCheck
{
    public static void Validate(GenesisDoc genesis, JsonElement homeAppState, RequestInitChain request)
    {
        // 1. chain_id.
        if (request.ChainId != genesis.ChainId)
        {
            throw new AbciException($"InitChain chain_id '{request.ChainId}' differs from the home genesis chain_id '{genesis.ChainId}'");
        }

        // 2. initial_height.
        if (request.InitialHeight != genesis.InitialHeight)
        {
            throw new AbciException($"InitChain initial_height {request.InitialHeight} differs from the home genesis initial_height {genesis.InitialHeight}");
        }

        // 3. time (genesis_time).
        var time = request.Time is null ? (CometBft.Types.Timestamp?)null : AbciWire.Time(request.Time);
        if (time != genesis.GenesisTime)
        {
            throw new AbciException($"InitChain time {(time is { } t ? t.ToString() : "(none)")} differs from the home genesis_time {genesis.GenesisTime}");
        }

        // 4. validators: the same Ed25519 keys with the same powers, in any order.
        var expected = genesis.Validators.ToDictionary(v => Convert.ToHexString(v.PublicKey), v => v.Power, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Validators.Count; i++)
        {
            var v = request.Validators[i];
            if (v.PubKey is not { SumCase: PublicKey.SumOneofCase.Ed25519 } key)
            {
                throw new AbciException($"InitChain validators[{i}]: the public key is not Ed25519 ({v.PubKey?.SumCase.ToString() ?? "none"})");
            }
            var hex = Convert.ToHexString(key.Ed25519.Span);
            if (!seen.Add(hex))
            {
                throw new AbciException($"InitChain validators[{i}]: key {hex} appears twice");
            }
            if (!expected.TryGetValue(hex, out var power))
            {
                throw new AbciException($"InitChain validators[{i}]: key {hex} is not a validator of the home genesis");
            }
            if (power != v.Power)
            {
                throw new AbciException($"InitChain validators[{i}]: key {hex} has power {v.Power.ToString(CultureInfo.InvariantCulture)}, the home genesis gives it {power.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        if (seen.Count != expected.Count)
        {
            var missing = expected.Keys.First(k => !seen.Contains(k));
            throw new AbciException($"InitChain validators: {request.Validators.Count} given, the home genesis has {expected.Count} (key {missing} is missing)");
        }

        // 5. app_state_bytes, as JSON (formatting and key order do not matter).
        JsonDocument appState;
        try
        {
            appState = JsonDocument.Parse(request.AppStateBytes.Memory, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new AbciException($"InitChain app_state_bytes is not JSON: {e.Message}", e);
        }
        using (appState)
        {
            if (!JsonElement.DeepEquals(appState.RootElement, homeAppState))
            {
                throw new AbciException("InitChain app_state_bytes differs from the home genesis app_state");
            }
        }

        // 6. consensus_params.block.
        if (request.ConsensusParams?.Block is not { } block)
        {
            throw new AbciException("InitChain consensus_params.block is missing");
        }
        if (block.MaxBytes != genesis.ConsensusParams.BlockMaxBytes)
        {
            throw new AbciException($"InitChain consensus_params.block.max_bytes {block.MaxBytes} differs from the home genesis {genesis.ConsensusParams.BlockMaxBytes}");
        }
        if (block.MaxGas != genesis.ConsensusParams.BlockMaxGas)
        {
            throw new AbciException($"InitChain consensus_params.block.max_gas {block.MaxGas} differs from the home genesis {genesis.ConsensusParams.BlockMaxGas}");
        }
    }
}

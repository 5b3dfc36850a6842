using Citrine.Chain.Abci;
using Citrine.Chain.Abci.Wire;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.App;

/// <summary>InitChain against the home genesis: each field alone, with the exact reason.</summary>
public sealed class InitChainCheckTests
{
    private static string Refused(Action<RequestInitChain> change, int validators = 1)
    {
        using var t = new AbciTestApp(genesis: AbciTestApp.NewGenesis(validators));
        var request = AbciTestApp.InitChainRequest(t.Genesis);
        change(request);
        var e = Assert.Throws<AbciException>(() => t.App.InitChain(request));
        // A refused InitChain writes nothing: the app is still empty.
        Assert.Equal(0, t.App.Info(new RequestInfo()).LastBlockHeight);
        Assert.Throws<AbciException>(() => t.Finalize(1));
        return e.Message;
    }

    private static string Key(int i) => Convert.ToHexString(AbciTestApp.NewGenesis(2).Validators[i].PublicKey);

    [Fact]
    public void The_request_CometBFT_sends_for_the_home_genesis_is_accepted()
    {
        using var t = new AbciTestApp(genesis: AbciTestApp.NewGenesis(2));
        var request = AbciTestApp.InitChainRequest(t.Genesis);
        var reversed = request.Validators.Reverse().ToList();
        request.Validators.Clear();
        request.Validators.Add(reversed);
        Assert.Equal(2, t.App.InitChain(request).Validators.Count);
    }

    [Fact]
    public void App_state_with_other_formatting_and_key_order_is_the_same_app_state()
    {
        using var t = new AbciTestApp();
        var request = AbciTestApp.InitChainRequest(t.Genesis);
        using var doc = System.Text.Json.JsonDocument.Parse(request.AppStateBytes.Memory);
        var reordered = "{ " + string.Join(",\n  ", doc.RootElement.EnumerateObject().Reverse().Select(p => $"\"{p.Name}\" : {p.Value.GetRawText()}")) + " }";
        request.AppStateBytes = ByteString.CopyFromUtf8(reordered);
        Assert.Equal(32, t.App.InitChain(request).AppHash.Length);
    }

    [Fact]
    public void Chain_id_mismatch_is_refused() =>
        Assert.Equal("InitChain chain_id 'other' differs from the home genesis chain_id 'citrine-test'", Refused(r => r.ChainId = "other"));

    [Fact]
    public void Initial_height_mismatch_is_refused() =>
        Assert.Equal("InitChain initial_height 5 differs from the home genesis initial_height 1", Refused(r => r.InitialHeight = 5));

    [Fact]
    public void Genesis_time_mismatch_is_refused() =>
        Assert.Equal($"InitChain time {new CometBft.Types.Timestamp(AbciTestApp.GenesisTime.Seconds, 1)} differs from the home genesis_time {AbciTestApp.GenesisTime}",
            Refused(r => r.Time.Nanos = 1));

    [Fact]
    public void Missing_time_is_refused() =>
        Assert.Equal($"InitChain time (none) differs from the home genesis_time {AbciTestApp.GenesisTime}", Refused(r => r.Time = null));

    [Fact]
    public void A_validator_power_mismatch_is_refused() =>
        Assert.Equal($"InitChain validators[0]: key {Key(0)} has power 11, the home genesis gives it 10", Refused(r => r.Validators[0].Power = 11));

    [Fact]
    public void An_unknown_validator_key_is_refused() =>
        Assert.Equal($"InitChain validators[0]: key {Key(1)} is not a validator of the home genesis",
            Refused(r => r.Validators[0].PubKey.Ed25519 = ByteString.CopyFrom(Convert.FromHexString(Key(1)))));

    [Fact]
    public void A_missing_validator_is_refused() =>
        Assert.Equal($"InitChain validators: 1 given, the home genesis has 2 (key {Key(1)} is missing)", Refused(r => r.Validators.RemoveAt(1), validators: 2));

    [Fact]
    public void A_duplicated_validator_is_refused() =>
        Assert.Equal($"InitChain validators[1]: key {Key(0)} appears twice", Refused(r => r.Validators.Add(r.Validators[0].Clone())));

    [Fact]
    public void A_secp256k1_validator_key_is_refused() =>
        Assert.Equal("InitChain validators[0]: the public key is not Ed25519 (Secp256K1)",
            Refused(r => r.Validators[0].PubKey = new PublicKey { Secp256K1 = ByteString.CopyFrom(new byte[33]) }));

    [Fact]
    public void App_state_that_is_not_json_is_refused() =>
        Assert.StartsWith("InitChain app_state_bytes is not JSON:", Refused(r => r.AppStateBytes = ByteString.CopyFromUtf8("{nope")), StringComparison.Ordinal);

    [Fact]
    public void Empty_app_state_is_refused() =>
        Assert.StartsWith("InitChain app_state_bytes is not JSON:", Refused(r => r.AppStateBytes = ByteString.Empty), StringComparison.Ordinal);

    [Fact]
    public void A_different_app_state_is_refused() =>
        Assert.Equal("InitChain app_state_bytes differs from the home genesis app_state",
            Refused(r => r.AppStateBytes = ByteString.CopyFromUtf8(r.AppStateBytes.ToStringUtf8().Replace("1000000", "1000001", StringComparison.Ordinal))));

    [Fact]
    public void Missing_block_params_are_refused() =>
        Assert.Equal("InitChain consensus_params.block is missing", Refused(r => r.ConsensusParams = null));

    [Fact]
    public void A_block_max_bytes_mismatch_is_refused() =>
        Assert.Equal("InitChain consensus_params.block.max_bytes 1 differs from the home genesis 4194304", Refused(r => r.ConsensusParams.Block.MaxBytes = 1));

    [Fact]
    public void A_block_max_gas_mismatch_is_refused() =>
        Assert.Equal("InitChain consensus_params.block.max_gas -1 differs from the home genesis 100000000", Refused(r => r.ConsensusParams.Block.MaxGas = -1));
}

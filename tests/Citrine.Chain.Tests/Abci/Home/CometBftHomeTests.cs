using System.Text.Json;
using Citrine.Chain.Abci.Home;

namespace Citrine.Chain.Tests.Abci.Home;

public sealed class CometBftHomeTests
{
    // RFC 8032 section 7.1, TEST 1.
    private static readonly byte[] Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    private static readonly byte[] Public = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

    [Fact]
    public void NodeId_is_the_lower_case_hex_of_the_first_20_bytes_of_sha256_of_the_public_key()
    {
        // SHA-256(public key) computed independently (Python hashlib), first 20 bytes.
        Assert.Equal("21fe31dfa154a261626bf854046fd2271b7bed4b", CometBftHome.NodeId(Public));
    }

    [Fact]
    public void PrivValidatorKey_is_CometBFT_FilePVKey_json()
    {
        using var doc = JsonDocument.Parse(CometBftHome.PrivValidatorKeyJson(Seed, Public));
        var root = doc.RootElement;
        Assert.Equal(["address", "pub_key", "priv_key"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("21FE31DFA154A261626BF854046FD2271B7BED4B", root.GetProperty("address").GetString());
        Assert.Equal("tendermint/PubKeyEd25519", root.GetProperty("pub_key").GetProperty("type").GetString());
        Assert.Equal("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", root.GetProperty("pub_key").GetProperty("value").GetString());
        Assert.Equal("tendermint/PrivKeyEd25519", root.GetProperty("priv_key").GetProperty("type").GetString());
        Assert.Equal("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==", root.GetProperty("priv_key").GetProperty("value").GetString());
    }

    [Fact]
    public void NodeKey_is_CometBFT_NodeKey_json()
    {
        using var doc = JsonDocument.Parse(CometBftHome.NodeKeyJson(Seed, Public));
        var key = Assert.Single(doc.RootElement.EnumerateObject());
        Assert.Equal("priv_key", key.Name);
        Assert.Equal("tendermint/PrivKeyEd25519", key.Value.GetProperty("type").GetString());
        Assert.Equal("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==", key.Value.GetProperty("value").GetString());
    }

    [Fact]
    public void InitialSignState_has_a_string_height_and_number_round_and_step()
    {
        using var doc = JsonDocument.Parse(CometBftHome.InitialSignStateJson());
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.String, root.GetProperty("height").ValueKind);
        Assert.Equal("0", root.GetProperty("height").GetString());
        Assert.Equal(0, root.GetProperty("round").GetInt32());
        Assert.Equal(0, root.GetProperty("step").GetInt32());
        Assert.Equal(3, root.EnumerateObject().Count());
    }

    [Fact]
    public void Keys_of_the_wrong_length_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CometBftHome.PrivValidatorKeyJson(Seed.AsSpan(1), Public));
        Assert.Throws<ArgumentException>(() => CometBftHome.NodeKeyJson(Seed, Public.AsSpan(0, 31)));
    }
}

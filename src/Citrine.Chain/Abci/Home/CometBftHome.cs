using System.Security.Cryptography;
using System.Text.Json;
using Citrine.CometBft.Types;
using Citrine.Crypto;

namespace Citrine.Chain.Abci.Home;

/// <summary>
/// A CometBFT v0.38 home directory, as <c>cometbft init</c> lays it out: <c>config/config.toml</c>,
/// <c>config/genesis.json</c>, <c>config/priv_validator_key.json</c>, <c>config/node_key.json</c>,
/// <c>data/priv_validator_state.json</c>.
/// </summary>
public sealed class CometBftHome
{
    public CometBftHome(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string ConfigDir => Path.Combine(Root, "config");
    public string DataDir => Path.Combine(Root, "data");
    public string ConfigTomlPath => Path.Combine(ConfigDir, "config.toml");
    public string GenesisPath => Path.Combine(ConfigDir, "genesis.json");
    public string PrivValidatorKeyPath => Path.Combine(ConfigDir, "priv_validator_key.json");
    public string NodeKeyPath => Path.Combine(ConfigDir, "node_key.json");
    public string PrivValidatorStatePath => Path.Combine(DataDir, "priv_validator_state.json");

    /// <summary>
    /// The node ID peers address this node by: lower-case hex of the first 20 bytes of SHA-256 of
    /// the node key's Ed25519 public key (CometBFT <c>p2p.PubKeyToID</c>).
    /// </summary>
    public static string NodeId(ReadOnlySpan<byte> nodePublicKey) => Convert.ToHexStringLower(Hashing.Sha256(nodePublicKey).AsSpan(0, 20));

    /// <summary>
    /// CometBFT <c>privval.FilePVKey</c> JSON: <c>address</c> (upper-case hex, the validator
    /// address), <c>pub_key</c> and <c>priv_key</c> (base64 of seed ‖ public key) as Amino-JSON typed values.
    /// </summary>
    public static byte[] PrivValidatorKeyJson(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey)
    {
        CheckKey(seed, publicKey);
        var address = Convert.ToHexString(Validator.AddressOf(publicKey));
        var pub = Convert.ToBase64String(publicKey);
        var priv = PrivateKeyValue(seed, publicKey);
        return Json(w =>
        {
            w.WriteString("address", address);
            WriteTyped(w, "pub_key", "tendermint/PubKeyEd25519", pub);
            WriteTyped(w, "priv_key", "tendermint/PrivKeyEd25519", priv);
        });
    }

    /// <summary>CometBFT <c>p2p.NodeKey</c> JSON: <c>{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":base64(seed ‖ public key)}}</c>.</summary>
    public static byte[] NodeKeyJson(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey)
    {
        CheckKey(seed, publicKey);
        var priv = PrivateKeyValue(seed, publicKey);
        return Json(w => WriteTyped(w, "priv_key", "tendermint/PrivKeyEd25519", priv));
    }

    /// <summary>
    /// A fresh <c>privval.FilePVLastSignState</c>: nothing signed yet. <c>height</c> is an int64, so a
    /// JSON string; <c>round</c> (int32) and <c>step</c> (int8) are numbers.
    /// </summary>
    public static byte[] InitialSignStateJson() => Json(w =>
    {
        w.WriteString("height", "0");
        w.WriteNumber("round", 0);
        w.WriteNumber("step", 0);
    });

    private static void CheckKey(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey)
    {
        if (seed.Length != 32 || publicKey.Length != 32)
        {
            throw new ArgumentException($"an Ed25519 key is a 32-byte seed and a 32-byte public key, got {seed.Length} and {publicKey.Length}");
        }
    }

    /// <summary>Go's ed25519.PrivateKey: the 32-byte seed followed by the 32-byte public key, base64.</summary>
    private static string PrivateKeyValue(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> publicKey)
    {
        Span<byte> both = stackalloc byte[64];
        seed.CopyTo(both);
        publicKey.CopyTo(both[32..]);
        var text = Convert.ToBase64String(both);
        CryptographicOperations.ZeroMemory(both);
        return text;
    }

    private static void WriteTyped(Utf8JsonWriter w, string name, string type, string value)
    {
        w.WriteStartObject(name);
        w.WriteString("type", type);
        w.WriteString("value", value);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}

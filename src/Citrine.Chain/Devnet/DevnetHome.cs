using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Devnet;

/// <summary>The node's settings (<c>config/node.json</c>).</summary>
public sealed record NodeConfig
{
    public string RpcAddress { get; init; } = "127.0.0.1:26657";
    public TimeSpan BlockTime { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Largest accepted HTTP/WebSocket request body.</summary>
    public int MaxRequestBytes { get; init; } = 1024 * 1024;
    /// <summary>Largest accepted transaction.</summary>
    public int MaxTxBytes { get; init; } = 256 * 1024;
    /// <summary>Most transactions kept waiting in the mempool.</summary>
    public int MaxMempoolTxs { get; init; } = 20_000;
}

/// <summary>A devnet account key (secp256k1) stored in <c>keys/&lt;name&gt;.json</c>.</summary>
public sealed record AccountKey(string Name, byte[] PrivateKey)
{
    public byte[] PublicKey => Secp256k1.PublicKeyFromPrivate(PrivateKey);

    public byte[] Address => CosmosAddress.AccountBytes(PublicKey);
}

/// <summary>A home directory is missing files or holds malformed ones.</summary>
public sealed class DevnetHomeException : Exception
{
    public DevnetHomeException()
    {
    }

    public DevnetHomeException(string message)
        : base(message)
    {
    }

    public DevnetHomeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The devnet home directory layout:
/// <c>config/genesis.json</c>, <c>config/node.json</c>, <c>config/priv_validator_key_&lt;i&gt;.json</c>
/// (CometBFT's FilePV key format), <c>keys/&lt;name&gt;.json</c> (account keys), <c>data/</c> (blocks and state).
/// </summary>
public sealed class DevnetHome
{
    public const string AdminKeyName = "admin";
    public const ulong DefaultBalance = 1_000_000_000_000;

    public DevnetHome(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string ConfigDir => Path.Combine(Root, "config");
    public string KeysDir => Path.Combine(Root, "keys");
    public string DataDir => Path.Combine(Root, "data");
    public string GenesisPath => Path.Combine(ConfigDir, "genesis.json");
    public string ConfigPath => Path.Combine(ConfigDir, "node.json");

    public bool IsInitialized => File.Exists(GenesisPath);

    /// <summary>
    /// The genesis entry of the contract type <paramref name="typeName"/> in the assembly at
    /// <paramref name="assemblyPath"/>: the SHA-256 of its bytes and, for each library it references
    /// (<see cref="ContractLoader.LibraryNames"/>), that library's file beside it, pinned by its
    /// SHA-256. Paths are stored absolute. Nothing is loaded here; the node checks it all at start.
    /// </summary>
    public static GenesisContract PinContract(string typeName, string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(typeName);
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        var path = Path.GetFullPath(assemblyPath);
        var bytes = ReadPinned(path, $"contract {typeName}");
        var libraries = new List<GenesisLibrary>();
        foreach (var name in ContractLoader.ReferencedLibraries(bytes))
        {
            var libraryPath = Path.Combine(Path.GetDirectoryName(path)!, name + ".dll");
            libraries.Add(new GenesisLibrary(libraryPath, Hashing.Sha256(ReadPinned(libraryPath, $"library {name}, which contract {typeName} references,"))));
        }
        return new GenesisContract(typeName, path, Hashing.Sha256(bytes)) { Libraries = libraries };
    }

    private static byte[] ReadPinned(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new DevnetHomeException($"cannot read {what} at {path}: {e.Message}");
        }
    }

    /// <summary>
    /// Creates a new devnet: <paramref name="validators"/> Ed25519 validator keys of power 10, an
    /// admin account and <paramref name="accounts"/> user accounts, all funded, and a default config.
    /// Keys come from <paramref name="random"/> (the OS generator unless a test injects one).
    /// </summary>
    public GenesisDoc Initialize(string chainId, int validators, Timestamp genesisTime, int accounts = 2, Action<Span<byte>>? random = null, GenesisAttestation? attestation = null,
        IReadOnlyList<GenesisContract>? contracts = null)
    {
        if (IsInitialized)
        {
            throw new DevnetHomeException($"{GenesisPath} already exists; refusing to overwrite an existing devnet");
        }
        if (validators is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(validators), "between 1 and 100 validators");
        }
        if (accounts is < 0 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(accounts), "between 0 and 1000 accounts");
        }
        random ??= RandomNumberGenerator.Fill;
        Directory.CreateDirectory(ConfigDir);
        Directory.CreateDirectory(KeysDir);
        Directory.CreateDirectory(DataDir);
        var genesisValidators = new List<GenesisValidator>();
        for (var i = 0; i < validators; i++)
        {
            var seed = new byte[32];
            random(seed);
            using var key = Ed25519PrivateKey.FromSeed(seed);
            var pub = key.ExportPublicKey();
            WriteValidatorKey(Path.Combine(ConfigDir, $"priv_validator_key_{i}.json"), seed, pub);
            genesisValidators.Add(new GenesisValidator(pub, 10, $"validator-{i}"));
        }
        var keys = new List<AccountKey>();
        foreach (var name in new[] { AdminKeyName }.Concat(Enumerable.Range(0, accounts).Select(i => $"user{i}")))
        {
            var key = NewAccountKey(name, random);
            SaveAccountKey(key);
            keys.Add(key);
        }
        var genesis = new GenesisDoc
        {
            GenesisTime = genesisTime,
            ChainId = chainId,
            Validators = genesisValidators,
            Admin = keys[0].Address,
            Accounts = [.. keys.Select(k => new GenesisAccount(k.Address, DefaultBalance))],
            Attestation = attestation ?? GenesisAttestation.Intel,
            Contracts = contracts ?? [],
        };
        if (genesis.Problem() is { } problem)
        {
            throw new GenesisException("$", problem);
        }
        WriteAtomically(GenesisPath, genesis.ToJson());
        SaveConfig(new NodeConfig());
        return genesis;
    }

    public GenesisDoc LoadGenesis() => GenesisDoc.Parse(ReadFile(GenesisPath));

    public NodeConfig LoadConfig()
    {
        if (!File.Exists(ConfigPath))
        {
            return new NodeConfig();
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(ConfigPath));
            var root = doc.RootElement;
            var config = new NodeConfig();
            if (root.TryGetProperty("rpc", out var rpc))
            {
                config = config with { RpcAddress = rpc.GetString() ?? config.RpcAddress };
            }
            if (root.TryGetProperty("block_time_ms", out var bt))
            {
                config = config with { BlockTime = TimeSpan.FromMilliseconds(bt.GetInt32()) };
            }
            if (root.TryGetProperty("max_request_bytes", out var mb))
            {
                config = config with { MaxRequestBytes = mb.GetInt32() };
            }
            if (root.TryGetProperty("max_tx_bytes", out var mt))
            {
                config = config with { MaxTxBytes = mt.GetInt32() };
            }
            return config;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new DevnetHomeException($"{ConfigPath}: {e.Message}", e);
        }
    }

    public void SaveConfig(NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("rpc", config.RpcAddress);
            w.WriteNumber("block_time_ms", (int)config.BlockTime.TotalMilliseconds);
            w.WriteNumber("max_request_bytes", config.MaxRequestBytes);
            w.WriteNumber("max_tx_bytes", config.MaxTxBytes);
            w.WriteEndObject();
        }
        WriteAtomically(ConfigPath, stream.ToArray());
    }

    /// <summary>The validator signing keys in this home (seed per file), in file order.</summary>
    public IReadOnlyList<Ed25519PrivateKey> LoadValidatorKeys()
    {
        var keys = new List<Ed25519PrivateKey>();
        if (!Directory.Exists(ConfigDir))
        {
            return keys;
        }
        foreach (var path in Directory.GetFiles(ConfigDir, "priv_validator_key_*.json").Order(StringComparer.Ordinal))
        {
            keys.Add(ReadValidatorKey(path));
        }
        return keys;
    }

    public AccountKey LoadAccountKey(string name)
    {
        if (string.IsNullOrEmpty(name) || name.IndexOfAny(['/', '\\', '.']) >= 0)
        {
            throw new DevnetHomeException($"invalid key name '{name}'");
        }
        var path = Path.Combine(KeysDir, name + ".json");
        try
        {
            using var doc = JsonDocument.Parse(ReadFile(path));
            var key = new AccountKey(name, Hex.Decode(doc.RootElement.GetProperty("private_key").GetString()));
            _ = key.PublicKey;
            return key;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or Crypto.CryptoException)
        {
            throw new DevnetHomeException($"{path}: {e.Message}", e);
        }
    }

    public void SaveAccountKey(AccountKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Directory.CreateDirectory(KeysDir);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", key.Name);
            w.WriteString("type", "secp256k1");
            w.WriteString("public_key", Hex.Encode(key.PublicKey));
            w.WriteString("private_key", Hex.Encode(key.PrivateKey));
            w.WriteEndObject();
        }
        WriteAtomically(Path.Combine(KeysDir, key.Name + ".json"), stream.ToArray(), secret: true);
    }

    public static AccountKey NewAccountKey(string name, Action<Span<byte>> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var sk = new byte[32];
        while (true)
        {
            random(sk);
            try
            {
                return new AccountKey(name, sk) is var key && key.PublicKey.Length == 33 ? key : throw new InvalidOperationException();
            }
            catch (Crypto.InvalidKeyException)
            {
                // Out of [1, n-1]: probability ~2^-128; draw again.
            }
        }
    }

    /// <summary>CometBFT privval FilePVKey JSON (<see cref="Abci.Home.CometBftHome.PrivValidatorKeyJson"/>), written atomically and private.</summary>
    private static void WriteValidatorKey(string path, byte[] seed, byte[] pub) =>
        WriteAtomically(path, Abci.Home.CometBftHome.PrivValidatorKeyJson(seed, pub), secret: true);

    private static Ed25519PrivateKey ReadValidatorKey(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(ReadFile(path));
            var value = Convert.FromBase64String(doc.RootElement.GetProperty("priv_key").GetProperty("value").GetString() ?? "");
            if (value.Length != 64)
            {
                throw new DevnetHomeException($"{path}: priv_key must be 64 bytes (seed || public key), got {value.Length}");
            }
            var key = Ed25519PrivateKey.FromSeed(value.AsSpan(0, 32));
            if (!key.PublicKey.SequenceEqual(value.AsSpan(32)))
            {
                key.Dispose();
                throw new DevnetHomeException($"{path}: the public half of priv_key does not match its seed");
            }
            return key;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DevnetHomeException($"{path}: {e.Message}", e);
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DevnetHomeException($"cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>Writes to a temporary file, flushes it to disk, renames it over the target and syncs the directory, so a crash or power cut leaves old or new.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> content, bool secret = false)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var file = new FileStream(temp, options))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Sync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    internal static string HeightName(long height) => height.ToString("D12", CultureInfo.InvariantCulture);
}

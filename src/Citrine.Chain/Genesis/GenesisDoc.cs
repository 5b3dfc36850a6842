using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding;

namespace Citrine.Chain.Genesis;

/// <summary>The genesis file is malformed or inconsistent; <see cref="Field"/> names the JSON path.</summary>
public sealed class GenesisException : Exception
{
    public GenesisException()
    {
    }

    public GenesisException(string message)
        : base(message)
    {
    }

    public GenesisException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GenesisException(string field, string message, Exception? innerException = null)
        : base($"genesis {field}: {message}", innerException)
    {
        Field = field;
    }

    public string Field { get; } = "";
}

/// <summary>The block parameters that enter the header's consensus hash (CometBFT <c>BlockParams</c>).</summary>
public sealed record ConsensusParams(long BlockMaxBytes, long BlockMaxGas)
{
    /// <summary>CometBFT's default max block bytes (22020096 = 21 MiB) is far above what a devnet needs; 4 MiB.</summary>
    public static readonly ConsensusParams Default = new(4 * 1024 * 1024, 100_000_000);

    public byte[] Hash() => CometBft.Encoding.BlockHashes.ConsensusParamsHash(BlockMaxBytes, BlockMaxGas);
}

/// <summary>A genesis validator: an Ed25519 key, its voting power and a display name.</summary>
public sealed record GenesisValidator(byte[] PublicKey, long Power, string Name)
{
    public byte[] Address => Validator.AddressOf(PublicKey);
}

/// <summary>A funded account at genesis (20-byte address) with its balance of the devnet token.</summary>
public sealed record GenesisAccount(byte[] Address, ulong Balance);

/// <summary>
/// A contract registered by the node operator: its name, the SHA-256 of its assembly and the
/// libraries it may reference (<see cref="Contracts.ContractLoader.LibraryNames"/>), each pinned by
/// the SHA-256 of its bytes; the code id covers all of them.
/// </summary>
public sealed record GenesisContract(string Name, string AssemblyPath, byte[] AssemblySha256)
{
    /// <summary>JSON <c>"libraries":[{"assembly":path,"sha256":hex}]</c>; absent when empty.</summary>
    public IReadOnlyList<GenesisLibrary> Libraries { get; init; } = [];
}

/// <summary>A library pinned for a contract: its file (absolute, or relative to the devnet home) and the SHA-256 of its bytes.</summary>
public sealed record GenesisLibrary(string AssemblyPath, byte[] Sha256);

/// <summary>
/// The root the attestation registry pins (<c>app_state.attestation</c>): <c>intel</c> (the Intel
/// SGX Root CA key, the default) or <c>simulated</c> (the local test PKI of simulated-DCAP mode,
/// which proves nothing about hardware and is reported as such in <c>status</c> and the registry).
/// </summary>
public sealed record GenesisAttestation(string Root, byte[] RootPublicKey)
{
    public const string IntelRoot = "intel";
    public const string SimulatedRoot = "simulated";

    public static GenesisAttestation Intel { get; } = new(IntelRoot, Citrine.Attestation.Dcap.Verification.TrustAnchor.IntelSgxRootCa.PublicKey);

    public static GenesisAttestation Simulated(byte[] rootPublicKey) => new(SimulatedRoot, rootPublicKey);

    public bool IsSimulated => Root == SimulatedRoot;

    public Citrine.Attestation.Dcap.Verification.TrustAnchor Anchor() =>
        IsSimulated
            ? Citrine.Attestation.Dcap.Verification.TrustAnchor.FromPublicKey(RootPublicKey, "simulated-DCAP test root (not Intel)")
            : Citrine.Attestation.Dcap.Verification.TrustAnchor.IntelSgxRootCa;

    public string? Problem()
    {
        if (Root is not (IntelRoot or SimulatedRoot))
        {
            return $"app_state.attestation.root must be '{IntelRoot}' or '{SimulatedRoot}', got '{Root}'";
        }
        if (!Citrine.Attestation.Dcap.Pck.EcdsaP256.IsValidPublicKey(RootPublicKey))
        {
            return "app_state.attestation.root_public_key must be a P-256 point x||y (64 bytes of hex)";
        }
        // "intel" is a name for one key: another key under it would hide a substituted root.
        if (!IsSimulated && !RootPublicKey.AsSpan().SequenceEqual(Intel.RootPublicKey))
        {
            return "app_state.attestation.root is 'intel' but root_public_key is not the Intel SGX Root CA key";
        }
        return null;
    }
}

/// <summary>
/// The devnet genesis: CometBFT's genesis document (<c>genesis_time</c>, <c>chain_id</c>,
/// <c>initial_height</c>, <c>consensus_params</c>, <c>validators</c>, <c>app_hash</c>) with the
/// application state in <c>app_state</c>: token denomination, address prefix, admin account
/// (allowed to change validators), funded accounts and registered contracts.
/// </summary>
public sealed record GenesisDoc
{
    public const int MaxChainIdLength = 50;

    public required Timestamp GenesisTime { get; init; }
    public required string ChainId { get; init; }
    public long InitialHeight { get; init; } = 1;
    public ConsensusParams ConsensusParams { get; init; } = ConsensusParams.Default;
    public required IReadOnlyList<GenesisValidator> Validators { get; init; }
    public string Denom { get; init; } = "ucit";
    public string AddressPrefix { get; init; } = "citrine";
    public required byte[] Admin { get; init; }
    public required IReadOnlyList<GenesisAccount> Accounts { get; init; }
    public IReadOnlyList<GenesisContract> Contracts { get; init; } = [];
    public GenesisAttestation Attestation { get; init; } = GenesisAttestation.Intel;

    public ValidatorSet ValidatorSet() => new(Validators.Select(v => Validator.FromPublicKey(v.PublicKey, v.Power)));

    public string Bech32(ReadOnlySpan<byte> address) => Crypto.Encoding.Bech32.EncodeBytes(AddressPrefix, address.ToArray());

    /// <summary>Why this genesis cannot start a chain, or null.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(ChainId) || ChainId.Length > MaxChainIdLength)
        {
            return $"chain_id must be 1..{MaxChainIdLength} characters";
        }
        if (InitialHeight != 1)
        {
            return "initial_height must be 1 (the devnet starts from its genesis)";
        }
        if (ConsensusParams.BlockMaxBytes <= 0 || ConsensusParams.BlockMaxGas is 0 or < -1)
        {
            return "consensus_params.block: max_bytes must be positive and max_gas positive or -1";
        }
        if (Validators.Count == 0)
        {
            return "at least one validator is required";
        }
        if (ValidatorSet().Problem is { } problem)
        {
            return $"validators: {problem.Message}";
        }
        if (Admin.Length != CosmosAddress.AddressSize)
        {
            return "app_state.admin must be a 20-byte address";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in Accounts)
        {
            if (account.Address.Length != CosmosAddress.AddressSize)
            {
                return "app_state.accounts: every address must be 20 bytes";
            }
            if (!seen.Add(Convert.ToHexString(account.Address)))
            {
                return $"app_state.accounts: {Bech32(account.Address)} appears twice";
            }
        }
        if (string.IsNullOrEmpty(Denom) || string.IsNullOrEmpty(AddressPrefix))
        {
            return "app_state.denom and app_state.address_prefix must not be empty";
        }
        if (Attestation.Problem() is { } attestation)
        {
            return attestation;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var contract in Contracts)
        {
            if (string.IsNullOrEmpty(contract.Name) || !names.Add(contract.Name) || contract.AssemblySha256.Length != 32)
            {
                return $"app_state.contracts: '{contract.Name}' needs a unique name and a 32-byte sha256";
            }
            foreach (var library in contract.Libraries)
            {
                if (string.IsNullOrEmpty(library.AssemblyPath) || library.Sha256.Length != 32)
                {
                    return $"app_state.contracts: a library of '{contract.Name}' needs an assembly path and a 32-byte sha256";
                }
            }
        }
        return null;
    }

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            WriteJson(w);
        }
        return stream.ToArray();
    }

    /// <summary>Writes the document in CometBFT's genesis shape (int64 as strings, keys base64).</summary>
    public void WriteJson(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("genesis_time", GenesisTime.ToString());
        w.WriteString("chain_id", ChainId);
        w.WriteString("initial_height", InitialHeight.ToString(CultureInfo.InvariantCulture));
        w.WriteStartObject("consensus_params");
        w.WriteStartObject("block");
        w.WriteString("max_bytes", ConsensusParams.BlockMaxBytes.ToString(CultureInfo.InvariantCulture));
        w.WriteString("max_gas", ConsensusParams.BlockMaxGas.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteStartObject("evidence");
        w.WriteString("max_age_num_blocks", "100000");
        w.WriteString("max_age_duration", "172800000000000");
        w.WriteString("max_bytes", "1048576");
        w.WriteEndObject();
        w.WriteStartObject("validator");
        w.WriteStartArray("pub_key_types");
        w.WriteStringValue("ed25519");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("version");
        w.WriteString("app", "0");
        w.WriteEndObject();
        // CometBFT v0.38 ABCIParams; 0 = vote extensions disabled (the app extends no votes).
        w.WriteStartObject("abci");
        w.WriteString("vote_extensions_enable_height", "0");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("validators");
        foreach (var v in Validators)
        {
            w.WriteStartObject();
            w.WriteString("address", Convert.ToHexString(v.Address));
            w.WriteStartObject("pub_key");
            w.WriteString("type", CometBft.Json.CometJson.Ed25519KeyType);
            w.WriteString("value", Convert.ToBase64String(v.PublicKey));
            w.WriteEndObject();
            w.WriteString("power", v.Power.ToString(CultureInfo.InvariantCulture));
            w.WriteString("name", v.Name);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("app_hash", "");
        w.WriteStartObject("app_state");
        w.WriteString("denom", Denom);
        w.WriteString("address_prefix", AddressPrefix);
        w.WriteString("admin", Bech32(Admin));
        w.WriteStartArray("accounts");
        foreach (var a in Accounts)
        {
            w.WriteStartObject();
            w.WriteString("address", Bech32(a.Address));
            w.WriteString("balance", a.Balance.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("contracts");
        foreach (var c in Contracts)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("assembly", c.AssemblyPath);
            w.WriteString("sha256", Convert.ToHexString(c.AssemblySha256));
            if (c.Libraries.Count > 0)
            {
                w.WriteStartArray("libraries");
                foreach (var library in c.Libraries)
                {
                    w.WriteStartObject();
                    w.WriteString("assembly", library.AssemblyPath);
                    w.WriteString("sha256", Convert.ToHexString(library.Sha256));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("attestation");
        w.WriteString("root", Attestation.Root);
        w.WriteString("root_public_key", Convert.ToHexStringLower(Attestation.RootPublicKey));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Parses and validates a genesis file; every defect is a <see cref="GenesisException"/> naming the field.</summary>
    public static GenesisDoc Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new GenesisException("$", $"invalid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            var time = Timestamp.TryParse(Str(root, "genesis_time"), out var t) ? t : throw new GenesisException("genesis_time", "not an RFC 3339 time");
            var block = Obj(Obj(root, "consensus_params"), "block");
            var validators = new List<GenesisValidator>();
            foreach (var (item, i) in Arr(root, "validators").Select((e, i) => (e, i)))
            {
                var key = Obj(item, "pub_key");
                if (Str(key, "type") != CometBft.Json.CometJson.Ed25519KeyType)
                {
                    throw new GenesisException($"validators[{i}].pub_key.type", $"only {CometBft.Json.CometJson.Ed25519KeyType} is supported");
                }
                var pub = B64(key, "value", $"validators[{i}].pub_key.value");
                var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
                var gv = new GenesisValidator(pub, I64(item, "power", $"validators[{i}].power"), name);
                if (item.TryGetProperty("address", out var addr) && addr.ValueKind == JsonValueKind.String
                    && !string.Equals(addr.GetString(), Convert.ToHexString(gv.Address), StringComparison.OrdinalIgnoreCase))
                {
                    throw new GenesisException($"validators[{i}].address", "does not match the public key");
                }
                validators.Add(gv);
            }
            var app = Obj(root, "app_state");
            var prefix = Str(app, "address_prefix");
            var accounts = new List<GenesisAccount>();
            foreach (var (item, i) in Arr(app, "accounts").Select((e, i) => (e, i)))
            {
                var balanceText = Str(item, "balance");
                if (!ulong.TryParse(balanceText, NumberStyles.None, CultureInfo.InvariantCulture, out var balance))
                {
                    throw new GenesisException($"app_state.accounts[{i}].balance", "not an unsigned 64-bit integer");
                }
                accounts.Add(new GenesisAccount(Address(Str(item, "address"), prefix, $"app_state.accounts[{i}].address"), balance));
            }
            var contracts = new List<GenesisContract>();
            if (app.TryGetProperty("contracts", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var (item, i) in list.EnumerateArray().Select((e, i) => (e, i)))
                {
                    var sha = Crypto.Encoding.Hex.TryDecode(Str(item, "sha256"), out var bytes) ? bytes : throw new GenesisException($"app_state.contracts[{i}].sha256", "not hex");
                    var libraries = new List<GenesisLibrary>();
                    if (item.TryGetProperty("libraries", out var pins))
                    {
                        if (pins.ValueKind != JsonValueKind.Array)
                        {
                            throw new GenesisException($"app_state.contracts[{i}].libraries", "not an array");
                        }
                        foreach (var (pin, j) in pins.EnumerateArray().Select((e, j) => (e, j)))
                        {
                            var pinSha = Crypto.Encoding.Hex.TryDecode(Str(pin, "sha256"), out var pinBytes)
                                ? pinBytes
                                : throw new GenesisException($"app_state.contracts[{i}].libraries[{j}].sha256", "not hex");
                            libraries.Add(new GenesisLibrary(Str(pin, "assembly"), pinSha));
                        }
                    }
                    contracts.Add(new GenesisContract(Str(item, "name"), Str(item, "assembly"), sha) { Libraries = libraries });
                }
            }
            var attestation = GenesisAttestation.Intel;
            if (app.TryGetProperty("attestation", out var att))
            {
                if (att.ValueKind != JsonValueKind.Object)
                {
                    throw new GenesisException("app_state.attestation", "not an object");
                }
                var key = Crypto.Encoding.Hex.TryDecode(Str(att, "root_public_key"), out var k) ? k : throw new GenesisException("app_state.attestation.root_public_key", "not hex");
                attestation = new GenesisAttestation(Str(att, "root"), key);
            }
            var genesis = new GenesisDoc
            {
                GenesisTime = time,
                ChainId = Str(root, "chain_id"),
                InitialHeight = root.TryGetProperty("initial_height", out _) ? I64(root, "initial_height", "initial_height") : 1,
                ConsensusParams = new ConsensusParams(I64(block, "max_bytes", "consensus_params.block.max_bytes"), I64(block, "max_gas", "consensus_params.block.max_gas")),
                Validators = validators,
                Denom = Str(app, "denom"),
                AddressPrefix = prefix,
                Admin = Address(Str(app, "admin"), prefix, "app_state.admin"),
                Accounts = accounts,
                Contracts = contracts,
                Attestation = attestation,
            };
            if (genesis.Problem() is { } problem)
            {
                throw new GenesisException("$", problem);
            }
            return genesis;
        }
    }

    private static byte[] Address(string text, string prefix, string field)
    {
        try
        {
            return CosmosAddress.Decode(text, prefix);
        }
        catch (Bech32FormatException e)
        {
            throw new GenesisException(field, e.Message, e);
        }
    }

    private static JsonElement Obj(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object
            ? v : throw new GenesisException(name, "missing or not an object");

    private static JsonElement.ArrayEnumerator Arr(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray() : throw new GenesisException(name, "missing or not an array");

    private static string Str(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()! : throw new GenesisException(name, "missing or not a string");

    private static long I64(JsonElement parent, string name, string field) =>
        long.TryParse(Str(parent, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value : throw new GenesisException(field, "not a 64-bit integer string");

    private static byte[] B64(JsonElement parent, string name, string field)
    {
        try
        {
            return Convert.FromBase64String(Str(parent, name));
        }
        catch (FormatException e)
        {
            throw new GenesisException(field, "not base64", e);
        }
    }
}

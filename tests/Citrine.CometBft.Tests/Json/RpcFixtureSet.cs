using System.Globalization;
using System.Text.Json;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Json;
using Citrine.CometBft.Types;

namespace Citrine.CometBft.Tests.Json;

/// <summary>
/// The RPC responses captured from one chain, one folder of files, whatever the chain: every
/// <c>block</c>, <c>blockchain</c>, <c>commit</c>, <c>validators</c> and <c>genesis</c> response in it
/// (a raw <c>genesis.json</c> document too). It lists every check the files allow and runs one by
/// case id: a check passes, fails with an assertion, or is skipped with the reason it cannot be made
/// (for example a gentx-based Cosmos SDK genesis, which lists no validators, and no <c>validators</c>
/// response for the height). Nothing is taken from a hand-written expectation file.
/// </summary>
public sealed class RpcFixtureSet
{
    private readonly List<(string File, long Height, Header Header, BlockId BlockId)> _headers = [];
    private readonly List<(string File, SignedHeader Signed)> _commits = [];
    private readonly List<(string File, long Height, Commit Commit)> _lastCommits = [];
    private readonly List<(string File, ValidatorsPage Page)> _validators = [];
    private readonly List<(string File, string Reason)> _undecodable = [];

    private RpcFixtureSet(string directory) => Directory = directory;

    public string Directory { get; }

    public GenesisResponse? Genesis { get; private set; }

    public string? GenesisFile { get; private set; }

    /// <summary>True when the folder holds at least one CometBFT RPC response.</summary>
    public bool IsChainFixture => Genesis is not null || _headers.Count > 0 || _commits.Count > 0 || _validators.Count > 0 || _undecodable.Count > 0;

    /// <summary>Every folder below <paramref name="root"/> (itself included) that holds RPC responses.</summary>
    public static IEnumerable<RpcFixtureSet> Discover(string root)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Prepend(root).Order(StringComparer.Ordinal))
        {
            var set = Load(dir);
            if (set.IsChainFixture)
            {
                yield return set;
            }
        }
    }

    public static RpcFixtureSet Load(string directory)
    {
        var set = new RpcFixtureSet(directory);
        foreach (var path in System.IO.Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            set.Add(Path.GetFileName(path), File.ReadAllBytes(path));
        }
        return set;
    }

    private void Add(string file, byte[] bytes)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            try
            {
                if (root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object)
                {
                    AddResponse(file, bytes, result);
                }
                else if (root.TryGetProperty("chain_id", out _) && root.TryGetProperty("genesis_time", out _))
                {
                    AddGenesisDocument(file, root.GetRawText());
                }
            }
            catch (CometJsonException e)
            {
                // One file that cannot be read is one failed (or, for a key type Citrine does not
                // verify, skipped) case, not a broken discovery.
                _undecodable.Add((file, e.Message));
            }
        }
    }

    /// <summary>
    /// A genesis document as a node reads it: CometBFT's (validators at the top) or a Cosmos SDK
    /// 0.50+ <c>AppGenesis</c> (validators under <c>consensus</c>); either may list none (gentx).
    /// </summary>
    private void AddGenesisDocument(string file, string json)
    {
        var doc = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        if (!doc.ContainsKey("validators") && doc["consensus"]?["validators"] is { } consensusValidators)
        {
            doc["validators"] = consensusValidators.DeepClone();
        }
        var wrapped = System.Text.Encoding.UTF8.GetBytes($"{{\"result\":{{\"genesis\":{doc.ToJsonString()}}}}}");
        (Genesis, GenesisFile) = (RpcResponses.ParseGenesis(wrapped), file);
    }

    private void AddResponse(string file, byte[] bytes, JsonElement result)
    {
        if (result.TryGetProperty("block_metas", out _))
        {
            foreach (var (blockId, header) in RpcResponses.ParseBlockchain(bytes))
            {
                _headers.Add((file, header.Height, header, blockId));
            }
        }
        else if (result.TryGetProperty("block", out var block) && block.ValueKind == JsonValueKind.Object && result.TryGetProperty("block_id", out _))
        {
            var parsed = RpcResponses.ParseBlock(bytes);
            _headers.Add((file, parsed.Header.Height, parsed.Header, parsed.BlockId));
            if (parsed.LastCommit is { Signatures.Count: > 0 } last)
            {
                _lastCommits.Add((file, parsed.Header.Height, last));
            }
        }
        else if (result.TryGetProperty("signed_header", out _))
        {
            _commits.Add((file, RpcResponses.ParseCommit(bytes).SignedHeader));
        }
        else if (result.TryGetProperty("validators", out _) && result.TryGetProperty("block_height", out _))
        {
            _validators.Add((file, RpcResponses.ParseValidators(bytes)));
        }
        else if (result.TryGetProperty("genesis", out _))
        {
            (Genesis, GenesisFile) = (RpcResponses.ParseGenesis(bytes), file);
        }
        else if (result.TryGetProperty("data", out var data) && result.TryGetProperty("chunk", out _)
            && result.TryGetProperty("total", out var total) && total.ToString() == "1")
        {
            // genesis_chunked with a single chunk: the base64 of the whole genesis document.
            AddGenesisDocument(file, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data.GetString()!)));
        }
    }

    /// <summary>Case ids: <c>kind|file|height</c>.</summary>
    public IEnumerable<string> Cases()
    {
        foreach (var (file, _) in _undecodable)
        {
            yield return Id("undecodable", file, 0);
        }
        foreach (var (file, height, _, _) in _headers)
        {
            yield return Id("header-hash", file, height);
        }
        foreach (var (file, signed) in _commits)
        {
            yield return Id("commit-block-id", file, signed.Header.Height);
            yield return Id("commit-signatures", file, signed.Header.Height);
        }
        foreach (var (file, height, _) in _lastCommits)
        {
            yield return Id("last-commit-block-id", file, height);
            yield return Id("last-commit-signatures", file, height);
        }
        foreach (var (file, page) in _validators)
        {
            yield return Id("validators-hash", file, page.BlockHeight);
        }
        if (GenesisFile is { } genesisFile)
        {
            yield return Id("genesis-validators", genesisFile, Genesis!.InitialHeight);
        }
    }

    private static string Id(string kind, string file, long height) => $"{kind}|{file}|{height.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Runs one check: returns when it passed, throws an assertion when it failed, skips with the reason otherwise.</summary>
    public void Check(string caseId)
    {
        var parts = caseId.Split('|');
        var (kind, file, height) = (parts[0], parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture));
        switch (kind)
        {
            case "undecodable":
            {
                var reason = _undecodable.First(u => u.File == file).Reason;
                Skip.If(reason.Contains("unsupported public key type", StringComparison.Ordinal),
                    $"{file}: {reason} (Citrine's light client verifies Ed25519 validators only)");
                Assert.Fail($"{file}: a CometBFT RPC response Citrine cannot decode: {reason}");
                break;
            }
            case "header-hash":
            {
                var (_, _, header, blockId) = _headers.First(h => h.File == file && h.Height == height);
                Assert.Equal(Convert.ToHexString(blockId.Hash), Convert.ToHexString(header.Hash()));
                break;
            }
            case "commit-block-id":
            {
                var signed = _commits.First(c => c.File == file && c.Signed.Header.Height == height).Signed;
                Assert.Equal(height, signed.Commit.Height);
                Assert.Equal(Convert.ToHexString(signed.Header.Hash()), Convert.ToHexString(signed.Commit.BlockId.Hash));
                break;
            }
            case "commit-signatures":
            {
                var signed = _commits.First(c => c.File == file && c.Signed.Header.Height == height).Signed;
                VerifyCommit(signed.Commit, signed.Header.ChainId, signed.Header.ValidatorsHash);
                break;
            }
            case "last-commit-block-id":
            {
                var commit = _lastCommits.First(c => c.File == file && c.Height == height).Commit;
                var header = _headers.First(h => h.File == file && h.Height == height).Header;
                // The last commit of block h is the commit of block h-1, whose id block h names.
                Assert.Equal(height - 1, commit.Height);
                Assert.True(commit.BlockId.ContentEquals(header.LastBlockId), $"last commit is for {Convert.ToHexString(commit.BlockId.Hash)}, the header's last block id is {Convert.ToHexString(header.LastBlockId.Hash)}");
                if (HeaderAt(height - 1) is { } previous)
                {
                    Assert.Equal(Convert.ToHexString(previous.Hash()), Convert.ToHexString(commit.BlockId.Hash));
                }
                break;
            }
            case "last-commit-signatures":
            {
                var commit = _lastCommits.First(c => c.File == file && c.Height == height).Commit;
                var chainId = _headers.First(h => h.File == file && h.Height == height).Header.ChainId;
                var previous = HeaderAt(height - 1);
                Skip.If(previous is null && ValidatorsFixtureAt(height - 1) is null,
                    $"last commit of block {height} is for {height - 1}: no header and no validators response for {height - 1} in {DirectoryName} to bind its signers");
                VerifyCommit(commit, chainId, previous?.ValidatorsHash);
                break;
            }
            case "validators-hash":
            {
                var page = _validators.First(v => v.File == file && v.Page.BlockHeight == height).Page;
                Skip.If(page.Count < page.Total, $"{file}: page of {page.Count} of {page.Total} validators; the set's hash needs every page");
                var hash = new ValidatorSet(page.Validators).Hash();
                var atHeight = HeaderAt(height);
                var before = HeaderAt(height - 1);
                Skip.If(atHeight is null && before is null, $"{file}: no header at {height} or {height - 1} in {DirectoryName} names a validators hash to compare with");
                if (atHeight is not null)
                {
                    Assert.Equal(Convert.ToHexString(atHeight.ValidatorsHash), Convert.ToHexString(hash));
                }
                if (before is not null)
                {
                    Assert.Equal(Convert.ToHexString(before.NextValidatorsHash), Convert.ToHexString(hash));
                }
                break;
            }
            case "genesis-validators":
            {
                var genesis = Genesis!;
                Skip.If(genesis.Validators.Count == 0,
                    $"{file}: genesis lists no validators (a gentx-based Cosmos SDK genesis: the set comes from the validators RPC or the chain's first blocks)");
                var first = HeaderAt(genesis.InitialHeight);
                Skip.If(first is null, $"{file}: no header at the initial height {genesis.InitialHeight} in {DirectoryName} to compare the genesis set with");
                Assert.Equal(Convert.ToHexString(first!.ValidatorsHash), Convert.ToHexString(new ValidatorSet(genesis.Validators).Hash()));
                Assert.Equal(genesis.ChainId, first.ChainId);
                break;
            }
            default:
                throw new ArgumentException($"unknown case kind '{kind}'", nameof(caseId));
        }
    }

    private string DirectoryName => Path.GetFileName(Directory);

    /// <summary>Every header in the folder (from block, blockchain and commit responses) with its file.</summary>
    public IEnumerable<(string File, Header Header)> Headers() =>
        _headers.Select(h => (h.File, h.Header)).Concat(_commits.Select(c => (c.File, c.Signed.Header)));

    public Header? HeaderAt(long height) =>
        _headers.Where(h => h.Height == height).Select(h => h.Header)
            .Concat(_commits.Where(c => c.Signed.Header.Height == height).Select(c => c.Signed.Header))
            .FirstOrDefault();

    /// <summary>A complete validator set from a <c>validators</c> response at <paramref name="height"/>.</summary>
    public ValidatorSet? ValidatorsFixtureAt(long height) =>
        _validators.Where(v => v.Page.BlockHeight == height && v.Page.Count == v.Page.Total)
            .Select(v => new ValidatorSet(v.Page.Validators)).FirstOrDefault();

    /// <summary>
    /// The validator set that signed at <paramref name="height"/>, with where it came from: a
    /// <c>validators</c> response for the height, else the genesis set when it hashes to
    /// <paramref name="validatorsHash"/>; or null and why neither can be used.
    /// </summary>
    public (ValidatorSet? Set, string Source) ValidatorsFor(long height, byte[]? validatorsHash)
    {
        if (ValidatorsFixtureAt(height) is { } fixture)
        {
            return (fixture, $"validators response at {height}");
        }
        if (Genesis is not { Validators.Count: > 0 } genesis)
        {
            return (null, Genesis is null
                ? $"no validators response for {height} and no genesis in {DirectoryName}"
                : $"no validators response for {height}, and the genesis lists no validators (a gentx-based genesis)");
        }
        var set = new ValidatorSet(genesis.Validators);
        if (validatorsHash is null || !set.HashSpan.SequenceEqual(validatorsHash))
        {
            return (null, $"no validators response for {height}, and the genesis set is not the set at {height} (it changed, or no header binds it)");
        }
        return (set, "genesis validators");
    }

    /// <summary>
    /// Every signature of <paramref name="commit"/> verifies with its validator, the signers line up
    /// with the set, and more than 2/3 of the power committed. The set must hash to
    /// <paramref name="validatorsHash"/> when a header gives one.
    /// </summary>
    private void VerifyCommit(Commit commit, string chainId, byte[]? validatorsHash)
    {
        var (set, source) = ValidatorsFor(commit.Height, validatorsHash);
        Skip.If(set is null, $"commit {commit.Height}: cannot check signatures: {source}");
        Assert.Null(set!.Problem);
        if (validatorsHash is not null)
        {
            Assert.Equal(Convert.ToHexString(validatorsHash), Convert.ToHexString(set.Hash()));
        }
        Assert.Equal(set.Count, commit.Signatures.Count);
        var template = new VoteSignBytes(chainId, commit.Height, commit.Round, commit.BlockId);
        Int128 committed = 0;
        for (var i = 0; i < commit.Signatures.Count; i++)
        {
            var sig = commit.Signatures[i];
            if (sig.Flag == BlockIdFlag.Absent)
            {
                continue;
            }
            var validator = set.Validators[i];
            Assert.Equal(Convert.ToHexString(validator.Address), Convert.ToHexString(sig.ValidatorAddress));
            var signBytes = template.Create(sig.Flag == BlockIdFlag.Commit, sig.Timestamp);
            Assert.True(validator.VerifySignature(signBytes, sig.Signature), $"commit {commit.Height}: signature {i} from {Convert.ToHexString(sig.ValidatorAddress)} does not verify ({source})");
            if (sig.Flag == BlockIdFlag.Commit)
            {
                committed += validator.VotingPower;
            }
        }
        Assert.True(committed * 3 > set.TotalVotingPowerWide * 2, $"commit {commit.Height}: {committed} of {set.TotalVotingPowerWide} power committed");
    }
}

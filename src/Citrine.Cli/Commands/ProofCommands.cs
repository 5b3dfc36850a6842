using System.CommandLine;
using System.Text;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
using Citrine.Ics23.Specs;
using Citrine.Ics23.Verification;

namespace Citrine.Cli.Commands;

/// <summary><c>citrine proof ...</c>: ICS23 proof tools.</summary>
internal static class ProofCommands
{
    public static Command Create()
    {
        var group = new Command("proof", "ICS23 commitment proofs (Cosmos SDK ProofOps, ibc-go MerkleProof).");
        group.Subcommands.Add(Verify());
        return group;
    }

    private static Command Verify()
    {
        var appHash = CommonOptions.Required("--app-hash", "The app hash (hex) the proof chain must end in.");
        var key = CommonOptions.Required("--key", "The key (hex) inside its store.");
        var value = CommonOptions.Optional("--value", "The value (hex) the key must hold; not used with --absent.");
        var proof = CommonOptions.Required("--proof", "ProofOps JSON (an abci_query response or its proofOps), or a MerkleProof (binary or hex).");
        var store = CommonOptions.Optional("--store", "The store (e.g. ibc) the key must be in: the proof is a store proof inside the multistore.");
        var anyStore = new Option<bool>("--any-store") { Description = "Accept the store the proof names (it is printed); instead of --store." };
        var noStore = new Option<bool>("--no-store") { Description = "The proof is a single store proof and --app-hash is that store's root; instead of --store." };
        var storeSpec = CommonOptions.Optional("--store-spec", "The spec of the store proof: iavl (default), tendermint or smt. The multistore step is always tendermint.");
        var absent = new Option<bool>("--absent") { Description = "Verify that the key is absent (non-membership)." };
        var json = CommonOptions.Json();
        var cmd = new Command("verify", "Verify a membership (or, with --absent, non-membership) proof chain against an app hash.")
        {
            appHash, key, value, proof, store, anyStore, noStore, storeSpec, absent, json,
        };
        cmd.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var root = CliInput.Hex(parsed.GetValue(appHash), "--app-hash");
            var keyBytes = CliInput.Hex(parsed.GetValue(key), "--key");
            var isAbsent = parsed.GetValue(absent);
            var valueText = parsed.GetValue(value);
            if (root.Length == 0)
            {
                throw new CliInputException("--app-hash: must not be empty");
            }
            if (keyBytes.Length == 0)
            {
                throw new CliInputException("--key: must not be empty");
            }
            if (isAbsent && valueText is not null)
            {
                throw new CliInputException("--value: not allowed with --absent");
            }
            if (!isAbsent && string.IsNullOrEmpty(valueText))
            {
                throw new CliInputException("--value: required unless --absent is given");
            }
            var valueBytes = CliInput.Hex(valueText, "--value");
            var layout = StoreLayout(parsed.GetValue(store), parsed.GetValue(anyStore), parsed.GetValue(noStore), parsed.GetValue(storeSpec));
            var (format, steps) = LoadSteps(parsed.GetValue(proof)!, keyBytes, layout);
            var verdict = isAbsent
                ? ChainedProofVerifier.VerifyNonMembership(steps, root)
                : ChainedProofVerifier.VerifyMembership(steps, root, valueBytes);
            if (!verdict.IsValid)
            {
                var where = verdict.Step >= 0 ? $" (proof {verdict.Step} of {steps.Count}, innermost first)" : string.Empty;
                throw new CliFailureException($"proof rejected: {verdict.Error}: {verdict.Detail}{where}");
            }
            var path = string.Join('/', steps.Reverse().Select(s => Describe(s.Key.Span)));
            var storeName = steps.Count == 2 ? Describe(steps[1].Key.Span) : null;
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteBoolean("verified", true);
                    w.WriteString("kind", isAbsent ? "non-membership" : "membership");
                    w.WriteString("format", format);
                    if (storeName is null)
                    {
                        w.WriteNull("store");
                    }
                    else
                    {
                        w.WriteString("store", storeName);
                    }
                    w.WriteString("storeSpec", layout.SpecName);
                    w.WriteStartArray("keyPath");
                    foreach (var step in steps.Reverse())
                    {
                        w.WriteStringValue(Hex.Encode(step.Key.Span));
                    }
                    w.WriteEndArray();
                    w.WriteString("appHash", Hex.Encode(root));
                });
            }
            else
            {
                var storeText = storeName is null ? "no store" : layout.Store is null ? $"store {storeName}, as the proof names it" : $"store {storeName}";
                output.WriteLine($"verified: {(isAbsent ? "absent" : "present")} at {path} under app hash {Hex.Encode(root)} ({format}, {steps.Count} proofs, {storeText}, {layout.SpecName} store spec)");
            }
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// How the proof is laid out, as the caller states it: a store proof inside the multistore
    /// (<c>--store NAME</c>, or <c>--any-store</c> to accept the store the proof names), or a lone
    /// store proof (<c>--no-store</c>). Exactly one is required, so the store proven is never taken
    /// silently from the proof. The specs are pinned here, never chosen by the proof.
    /// </summary>
    private sealed record Layout(string? Store, bool Nested, string SpecName, IReadOnlyList<ProofSpec> Specs);

    private static Layout StoreLayout(string? store, bool anyStore, bool noStore, string? specName)
    {
        var given = (store is not null ? 1 : 0) + (anyStore ? 1 : 0) + (noStore ? 1 : 0);
        if (given != 1)
        {
            throw new CliInputException("give exactly one of --store NAME, --any-store (accept the store the proof names) or --no-store (a single store proof against its root)");
        }
        if (store is { Length: 0 })
        {
            throw new CliInputException("--store: must not be empty");
        }
        specName ??= "iavl";
        var spec = ProofSpecs.ByName(specName) ?? throw new CliInputException($"--store-spec: '{specName}' is not iavl, tendermint or smt");
        return noStore
            ? new Layout(null, Nested: false, specName, [spec])
            : new Layout(store, Nested: true, specName, [spec, ProofSpecs.Tendermint]);
    }

    /// <summary>Reads the proof file and pairs each proof with its key and pinned spec: the given key innermost, then the store.</summary>
    private static (string Format, IReadOnlyList<ProofStep> Steps) LoadSteps(string file, byte[] key, Layout layout)
    {
        var raw = CliInput.ReadFile(file, "--proof");
        try
        {
            if (LooksLikeJson(raw))
            {
                var ops = ProofOps.ParseJson(raw);
                var named = ops.Count > 1 ? ops[1].Key : ReadOnlyMemory<byte>.Empty;
                return ("proofOps", ToStepsOrFail(() => ProofOps.ToSteps(ops, KeyPath(key, layout, named, ops.Count), layout.Specs)));
            }
            var merkle = MerkleProof.Decode(CliInput.ReadBinaryOrHex(file, "--proof"));
            var proofNamed = merkle.Proofs.Count > 1 ? merkle.Proofs[1].Exist?.Key ?? ReadOnlyMemory<byte>.Empty : ReadOnlyMemory<byte>.Empty;
            return ("merkleProof", ToStepsOrFail(() => merkle.ToSteps(KeyPath(key, layout, proofNamed, merkle.Proofs.Count), layout.Specs)));
        }
        catch (Ics23FormatException e)
        {
            throw new CliInputException($"--proof: {e.Message}", e);
        }
    }

    private static IReadOnlyList<ProofStep> ToStepsOrFail(Func<IReadOnlyList<ProofStep>> build)
    {
        try
        {
            return build();
        }
        catch (Ics23VerificationException e)
        {
            throw new CliFailureException($"proof rejected: {e.Error}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Outermost first: [store, key] for a nested proof (the store given, or with --any-store the
    /// one the proof names, which is still bound to the app hash), [key] for a lone store proof.
    /// </summary>
    private static List<ReadOnlyMemory<byte>> KeyPath(byte[] key, Layout layout, ReadOnlyMemory<byte> namedStore, int count)
    {
        var expected = layout.Specs.Count;
        if (count != expected)
        {
            var shape = layout.Nested ? "2 proofs (store, multistore)" : "1 proof (--no-store)";
            throw new CliFailureException($"proof rejected: {Ics23Error.ChainLengthMismatch}: expected {shape}, the proof has {count}");
        }
        if (!layout.Nested)
        {
            return [key];
        }
        return [layout.Store is not null ? Encoding.UTF8.GetBytes(layout.Store) : namedStore, key];
    }

    private static bool LooksLikeJson(byte[] raw)
    {
        foreach (var b in raw)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }
            return b == (byte)'{';
        }
        return false;
    }

    private static string Describe(ReadOnlySpan<byte> key)
    {
        foreach (var b in key)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return "0x" + Hex.Encode(key);
            }
        }
        return Encoding.ASCII.GetString(key);
    }
}

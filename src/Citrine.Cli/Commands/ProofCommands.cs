using System.CommandLine;
using System.Text;
using Citrine.Crypto.Encoding;
using Citrine.Ics23.Abci;
using Citrine.Ics23.Proofs;
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
        var store = CommonOptions.Optional("--store", "The store name (e.g. ibc); defaults to the one the proof names.");
        var absent = new Option<bool>("--absent") { Description = "Verify that the key is absent (non-membership)." };
        var json = CommonOptions.Json();
        var cmd = new Command("verify", "Verify a membership (or, with --absent, non-membership) proof chain against an app hash.")
        {
            appHash, key, value, proof, store, absent, json,
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
            var storeName = parsed.GetValue(store);
            var (format, steps) = LoadSteps(parsed.GetValue(proof)!, keyBytes, storeName);
            var verdict = isAbsent
                ? ChainedProofVerifier.VerifyNonMembership(steps, root)
                : ChainedProofVerifier.VerifyMembership(steps, root, valueBytes);
            if (!verdict.IsValid)
            {
                var where = verdict.Step >= 0 ? $" (proof {verdict.Step} of {steps.Count}, innermost first)" : string.Empty;
                throw new CliFailureException($"proof rejected: {verdict.Error}: {verdict.Detail}{where}");
            }
            var path = string.Join('/', steps.Reverse().Select(s => Describe(s.Key.Span)));
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w =>
                {
                    w.WriteBoolean("verified", true);
                    w.WriteString("kind", isAbsent ? "non-membership" : "membership");
                    w.WriteString("format", format);
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
                output.WriteLine($"verified: {(isAbsent ? "absent" : "present")} at {path} under app hash {Hex.Encode(root)} ({format}, {steps.Count} proofs)");
            }
            return CliApp.Ok;
        });
        return cmd;
    }

    /// <summary>Reads the proof file and pairs each proof with its key: the given key innermost, then the store (given or named by the proof).</summary>
    private static (string Format, IReadOnlyList<ProofStep> Steps) LoadSteps(string file, byte[] key, string? store)
    {
        var raw = CliInput.ReadFile(file, "--proof");
        try
        {
            if (LooksLikeJson(raw))
            {
                var ops = ProofOps.ParseJson(raw);
                var outer = ops.Skip(1).Select(op => op.Key);
                return ("proofOps", ToStepsOrFail(() => ProofOps.ToSteps(ops, KeyPath(key, store, outer, ops.Count))));
            }
            var merkle = MerkleProof.Decode(CliInput.ReadBinaryOrHex(file, "--proof"));
            var proofKeys = merkle.Proofs.Skip(1).Select(p => p.Exist?.Key ?? ReadOnlyMemory<byte>.Empty);
            return ("merkleProof", ToStepsOrFail(() => merkle.ToSteps(KeyPath(key, store, proofKeys, merkle.Proofs.Count))));
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
    /// Outermost first. With --store the path is [store, key]; without it, the outer keys are the
    /// ones the proof carries (reported in the output, and still bound to the app hash).
    /// </summary>
    private static List<ReadOnlyMemory<byte>> KeyPath(byte[] key, string? store, IEnumerable<ReadOnlyMemory<byte>> outerKeys, int count)
    {
        var path = store is not null
            ? new List<ReadOnlyMemory<byte>> { Encoding.UTF8.GetBytes(store) }
            : [.. outerKeys.Reverse()];
        path.Add(key);
        if (store is not null && count != 2)
        {
            throw new CliFailureException($"proof rejected: {Ics23Error.ChainLengthMismatch}: --store expects 2 proofs (store, multistore), the proof has {count}");
        }
        return path;
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

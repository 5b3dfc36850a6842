using System.CommandLine;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Chain.Txs;

namespace Citrine.Cli.Commands;

/// <summary>
/// <c>citrine registry upload|show</c>: submit a collateral document to the node's attestation
/// registry (signed like <c>citrine tx send</c>), and show what the registry holds.
/// </summary>
internal static class RegistryCommands
{
    private static readonly string[] Lists = ["tcb_info", "entries"];

    public static Command Create()
    {
        var registry = new Command("registry", "The on-chain collateral registry (attestation module).");
        Option<string?>[] documents =
        [
            CommonOptions.Optional("--tcb-info", "A TCB Info PCS response ({\"tcbInfo\":...,\"signature\":...})."),
            CommonOptions.Optional("--qe-identity", "A QE / TD_QE identity PCS response ({\"enclaveIdentity\":...})."),
            CommonOptions.Optional("--tcb-evaluation-numbers", "A TCB evaluation data numbers PCS response."),
            CommonOptions.Optional("--crl", "A CRL (DER or PEM); needs --crl-kind."),
            CommonOptions.Optional("--crl-kind", "processor | platform | root."),
            new Option<string?>("--issuer-chain") { Description = "The issuer chain: a PEM file, or a file holding the URL-encoded PCS *-Issuer-Chain header.", Required = true },
        ];
        registry.Subcommands.Add(TxCommands.Build("upload", "Upload one collateral document (verified by the node at block time).", documents, (values, _, from) =>
        {
            var (kind, path) = Choose(values);
            var chain = CliInput.ReadText(values["--issuer-chain"]!, "--issuer-chain");
            // PCS serves issuer chains URL-encoded in a response header; PEM itself never contains '%'.
            if (chain.Contains('%', StringComparison.Ordinal))
            {
                chain = Uri.UnescapeDataString(chain.Trim());
            }
            return new MsgRegistryUpdate(from, (uint)kind, CliInput.ReadFile(path, OptionOf(kind)), System.Text.Encoding.ASCII.GetBytes(chain));
        }));
        registry.Subcommands.Add(Show());
        return registry;
    }

    private static (CollateralKind Kind, string Path) Choose(Dictionary<string, string?> values)
    {
        var given = new List<(CollateralKind, string)>();
        if (values["--tcb-info"] is { } t)
        {
            given.Add((CollateralKind.TcbInfo, t));
        }
        if (values["--qe-identity"] is { } q)
        {
            given.Add((CollateralKind.QeIdentity, q));
        }
        if (values["--tcb-evaluation-numbers"] is { } n)
        {
            given.Add((CollateralKind.TcbEvaluationNumbers, n));
        }
        if (values["--crl"] is { } c)
        {
            var kind = values["--crl-kind"] switch
            {
                "processor" => CollateralKind.ProcessorCrl,
                "platform" => CollateralKind.PlatformCrl,
                "root" => CollateralKind.RootCaCrl,
                var other => throw new CliInputException($"--crl-kind must be processor, platform or root, got '{other}'"),
            };
            given.Add((kind, c));
        }
        else if (values["--crl-kind"] is not null)
        {
            throw new CliInputException("--crl-kind goes with --crl");
        }
        return given.Count == 1 ? given[0] : throw new CliInputException("give exactly one of --tcb-info, --qe-identity, --tcb-evaluation-numbers, --crl");
    }

    private static string OptionOf(CollateralKind kind) => kind switch
    {
        CollateralKind.TcbInfo => "--tcb-info",
        CollateralKind.QeIdentity => "--qe-identity",
        CollateralKind.TcbEvaluationNumbers => "--tcb-evaluation-numbers",
        _ => "--crl",
    };

    private static Command Show()
    {
        var node = CommonOptions.Optional("--node", "The node's RPC URL (default http://127.0.0.1:26657).");
        var fmspc = CommonOptions.Optional("--fmspc", "Only the TCB Info of this FMSPC (6 bytes of hex).");
        var json = CommonOptions.Json();
        var cmd = new Command("show", "Show the pinned root and the registered collateral.") { node, fmspc, json };
        cmd.SetAction(async (parsed, cancellationToken) =>
        {
            var data = parsed.GetValue(fmspc) is { } f ? CliInput.Hex(f, "--fmspc") : [];
            if (data.Length is not (0 or 6))
            {
                throw new CliInputException("--fmspc is 6 bytes of hex");
            }
            using var http = QueryCommands.Client(parsed.GetValue(node));
            var response = await QueryCommands.AbciQuery(http, "/attestation/registry", data, cancellationToken).ConfigureAwait(false);
            if (response.GetProperty("code").GetInt32() != 0 || response.GetProperty("value").GetString() is not { } value)
            {
                throw new CliFailureException($"the node refused the registry query: {response.GetProperty("log").GetString()}");
            }
            var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value));
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                output.WriteLine(text);
                return CliApp.Ok;
            }
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            var root = doc.RootElement;
            output.WriteLine($"root {root.GetProperty("root").GetString()} {root.GetProperty("root_public_key").GetString()}");
            if (root.TryGetProperty("warning", out var warning))
            {
                output.WriteLine($"WARNING: {warning.GetString()}");
            }
            foreach (var list in Lists)
            {
                if (!root.TryGetProperty(list, out var items))
                {
                    continue;
                }
                foreach (var e in items.EnumerateArray())
                {
                    var fm = e.TryGetProperty("fmspc", out var x) ? $" fmspc {x.GetString()}" : "";
                    output.WriteLine($"{e.GetProperty("kind").GetString()} {e.GetProperty("id").GetString()}{fm} issued {e.GetProperty("issue_date").GetString()} next update {e.GetProperty("next_update").GetString()} (height {e.GetProperty("height").GetInt64()})");
                }
            }
            return CliApp.Ok;
        });
        return cmd;
    }
}

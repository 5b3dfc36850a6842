using System.CommandLine;
using Citrine.Attestation.Attestors;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Pcs;
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
            CommonOptions.Optional("--issuer-chain", "The issuer chain: a PEM file, or a file holding the URL-encoded PCS *-Issuer-Chain header."),
            CommonOptions.Optional("--from-pcs", "Fetch from a PCS/PCCS base URL instead: root CA CRL, TCB Info, QE identity and PCK CRL, one tx each."),
            CommonOptions.Optional("--fmspc", "With --from-pcs: the FMSPC (6 bytes of hex)."),
            CommonOptions.Optional("--tee", "With --from-pcs: sgx (default) or tdx."),
            CommonOptions.Optional("--ca", "With --from-pcs: the PCK CA whose CRL to fetch, processor (default) or platform."),
        ];
        registry.Subcommands.Add(TxCommands.BuildMany("upload", "Upload collateral (verified by the node at block time).", documents, async (values, _, from, cancellationToken) =>
            values["--from-pcs"] is { } url ? await FromPcs(values, url, from, cancellationToken).ConfigureAwait(false) : [FromFiles(values, from)]));
        registry.Subcommands.Add(Show());
        return registry;
    }

    private static MsgRegistryUpdate FromFiles(Dictionary<string, string?> values, byte[] from)
    {
        {
            if (values["--issuer-chain"] is null)
            {
                throw new CliInputException("--issuer-chain is required (or use --from-pcs)");
            }
            var (kind, path) = Choose(values);
            var chain = CliInput.ReadText(values["--issuer-chain"]!, "--issuer-chain");
            // PCS serves issuer chains URL-encoded in a response header; PEM itself never contains '%'.
            if (chain.Contains('%', StringComparison.Ordinal))
            {
                chain = Uri.UnescapeDataString(chain.Trim());
            }
            return new MsgRegistryUpdate(from, (uint)kind, CliInput.ReadFile(path, OptionOf(kind)), System.Text.Encoding.ASCII.GetBytes(chain));
        }
    }

    /// <summary>
    /// Fetches with <see cref="PcsCollateralClient"/> and uploads in dependency order: the root CA
    /// CRL first (the others are checked against it), then TCB Info, QE identity and the PCK CRL.
    /// Nothing fetched is trusted here; the node verifies each against the pinned root.
    /// </summary>
    private static async Task<IReadOnlyList<Msg>> FromPcs(Dictionary<string, string?> values, string url, byte[] from, CancellationToken cancellationToken)
    {
        if ((values["--tcb-info"] ?? values["--qe-identity"] ?? values["--tcb-evaluation-numbers"] ?? values["--crl"] ?? values["--issuer-chain"]) is not null)
        {
            throw new CliInputException("--from-pcs fetches every document; do not combine it with file options");
        }
        var fmspc = CliInput.Hex(values["--fmspc"] ?? throw new CliInputException("--from-pcs needs --fmspc"), "--fmspc");
        if (fmspc.Length != 6)
        {
            throw new CliInputException("--fmspc is 6 bytes of hex");
        }
        var tee = values["--tee"] switch { null or "sgx" => TeeKind.Sgx, "tdx" => TeeKind.Tdx, var t => throw new CliInputException($"--tee must be sgx or tdx, got '{t}'") };
        var ca = values["--ca"] switch { null or "processor" => PckCaType.Processor, "platform" => PckCaType.Platform, var other => throw new CliInputException($"--ca must be processor or platform, got '{other}'") };
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress))
        {
            throw new CliInputException($"--from-pcs '{url}' is not an absolute URL");
        }
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        PcsCollateral c;
        try
        {
            c = await new PcsCollateralClient(http, baseAddress).GetCollateralAsync(tee, fmspc, ca, cancellationToken).ConfigureAwait(false);
        }
        catch (PcsException e)
        {
            throw new CliFailureException($"fetching collateral from {url}: {e.Message}", e);
        }
        // The root certificate closes every PCS issuer chain; alone it names the root CRL's issuer.
        var rootPem = "-----BEGIN CERTIFICATE-----" + c.TcbInfoIssuerChain.Split("-----BEGIN CERTIFICATE-----")[^1];
        var ascii = System.Text.Encoding.ASCII;
        return
        [
            new MsgRegistryUpdate(from, (uint)CollateralKind.RootCaCrl, c.RootCaCrl, ascii.GetBytes(rootPem)),
            new MsgRegistryUpdate(from, (uint)CollateralKind.TcbInfo, PcsResponse("tcbInfo", c.TcbInfo, c.TcbInfoSignature), ascii.GetBytes(c.TcbInfoIssuerChain)),
            new MsgRegistryUpdate(from, (uint)CollateralKind.QeIdentity, PcsResponse("enclaveIdentity", c.QeIdentity, c.QeIdentitySignature), ascii.GetBytes(c.QeIdentityIssuerChain)),
            new MsgRegistryUpdate(from, (uint)(ca == PckCaType.Processor ? CollateralKind.ProcessorCrl : CollateralKind.PlatformCrl), c.PckCrl, ascii.GetBytes(c.PckCrlIssuerChain)),
        ];
    }

    /// <summary>The PCS response form around the exact signed body (the signature covers only the inner object).</summary>
    private static byte[] PcsResponse(string key, string body, byte[] signature) =>
        System.Text.Encoding.UTF8.GetBytes("{\"" + key + "\":" + body + ",\"signature\":\"" + Convert.ToHexStringLower(signature) + "\"}");

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

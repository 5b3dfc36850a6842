using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Policy;
using Citrine.Crypto.Encoding;

namespace Citrine.Cli.Commands;

/// <summary><c>citrine attest verify|inspect</c>: DCAP quote verification and inspection.</summary>
internal static class AttestCommands
{
    public static Command Create()
    {
        var group = new Command("attest", "Verify and inspect Intel SGX/TDX DCAP quotes.");
        group.Subcommands.Add(Verify());
        group.Subcommands.Add(Inspect());
        return group;
    }

    private static Command Verify()
    {
        var quote = CommonOptions.Required("--quote", "Quote file, binary or hex text (optionally 0x-prefixed).");
        var collateral = CommonOptions.Required("--collateral", "Collateral file (dcap-qvl QuoteCollateralV3 JSON).");
        var now = CommonOptions.Optional("--now", "Verification time: unix seconds or RFC 3339 (default: the current time).");
        var root = CommonOptions.Optional("--root", "Root CA certificate (PEM or DER) to trust instead of the Intel SGX Root CA.");
        var policy = CommonOptions.Optional("--policy", "Attestation policy JSON file (default: only UpToDate and SWHardeningNeeded platforms, no debug enclaves or TDs, no reserved TD attribute bits).");
        var evalNumbers = CommonOptions.Optional("--tcb-evaluation-numbers", "Intel PCS TCB Evaluation Data Numbers response (JSON), for a policy with tcb_recovery_grace_days.");
        var evalChain = CommonOptions.Optional("--tcb-evaluation-numbers-chain", "Its issuer chain (PEM: TCB signing certificate, root).");
        var json = CommonOptions.Json();
        var cmd = new Command("verify", "Verify a quote against collateral; exit 0 when accepted, 1 when rejected.")
        {
            quote, collateral, now, root, policy, evalNumbers, evalChain, json,
        };
        cmd.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var quoteBytes = CliInput.ReadBinaryOrHex(parsed.GetValue(quote)!, "--quote");
            Quote parsedQuote;
            try
            {
                parsedQuote = QuoteParser.Parse(quoteBytes);
            }
            catch (QuoteFormatException e)
            {
                throw new CliInputException($"--quote: {e.Message}", e);
            }
            QuoteCollateral coll;
            try
            {
                coll = QuoteCollateral.FromQvlJson(CliInput.ReadFile(parsed.GetValue(collateral)!, "--collateral"));
            }
            catch (CollateralFormatException e)
            {
                throw new CliInputException($"--collateral: {e.Message}", e);
            }
            var options = VerifierOptions.Default;
            if (parsed.GetValue(root) is { } rootPath)
            {
                try
                {
                    options = options with { TrustAnchor = TrustAnchor.FromCertificate(CliInput.ReadFile(rootPath, "--root")) };
                }
                catch (CollateralFormatException e)
                {
                    throw new CliInputException($"--root: {e.Message}", e);
                }
            }
            AttestationPolicy? pol = null;
            if (parsed.GetValue(policy) is { } policyPath)
            {
                try
                {
                    pol = AttestationPolicy.FromJson(CliInput.ReadFile(policyPath, "--policy"));
                }
                catch (PolicyFormatException e)
                {
                    throw new CliInputException($"--policy: {e.Message}", e);
                }
            }
            var effective = pol ?? AttestationPolicy.SecurityDefaults;
            // A file policy is named by its "name", else by its path.
            var policyName = pol is null ? AttestationPolicy.DefaultName : pol.Name != AttestationPolicy.DefaultName ? pol.Name : parsed.GetValue(policy)!;
            // The verifier refuses debug enclaves and TDs unless the policy opts in (allow_debug).
            options = options with { AllowDebug = effective.AllowDebug };
            // The CLI may read the clock; the verifier never does.
            var time = parsed.GetValue(now) is { } nowText ? CliInput.Time(nowText, "--now") : DateTimeOffset.UtcNow;
            var verdict = Verifier.Verify(parsedQuote, coll, time, options);
            TcbEvaluationNumbersVerdict? numbers = null;
            var numbersPath = parsed.GetValue(evalNumbers);
            var numbersChainPath = parsed.GetValue(evalChain);
            if ((numbersPath is null) != (numbersChainPath is null))
            {
                throw new CliInputException("--tcb-evaluation-numbers and --tcb-evaluation-numbers-chain go together");
            }
            if (numbersPath is not null)
            {
                numbers = TcbEvaluationNumbersVerifier.Verify(CliInput.ReadFile(numbersPath, "--tcb-evaluation-numbers"), CliInput.ReadFile(numbersChainPath!, "--tcb-evaluation-numbers-chain"), coll.RootCaCrl, parsedQuote.TeeType, time, options.TrustAnchor);
            }
            var decision = PolicyEvaluator.Evaluate(verdict, effective, numbers, time);
            if (decision.Reason == PolicyReason.TcbEvaluationDataNumbersMissing && numbers is { IsVerified: false } refused)
            {
                decision = decision with { Detail = $"{decision.Detail}; the given document was refused: {refused.Reason}: {refused.Detail}" };
            }
            var accepted = verdict.IsVerified && decision.IsAccepted;
            var reason = !verdict.IsVerified ? verdict.Reason.ToString() : decision.IsAccepted ? null : decision.Reason.ToString();
            var detail = !verdict.IsVerified ? verdict.Detail : decision.Detail;
            if (parsed.GetValue(json))
            {
                CliOutput.WriteJson(output, w => WriteVerdict(w, verdict, decision, accepted, reason, detail, policyName, time));
            }
            else
            {
                output.WriteLine(accepted ? "OK" : $"REJECTED: {reason}: {detail}");
                if (verdict.TcbStatus is { } st)
                {
                    output.WriteLine($"status: {st}");
                    output.WriteLine($"advisories: {string.Join(", ", verdict.AdvisoryIds)}");
                }
                output.WriteLine(!verdict.IsVerified
                    ? $"policy: {policyName} (not reached: verification failed)"
                    : $"policy: {policyName} ({(decision.IsAccepted ? "ACCEPTED" : "REJECTED: " + decision.Reason)})");
                output.WriteLine($"tee: {verdict.TeeType}");
                WriteMeasurementText(output, verdict);
                if (verdict.CollateralExpires is { } exp)
                {
                    output.WriteLine($"collateral expires: {exp.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}");
                }
            }
            return accepted ? CliApp.Ok : CliApp.Failed;
        });
        return cmd;
    }

    private static void WriteVerdict(Utf8JsonWriter w, DcapVerdict v, PolicyResult policy, bool accepted, string? reason, string? detail, string policyName, DateTimeOffset now)
    {
        w.WriteString("result", accepted ? "OK" : "REJECTED");
        if (reason is not null)
        {
            w.WriteString("reason", reason);
            w.WriteString("detail", detail);
        }
        w.WriteString("verification", v.IsVerified ? "OK" : v.Reason.ToString());
        if (v.TcbStatus is { } s)
        {
            w.WriteString("status", s.ToString());
        }
        else
        {
            w.WriteNull("status");
        }
        w.WriteStartArray("advisory_ids");
        foreach (var a in v.AdvisoryIds)
        {
            w.WriteStringValue(a);
        }
        w.WriteEndArray();
        w.WriteString("tee_type", v.TeeType == TeeType.Tdx ? "TDX" : "SGX");
        w.WriteStartObject("measurement");
        if (v.Measurement is { } m)
        {
            if (m.MrEnclave is not null)
            {
                w.WriteString("mrenclave", Hex.Encode(m.MrEnclave));
                w.WriteString("mrsigner", Hex.Encode(m.MrSigner!));
                w.WriteNumber("isvprodid", m.IsvProdId);
                w.WriteNumber("isvsvn", m.IsvSvn);
            }
            else
            {
                w.WriteString("mrtd", Hex.Encode(m.MrTd!));
                for (var i = 0; i < m.Rtmrs!.Count; i++)
                {
                    w.WriteString($"rtmr{i}", Hex.Encode(m.Rtmrs[i]));
                }
                w.WriteString("mrconfigid", Hex.Encode(m.MrConfigId!));
                w.WriteString("mrowner", Hex.Encode(m.MrOwner!));
                w.WriteString("mrownerconfig", Hex.Encode(m.MrOwnerConfig!));
                if (m.MrServiceTd is not null)
                {
                    w.WriteString("mrservicetd", Hex.Encode(m.MrServiceTd));
                }
            }
        }
        w.WriteEndObject();
        w.WriteString("attributes", v.Attributes is null ? null : Hex.Encode(v.Attributes));
        w.WriteString("report_data", v.ReportData is null ? null : Hex.Encode(v.ReportData));
        w.WriteString("fmspc", v.Fmspc is null ? null : Hex.Encode(v.Fmspc));
        if (v.TcbEvaluationDataNumber is { } n)
        {
            w.WriteNumber("tcb_evaluation_data_number", n);
        }
        w.WriteString("collateral_expires", v.CollateralExpires?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        w.WriteString("now", now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        // Which policy decided: "default" or the --policy file's name (or path).
        w.WriteStartObject("policy");
        w.WriteString("name", policyName);
        w.WriteString("result", !v.IsVerified ? "NOT_REACHED" : policy.IsAccepted ? "ACCEPTED" : "REJECTED");
        if (v.IsVerified && !policy.IsAccepted)
        {
            w.WriteString("reason", policy.Reason.ToString());
            w.WriteString("detail", policy.Detail);
        }
        w.WriteEndObject();
    }

    private static void WriteMeasurementText(TextWriter o, DcapVerdict v)
    {
        if (v.Measurement is not { } m)
        {
            return;
        }
        if (m.MrEnclave is not null)
        {
            o.WriteLine($"mrenclave: {Hex.Encode(m.MrEnclave)}");
            o.WriteLine($"mrsigner: {Hex.Encode(m.MrSigner!)}");
            o.WriteLine($"isvprodid: {m.IsvProdId}  isvsvn: {m.IsvSvn}");
        }
        else
        {
            o.WriteLine($"mrtd: {Hex.Encode(m.MrTd!)}");
            for (var i = 0; i < m.Rtmrs!.Count; i++)
            {
                o.WriteLine($"rtmr{i}: {Hex.Encode(m.Rtmrs[i])}");
            }
        }
        o.WriteLine($"report_data: {Hex.Encode(v.ReportData!)}");
    }

    private static Command Inspect()
    {
        var quote = CommonOptions.Required("--quote", "Quote file, binary or hex text (optionally 0x-prefixed).");
        var cmd = new Command("inspect", "Print every field of a quote.") { quote };
        cmd.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            var bytes = CliInput.ReadBinaryOrHex(parsed.GetValue(quote)!, "--quote");
            Quote q;
            try
            {
                q = QuoteParser.Parse(bytes);
            }
            catch (QuoteFormatException e)
            {
                throw new CliInputException($"--quote: {e.Message}", e);
            }
            var h = q.Header;
            o.WriteLine("header:");
            o.WriteLine($"  version: {h.Version}");
            o.WriteLine($"  attestation_key_type: {h.AttestationKeyType}");
            o.WriteLine($"  tee_type: 0x{(uint)h.TeeType:x} ({h.TeeType})");
            o.WriteLine($"  qe_svn: {h.QeSvn}");
            o.WriteLine($"  pce_svn: {h.PceSvn}");
            o.WriteLine($"  qe_vendor_id: {Hex.Encode(h.QeVendorId)}");
            o.WriteLine($"  user_data: {Hex.Encode(h.UserData)}");
            o.WriteLine($"body ({q.BodyType}):");
            if (q.SgxBody is { } s)
            {
                WriteSgx(o, s, "  ");
            }
            else
            {
                var t = q.TdBody!;
                o.WriteLine($"  tee_tcb_svn: {Hex.Encode(t.TeeTcbSvn)}");
                o.WriteLine($"  mrseam: {Hex.Encode(t.MrSeam)}");
                o.WriteLine($"  mrsignerseam: {Hex.Encode(t.MrSignerSeam)}");
                o.WriteLine($"  seam_attributes: {Hex.Encode(t.SeamAttributes)}");
                o.WriteLine($"  td_attributes: {Hex.Encode(t.TdAttributes)}");
                o.WriteLine($"  xfam: {Hex.Encode(t.Xfam)}");
                o.WriteLine($"  mrtd: {Hex.Encode(t.MrTd)}");
                o.WriteLine($"  mrconfigid: {Hex.Encode(t.MrConfigId)}");
                o.WriteLine($"  mrowner: {Hex.Encode(t.MrOwner)}");
                o.WriteLine($"  mrownerconfig: {Hex.Encode(t.MrOwnerConfig)}");
                for (var i = 0; i < 4; i++)
                {
                    o.WriteLine($"  rtmr{i}: {Hex.Encode(t.Rtmrs[i])}");
                }
                o.WriteLine($"  report_data: {Hex.Encode(t.ReportData)}");
                if (t.TeeTcbSvn2 is not null)
                {
                    o.WriteLine($"  tee_tcb_svn2: {Hex.Encode(t.TeeTcbSvn2)}");
                    o.WriteLine($"  mrservicetd: {Hex.Encode(t.MrServiceTd!)}");
                }
            }
            o.WriteLine("signature_data:");
            o.WriteLine($"  signature: {Hex.Encode(q.Signature)}");
            o.WriteLine($"  attestation_key: {Hex.Encode(q.AttestationKey)}");
            o.WriteLine($"  certification_data_type: {q.CertificationData.Type}");
            o.WriteLine("  qe_report:");
            WriteSgx(o, q.QeReport, "    ");
            o.WriteLine($"  qe_report_signature: {Hex.Encode(q.QeReportSignature)}");
            o.WriteLine($"  qe_auth_data: {Hex.Encode(q.QeAuthenticationData)}");
            o.WriteLine($"  pck_chain: {PemText.DecodeAll(q.PckChainPem, "CERTIFICATE", "pck").Count} certificates, {q.PckChainPem.Length} bytes");
            try
            {
                var leaf = DcapCertificate.Parse(PemText.DecodeAll(q.PckChainPem, "CERTIFICATE", "pck")[0]);
                var pck = PckExtensions.FromCertificate(leaf);
                o.WriteLine($"  pck_subject: {leaf.SubjectText}");
                o.WriteLine($"  pck_issuer: {leaf.IssuerText}");
                o.WriteLine($"  pck_fmspc: {Hex.Encode(pck.Fmspc)}");
                o.WriteLine($"  pck_pce_id: {Hex.Encode(pck.PceId)}");
                o.WriteLine($"  pck_cpusvn: {Hex.Encode(pck.CpuSvn)}");
                o.WriteLine($"  pck_tcb_components: {Hex.Encode(pck.TcbComponents)}");
                o.WriteLine($"  pck_pcesvn: {pck.PceSvn}");
                o.WriteLine($"  pck_sgx_type: {pck.SgxType}");
            }
            catch (Exception e) when (e is CollateralFormatException or PckExtensionException or ArgumentOutOfRangeException)
            {
                o.WriteLine($"  pck: unreadable ({e.Message})");
            }
            o.WriteLine($"length: {q.Length}");
            o.WriteLine($"trailing_bytes: {q.TrailingByteCount}");
            return CliApp.Ok;
        });
        return cmd;
    }

    private static void WriteSgx(TextWriter o, SgxReportBody s, string indent)
    {
        o.WriteLine($"{indent}cpusvn: {Hex.Encode(s.CpuSvn)}");
        o.WriteLine($"{indent}miscselect: 0x{s.MiscSelect:x8}");
        o.WriteLine($"{indent}isvextprodid: {Hex.Encode(s.IsvExtProdId)}");
        o.WriteLine($"{indent}attributes: {Hex.Encode(s.Attributes)}");
        o.WriteLine($"{indent}mrenclave: {Hex.Encode(s.MrEnclave)}");
        o.WriteLine($"{indent}mrsigner: {Hex.Encode(s.MrSigner)}");
        o.WriteLine($"{indent}configid: {Hex.Encode(s.ConfigId)}");
        o.WriteLine($"{indent}isvprodid: {s.IsvProdId}");
        o.WriteLine($"{indent}isvsvn: {s.IsvSvn}");
        o.WriteLine($"{indent}configsvn: {s.ConfigSvn}");
        o.WriteLine($"{indent}isvfamilyid: {Hex.Encode(s.IsvFamilyId)}");
        o.WriteLine($"{indent}report_data: {Hex.Encode(s.ReportData)}");
    }
}

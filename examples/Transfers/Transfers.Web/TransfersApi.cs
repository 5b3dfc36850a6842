using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Transfers.Web;

/// <summary>
/// The page's JSON API (docs/transfers.md, "The web API"), for a host on loopback:
/// <c>GET /api/status</c>, <c>GET /api/accounts</c>, <c>POST /api/requests</c>,
/// <c>GET /api/responses/{seq}</c>. The API never sees a plaintext: the browser encrypts, the API
/// checks the envelope and has the dev host sign the transaction.
/// </summary>
/// <remarks>
/// It signs with devnet keys for whoever can reach it, so it answers only requests whose
/// <c>Host</c> is a loopback name (a DNS-rebinding page gets 403) and takes POST bodies only as
/// <c>application/json</c> (a cross-site form cannot send that without a CORS preflight, which it
/// never grants).
/// </remarks>
public static class TransfersApi
{
    /// <summary>The largest request body the API reads: a 16 KiB ciphertext in base64 and the envelope.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    public static RouteGroupBuilder MapTransfersApi(this IEndpointRouteBuilder endpoints, ITransfersView view, ITransfersSubmitter submitter)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(submitter);
        var api = endpoints.MapGroup("/api");
        api.AddEndpointFilter(async (context, next) =>
            IsLoopbackHost(context.HttpContext.Request.Host)
                ? await next(context).ConfigureAwait(false)
                : Error(StatusCodes.Status403Forbidden, "the Transfers API answers only on a loopback host name"));
        api.MapGet("/status", async (CancellationToken ct) => Json(Status(await view.GetSnapshotAsync(ct).ConfigureAwait(false))));
        api.MapGet("/accounts", async (CancellationToken ct) => Json(Accounts(await view.GetAccountsAsync(ct).ConfigureAwait(false))));
        api.MapGet("/responses/{seq}", async (string seq, CancellationToken ct) =>
        {
            if (!ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return Error(StatusCodes.Status400BadRequest, $"'{seq}' is not a request sequence number");
            }
            var response = await view.GetResponseAsync(number, ct).ConfigureAwait(false);
            var queue = response is null ? (await view.GetSnapshotAsync(ct).ConfigureAwait(false)).Queue : null;
            return Json(Response(number, response, queue));
        });
        api.MapPost("/requests", (HttpRequest request, CancellationToken ct) => SubmitAsync(request, view, submitter, ct));
        return api;
    }

    /// <summary>Whether <paramref name="host"/> names this machine's loopback interface.</summary>
    public static bool IsLoopbackHost(HostString host) =>
        host.Host is "127.0.0.1" or "localhost" or "[::1]";

    private static async Task<IResult> SubmitAsync(HttpRequest request, ITransfersView view, ITransfersSubmitter submitter, CancellationToken ct)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "a request is posted as application/json");
        }
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return Error(StatusCodes.Status413PayloadTooLarge, $"a request body is at most {MaxBodyBytes} bytes");
                }
                buffer.Write(chunk, 0, read);
            }
            body = buffer.ToArray();
        }
        PageRequest parsed;
        try
        {
            parsed = PageRequest.Parse(body);
        }
        catch (FormatException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        var accounts = await view.GetAccountsAsync(ct).ConfigureAwait(false);
        var account = accounts.FirstOrDefault(a =>
            string.Equals(a.Name, parsed.Account, StringComparison.Ordinal)
            || string.Equals(Convert.ToHexStringLower(a.Address), parsed.Account, StringComparison.OrdinalIgnoreCase));
        if (account is null)
        {
            return Error(StatusCodes.Status400BadRequest, $"'{parsed.Account}' is not one of the devnet accounts");
        }
        var message = ExecutionMessages.Request(parsed.Kind, parsed.Suite, parsed.Enc, parsed.Ciphertext);
        SubmittedRequest submitted;
        try
        {
            submitted = await submitter.SubmitAsync(account, message, parsed.Funds, ct).ConfigureAwait(false);
        }
        catch (TransfersSubmitException e)
        {
            return Error(StatusCodes.Status409Conflict, e.Message);
        }
        return Json(Write(w =>
        {
            w.WriteNumber("seq", submitted.Seq);
            w.WriteString("tx_hash", submitted.TxHash);
            w.WriteNumber("height", submitted.Height);
        }));
    }

    internal static byte[] Status(TransfersSnapshot s) => Write(w =>
    {
        w.WriteString("chain_id", s.ChainId);
        w.WriteString("contract", Convert.ToHexStringLower(s.Contract));
        w.WriteString("contract_display", s.ContractDisplay ?? Convert.ToHexStringLower(s.Contract));
        w.WriteNumber("height", s.Height);
        w.WriteNumber("block_time", s.BlockTimeUnixSeconds);
        w.WriteString("mode", s.Mode);
        w.WriteString("suite", RequestSuite.ChaCha20Poly1305);
        w.WriteString("info", RequestSuite.Info);
        if (s.Session is { } session)
        {
            w.WriteStartObject("session");
            w.WriteNumber("id", session.Id);
            w.WriteString("phase", Phase(session.Phase));
            w.WriteString("measurement", Convert.ToHexStringLower(session.Measurement));
            w.WriteString("signing_key", Convert.ToHexStringLower(session.SigningKey));
            w.WriteString("encryption_key", Convert.ToHexStringLower(session.EncryptionKey));
            w.WriteNumber("verified_height", session.VerifiedHeight);
            w.WriteNumber("attestation_expiry", session.AttestationExpiryUnixSeconds);
            w.WriteString("attestation", Attestation(session, s.BlockTimeUnixSeconds));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("session");
        }
        if (s.Queue is { } queue)
        {
            w.WriteStartObject("queue");
            w.WriteNumber("head", queue.Head);
            w.WriteNumber("next", queue.Next);
            w.WriteNumber("length", queue.Next - queue.Head);
            w.WriteString("state_hash", Convert.ToHexStringLower(queue.StateHash));
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("queue");
        }
    });

    // "current" only for an Established session whose attestation has not expired at the block time:
    // the contract's RequireActiveSession takes requests exactly then.
    internal static string Attestation(SessionRecord session, long blockTime) => session.Phase switch
    {
        SessionPhase.Established when blockTime < session.AttestationExpiryUnixSeconds => "current",
        SessionPhase.Established => "expired",
        SessionPhase.Created => "pending",
        _ => "ended",
    };

    private static string Phase(SessionPhase phase) => phase switch
    {
        SessionPhase.Created => "created",
        SessionPhase.Established => "established",
        SessionPhase.Ended => "ended",
        _ => "unknown",
    };

    internal static byte[] Accounts(IReadOnlyList<DevAccount> accounts) => Write(w =>
    {
        w.WriteStartArray("accounts");
        foreach (var a in accounts)
        {
            w.WriteStartObject();
            w.WriteString("name", a.Name);
            w.WriteString("address", Convert.ToHexStringLower(a.Address));
            w.WriteString("display", a.Display);
            w.WriteNumber("bank_balance", a.BankBalance);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    internal static byte[] Response(ulong seq, OutputResponse? response, QueueAnswer? queue) => Write(w =>
    {
        w.WriteNumber("seq", seq);
        if (response is null)
        {
            // Consumed without a response can only happen to an app that leaves opened requests
            // unanswered; this one answers every request, but the page is told rather than left waiting.
            var consumed = queue is not null && seq < queue.Head;
            w.WriteString("status", consumed ? "none" : "pending");
            return;
        }
        w.WriteString("status", ExecutionMessages.StatusName(response.Status));
        w.WriteBase64String("payload", response.Payload);
        if (response.Status == ResponseStatus.Refused)
        {
            w.WriteString("reason", System.Text.Encoding.UTF8.GetString(response.Payload));
        }
    });

    private static IResult Json(byte[] utf8) => Results.Bytes(utf8, "application/json");

    private static IResult Error(int status, string message) =>
        Results.Text(System.Text.Encoding.UTF8.GetString(Write(w => w.WriteString("error", message))), "application/json", System.Text.Encoding.UTF8, status);

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

using System.Text;

namespace Citrine.Contracts.Execution;

/// <summary>What an output effect does; only sends exist.</summary>
public enum OutputEffectKind : byte
{
    /// <summary>Send devnet tokens from the contract's funds.</summary>
    Send = 1,
}

/// <summary>A public effect of an output: <c>u8 kind (1 = send) ‖ LP(to[20]) ‖ u64 amount</c>; the amount is positive.</summary>
public sealed record OutputEffect
{
    public OutputEffectKind Kind { get; init; } = OutputEffectKind.Send;

    /// <summary>The 20-byte recipient.</summary>
    public required byte[] To { get; init; }

    /// <summary>Devnet tokens taken from the contract's balance; never 0.</summary>
    public required ulong Amount { get; init; }

    /// <summary>A send of <paramref name="amount"/> to <paramref name="to"/>.</summary>
    public static OutputEffect Send(byte[] to, ulong amount) => new() { To = to, Amount = amount };

    public bool Equals(OutputEffect? other) =>
        other is not null && Kind == other.Kind && Amount == other.Amount && To is not null && other.To is not null && To.AsSpan().SequenceEqual(other.To);

    public override int GetHashCode() => (int)Amount;
}

/// <summary>How the enclave answered one request.</summary>
public enum ResponseStatus : byte
{
    /// <summary>The handler accepted the request; the payload is the app's answer.</summary>
    Ok = 0,

    /// <summary>The handler refused it; the payload is the reason as UTF-8 text (e.g. <c>overdraft</c>).</summary>
    Refused = 1,
}

/// <summary>
/// The enclave's response to request <see cref="Seq"/>: <c>u64 seq ‖ u8 status ‖ LP(payload)</c>,
/// inside an output body and, exactly so, under the contract key <c>response/ ‖ u64be seq</c>.
/// </summary>
public sealed record OutputResponse
{
    public required ulong Seq { get; init; }

    public required ResponseStatus Status { get; init; }

    public byte[] Payload { get; init; } = [];

    /// <summary>The stored form (the same bytes as in the body).</summary>
    public byte[] Encode()
    {
        if (Payload is null || Status is not (ResponseStatus.Ok or ResponseStatus.Refused))
        {
            throw new InvalidOperationException("the response cannot be encoded: a payload and a status of ok or refused are required");
        }
        var bytes = new byte[8 + 1 + 4 + Payload.Length];
        var w = new BinaryWriterCursor(bytes);
        Write(ref w);
        return bytes;
    }

    /// <summary>Decodes exactly one stored response; never throws.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out OutputResponse? response, out string error)
    {
        var r = new BinaryReaderCursor(bytes);
        if (!Read(ref r, "response", out response) || !r.End("response"))
        {
            response = null;
            error = r.Error;
            return false;
        }
        error = "";
        return true;
    }

    internal void Write(ref BinaryWriterCursor w)
    {
        w.U64(Seq);
        w.U8((byte)Status);
        w.Lp(Payload);
    }

    internal static bool Read(ref BinaryReaderCursor r, string field, out OutputResponse? response)
    {
        response = null;
        if (!r.U64(field + ".seq", out var seq))
        {
            return false;
        }
        var at = r.Position;
        if (!r.U8(field + ".status", out var status))
        {
            return false;
        }
        if (status > (byte)ResponseStatus.Refused)
        {
            return r.Fail(field + ".status", at, $"unknown status {status} (0 ok, 1 refused)");
        }
        if (!r.Lp(field + ".payload", int.MaxValue, out var payload))
        {
            return false;
        }
        response = new OutputResponse { Seq = seq, Status = (ResponseStatus)status, Payload = payload.ToArray() };
        return true;
    }

    public bool Equals(OutputResponse? other) =>
        other is not null && Seq == other.Seq && Status == other.Status && Payload is not null && other.Payload is not null && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => (int)Seq;
}

/// <summary>
/// The body of an enclave output (docs/execution.md, "Outputs"), signed with the session's Ed25519
/// key. Binary, big-endian, exact length:
/// <code>
/// LP("citrine/v1/output") ‖ LP(chain_id) ‖ LP(contract[20]) ‖ u64 session_id ‖ [32] prev_state_hash ‖
/// u64 first_seq ‖ u64 end_seq ‖ u64 verified_height ‖ LP(new_state) ‖
/// u32 n ‖ n × (u8 kind ‖ LP(to[20]) ‖ u64 amount) ‖ u32 m ‖ m × (u64 seq ‖ u8 status ‖ LP(payload))
/// </code>
/// The decoder checks the form only; whether the range, hashes and responses fit the contract's
/// state is the business of <c>ExecutionCore.ApplyOutput</c>.
/// </summary>
public sealed record OutputBody
{
    /// <summary>The domain tag: UTF-8 <c>citrine/v1/output</c>.</summary>
    public const string Tag = "citrine/v1/output";

    public const int HashSize = 32;
    public const int AddressSize = 20;

    /// <summary>The longest chain id a body may carry (CometBFT allows 50 bytes).</summary>
    public const int MaxChainIdLength = 50;

    private const int EffectMinSize = 1 + 4 + AddressSize + 8;
    private const int ResponseMinSize = 8 + 1 + 4;

    public required string ChainId { get; init; }

    public required byte[] Contract { get; init; }

    public required ulong SessionId { get; init; }

    /// <summary>SHA-256 of the state blob the enclave started from; zeros when there was none.</summary>
    public required byte[] PrevStateHash { get; init; }

    /// <summary>The queue head the enclave proved: the first request of the batch.</summary>
    public required ulong FirstSeq { get; init; }

    /// <summary>One past the last request of the batch.</summary>
    public required ulong EndSeq { get; init; }

    /// <summary>The height of the header whose app hash the inputs were proven under.</summary>
    public required ulong VerifiedHeight { get; init; }

    /// <summary>The new encrypted state blob; never empty.</summary>
    public required byte[] NewState { get; init; }

    public IReadOnlyList<OutputEffect> Effects { get; init; } = [];

    public IReadOnlyList<OutputResponse> Responses { get; init; } = [];

    /// <summary>The encoding (what the enclave signs); throws <see cref="InvalidOperationException"/> when a field cannot be encoded (what <see cref="TryDecode"/> would refuse).</summary>
    public byte[] Encode()
    {
        if (ChainId is null || Contract is null || PrevStateHash is null || NewState is null || Effects is null || Responses is null
            || Effects.Any(e => e is null || e.To is null) || Responses.Any(r => r is null || r.Payload is null))
        {
            throw new InvalidOperationException("the output body cannot be encoded: a field is null");
        }
        var tag = Encoding.UTF8.GetBytes(Tag);
        var chain = Encoding.UTF8.GetBytes(ChainId);
        var size = 4 + tag.Length + 4 + chain.Length + 4 + Contract.Length + 8 + PrevStateHash.Length + 24 + 4 + NewState.Length
            + 4 + Effects.Sum(e => 1 + 4 + (long)e.To.Length + 8) + 4 + Responses.Sum(r => 8 + 1 + 4 + (long)r.Payload.Length);
        if (size > int.MaxValue || PrevStateHash.Length != HashSize)
        {
            throw new InvalidOperationException($"the output body cannot be encoded: prev_state_hash must be {HashSize} bytes and the body under 2 GiB");
        }
        var bytes = new byte[size];
        var w = new BinaryWriterCursor(bytes);
        w.Lp(tag);
        w.Lp(chain);
        w.Lp(Contract);
        w.U64(SessionId);
        w.Fixed(PrevStateHash);
        w.U64(FirstSeq);
        w.U64(EndSeq);
        w.U64(VerifiedHeight);
        w.Lp(NewState);
        w.U32((uint)Effects.Count);
        foreach (var effect in Effects)
        {
            w.U8((byte)effect.Kind);
            w.Lp(effect.To);
            w.U64(effect.Amount);
        }
        w.U32((uint)Responses.Count);
        foreach (var response in Responses)
        {
            response.Write(ref w);
        }
        if (!TryDecode(bytes, out _, out var error))
        {
            throw new InvalidOperationException($"the output body cannot be encoded: {error}");
        }
        return bytes;
    }

    /// <summary>
    /// Decodes exactly one body; false with an error naming the field and its offset for a wrong
    /// tag, an empty, over-long or non-UTF-8 chain id, a contract or recipient that is not 20 bytes, an empty new state,
    /// an unknown effect kind or response status, a send of 0, counts the remaining bytes cannot
    /// hold, and trailing bytes. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out OutputBody? body, out string error)
    {
        body = null;
        var r = new BinaryReaderCursor(bytes);
        var ok = Decode(ref r, out body);
        error = ok ? "" : r.Error;
        if (!ok)
        {
            body = null;
        }
        return ok;
    }

    private static bool Decode(ref BinaryReaderCursor r, out OutputBody? body)
    {
        body = null;
        var at = r.Position;
        if (!r.Lp("tag", 64, out var tag))
        {
            return false;
        }
        if (!tag.SequenceEqual("citrine/v1/output"u8))
        {
            return r.Fail("tag", at, $"expected '{Tag}'");
        }
        at = r.Position;
        if (!r.Lp("chain_id", MaxChainIdLength, out var chain))
        {
            return false;
        }
        if (chain.IsEmpty || !System.Text.Unicode.Utf8.IsValid(chain))
        {
            return r.Fail("chain_id", at, "expected 1..50 bytes of UTF-8");
        }
        at = r.Position;
        if (!r.Lp("contract", AddressSize, out var contract))
        {
            return false;
        }
        if (contract.Length != AddressSize)
        {
            return r.Fail("contract", at, $"expected {AddressSize} bytes, got {contract.Length}");
        }
        if (!r.U64("session_id", out var sessionId)
            || !r.Fixed("prev_state_hash", HashSize, out var prev)
            || !r.U64("first_seq", out var first)
            || !r.U64("end_seq", out var end)
            || !r.U64("verified_height", out var verified))
        {
            return false;
        }
        at = r.Position;
        if (!r.Lp("new_state", int.MaxValue, out var state))
        {
            return false;
        }
        // The contract stores it under `state`, whose absence means "no state yet" (hash zeros); an
        // enclave's blob is nonce ‖ AEAD ciphertext, never empty.
        if (state.IsEmpty)
        {
            return r.Fail("new_state", at, "the new state blob is empty");
        }
        at = r.Position;
        if (!r.U32("effects count", out var n))
        {
            return false;
        }
        if (n > (uint)(r.Remaining / EffectMinSize))
        {
            return r.Fail("effects count", at, $"{n} effects cannot fit in the {r.Remaining} bytes left");
        }
        var effects = new List<OutputEffect>((int)n);
        for (var i = 0; i < (int)n; i++)
        {
            var field = $"effects[{i}]";
            at = r.Position;
            if (!r.U8(field + ".kind", out var kind))
            {
                return false;
            }
            if (kind != (byte)OutputEffectKind.Send)
            {
                return r.Fail(field + ".kind", at, $"unknown effect kind {kind} (1 send)");
            }
            at = r.Position;
            if (!r.Lp(field + ".to", AddressSize, out var to))
            {
                return false;
            }
            if (to.Length != AddressSize)
            {
                return r.Fail(field + ".to", at, $"expected {AddressSize} bytes, got {to.Length}");
            }
            at = r.Position;
            if (!r.U64(field + ".amount", out var amount))
            {
                return false;
            }
            if (amount == 0)
            {
                return r.Fail(field + ".amount", at, "a send moves at least 1 token");
            }
            effects.Add(new OutputEffect { Kind = OutputEffectKind.Send, To = to.ToArray(), Amount = amount });
        }
        at = r.Position;
        if (!r.U32("responses count", out var m))
        {
            return false;
        }
        if (m > (uint)(r.Remaining / ResponseMinSize))
        {
            return r.Fail("responses count", at, $"{m} responses cannot fit in the {r.Remaining} bytes left");
        }
        var responses = new List<OutputResponse>((int)m);
        for (var i = 0; i < (int)m; i++)
        {
            if (!OutputResponse.Read(ref r, $"responses[{i}]", out var response))
            {
                return false;
            }
            responses.Add(response!);
        }
        if (!r.End("output body"))
        {
            return false;
        }
        body = new OutputBody
        {
            ChainId = Encoding.UTF8.GetString(chain),
            Contract = contract.ToArray(),
            SessionId = sessionId,
            PrevStateHash = prev.ToArray(),
            FirstSeq = first,
            EndSeq = end,
            VerifiedHeight = verified,
            NewState = state.ToArray(),
            Effects = effects,
            Responses = responses,
        };
        return true;
    }

    /// <summary>Field-by-field equality of the bytes, effects and responses in order.</summary>
    public bool Equals(OutputBody? other) =>
        other is not null && string.Equals(ChainId, other.ChainId, StringComparison.Ordinal) && Same(Contract, other.Contract)
        && SessionId == other.SessionId && Same(PrevStateHash, other.PrevStateHash) && FirstSeq == other.FirstSeq && EndSeq == other.EndSeq
        && VerifiedHeight == other.VerifiedHeight && Same(NewState, other.NewState)
        && Effects.SequenceEqual(other.Effects) && Responses.SequenceEqual(other.Responses);

    public override int GetHashCode() => (int)FirstSeq ^ (int)EndSeq;

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}

using Citrine.Contracts.Execution;
using FsCheck.Xunit;
using static Citrine.Contracts.Tests.Session.SessionFixtures;

namespace Citrine.Contracts.Tests.Execution;

public sealed class OutputBodyTests
{
    private static readonly byte[] Contract = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];

    internal static OutputBody Body() => new()
    {
        ChainId = ChainId,
        Contract = Contract,
        SessionId = 2,
        PrevStateHash = new byte[32],
        FirstSeq = 3,
        EndSeq = 5,
        VerifiedHeight = 40,
        NewState = [0xaa, 0xbb],
        Effects = [OutputEffect.Send(Bytes(0x33, 20), 9)],
        Responses =
        [
            new OutputResponse { Seq = 3, Status = ResponseStatus.Ok, Payload = "ok"u8.ToArray() },
            new OutputResponse { Seq = 4, Status = ResponseStatus.Refused, Payload = "overdraft"u8.ToArray() },
        ],
    };

    private const string Known =
        "00000011" + "63697472696e652f76312f6f7574707574"
        + "00000010" + "63697472696e652d6465766e65742d31"
        + "00000014" + "0102030405060708090a0b0c0d0e0f1011121314"
        + "0000000000000002"
        + "0000000000000000000000000000000000000000000000000000000000000000"
        + "0000000000000003" + "0000000000000005" + "0000000000000028"
        + "00000002" + "aabb"
        + "00000001" + "01" + "00000014" + "3333333333333333333333333333333333333333" + "0000000000000009"
        + "00000002"
        + "0000000000000003" + "00" + "00000002" + "6f6b"
        + "0000000000000004" + "01" + "00000009" + "6f7665726472616674";

    [Fact]
    public void Encode_writes_the_documented_layout()
    {
        Assert.Equal(Known, Convert.ToHexStringLower(Body().Encode()));
        // SHA-256 of the known body: what output/last holds after it is applied (computed independently).
        Assert.Equal("4081545356e11fb79b744c8dfc694ebc983c7ca6a36951f46265bdd55a33e0a7",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Body().Encode())));
    }

    [Fact]
    public void Decode_reads_back_the_known_encoding()
    {
        Assert.True(OutputBody.TryDecode(Convert.FromHexString(Known), out var body, out var error), error);
        Assert.Equal(Body(), body);
        Assert.Equal(9UL, body!.Effects[0].Amount);
        Assert.Equal(OutputEffectKind.Send, body.Effects[0].Kind);
    }

    [Fact]
    public void A_body_without_effects_or_responses_is_well_formed()
    {
        var body = Body() with { Effects = [], Responses = [], NewState = [7] };
        Assert.True(OutputBody.TryDecode(body.Encode(), out var back, out var error), error);
        Assert.Equal(body, back);
    }

    public static TheoryData<string, string, string> Tampers() => new()
    {
        // (hex to replace, replacement, what the error starts with)
        { "63697472696e652f76312f6f7574707574", "63697472696e652f76312f6f7574707575", "tag (offset 0): expected 'citrine/v1/output'" },
        { "00000011" + "6369", "00000041" + "6369", "tag (offset 0): length 65 is above the limit 64" },
        { "00000010" + "63697472696e652d6465766e65742d31", "00000000", "chain_id (offset 21): expected 1..50 bytes of UTF-8" },
        { "00000010" + "63697472696e652d6465766e65742d31", "00000002" + "c328", "chain_id (offset 21): expected 1..50 bytes of UTF-8" },
        { "00000010" + "63697472696e652d6465766e65742d31", "00000033" + new string('6', 102), "chain_id (offset 21): length 51 is above the limit 50" },
        { "00000014" + "0102030405060708090a0b0c0d0e0f1011121314", "00000013" + "0102030405060708090a0b0c0d0e0f10111213", "contract (offset 41): expected 20 bytes, got 19" },
        { "00000001" + "01" + "00000014", "00000001" + "02" + "00000014", "effects[0].kind (offset 139): unknown effect kind 2" },
        { "01" + "00000014" + "3333333333333333333333333333333333333333", "01" + "00000013" + "33333333333333333333333333333333333333", "effects[0].to (offset 140): expected 20 bytes, got 19" },
        { "0000000000000009", "0000000000000000", "effects[0].amount (offset 164): a send moves at least 1 token" },
        { "00000001" + "01" + "00000014", "00000002" + "01" + "00000014", "effects[1].kind (offset 172): unknown effect kind 0" },
        { "00000001" + "01" + "00000014", "ffffffff" + "01" + "00000014", "effects count (offset 135): 4294967295 effects cannot fit" },
        { "0000000000000009" + "00000002", "0000000000000009" + "00000003", "responses count (offset 172): 3 responses cannot fit" },
        { "0000000000000009" + "00000002", "0000000000000009" + "00000001", "output body (offset 191): 22 byte(s) after the end" },
        { "0000000000000003" + "00" + "00000002", "0000000000000003" + "02" + "00000002", "responses[0].status (offset 184): unknown status 2" },
        { "00000009" + "6f7665726472616674", "0000000a" + "6f7665726472616674", "responses[1].payload (offset 200): length 10 runs past the end" },
        { "00000002" + "aabb", "00000000", "new_state (offset 129): the new state blob is empty" },
        { "00000002" + "aabb", "00000003" + "aabb", "effects count (offset 136): 257 effects cannot fit" },
    };

    [Theory]
    [MemberData(nameof(Tampers))]
    public void Decode_refuses_a_tampered_field_and_names_it(string from, string to, string error)
    {
        Assert.Contains(from, Known, StringComparison.Ordinal);
        var bytes = Convert.FromHexString(Known.Replace(from, to, StringComparison.Ordinal));
        Assert.False(OutputBody.TryDecode(bytes, out var body, out var actual));
        Assert.Null(body);
        Assert.StartsWith(error, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_every_truncation_and_a_trailing_byte()
    {
        var bytes = Body().Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(OutputBody.TryDecode(bytes.AsSpan(0, length), out var body, out var error));
            Assert.Null(body);
            Assert.NotEmpty(error);
        }
        Assert.False(OutputBody.TryDecode([.. bytes, 0], out _, out var trailing));
        Assert.StartsWith("output body (offset 213): 1 byte(s) after the end", trailing, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_refuses_a_body_decode_would_refuse()
    {
        Assert.Throws<InvalidOperationException>(() => (Body() with { PrevStateHash = new byte[31] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { Contract = new byte[21] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { ChainId = "" }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { NewState = [] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { Effects = [OutputEffect.Send(Bytes(1, 20), 0)] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { Effects = [OutputEffect.Send(Bytes(1, 19), 1)] }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Body() with { Responses = [new OutputResponse { Seq = 1, Status = (ResponseStatus)7 }] }).Encode());
    }

    [Fact]
    public void A_response_is_stored_as_its_body_encoding()
    {
        var response = Body().Responses[1];
        Assert.Equal("0000000000000004" + "01" + "00000009" + "6f7665726472616674", Convert.ToHexStringLower(response.Encode()));
        Assert.True(OutputResponse.TryDecode(response.Encode(), out var back, out var error), error);
        Assert.Equal(response, back);
        Assert.False(OutputResponse.TryDecode([.. response.Encode(), 0], out _, out var trailing));
        Assert.StartsWith("response (offset 22)", trailing, StringComparison.Ordinal);
        Assert.False(OutputResponse.TryDecode(response.Encode().AsSpan(0, 12), out _, out var shorter));
        Assert.StartsWith("response.payload length (offset 9)", shorter, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => (response with { Status = (ResponseStatus)2 }).Encode());
    }

    [Property(MaxTest = 300)]
    public bool Every_single_bit_flip_decodes_or_is_refused_without_throwing(ushort position)
    {
        var bytes = Body().Encode();
        var bit = position % (bytes.Length * 8);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        var ok = OutputBody.TryDecode(bytes, out var body, out var error);
        return ok ? body!.Encode().AsSpan().SequenceEqual(bytes) : body is null && error.Length > 0;
    }

    [Property(MaxTest = 300)]
    public bool Arbitrary_bytes_never_throw(byte[] bytes)
    {
        bytes ??= [];
        var ok = OutputBody.TryDecode(bytes, out var body, out var error);
        var response = OutputResponse.TryDecode(bytes, out var r, out var responseError);
        return (ok ? body!.Encode().AsSpan().SequenceEqual(bytes) : error.Length > 0)
            && (response ? r!.Encode().AsSpan().SequenceEqual(bytes) : responseError.Length > 0);
    }

    [Property(MaxTest = 200)]
    public bool Encode_then_decode_round_trips(ulong session, ulong first, ulong end, ulong verified, byte[] state, byte seed, ulong[] amounts, byte[][] payloads)
    {
        state = state is { Length: > 0 } ? state : [0];
        amounts ??= [];
        payloads ??= [];
        var body = new OutputBody
        {
            ChainId = "chain-" + seed,
            Contract = Bytes(seed, 20),
            SessionId = session,
            PrevStateHash = Bytes((byte)(seed + 1), 32),
            FirstSeq = first,
            EndSeq = end,
            VerifiedHeight = verified,
            NewState = state,
            Effects = [.. amounts.Select((a, i) => OutputEffect.Send(Bytes((byte)i, 20), Math.Max(1, a)))],
            Responses = [.. payloads.Select((p, i) => new OutputResponse { Seq = first + (ulong)i, Status = (ResponseStatus)(i % 2), Payload = p ?? [] })],
        };
        return OutputBody.TryDecode(body.Encode(), out var back, out _) && back == body;
    }
}

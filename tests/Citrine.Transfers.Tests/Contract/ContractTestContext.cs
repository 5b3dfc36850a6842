using System.Security.Cryptography;
using Citrine.Chain.Contracts;

namespace Citrine.Transfers.Tests.Contract;

/// <summary>
/// A contract context over a dictionary, whose attestation accepts mock evidence that is the
/// 64 bytes of report data itself (so the session core's binding checks run for real).
/// </summary>
internal sealed class ContractTestContext : IContractContext, IHostCrypto, IHostAttestation
{
    private readonly Dictionary<string, byte[]> _state = new(StringComparer.Ordinal);

    public ContractTestContext(byte[] mockMeasurement)
    {
        MockMeasurement = mockMeasurement;
    }

    public byte[] MockMeasurement { get; }
    public byte[] ContractAddress { get; } = Enumerable.Repeat((byte)0xc0, 20).ToArray();
    public long BlockHeight { get; set; } = 10;
    public ContractTime BlockTime { get; set; } = new(1_750_000_000, 0);
    public string ChainId => "citrine-devnet";
    public IHostCrypto Crypto => this;
    public byte[] Sender { get; set; } = new byte[20];
    public ulong Funds { get; set; }
    public IHostAttestation Attestation => this;
    public ulong Balance { get; set; }
    public List<(string Key, string Value)> Events { get; } = [];

    public byte[]? Read(ReadOnlySpan<byte> key) => _state.TryGetValue(Convert.ToHexString(key), out var v) ? v : null;

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => _state[Convert.ToHexString(key)] = value.ToArray();

    public void Remove(ReadOnlySpan<byte> key) => _state.Remove(Convert.ToHexString(key));

    public void Emit(string key, string value) => Events.Add((key, value));

    public void Send(ReadOnlySpan<byte> recipient, ulong amount) => throw new InvalidOperationException("no sends in these tests");

    public byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public byte[] Sha512(ReadOnlySpan<byte> data) => SHA512.HashData(data);

    public bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => false;

    public bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Citrine.Crypto.Signatures.Ed25519.Verify(publicKey, message, signature);

    public QuoteVerification VerifyQuote(ReadOnlySpan<byte> quote, QuotePolicy policy) => new()
    {
        Accepted = quote.Length == 64 && policy.AcceptMock,
        Reason = quote.Length == 64 ? "None" : "Malformed",
        Detail = "test evidence",
        Tee = QuoteTee.Mock,
        Root = "mock",
        ReportData = quote.ToArray(),
        MrEnclave = MockMeasurement,
        Insecure = true,
    };

    /// <summary>Takes a snapshot of the state so a test can assert a refused call changed nothing.</summary>
    public string Fingerprint() => string.Join(";", _state.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Convert.ToHexString(p.Value)));
}

using System.Security.Cryptography;
using System.Text;
using Citrine.Contracts.Session;

namespace Citrine.Contracts.Tests.Session;

/// <summary>
/// Report data (docs/session.md, "Report data"). The known answers below were computed by an
/// independent implementation (Python hashlib over the layout as the document states it), so they
/// are the vectors a client in another language checks itself against.
/// </summary>
public sealed class ReportDataTests
{
    private const string ChainId = "citrine-devnet-1";
    private static readonly byte[] Contract = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];
    private static readonly byte[] Nonce = [.. Enumerable.Repeat((byte)0xab, 32)];
    private static readonly byte[] SigningKey = [.. Enumerable.Repeat((byte)0x11, 32)];
    private static readonly byte[] EncryptionKey = [.. Enumerable.Repeat((byte)0x22, 32)];
    private static readonly byte[] Config = "{\"version\":1}"u8.ToArray();

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Compute(SessionMessageType type, string chainId, byte[] contract, byte[] body) =>
        ReportData.Compute(type, chainId, contract, body, SHA512.HashData);

    [Fact]
    public void Instantiate_report_data_matches_the_documented_vector() =>
        Assert.Equal(
            "67016787b09d6f6f69d48fd22c1e53ca6e93d8563c5b9f6043da807dcb2fbfe932a88c5b23904d36ef6e0e0ae55ca8173d5d66b600b774eaafa06ce898039f15",
            Hex(Compute(SessionMessageType.Instantiate, ChainId, [], ReportData.InstantiateBody(Config))));

    [Fact]
    public void Session_create_report_data_matches_the_documented_vector() =>
        Assert.Equal(
            "99809bb8e40d15b93ea52e060fd7b6afe2e3a40c67dad4219557df1e1ec579c31220e803463c69fcca9c98c67b5438bd1911dfdb4fa27be7dc9316cf1a6fdb88",
            Hex(Compute(SessionMessageType.SessionCreate, ChainId, Contract, ReportData.SessionCreateBody(Nonce))));

    [Fact]
    public void Session_set_pub_key_report_data_matches_the_documented_vector() =>
        Assert.Equal(
            "d3e3991181b1719cfbc0bbabb5e809e82740a7caa2b06d3f4bdd82e9fe6f19d47c2bdb3f227c2f76ba79936e6e1809c12a4adcbb776951f61004e8fbc494b8fd",
            Hex(Compute(SessionMessageType.SessionSetPubKey, ChainId, Contract, ReportData.KeysBody(Nonce, SigningKey, EncryptionKey, 42))));

    [Fact]
    public void Session_reattest_report_data_matches_the_documented_vector() =>
        Assert.Equal(
            "c654225209594a9882cdf66ff1c860bae72361220c45278d5466ba5810c9c1a627ba4a714e6d4fa960cc33ef896962d237d007931f2aa8a94a2e4b21a35888e1",
            Hex(Compute(SessionMessageType.SessionReattest, ChainId, Contract, ReportData.KeysBody(Nonce, SigningKey, EncryptionKey, 42))));

    [Fact]
    public void Preimage_is_the_length_prefixed_concatenation_byte_for_byte()
    {
        var expected = new List<byte>();
        void Lp(byte[] x)
        {
            expected.AddRange([(byte)(x.Length >> 24), (byte)(x.Length >> 16), (byte)(x.Length >> 8), (byte)x.Length]);
            expected.AddRange(x);
        }
        var body = new List<byte> { 0, 0, 0, 32 };
        body.AddRange(Nonce);
        Lp(Encoding.UTF8.GetBytes("citrine/v1/session_create"));
        Lp(Encoding.UTF8.GetBytes(ChainId));
        Lp(Contract);
        Lp([.. body]);
        Assert.Equal(Hex([.. expected]), Hex(ReportData.Preimage(SessionMessageType.SessionCreate, ChainId, Contract, ReportData.SessionCreateBody(Nonce))));
    }

    [Fact]
    public void The_type_tag_separates_messages_with_the_same_body()
    {
        var body = ReportData.KeysBody(Nonce, SigningKey, EncryptionKey, 42);
        Assert.NotEqual(
            Hex(Compute(SessionMessageType.SessionSetPubKey, ChainId, Contract, body)),
            Hex(Compute(SessionMessageType.SessionReattest, ChainId, Contract, body)));
    }

    [Fact]
    public void Chain_id_and_contract_separate_deployments()
    {
        var body = ReportData.SessionCreateBody(Nonce);
        var base_ = Hex(Compute(SessionMessageType.SessionCreate, ChainId, Contract, body));
        Assert.NotEqual(base_, Hex(Compute(SessionMessageType.SessionCreate, "citrine-devnet-2", Contract, body)));
        var other = (byte[])Contract.Clone();
        other[19] ^= 1;
        Assert.NotEqual(base_, Hex(Compute(SessionMessageType.SessionCreate, ChainId, other, body)));
    }

    [Fact]
    public void Every_byte_of_the_keys_body_changes_the_report_data()
    {
        var body = ReportData.KeysBody(Nonce, SigningKey, EncryptionKey, 42);
        var reference = Hex(Compute(SessionMessageType.SessionSetPubKey, ChainId, Contract, body));
        var seen = new HashSet<string>(StringComparer.Ordinal) { reference };
        for (var i = 0; i < body.Length; i++)
        {
            var tampered = (byte[])body.Clone();
            tampered[i] ^= 0x01;
            Assert.True(seen.Add(Hex(Compute(SessionMessageType.SessionSetPubKey, ChainId, Contract, tampered))), $"byte {i} did not change the digest");
        }
    }

    [Fact]
    public void Length_prefixes_stop_a_field_boundary_from_moving()
    {
        // Without prefixes "ab" ‖ "c" and "a" ‖ "bc" would hash alike.
        Assert.NotEqual(
            Hex(ReportData.Preimage(SessionMessageType.Instantiate, "ab", [], "c"u8)),
            Hex(ReportData.Preimage(SessionMessageType.Instantiate, "a", [], "bc"u8)));
    }

    [Fact]
    public void Instantiate_refuses_a_contract_address() =>
        Assert.Contains("binds no contract address",
            Assert.Throws<ArgumentException>(() => ReportData.Preimage(SessionMessageType.Instantiate, ChainId, Contract, [])).Message, StringComparison.Ordinal);

    [Fact]
    public void Session_messages_refuse_a_contract_address_that_is_not_20_bytes() =>
        Assert.Contains("20 bytes, got 19",
            Assert.Throws<ArgumentException>(() => ReportData.Preimage(SessionMessageType.SessionCreate, ChainId, Contract.AsSpan(0, 19), [])).Message, StringComparison.Ordinal);

    [Fact]
    public void Empty_chain_id_is_refused() =>
        Assert.Throws<ArgumentException>(() => ReportData.Preimage(SessionMessageType.SessionCreate, "", Contract, []));

    [Fact]
    public void Bodies_refuse_wrong_nonce_and_key_lengths()
    {
        Assert.Contains("nonce must be 32 bytes, got 31", Assert.Throws<ArgumentException>(() => ReportData.SessionCreateBody(Nonce.AsSpan(0, 31))).Message, StringComparison.Ordinal);
        Assert.Contains("signingKey must be 32 bytes", Assert.Throws<ArgumentException>(() => ReportData.KeysBody(Nonce, SigningKey.AsSpan(0, 16), EncryptionKey, 1)).Message, StringComparison.Ordinal);
        Assert.Contains("encryptionKey must be 32 bytes", Assert.Throws<ArgumentException>(() => ReportData.KeysBody(Nonce, SigningKey, [], 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_refuses_a_digest_function_that_is_not_sha512() =>
        Assert.Throws<InvalidOperationException>(() => ReportData.Compute(SessionMessageType.SessionCreate, ChainId, Contract, ReportData.SessionCreateBody(Nonce), SHA256.HashData));

    [Fact]
    public void Unknown_message_type_has_no_tag() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ReportData.Tag((SessionMessageType)99));
}

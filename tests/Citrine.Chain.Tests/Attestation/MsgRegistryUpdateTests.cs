using Citrine.Chain.Encoding;
using Citrine.Chain.Txs;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Chain.Tests.Attestation;

public sealed class MsgRegistryUpdateTests
{
    private static readonly byte[] Key = Crypto.Hashing.Sha256("registry-msg"u8);

    [Fact]
    public void Encode_and_decode_round_trip()
    {
        var msg = new MsgRegistryUpdate(new byte[20], 3, [1, 2, 3], "-----BEGIN CERTIFICATE-----"u8.ToArray());
        var tx = Tx.Decode(Tx.Create([msg], "", Key, 0, 1, "c", 0).Encode());
        var back = Assert.IsType<MsgRegistryUpdate>(Assert.Single(tx.Messages));
        Assert.Equal(msg.Sender, back.Sender);
        Assert.Equal(3u, back.Kind);
        Assert.Equal(msg.Document, back.Document);
        Assert.Equal(msg.IssuerChain, back.IssuerChain);
    }

    [Fact]
    public void Decode_refuses_a_kind_beyond_uint32()
    {
        var inner = new ProtoWriter(32);
        inner.WriteBytes(1, new byte[20]);
        inner.WriteUInt64(2, 1UL << 33);
        var m = new ProtoWriter(64);
        m.WriteMessage(5, inner.WrittenSpan);
        var body = new ProtoWriter(64);
        body.WriteMessage(1, m.WrittenSpan);
        var auth = Tx.EncodeAuthInfo(Crypto.Signatures.Secp256k1.PublicKeyFromPrivate(Key), 0, 1);
        var raw = new ProtoWriter(256);
        raw.WriteBytes(1, body.WrittenSpan);
        raw.WriteBytes(2, auth);
        raw.WriteBytes(3, new byte[64]);
        var e = Assert.Throws<ProtoDecodeException>(() => Tx.Decode(raw.ToArray()));
        Assert.Contains("kind", e.Message, StringComparison.Ordinal);
    }
}

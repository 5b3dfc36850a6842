using Citrine.Crypto.Encoding;
using Citrine.Crypto.Hpke;
using Citrine.Testing;

namespace Citrine.Crypto.Tests.Hpke;

/// <summary>RFC 9180 Appendix A: every vector of every file under hpke/rfc9180, one row each.</summary>
[Trait("Category", "Conformance")]
[Trait("Area", "Hpke")]
public sealed class HpkeConformanceTests
{
    public static TheoryData<string> Cases() => HpkeVector.Cases();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Vector_reproduces_keys_setup_encryptions_and_exports(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var v = HpkeVector.Load(caseId);
        var suite = v.Suite;

        // §7.1.3 DeriveKeyPair gives the listed key pairs.
        using var ephemeral = suite.DeriveKeyPair(v.IkmE);
        using var recipient = suite.DeriveKeyPair(v.IkmR);
        Assert.Equal(Hex.Encode(v.SkEm), Hex.Encode(ephemeral.ExportPrivateKey()));
        Assert.Equal(Hex.Encode(v.PkEm), Hex.Encode(ephemeral.PublicKey));
        Assert.Equal(Hex.Encode(v.SkRm), Hex.Encode(recipient.ExportPrivateKey()));
        Assert.Equal(Hex.Encode(v.PkRm), Hex.Encode(recipient.PublicKey));
        using var sender = v.IkmS is null ? null : suite.DeriveKeyPair(v.IkmS);
        if (sender is not null)
        {
            Assert.Equal(Hex.Encode(v.SkSm!), Hex.Encode(sender.ExportPrivateKey()));
            Assert.Equal(Hex.Encode(v.PkSm!), Hex.Encode(sender.PublicKey));
        }

        // Setup with the derived ephemeral key.
        var sharedSecret = new byte[v.SharedSecret.Length];
        using var senderContext = suite.SetupSenderDeterministicForTesting(v.Mode, v.PkRm, v.Info, v.Psk, v.PskId, sender, ephemeral, sharedSecret);
        Assert.Equal(Hex.Encode(v.Enc), Hex.Encode(senderContext.EncapsulatedKey));
        Assert.Equal(Hex.Encode(v.SharedSecret), Hex.Encode(sharedSecret));
        Assert.Equal(Hex.Encode(v.Key), Hex.Encode(senderContext.Key));
        Assert.Equal(Hex.Encode(v.BaseNonce), Hex.Encode(senderContext.BaseNonce));
        Assert.Equal(Hex.Encode(v.ExporterSecret), Hex.Encode(senderContext.ExporterSecret));

        using var recipientContext = suite.SetupRecipient(v.Mode, v.Enc, recipient, v.Info, v.Psk, v.PskId, v.PkSm ?? []);
        Assert.Equal(Hex.Encode(v.Key), Hex.Encode(recipientContext.Key));
        Assert.Equal(Hex.Encode(v.BaseNonce), Hex.Encode(recipientContext.BaseNonce));
        Assert.Equal(Hex.Encode(v.ExporterSecret), Hex.Encode(recipientContext.ExporterSecret));

        if (v.Aead != HpkeAeadId.ExportOnly)
        {
            Assert.NotEmpty(v.Encryptions);
        }
        // Every encryption at its sequence number; nonce = base_nonce XOR seq (§5.2).
        foreach (var e in v.Encryptions)
        {
            senderContext.SetSequenceNumberForTesting((UInt128)e.SequenceNumber);
            recipientContext.SetSequenceNumberForTesting((UInt128)e.SequenceNumber);
            Assert.Equal(Hex.Encode(e.Nonce), Hex.Encode(ExpectedNonce(v.BaseNonce, e.SequenceNumber)));
            Assert.Equal(Hex.Encode(e.Ciphertext), Hex.Encode(senderContext.Seal(e.Aad, e.Plaintext)));
            Assert.Equal(Hex.Encode(e.Plaintext), Hex.Encode(recipientContext.Open(e.Aad, e.Ciphertext)));
            Assert.Equal((UInt128)(e.SequenceNumber + 1), senderContext.SequenceNumber);
            Assert.Equal((UInt128)(e.SequenceNumber + 1), recipientContext.SequenceNumber);
        }
        if (v.Aead == HpkeAeadId.ExportOnly)
        {
            Assert.Throws<HpkeException>(() => senderContext.Seal([], [1, 2, 3]));
            Assert.Throws<HpkeException>(() => recipientContext.Open([], new byte[32]));
        }

        // Every export (§5.3), from both sides.
        Assert.NotEmpty(v.Exports);
        foreach (var x in v.Exports)
        {
            Assert.Equal(Hex.Encode(x.Value), Hex.Encode(senderContext.Export(x.Context, x.Length)));
            Assert.Equal(Hex.Encode(x.Value), Hex.Encode(recipientContext.Export(x.Context, x.Length)));
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Derived_sender_from_ikmE_reproduces_enc_ciphertexts_and_exports(string caseId)
    {
        Vectors.SkipIfMissing(caseId);
        var v = HpkeVector.Load(caseId);
        var suite = v.Suite;
        using var sender = v.IkmS is null ? null : suite.DeriveKeyPair(v.IkmS);

        // The public API: the caller hands over ikmE, never an ephemeral key.
        using var context = suite.SetupSenderDerived(v.Mode, v.PkRm, v.Info, v.Psk, v.PskId, sender, v.IkmE);
        Assert.Equal(Hex.Encode(v.Enc), Hex.Encode(context.EncapsulatedKey));
        foreach (var e in v.Encryptions)
        {
            context.SetSequenceNumberForTesting((UInt128)e.SequenceNumber);
            Assert.Equal(Hex.Encode(e.Ciphertext), Hex.Encode(context.Seal(e.Aad, e.Plaintext)));
        }
        foreach (var x in v.Exports)
        {
            Assert.Equal(Hex.Encode(x.Value), Hex.Encode(context.Export(x.Context, x.Length)));
        }

        // Single shot, base mode: sequence number 0.
        if (v.Mode == HpkeMode.Base && v.Aead != HpkeAeadId.ExportOnly)
        {
            var first = v.Encryptions.Single(e => e.SequenceNumber == 0);
            var sealedMessage = suite.SealDerived(v.PkRm, v.Info, first.Aad, first.Plaintext, v.IkmE);
            Assert.Equal(Hex.Encode(v.Enc), Hex.Encode(sealedMessage.EncapsulatedKey));
            Assert.Equal(Hex.Encode(first.Ciphertext), Hex.Encode(sealedMessage.Ciphertext));
        }
    }

    private static byte[] ExpectedNonce(byte[] baseNonce, int sequence)
    {
        var nonce = (byte[])baseNonce.Clone();
        for (var i = 0; i < 4; i++)
        {
            nonce[^(i + 1)] ^= (byte)(sequence >> (8 * i));
        }
        return nonce;
    }
}

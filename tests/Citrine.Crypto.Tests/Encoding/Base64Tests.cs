using Citrine.Crypto.Encoding;
using FsCheck.Xunit;

namespace Citrine.Crypto.Tests.Encoding;

public sealed class Base64Tests
{
    // RFC 4648 §10 test vectors.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "Zg==")]
    [InlineData("fo", "Zm8=")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg==")]
    [InlineData("fooba", "Zm9vYmE=")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Encode_and_decode_match_rfc4648_vectors(string text, string base64)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(base64, Base64.Encode(bytes));
        Assert.Equal(bytes, Base64.Decode(base64));
        Assert.Equal(base64.TrimEnd('='), Base64.EncodeUrl(bytes));
        Assert.Equal(bytes, Base64.DecodeUrl(base64.TrimEnd('=')));
    }

    [Theory]
    [InlineData("Zg=")]
    [InlineData("Zh==")]
    [InlineData("Zm9v Yg==")]
    [InlineData("Zm9v!")]
    public void Decode_rejects_malformed_or_non_canonical_text(string text)
    {
        Assert.ThrowsAny<FormatException>(() => Base64.Decode(text));
        Assert.False(Base64.TryDecode(text, out _));
    }

    [Theory]
    [InlineData("Zg==")]
    [InlineData("Zh")]
    [InlineData("a+b/")]
    public void DecodeUrl_rejects_padding_non_canonical_and_standard_alphabet(string text) =>
        Assert.ThrowsAny<FormatException>(() => Base64.DecodeUrl(text));

    [Property]
    public bool Base64_round_trips(byte[] bytes)
    {
        bytes ??= [];
        return Base64.Decode(Base64.Encode(bytes)).AsSpan().SequenceEqual(bytes)
            && Base64.DecodeUrl(Base64.EncodeUrl(bytes)).AsSpan().SequenceEqual(bytes);
    }
}

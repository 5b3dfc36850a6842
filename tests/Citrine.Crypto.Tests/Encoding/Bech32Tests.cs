using Citrine.Crypto.Encoding;
using FsCheck.Xunit;

namespace Citrine.Crypto.Tests.Encoding;

public sealed class Bech32Tests
{
    // BIP-173, "Test vectors": valid bech32 strings.
    [Theory]
    [InlineData("A12UEL5L")]
    [InlineData("a12uel5l")]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs")]
    [InlineData("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")]
    [InlineData("11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w")]
    [InlineData("?1ezyfcl")]
    public void Decode_accepts_the_bip173_valid_strings_and_reencodes_them(string text)
    {
        var (hrp, data) = Bech32.Decode(text);
        Assert.Equal(text.ToLowerInvariant(), Bech32.Encode(hrp, data));
    }

    [Fact]
    public void Decode_splits_at_the_last_separator()
    {
        var (hrp, data) = Bech32.Decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw");
        Assert.Equal("abcdef", hrp);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i), data);
        Assert.Equal("split", Bech32.Decode("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w").Hrp);
    }

    // BIP-173, "Test vectors": invalid bech32 strings, each with the rule it breaks.
    [Theory]
    [InlineData("\u00201nwldj5", "outside the printable range")]
    [InlineData("\u007f1axkwrx", "outside the printable range")]
    [InlineData("\u00801eym55h", "outside the printable range")]
    [InlineData("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "above the limit of 90")]
    [InlineData("pzry9x0s0muk", "no separator")]
    [InlineData("1pzry9x0s0muk", "human-readable part is empty")]
    [InlineData("x1b4n0q5v", "not a bech32 data character")]
    [InlineData("li1dgmt3", "fewer than the 6-character checksum")]
    [InlineData("de1lg7wt\u00ff", "outside the printable range")]
    [InlineData("A1G7SGD8", "checksum does not match")]
    [InlineData("10a06t8", "human-readable part is empty")]
    [InlineData("1qzzfhee", "human-readable part is empty")]
    public void Decode_rejects_the_bip173_invalid_strings_with_the_broken_rule(string text, string reason)
    {
        var ex = Assert.Throws<Bech32FormatException>(() => Bech32.Decode(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(Bech32.TryDecode(text, out _, out _));
    }

    [Fact]
    public void Decode_rejects_mixed_case()
    {
        var ex = Assert.Throws<Bech32FormatException>(() => Bech32.Decode("a12UEL5L"));
        Assert.Contains("mixes upper and lower case", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_rejects_a_one_character_change_in_the_data()
    {
        var ex = Assert.Throws<Bech32FormatException>(() => Bech32.Decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx"));
        Assert.Contains("checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_refuses_results_longer_than_90_characters_and_values_above_31()
    {
        Assert.Throws<Bech32FormatException>(() => Bech32.Encode("a", new byte[83]));
        Assert.Equal(90, Bech32.Encode("a", new byte[82]).Length);
        Assert.Throws<Bech32FormatException>(() => Bech32.Encode("a", [32]));
        Assert.Throws<Bech32FormatException>(() => Bech32.Encode("", [1]));
    }

    [Fact]
    public void DecodeBytes_rejects_non_zero_padding()
    {
        // 1 byte -> two 5-bit groups with 2 padding bits; set a padding bit.
        var encoded = Bech32.Encode("test", [0, 1]);
        var ex = Assert.Throws<Bech32FormatException>(() => Bech32.DecodeBytes(encoded));
        Assert.Contains("invalid padding", ex.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 200)]
    public bool EncodeBytes_then_DecodeBytes_round_trips(byte[] bytes)
    {
        bytes ??= [];
        if (bytes.Length > 40)
        {
            bytes = bytes[..40];
        }
        var text = Bech32.EncodeBytes("cosmos", bytes);
        var (hrp, decoded) = Bech32.DecodeBytes(text);
        var upper = Bech32.DecodeBytes(text.ToUpperInvariant());
        return hrp == "cosmos" && decoded.AsSpan().SequenceEqual(bytes) && upper.Bytes.AsSpan().SequenceEqual(bytes);
    }

    [Fact]
    public void Decode_throws_only_bech32_format_exceptions_for_mutated_inputs()
    {
        var seeds = new[] { "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "a12uel5l", Bech32.EncodeBytes("cosmos", new byte[20]) };
        var state = 0x9E3779B9u;
        for (var i = 0; i < 5000; i++)
        {
            var chars = seeds[i % seeds.Length].ToCharArray();
            state = (state * 1664525) + 1013904223;
            var position = (int)(state % (uint)chars.Length);
            chars[position] = (char)((state >> 16) % 160);
            var text = new string(chars);
            if (state % 7 == 0)
            {
                text = text[..(int)(state % (uint)text.Length)];
            }
            try
            {
                Bech32.Decode(text);
            }
            catch (Bech32FormatException)
            {
            }
        }
    }
}

using Citrine.CometBft.Encoding;
using Citrine.CometBft.LightClient;
using Citrine.CometBft.Testing;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Tests.Encoding;

public sealed class LightBlockProtobufTests : IDisposable
{
    // Varied power and churn: validator order, proposer priorities and a next set unlike the current one.
    private readonly SyntheticChain _chain = SyntheticChain.Generate(new SyntheticChainOptions { Heights = 12, Validators = 5, VariedPower = true, ChurnInterval = 4, ChurnFraction = 0.4 });

    public void Dispose() => _chain.Dispose();

    [Fact]
    public void Decode_inverts_the_encoder_and_the_block_still_verifies()
    {
        for (var height = 1; height < _chain.LatestHeight; height++)
        {
            var block = _chain.LightBlockAt(height);
            var (encoded, next) = LightBlockProtobuf.Encode(block);
            var decoded = LightBlockProtobuf.Decode(encoded, next);
            Assert.Equal(block.Header.Hash(), decoded.Header.Hash());
            Assert.Equal(block.Validators.Hash(), decoded.Validators.Hash());
            Assert.Equal(block.NextValidators.Hash(), decoded.NextValidators.Hash());
            Assert.Equal(block.Commit.Signatures.Count, decoded.Commit.Signatures.Count);
            Assert.True(Verifier.VerifyStored(decoded, _chain.ChainId).IsSuccess);
            var again = LightBlockProtobuf.Encode(decoded);
            Assert.Equal(encoded, again.LightBlock);
            Assert.Equal(next, again.NextValidatorSet);
        }
    }

    [Fact]
    public void Decode_refuses_trailing_unknown_fields_and_truncation()
    {
        var (encoded, next) = LightBlockProtobuf.Encode(_chain.LightBlockAt(3));
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode([.. encoded, 0x18, 0x01], next));
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode(encoded.AsSpan(0, encoded.Length - 1), next));
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode(encoded, next.AsSpan(0, next.Length - 1)));
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode([], next));
        Assert.False(LightBlockProtobuf.TryDecode([0xff, 0xff], next, out var block, out var error));
        Assert.Null(block);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Decode_refuses_a_non_canonical_encoding_of_the_same_block()
    {
        var (encoded, next) = LightBlockProtobuf.Encode(_chain.LightBlockAt(3));
        // The signed header field written twice: protobuf readers merge it, this decoder refuses it.
        var reader = new ProtoReader(encoded);
        reader.ReadTag();
        reader.ReadBytes();
        var signedHeaderField = encoded[..reader.Offset];
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode([.. signedHeaderField, .. encoded], next));
        // A default value written out explicitly (total_voting_power = 0 in front of the next set).
        Assert.Throws<ProtoFormatException>(() => LightBlockProtobuf.Decode(encoded, [0x18, 0x00, .. next]));
    }

    [Fact]
    public void Every_single_bit_flip_is_refused_or_decodes_to_exactly_what_it_encodes()
    {
        var (encoded, next) = LightBlockProtobuf.Encode(_chain.LightBlockAt(5));
        for (var position = 0; position < encoded.Length; position++)
        {
            var flipped = (byte[])encoded.Clone();
            flipped[position] ^= 0x01;
            if (LightBlockProtobuf.TryDecode(flipped, next, out var decoded, out _))
            {
                Assert.Equal(flipped, LightBlockProtobuf.Encode(decoded!).LightBlock);
            }
        }
    }
}

using Citrine.CometBft.Types;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.CometBft.Encoding;

/// <summary>
/// Reads CometBFT's protobuf <c>tendermint.types.LightBlock</c> (signed header and validator set)
/// and <c>tendermint.types.ValidatorSet</c>, the inverse of <see cref="EvidenceEncoder.EncodeLightBlock"/>
/// and <see cref="EvidenceEncoder.EncodeValidatorSet"/>, which stay the one encoder of the format.
/// CometBFT's LightBlock has no next validator set, so it travels beside it as a ValidatorSet.
/// Decoding accepts only the canonical form: the decoded value must re-encode to exactly the
/// input, so one light block has one encoding (no unknown fields, no reordered or duplicated
/// fields, validators in canonical order, no explicit default values).
/// </summary>
public static class LightBlockProtobuf
{
    /// <summary>The light block and its next validator set as the two byte strings that carry them.</summary>
    public static (byte[] LightBlock, byte[] NextValidatorSet) Encode(LightBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return (EvidenceEncoder.EncodeLightBlock(block), EvidenceEncoder.EncodeValidatorSet(block.NextValidators));
    }

    /// <exception cref="ProtoFormatException">the bytes are not the canonical encoding of a light block and a validator set.</exception>
    public static LightBlock Decode(ReadOnlySpan<byte> lightBlock, ReadOnlySpan<byte> nextValidatorSet)
    {
        SignedHeader? signed = null;
        ValidatorSet? validators = null;
        var r = new ProtoReader(lightBlock, "LightBlock");
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "signed_header");
                    var signedBytes = r.ReadLengthDelimited("signed_header", out var signedAt);
                    signed = ReadSignedHeader(signedBytes, signedAt);
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "validator_set");
                    var setBytes = r.ReadLengthDelimited("validator_set", out var setAt);
                    validators = ReadValidatorSet(setBytes, "LightBlock.validator_set", setAt);
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        if (signed is null || validators is null)
        {
            throw new ProtoFormatException("a light block needs a signed header and a validator set", "LightBlock", 0);
        }
        var next = ReadValidatorSet(nextValidatorSet, "NextValidatorSet", 0);
        var block = new LightBlock(signed, validators, next);
        var (canonicalBlock, canonicalNext) = Encode(block);
        if (!canonicalBlock.AsSpan().SequenceEqual(lightBlock))
        {
            throw new ProtoFormatException("not the canonical encoding of the light block it decodes to", "LightBlock", 0);
        }
        if (!canonicalNext.AsSpan().SequenceEqual(nextValidatorSet))
        {
            throw new ProtoFormatException("not the canonical encoding of the validator set it decodes to", "NextValidatorSet", 0);
        }
        return block;
    }

    /// <summary>Decodes, or returns false with the reason; never throws for bad input.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> lightBlock, ReadOnlySpan<byte> nextValidatorSet, out LightBlock? block, out string error)
    {
        try
        {
            block = Decode(lightBlock, nextValidatorSet);
            error = "";
            return true;
        }
        catch (ProtoFormatException e)
        {
            block = null;
            error = e.Message;
            return false;
        }
    }

    private static SignedHeader ReadSignedHeader(ReadOnlySpan<byte> data, int at)
    {
        Header? header = null;
        Commit? commit = null;
        var r = new ProtoReader(data, "SignedHeader", at);
        while (r.TryReadTag(out var field, out var type))
        {
            r.Expect(type, WireType.LengthDelimited, field == 1 ? "header" : "commit");
            switch (field)
            {
                case 1:
                    var headerBytes = r.ReadLengthDelimited("header", out var headerAt);
                    header = ReadHeader(headerBytes, headerAt);
                    break;
                case 2:
                    var commitBytes = r.ReadLengthDelimited("commit", out var commitAt);
                    commit = ReadCommit(commitBytes, commitAt);
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        if (header is null || commit is null)
        {
            throw new ProtoFormatException("a signed header needs a header and a commit", "SignedHeader", at);
        }
        return new SignedHeader(header, commit);
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data, int at)
    {
        var version = default(ConsensusVersion);
        var chainId = "";
        long height = 0;
        var time = new Timestamp(0, 0);
        var lastBlockId = BlockId.Empty;
        var hashes = new byte[14][];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = [];
        }
        var r = new ProtoReader(data, "Header", at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "version");
                    version = ReadVersion(r.ReadLengthDelimited("version", out var versionAt), versionAt);
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "chain_id");
                    chainId = r.ReadString("chain_id");
                    break;
                case 3:
                    r.Expect(type, WireType.Varint, "height");
                    height = unchecked((long)r.ReadVarint("height"));
                    break;
                case 4:
                    r.Expect(type, WireType.LengthDelimited, "time");
                    time = ReadTimestamp(r.ReadLengthDelimited("time", out var timeAt), "Header.time", timeAt);
                    break;
                case 5:
                    r.Expect(type, WireType.LengthDelimited, "last_block_id");
                    lastBlockId = ReadBlockId(r.ReadLengthDelimited("last_block_id", out var idAt), "Header.last_block_id", idAt);
                    break;
                case >= 6 and <= 14:
                    r.Expect(type, WireType.LengthDelimited, "hash field");
                    hashes[field - 1] = r.ReadBytes("hash field").ToArray();
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new Header
        {
            Version = version,
            ChainId = chainId,
            Height = height,
            Time = time,
            LastBlockId = lastBlockId,
            LastCommitHash = hashes[5],
            DataHash = hashes[6],
            ValidatorsHash = hashes[7],
            NextValidatorsHash = hashes[8],
            ConsensusHash = hashes[9],
            AppHash = hashes[10],
            LastResultsHash = hashes[11],
            EvidenceHash = hashes[12],
            ProposerAddress = hashes[13],
        };
    }

    private static ConsensusVersion ReadVersion(ReadOnlySpan<byte> data, int at)
    {
        ulong block = 0;
        ulong app = 0;
        var r = new ProtoReader(data, "Consensus", at);
        while (r.TryReadTag(out var field, out var type))
        {
            r.Expect(type, WireType.Varint, field == 1 ? "block" : "app");
            switch (field)
            {
                case 1:
                    block = r.ReadVarint("block");
                    break;
                case 2:
                    app = r.ReadVarint("app");
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new ConsensusVersion(block, app);
    }

    private static Timestamp ReadTimestamp(ReadOnlySpan<byte> data, string message, int at)
    {
        long seconds = 0;
        var nanos = 0;
        var r = new ProtoReader(data, message, at);
        while (r.TryReadTag(out var field, out var type))
        {
            r.Expect(type, WireType.Varint, field == 1 ? "seconds" : "nanos");
            switch (field)
            {
                case 1:
                    seconds = unchecked((long)r.ReadVarint("seconds"));
                    break;
                case 2:
                    nanos = r.ReadInt32("nanos");
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new Timestamp(seconds, nanos);
    }

    private static BlockId ReadBlockId(ReadOnlySpan<byte> data, string message, int at)
    {
        byte[] hash = [];
        var parts = PartSetHeader.Empty;
        var r = new ProtoReader(data, message, at);
        while (r.TryReadTag(out var field, out var type))
        {
            r.Expect(type, WireType.LengthDelimited, field == 1 ? "hash" : "part_set_header");
            switch (field)
            {
                case 1:
                    hash = r.ReadBytes("hash").ToArray();
                    break;
                case 2:
                    parts = ReadPartSetHeader(r.ReadLengthDelimited("part_set_header", out var partsAt), partsAt);
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new BlockId(hash, parts);
    }

    private static PartSetHeader ReadPartSetHeader(ReadOnlySpan<byte> data, int at)
    {
        uint total = 0;
        byte[] hash = [];
        var r = new ProtoReader(data, "PartSetHeader", at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.Varint, "total");
                    total = unchecked((uint)r.ReadVarint("total"));
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "hash");
                    hash = r.ReadBytes("hash").ToArray();
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new PartSetHeader(total, hash);
    }

    private static Commit ReadCommit(ReadOnlySpan<byte> data, int at)
    {
        long height = 0;
        var round = 0;
        var blockId = BlockId.Empty;
        var signatures = new List<CommitSig>();
        var r = new ProtoReader(data, "Commit", at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.Varint, "height");
                    height = unchecked((long)r.ReadVarint("height"));
                    break;
                case 2:
                    r.Expect(type, WireType.Varint, "round");
                    round = r.ReadInt32("round");
                    break;
                case 3:
                    r.Expect(type, WireType.LengthDelimited, "block_id");
                    blockId = ReadBlockId(r.ReadLengthDelimited("block_id", out var idAt), "Commit.block_id", idAt);
                    break;
                case 4:
                    r.Expect(type, WireType.LengthDelimited, "signatures");
                    signatures.Add(ReadCommitSig(r.ReadLengthDelimited("signatures", out var sigAt), sigAt));
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new Commit(height, round, blockId, signatures);
    }

    private static CommitSig ReadCommitSig(ReadOnlySpan<byte> data, int at)
    {
        var flag = BlockIdFlag.Unknown;
        byte[] address = [];
        var timestamp = new Timestamp(0, 0);
        byte[] signature = [];
        var r = new ProtoReader(data, "CommitSig", at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.Varint, "block_id_flag");
                    flag = (BlockIdFlag)r.ReadInt32("block_id_flag");
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "validator_address");
                    address = r.ReadBytes("validator_address").ToArray();
                    break;
                case 3:
                    r.Expect(type, WireType.LengthDelimited, "timestamp");
                    timestamp = ReadTimestamp(r.ReadLengthDelimited("timestamp", out var timeAt), "CommitSig.timestamp", timeAt);
                    break;
                case 4:
                    r.Expect(type, WireType.LengthDelimited, "signature");
                    signature = r.ReadBytes("signature").ToArray();
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new CommitSig(flag, address, timestamp, signature);
    }

    private static ValidatorSet ReadValidatorSet(ReadOnlySpan<byte> data, string message, int at)
    {
        var validators = new List<Validator>();
        Validator? proposer = null;
        var r = new ProtoReader(data, message, at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "validators");
                    validators.Add(ReadValidator(r.ReadLengthDelimited("validators", out var vAt), vAt));
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "proposer");
                    proposer = ReadValidator(r.ReadLengthDelimited("proposer", out var pAt), pAt);
                    break;
                case 3:
                    // total_voting_power is derived from the validators; the canonical re-encoding checks it.
                    r.Expect(type, WireType.Varint, "total_voting_power");
                    r.ReadVarint("total_voting_power");
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new ValidatorSet(validators, proposer);
    }

    private static Validator ReadValidator(ReadOnlySpan<byte> data, int at)
    {
        byte[] address = [];
        byte[] publicKey = [];
        long power = 0;
        long priority = 0;
        var r = new ProtoReader(data, "Validator", at);
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "address");
                    address = r.ReadBytes("address").ToArray();
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "pub_key");
                    publicKey = ReadEd25519Key(r.ReadLengthDelimited("pub_key", out var keyAt), keyAt);
                    break;
                case 3:
                    r.Expect(type, WireType.Varint, "voting_power");
                    power = unchecked((long)r.ReadVarint("voting_power"));
                    break;
                case 4:
                    r.Expect(type, WireType.Varint, "proposer_priority");
                    priority = unchecked((long)r.ReadVarint("proposer_priority"));
                    break;
                default:
                    throw r.Error($"unknown field {field}", "tag", r.Offset);
            }
        }
        return new Validator(address, publicKey, power, priority);
    }

    /// <summary><c>PublicKey{oneof sum {bytes ed25519 = 1; bytes secp256k1 = 2}}</c>: CometBFT light clients verify Ed25519 validators only.</summary>
    private static byte[] ReadEd25519Key(ReadOnlySpan<byte> data, int at)
    {
        byte[]? key = null;
        var r = new ProtoReader(data, "PublicKey", at);
        while (r.TryReadTag(out var field, out var type))
        {
            if (field != 1)
            {
                throw r.Error(field == 2 ? "secp256k1 validator keys are not supported" : $"unknown field {field}", "sum", r.Offset);
            }
            r.Expect(type, WireType.LengthDelimited, "ed25519");
            key = r.ReadBytes("ed25519").ToArray();
        }
        return key ?? throw new ProtoFormatException("the public key names no algorithm", "PublicKey", at);
    }
}

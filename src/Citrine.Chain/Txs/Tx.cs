using Citrine.Chain.Encoding;
using Citrine.Crypto;
using Citrine.Crypto.Encoding;
using Citrine.Crypto.Encoding.Protobuf;
using Citrine.Crypto.Signatures;

namespace Citrine.Chain.Txs;

/// <summary>A message inside a transaction. Every message names the account that must sign it.</summary>
public abstract record Msg
{
    public abstract byte[] Signer { get; }
}

/// <summary>Bank send of the devnet token.</summary>
public sealed record MsgSend(byte[] From, byte[] To, ulong Amount) : Msg
{
    public override byte[] Signer => From;
}

/// <summary>Admin only: set a validator's power (0 removes it); effective two heights later.</summary>
public sealed record MsgSetValidator(byte[] Sender, byte[] PublicKey, long Power) : Msg
{
    public override byte[] Signer => Sender;
}

/// <summary>Instantiate a registered contract (by name) with a JSON message and funds.</summary>
public sealed record MsgInstantiate(byte[] Sender, string Code, byte[] Message, ulong Funds, string Label) : Msg
{
    public override byte[] Signer => Sender;
}

/// <summary>Execute a contract with a JSON message and funds.</summary>
public sealed record MsgExecute(byte[] Sender, byte[] Contract, byte[] Message, ulong Funds) : Msg
{
    public override byte[] Signer => Sender;
}

/// <summary>
/// Submit a collateral update to the attestation registry (anyone may): the kind
/// (<c>Citrine.Attestation.Dcap.Verification.CollateralKind</c>), the document exactly as Intel
/// PCS serves it (or a CRL's DER) and its issuer chain (PEM).
/// </summary>
public sealed record MsgRegistryUpdate(byte[] Sender, uint Kind, byte[] Document, byte[] IssuerChain) : Msg
{
    public override byte[] Signer => Sender;
}

/// <summary>
/// A signed transaction. The wire format mirrors Cosmos SDK's <c>TxRaw</c> (cosmos/tx/v1beta1/tx.proto)
/// with Citrine's own message schema:
/// <code>
/// TxRaw    { bytes body_bytes = 1; bytes auth_info_bytes = 2; bytes signature = 3; }
/// TxBody   { repeated Msg messages = 1; string memo = 2; }
/// Msg      { oneof { MsgSend send = 1; MsgSetValidator set_validator = 2; MsgInstantiate instantiate = 3; MsgExecute execute = 4; MsgRegistryUpdate registry_update = 5; } }
/// MsgSend  { bytes from = 1; bytes to = 2; uint64 amount = 3; }
/// MsgSetValidator { bytes sender = 1; bytes pub_key = 2; int64 power = 3; }
/// MsgInstantiate  { bytes sender = 1; string code = 2; bytes msg = 3; uint64 funds = 4; string label = 5; }
/// MsgExecute      { bytes sender = 1; bytes contract = 2; bytes msg = 3; uint64 funds = 4; }
/// MsgRegistryUpdate { bytes sender = 1; uint32 kind = 2; bytes document = 3; bytes issuer_chain = 4; }
/// AuthInfo { bytes public_key = 1; uint64 sequence = 2; uint64 gas_limit = 3; }
/// SignDoc  { bytes body_bytes = 1; bytes auth_info_bytes = 2; string chain_id = 3; uint64 account_number = 4; }
/// </code>
/// The signature is secp256k1 ECDSA (low-S, r || s) over SHA-256 of the SignDoc, as Cosmos
/// SIGN_MODE_DIRECT: it binds the exact body and auth bytes, the chain id and the account number.
/// </summary>
public sealed record Tx(
    IReadOnlyList<Msg> Messages, string Memo, byte[] PublicKey, ulong Sequence, ulong GasLimit,
    byte[] BodyBytes, byte[] AuthInfoBytes, byte[] Signature)
{
    public const int MaxMessages = 64;
    public const int MaxMemoLength = 256;

    /// <summary>The 20-byte account address of the signing key.</summary>
    public byte[] SignerAddress => CosmosAddress.AccountBytes(PublicKey);

    /// <summary>The encoded TxRaw (the bytes that go into blocks).</summary>
    public byte[] Encode()
    {
        var w = new ProtoWriter(BodyBytes.Length + AuthInfoBytes.Length + 80);
        w.WriteBytes(1, BodyBytes);
        w.WriteBytes(2, AuthInfoBytes);
        w.WriteBytes(3, Signature);
        return w.ToArray();
    }

    /// <summary>SHA-256 of the tx bytes: the CometBFT tx hash.</summary>
    public static byte[] HashOf(ReadOnlySpan<byte> txBytes) => Hashing.Sha256(txBytes);

    public static byte[] SignDocBytes(ReadOnlySpan<byte> bodyBytes, ReadOnlySpan<byte> authInfoBytes, string chainId, ulong accountNumber)
    {
        var w = new ProtoWriter(bodyBytes.Length + authInfoBytes.Length + 80);
        w.WriteBytes(1, bodyBytes);
        w.WriteBytes(2, authInfoBytes);
        w.WriteString(3, chainId);
        w.WriteUInt64(4, accountNumber);
        return w.ToArray();
    }

    /// <summary>Builds and signs a transaction with a secp256k1 private key.</summary>
    public static Tx Create(IReadOnlyList<Msg> messages, string memo, ReadOnlySpan<byte> privateKey, ulong sequence, ulong gasLimit, string chainId, ulong accountNumber)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(memo);
        var publicKey = Secp256k1.PublicKeyFromPrivate(privateKey);
        var body = EncodeBody(messages, memo);
        var auth = EncodeAuthInfo(publicKey, sequence, gasLimit);
        var signature = Secp256k1.Sign(privateKey, SignDocBytes(body, auth, chainId, accountNumber));
        return new Tx(messages, memo, publicKey, sequence, gasLimit, body, auth, signature);
    }

    public static byte[] EncodeBody(IReadOnlyList<Msg> messages, string memo)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var w = new ProtoWriter(256);
        var m = new ProtoWriter(256);
        var inner = new ProtoWriter(256);
        foreach (var msg in messages)
        {
            inner.Clear();
            int field;
            switch (msg)
            {
                case MsgSend s:
                    field = 1;
                    inner.WriteBytes(1, s.From);
                    inner.WriteBytes(2, s.To);
                    inner.WriteUInt64(3, s.Amount);
                    break;
                case MsgSetValidator v:
                    field = 2;
                    inner.WriteBytes(1, v.Sender);
                    inner.WriteBytes(2, v.PublicKey);
                    inner.WriteInt64(3, v.Power);
                    break;
                case MsgInstantiate i:
                    field = 3;
                    inner.WriteBytes(1, i.Sender);
                    inner.WriteString(2, i.Code);
                    inner.WriteBytes(3, i.Message);
                    inner.WriteUInt64(4, i.Funds);
                    inner.WriteString(5, i.Label);
                    break;
                case MsgExecute e:
                    field = 4;
                    inner.WriteBytes(1, e.Sender);
                    inner.WriteBytes(2, e.Contract);
                    inner.WriteBytes(3, e.Message);
                    inner.WriteUInt64(4, e.Funds);
                    break;
                case MsgRegistryUpdate u:
                    field = 5;
                    inner.WriteBytes(1, u.Sender);
                    inner.WriteUInt64(2, u.Kind);
                    inner.WriteBytes(3, u.Document);
                    inner.WriteBytes(4, u.IssuerChain);
                    break;
                default:
                    throw new ArgumentException($"unknown message type {msg.GetType().Name}", nameof(messages));
            }
            m.Clear();
            m.WriteMessage(field, inner.WrittenSpan);
            w.WriteMessage(1, m.WrittenSpan);
        }
        w.WriteString(2, memo);
        return w.ToArray();
    }

    public static byte[] EncodeAuthInfo(ReadOnlySpan<byte> publicKey, ulong sequence, ulong gasLimit)
    {
        var w = new ProtoWriter(64);
        w.WriteBytes(1, publicKey);
        w.WriteUInt64(2, sequence);
        w.WriteUInt64(3, gasLimit);
        return w.ToArray();
    }

    /// <summary>
    /// Decodes TxRaw and its body and auth info. Structure only: the signature and the sequence are
    /// checked by the application against the account. Throws <see cref="ProtoDecodeException"/>.
    /// </summary>
    public static Tx Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return DecodeRaw(bytes);
        }
        catch (ProtoFormatException e)
        {
            throw ProtoDecodeException.From(e);
        }
    }

    private static Tx DecodeRaw(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes, "TxRaw");
        byte[]? body = null, auth = null, signature = null;
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "body_bytes");
                    body = r.ReadBytes().ToArray();
                    break;
                case 2:
                    r.Expect(type, WireType.LengthDelimited, "auth_info_bytes");
                    auth = r.ReadBytes().ToArray();
                    break;
                case 3:
                    r.Expect(type, WireType.LengthDelimited, "signatures");
                    signature = r.ReadBytes().ToArray();
                    break;
                default:
                    throw new ProtoDecodeException($"TxRaw: unknown field {field}", r.Offset);
            }
        }
        if (body is null || auth is null)
        {
            throw new ProtoDecodeException("TxRaw: body_bytes and auth_info_bytes are required", 0);
        }
        var (messages, memo) = DecodeBody(body);
        var (publicKey, sequence, gasLimit) = DecodeAuthInfo(auth);
        return new Tx(messages, memo, publicKey, sequence, gasLimit, body, auth, signature ?? []);
    }

    private static (List<Msg>, string) DecodeBody(ReadOnlySpan<byte> body)
    {
        var r = new ProtoReader(body, "TxBody");
        var messages = new List<Msg>();
        var memo = "";
        while (r.TryReadTag(out var field, out var type))
        {
            r.Expect(type, WireType.LengthDelimited, field == 1 ? "messages" : field == 2 ? "memo" : "unknown");
            switch (field)
            {
                case 1:
                    if (messages.Count == MaxMessages)
                    {
                        throw new ProtoDecodeException($"TxBody: more than {MaxMessages} messages", r.Offset);
                    }
                    messages.Add(DecodeMsg(r.ReadBytes()));
                    break;
                case 2:
                    memo = r.ReadString();
                    if (memo.Length > MaxMemoLength)
                    {
                        throw new ProtoDecodeException($"TxBody: memo longer than {MaxMemoLength} characters", r.Offset);
                    }
                    break;
                default:
                    throw new ProtoDecodeException($"TxBody: unknown field {field}", r.Offset);
            }
        }
        if (messages.Count == 0)
        {
            throw new ProtoDecodeException("TxBody: no messages", 0);
        }
        return (messages, memo);
    }

    private static Msg DecodeMsg(ReadOnlySpan<byte> data)
    {
        var outer = new ProtoReader(data, "Msg");
        if (!outer.TryReadTag(out var kind, out var kindType))
        {
            throw new ProtoDecodeException("Msg: empty (no message set)", 0);
        }
        outer.Expect(kindType, WireType.LengthDelimited, "kind");
        var payload = outer.ReadBytes();
        if (!outer.End)
        {
            throw new ProtoDecodeException("Msg: more than one oneof member", outer.Offset);
        }
        var r = new ProtoReader(payload, "Msg.payload");
        byte[] a = [], b = [], c = [], d = [];
        ulong n = 0;
        string s1 = "", s2 = "";
        while (r.TryReadTag(out var field, out var type))
        {
            switch ((kind, field))
            {
                case (_, 1):
                case (1 or 2 or 4, 2):
                case (3 or 4 or 5, 3):
                    r.Expect(type, WireType.LengthDelimited, "bytes");
                    var bytes = r.ReadBytes().ToArray();
                    if (field == 1) { a = bytes; } else if (field == 2) { b = bytes; } else { c = bytes; }
                    break;
                case (3, 2):
                    r.Expect(type, WireType.LengthDelimited, "string");
                    s1 = r.ReadString();
                    break;
                case (3, 5):
                    r.Expect(type, WireType.LengthDelimited, "string");
                    s2 = r.ReadString();
                    break;
                case (5, 4):
                    r.Expect(type, WireType.LengthDelimited, "bytes");
                    d = r.ReadBytes().ToArray();
                    break;
                case (1 or 2, 3):
                case (3 or 4, 4):
                case (5, 2):
                    r.Expect(type, WireType.Varint, "uint64");
                    n = r.ReadVarint();
                    break;
                default:
                    throw new ProtoDecodeException($"Msg kind {kind}: unknown field {field}", r.Offset);
            }
        }
        return kind switch
        {
            1 => new MsgSend(a, b, n),
            2 => new MsgSetValidator(a, b, unchecked((long)n)),
            3 => new MsgInstantiate(a, s1, c, n, s2),
            4 => new MsgExecute(a, b, c, n),
            5 => n <= uint.MaxValue ? new MsgRegistryUpdate(a, (uint)n, c, d) : throw new ProtoDecodeException($"MsgRegistryUpdate: kind {n} out of range", 0),
            _ => throw new ProtoDecodeException($"Msg: unknown message kind {kind}", 0),
        };
    }

    private static (byte[], ulong, ulong) DecodeAuthInfo(ReadOnlySpan<byte> auth)
    {
        var r = new ProtoReader(auth, "AuthInfo");
        byte[] key = [];
        ulong sequence = 0, gas = 0;
        while (r.TryReadTag(out var field, out var type))
        {
            switch (field)
            {
                case 1:
                    r.Expect(type, WireType.LengthDelimited, "public_key");
                    key = r.ReadBytes().ToArray();
                    break;
                case 2:
                    r.Expect(type, WireType.Varint, "sequence");
                    sequence = r.ReadVarint();
                    break;
                case 3:
                    r.Expect(type, WireType.Varint, "gas_limit");
                    gas = r.ReadVarint();
                    break;
                default:
                    throw new ProtoDecodeException($"AuthInfo: unknown field {field}", r.Offset);
            }
        }
        if (key.Length != Secp256k1.CompressedPublicKeySize)
        {
            throw new ProtoDecodeException($"AuthInfo: public_key must be a {Secp256k1.CompressedPublicKeySize}-byte compressed secp256k1 key, got {key.Length} bytes", 0);
        }
        return (key, sequence, gas);
    }
}

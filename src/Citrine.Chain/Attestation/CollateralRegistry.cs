using System.Numerics;
using System.Text.Json;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Chain.App;
using Citrine.Chain.Blocks;
using Citrine.Chain.Encoding;
using Citrine.Chain.Genesis;
using Citrine.Chain.State;
using Citrine.Chain.Txs;
using Citrine.Crypto.Encoding.Protobuf;

namespace Citrine.Chain.Attestation;

/// <summary>
/// Result codes of the attestation registry (codespace <c>attestation</c>), one per refusal.
/// Codes 2..20 are the checks of <see cref="CollateralUpdateVerifier"/>; 21.. the never-older rule.
/// </summary>
public enum RegistryCode : uint
{
    UnknownKind = 2,
    Malformed = 3,
    UntrustedRoot = 4,
    IssuerChainInvalid = 5,
    SignerChainLengthInvalid = 6,
    SignerNameInvalid = 7,
    SignerIsCa = 8,
    SignerHasPckExtension = 9,
    UnknownCriticalExtension = 10,
    IssuerChainNotValidAtNow = 11,
    RootCrlMissing = 12,
    SignerRevoked = 13,
    SignatureInvalid = 14,
    VersionUnsupported = 15,
    IdMismatch = 16,
    NotYetValid = 17,
    Expired = 18,
    CrlIssuerInvalid = 19,
    CrlNumberMissing = 20,
    /// <summary>The update is byte for byte what is stored: refused, so a replay never rewrites state.</summary>
    Unchanged = 21,
    /// <summary>A lower tcbEvaluationDataNumber than the stored document's.</summary>
    TcbEvaluationNumberDowngrade = 22,
    /// <summary>An issueDate not after the stored document's (same evaluation number).</summary>
    IssueDateNotNewer = 23,
    /// <summary>A lower cRLNumber than the stored CRL's.</summary>
    CrlNumberDowngrade = 24,
    /// <summary>A thisUpdate not after the stored CRL's.</summary>
    CrlThisUpdateNotNewer = 25,
    /// <summary>The document is larger than <see cref="CollateralRegistry.MaxDocumentBytes"/>.</summary>
    DocumentTooLarge = 26,
    /// <summary>The registered root CA CRL is not current at the block time.</summary>
    RootCrlExpired = 27,
}

/// <summary>One stored registry entry: the uploaded bytes and the facts the never-older rule compares.</summary>
public sealed record RegistryEntry(
    CollateralKind Kind, string Id, byte[] Fmspc, int? TcbEvaluationDataNumber, long IssueDateUnixMs, long NextUpdateUnixMs,
    byte[] CrlNumber, byte[] Document, byte[] IssuerChain, long Height)
{
    public DateTimeOffset IssueDate => DateTimeOffset.FromUnixTimeMilliseconds(IssueDateUnixMs);

    public DateTimeOffset NextUpdate => DateTimeOffset.FromUnixTimeMilliseconds(NextUpdateUnixMs);

    /// <summary>Protobuf: <c>{uint32 kind=1; string id=2; bytes fmspc=3; int64 tcb_evaluation_data_number_plus_one=4; int64 issue_ms=5; int64 next_update_ms=6; bytes crl_number=7; bytes document=8; bytes issuer_chain=9; int64 height=10}</c>.</summary>
    public byte[] Encode()
    {
        var w = new ProtoWriter(Document.Length + IssuerChain.Length + 128);
        w.WriteUInt64(1, (ulong)Kind);
        w.WriteString(2, Id);
        w.WriteBytes(3, Fmspc);
        // +1 so that "absent" (CRLs) and evaluation number 0 differ.
        w.WriteInt64(4, TcbEvaluationDataNumber is { } n ? n + 1L : 0);
        w.WriteInt64(5, IssueDateUnixMs);
        w.WriteInt64(6, NextUpdateUnixMs);
        w.WriteBytes(7, CrlNumber);
        w.WriteBytes(8, Document);
        w.WriteBytes(9, IssuerChain);
        w.WriteInt64(10, Height);
        return w.ToArray();
    }

    public static RegistryEntry Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            var r = new ProtoReader(data, "RegistryEntry");
            ulong kind = 0;
            long eval = 0, issue = 0, next = 0, height = 0;
            string id = "";
            byte[] fmspc = [], crlNumber = [], document = [], chain = [];
            while (r.TryReadTag(out var field, out var type))
            {
                switch (field)
                {
                    case 1: kind = r.ReadVarint(); break;
                    case 2: id = r.ReadString(); break;
                    case 3: fmspc = r.ReadBytes().ToArray(); break;
                    case 4: eval = unchecked((long)r.ReadVarint()); break;
                    case 5: issue = unchecked((long)r.ReadVarint()); break;
                    case 6: next = unchecked((long)r.ReadVarint()); break;
                    case 7: crlNumber = r.ReadBytes().ToArray(); break;
                    case 8: document = r.ReadBytes().ToArray(); break;
                    case 9: chain = r.ReadBytes().ToArray(); break;
                    case 10: height = unchecked((long)r.ReadVarint()); break;
                    default: r.Skip(type); break;
                }
            }
            return new RegistryEntry((CollateralKind)kind, id, fmspc, eval == 0 ? null : (int)(eval - 1), issue, next, crlNumber, document, chain, height);
        }
        catch (ProtoFormatException e)
        {
            throw ProtoDecodeException.From(e);
        }
    }
}

/// <summary>
/// The on-chain collateral registry, a native module of the node (like a Cosmos SDK module) with
/// its own IAVL store <see cref="StoreName"/>, committed into the app hash with the others.
/// The root is pinned in genesis. Anyone may submit an update (<see cref="MsgRegistryUpdate"/>);
/// it is stored only when <see cref="CollateralUpdateVerifier"/> accepts it at the block time
/// and it is not older than what is stored. Each refusal has its own <see cref="RegistryCode"/>.
/// </summary>
public static class CollateralRegistry
{
    public const string StoreName = "attestation";
    public const string Codespace = "attestation";

    /// <summary>Largest accepted document or issuer chain (Intel's TCB Info for a TDX FMSPC is about 12 KiB).</summary>
    public const int MaxDocumentBytes = 64 * 1024;

    /// <summary>
    /// Gas of one P-256 signature check. Our own figure: the same order as the x/auth secp256k1
    /// cost (1000), as the P-256 benchmark against the secp256k1 one shows (docs/registry.md).
    /// </summary>
    public const long P256VerifyGas = 1000;

    /// <summary>Flat gas for parsing a signed JSON document (bounded by <see cref="MaxDocumentBytes"/>; the tx bytes are charged per byte already).</summary>
    public const long JsonParseGas = 5000;

    /// <summary>Flat gas for parsing a CRL and its chain.</summary>
    public const long CrlParseGas = 2000;

    internal static readonly byte[] RootKey = [0x00];
    private static readonly byte[] FmspcIndexKey = [0x05];

    /// <summary>The fixed verification gas of an upload of <paramref name="kind"/>: its signature checks plus parsing.</summary>
    public static long VerificationGas(CollateralKind kind) => kind switch
    {
        // The signer's certificate by the root, the document by the signer.
        CollateralKind.TcbInfo or CollateralKind.QeIdentity or CollateralKind.TcbEvaluationNumbers => (2 * P256VerifyGas) + JsonParseGas,
        // The PCK CA certificate by the root, the CRL by the PCK CA.
        CollateralKind.ProcessorCrl or CollateralKind.PlatformCrl => (2 * P256VerifyGas) + CrlParseGas,
        // The CRL by the root.
        CollateralKind.RootCaCrl => P256VerifyGas + CrlParseGas,
        _ => 0,
    };

    /// <summary>Writes the pinned root into the store (genesis), so it is part of the app hash and provable.</summary>
    public static void InitGenesis(StateBranch branch, GenesisAttestation attestation)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(attestation);
        var w = new ProtoWriter(96);
        w.WriteString(1, attestation.Root);
        w.WriteBytes(2, attestation.RootPublicKey);
        branch.Set(StoreName, RootKey, w.WrittenSpan);
    }

    /// <summary>The store key of an entry: TCB Info per (TEE, FMSPC), QE identity per id, evaluation numbers per TEE, CRL per kind.</summary>
    public static byte[] KeyOf(CollateralKind kind, string id, ReadOnlySpan<byte> fmspc) => kind switch
    {
        CollateralKind.TcbInfo => [0x01, TeeByte(id), .. fmspc],
        CollateralKind.QeIdentity => [0x02, .. System.Text.Encoding.ASCII.GetBytes(id)],
        CollateralKind.TcbEvaluationNumbers => [0x03, TeeByte(id)],
        CollateralKind.ProcessorCrl or CollateralKind.PlatformCrl or CollateralKind.RootCaCrl => [0x04, (byte)kind],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a registry kind"),
    };

    /// <summary>
    /// The block time as the attestation module reads it (uploads and quote verification alike):
    /// the header's seconds plus its nanoseconds rounded down to 100 ns ticks.
    /// </summary>
    public static DateTimeOffset BlockTime(CometBft.Types.Timestamp time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.Seconds).AddTicks(time.Nanos / 100);

    private static byte TeeByte(string id) => id == TcbInfo.TdxId ? (byte)1 : (byte)0;

    /// <summary>Runs one update in a tx: charges the fixed gas, verifies at the block time, applies the never-older rule, stores.</summary>
    public static void Apply(StateBranch branch, GenesisAttestation attestation, MsgRegistryUpdate update, BlockContext context, List<AbciEvent> events)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(attestation);
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        var kind = (CollateralKind)update.Kind;
        if (!Enum.IsDefined(kind) || kind == CollateralKind.Unknown)
        {
            throw Refuse(RegistryCode.UnknownKind, $"collateral kind {update.Kind} is not one the registry holds");
        }
        if (update.Document.Length > MaxDocumentBytes || update.IssuerChain.Length > MaxDocumentBytes)
        {
            throw Refuse(RegistryCode.DocumentTooLarge, $"document and issuer chain are limited to {MaxDocumentBytes} bytes each");
        }
        branch.Gas.Consume(VerificationGas(kind), $"verify {kind} upload");
        var rootCrl = kind == CollateralKind.RootCaCrl ? null : StoredRootCrl(branch);
        var now = BlockTime(context.Time);
        var verdict = CollateralUpdateVerifier.Verify(kind, update.Document, update.IssuerChain, rootCrl, now, attestation.Anchor());
        if (!verdict.IsVerified)
        {
            throw Refuse(CodeOf(verdict.Reason), $"{kind}: {verdict.Reason}: {verdict.Detail}");
        }
        var verified = verdict.Update!;
        var key = KeyOf(kind, verified.Id, verified.Fmspc ?? []);
        var entry = new RegistryEntry(kind, verified.Id, verified.Fmspc ?? [], verified.TcbEvaluationDataNumber,
            verified.IssueDate.ToUnixTimeMilliseconds(), verified.NextUpdate.ToUnixTimeMilliseconds(),
            verified.CrlNumber is { } number ? number.ToByteArray(isUnsigned: true, isBigEndian: true) : [],
            verified.Document, update.IssuerChain, context.Height);
        if (branch.Get(StoreName, key) is { } storedBytes)
        {
            NotOlder(RegistryEntry.Decode(storedBytes), entry);
        }
        else if (kind == CollateralKind.TcbInfo)
        {
            AddToIndex(branch, key);
        }
        branch.Set(StoreName, key, entry.Encode());
        var attributes = new List<EventAttr>
        {
            new("kind", kind.ToString()),
            new("id", verified.Id),
            new("issue_date", verified.IssueDate.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            new("next_update", verified.NextUpdate.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (verified.Fmspc is { } fmspc)
        {
            attributes.Add(new("fmspc", Convert.ToHexStringLower(fmspc)));
        }
        if (verified.TcbEvaluationDataNumber is { } eval)
        {
            attributes.Add(new("tcb_evaluation_data_number", eval.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (verified.CrlNumber is { } crlNumber)
        {
            attributes.Add(new("crl_number", crlNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        events.Add(new("attestation_registry_update", attributes));
        events.Add(new("message", [new("action", "/citrine.attestation.MsgRegistryUpdate"), new("module", "attestation")]));
    }

    /// <summary>The never-older rule: evaluation number and issue date (documents), CRL number and thisUpdate (CRLs).</summary>
    private static void NotOlder(RegistryEntry stored, RegistryEntry update)
    {
        if (stored.Document.AsSpan().SequenceEqual(update.Document))
        {
            throw Refuse(RegistryCode.Unchanged, $"{update.Kind} {update.Id} is already stored (since height {stored.Height})");
        }
        if (update.Kind is CollateralKind.ProcessorCrl or CollateralKind.PlatformCrl or CollateralKind.RootCaCrl)
        {
            var storedNumber = new BigInteger(stored.CrlNumber, isUnsigned: true, isBigEndian: true);
            var newNumber = new BigInteger(update.CrlNumber, isUnsigned: true, isBigEndian: true);
            if (newNumber < storedNumber)
            {
                throw Refuse(RegistryCode.CrlNumberDowngrade, $"{update.Kind}: cRLNumber {newNumber} is lower than the stored {storedNumber}");
            }
            if (update.IssueDateUnixMs <= stored.IssueDateUnixMs)
            {
                throw Refuse(RegistryCode.CrlThisUpdateNotNewer, $"{update.Kind}: thisUpdate {update.IssueDate:O} is not after the stored {stored.IssueDate:O}");
            }
            return;
        }
        if (update.TcbEvaluationDataNumber < stored.TcbEvaluationDataNumber)
        {
            throw Refuse(RegistryCode.TcbEvaluationNumberDowngrade, $"{update.Kind} {update.Id}: tcbEvaluationDataNumber {update.TcbEvaluationDataNumber} is lower than the stored {stored.TcbEvaluationDataNumber}");
        }
        if (update.IssueDateUnixMs <= stored.IssueDateUnixMs)
        {
            throw Refuse(RegistryCode.IssueDateNotNewer, $"{update.Kind} {update.Id}: issueDate {update.IssueDate:O} is not after the stored {stored.IssueDate:O}");
        }
    }

    private static Crl? StoredRootCrl(StateBranch branch) =>
        branch.Get(StoreName, KeyOf(CollateralKind.RootCaCrl, "root", [])) is { } bytes
            ? Crl.Parse(RegistryEntry.Decode(bytes).Document, "root_ca_crl")
            : null;

    private static void AddToIndex(StateBranch branch, byte[] key)
    {
        var index = branch.Get(StoreName, FmspcIndexKey) ?? [];
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 8 <= index.Length; i += 8)
        {
            keys.Add(Convert.ToHexString(index, i, 8));
        }
        keys.Add(Convert.ToHexString(key));
        branch.Set(StoreName, FmspcIndexKey, [.. keys.SelectMany(Convert.FromHexString)]);
    }

    /// <summary>Every registry reason has a code; <see cref="CollateralUpdateReason.Verified"/> and Unset have none.</summary>
    public static RegistryCode CodeOf(CollateralUpdateReason reason) => reason switch
    {
        CollateralUpdateReason.UnknownKind => RegistryCode.UnknownKind,
        CollateralUpdateReason.Malformed => RegistryCode.Malformed,
        CollateralUpdateReason.UntrustedRoot => RegistryCode.UntrustedRoot,
        CollateralUpdateReason.IssuerChainInvalid => RegistryCode.IssuerChainInvalid,
        CollateralUpdateReason.SignerChainLengthInvalid => RegistryCode.SignerChainLengthInvalid,
        CollateralUpdateReason.SignerNameInvalid => RegistryCode.SignerNameInvalid,
        CollateralUpdateReason.SignerIsCa => RegistryCode.SignerIsCa,
        CollateralUpdateReason.SignerHasPckExtension => RegistryCode.SignerHasPckExtension,
        CollateralUpdateReason.UnknownCriticalExtension => RegistryCode.UnknownCriticalExtension,
        CollateralUpdateReason.IssuerChainNotValidAtNow => RegistryCode.IssuerChainNotValidAtNow,
        CollateralUpdateReason.RootCrlMissing => RegistryCode.RootCrlMissing,
        CollateralUpdateReason.SignerRevoked => RegistryCode.SignerRevoked,
        CollateralUpdateReason.SignatureInvalid => RegistryCode.SignatureInvalid,
        CollateralUpdateReason.VersionUnsupported => RegistryCode.VersionUnsupported,
        CollateralUpdateReason.IdMismatch => RegistryCode.IdMismatch,
        CollateralUpdateReason.NotYetValid => RegistryCode.NotYetValid,
        CollateralUpdateReason.Expired => RegistryCode.Expired,
        CollateralUpdateReason.CrlIssuerInvalid => RegistryCode.CrlIssuerInvalid,
        CollateralUpdateReason.CrlNumberMissing => RegistryCode.CrlNumberMissing,
        CollateralUpdateReason.RootCrlExpired => RegistryCode.RootCrlExpired,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "not a refusal"),
    };

    private static TxFailedException Refuse(RegistryCode code, string message) => new((uint)code, message, Codespace);

    /// <summary>
    /// The JSON view (<c>abci_query</c> path <c>/attestation/registry</c>): the pinned root and
    /// every entry's facts, or only the TCB Info of one FMSPC. Documents are not repeated here;
    /// <c>/store/attestation/key</c> returns them with proofs.
    /// </summary>
    public static byte[] ShowJson(IStateReader state, GenesisAttestation attestation, byte[]? fmspc)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(attestation);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("root", attestation.Root);
            w.WriteString("root_public_key", Convert.ToHexStringLower(attestation.RootPublicKey));
            if (attestation.IsSimulated)
            {
                w.WriteString("warning", "simulated-DCAP test root: collateral here proves nothing about Intel hardware");
            }
            w.WriteStartArray("tcb_info");
            var index = state.Read(StoreName, FmspcIndexKey) ?? [];
            for (var i = 0; i + 8 <= index.Length; i += 8)
            {
                var key = index.AsSpan(i, 8);
                if (fmspc is not null && !key[2..].SequenceEqual(fmspc))
                {
                    continue;
                }
                if (state.Read(StoreName, key) is { } bytes)
                {
                    WriteEntry(w, RegistryEntry.Decode(bytes), key);
                }
            }
            w.WriteEndArray();
            if (fmspc is null)
            {
                w.WriteStartArray("entries");
                byte[][] keys =
                [
                    KeyOf(CollateralKind.QeIdentity, EnclaveIdentity.QeId, []), KeyOf(CollateralKind.QeIdentity, EnclaveIdentity.TdQeId, []),
                    KeyOf(CollateralKind.TcbEvaluationNumbers, "SGX", []), KeyOf(CollateralKind.TcbEvaluationNumbers, "TDX", []),
                    KeyOf(CollateralKind.ProcessorCrl, "", []), KeyOf(CollateralKind.PlatformCrl, "", []), KeyOf(CollateralKind.RootCaCrl, "", []),
                ];
                foreach (var key in keys)
                {
                    if (state.Read(StoreName, key) is { } bytes)
                    {
                        WriteEntry(w, RegistryEntry.Decode(bytes), key);
                    }
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteEntry(Utf8JsonWriter w, RegistryEntry e, ReadOnlySpan<byte> key)
    {
        w.WriteStartObject();
        w.WriteString("kind", e.Kind.ToString());
        w.WriteString("id", e.Id);
        if (e.Fmspc.Length != 0)
        {
            w.WriteString("fmspc", Convert.ToHexStringLower(e.Fmspc));
        }
        if (e.TcbEvaluationDataNumber is { } n)
        {
            w.WriteNumber("tcb_evaluation_data_number", n);
        }
        if (e.CrlNumber.Length != 0)
        {
            w.WriteString("crl_number", new BigInteger(e.CrlNumber, isUnsigned: true, isBigEndian: true).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        w.WriteString("issue_date", e.IssueDate.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("next_update", e.NextUpdate.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteNumber("height", e.Height);
        w.WriteString("store_key", Convert.ToHexStringLower(key));
        w.WriteString("document_sha256", Convert.ToHexStringLower(Crypto.Hashing.Sha256(e.Document)));
        w.WriteEndObject();
    }
}

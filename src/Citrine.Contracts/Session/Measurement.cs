using System.Buffers.Binary;
using System.Text.Json;
using Citrine.Chain.Contracts;

namespace Citrine.Contracts.Session;

/// <summary>The TEE a measurement entry describes; the byte is the first byte of its canonical id.</summary>
public enum MeasurementKind : byte
{
    Sgx = 1,
    Tdx = 2,
    Mock = 3,
}

/// <summary>
/// One entry of the config's measurement set (docs/session.md, "Config"): an SGX enclave
/// (MRENCLAVE, MRSIGNER, ISVPRODID and an ISVSVN floor), a TDX TD (MRTD and RTMR0..3) or, in
/// development, a mock measurement. Its canonical id is the binary form stored in the session
/// record and compared on removal:
/// <c>0x01 ‖ mr_enclave ‖ mr_signer ‖ u16be isv_prod_id ‖ u16be min_isv_svn</c> (69 bytes),
/// <c>0x02 ‖ mr_td ‖ rtmr0..3</c> (241 bytes), <c>0x03 ‖ measurement</c> (33 bytes).
/// Two entries are equal when their canonical ids are.
/// </summary>
public sealed class Measurement : IEquatable<Measurement>
{
    public const int MrEnclaveSize = 32;
    public const int MrSignerSize = 32;
    public const int MrTdSize = 48;
    public const int RtmrSize = 48;
    public const int RtmrCount = 4;
    public const int MockSize = 32;
    public const int SgxIdSize = 1 + MrEnclaveSize + MrSignerSize + 2 + 2;
    public const int TdxIdSize = 1 + MrTdSize + (RtmrCount * RtmrSize);
    public const int MockIdSize = 1 + MockSize;

    private readonly byte[] _id;

    private Measurement(byte[] id) => _id = id;

    public MeasurementKind Kind => (MeasurementKind)_id[0];

    /// <summary>The canonical id (a copy).</summary>
    public byte[] CanonicalId => (byte[])_id.Clone();

    /// <summary>SGX: MRENCLAVE; null otherwise.</summary>
    public byte[]? MrEnclave => Kind == MeasurementKind.Sgx ? _id[1..(1 + MrEnclaveSize)] : null;

    /// <summary>SGX: MRSIGNER; null otherwise.</summary>
    public byte[]? MrSigner => Kind == MeasurementKind.Sgx ? _id[(1 + MrEnclaveSize)..(1 + MrEnclaveSize + MrSignerSize)] : null;

    /// <summary>SGX: ISVPRODID; 0 otherwise.</summary>
    public ushort IsvProdId => Kind == MeasurementKind.Sgx ? BinaryPrimitives.ReadUInt16BigEndian(_id.AsSpan(SgxIdSize - 4)) : (ushort)0;

    /// <summary>SGX: the lowest accepted ISVSVN; 0 otherwise.</summary>
    public ushort MinIsvSvn => Kind == MeasurementKind.Sgx ? BinaryPrimitives.ReadUInt16BigEndian(_id.AsSpan(SgxIdSize - 2)) : (ushort)0;

    /// <summary>TDX: MRTD; null otherwise.</summary>
    public byte[]? MrTd => Kind == MeasurementKind.Tdx ? _id[1..(1 + MrTdSize)] : null;

    /// <summary>TDX: RTMR0..3; null otherwise.</summary>
    public IReadOnlyList<byte[]>? Rtmrs => Kind == MeasurementKind.Tdx
        ? [.. Enumerable.Range(0, RtmrCount).Select(i => _id[(1 + MrTdSize + (i * RtmrSize))..(1 + MrTdSize + ((i + 1) * RtmrSize))])]
        : null;

    /// <summary>Mock: the mock measurement; null otherwise.</summary>
    public byte[]? MockMeasurement => Kind == MeasurementKind.Mock ? _id[1..] : null;

    public static Measurement Sgx(ReadOnlySpan<byte> mrEnclave, ReadOnlySpan<byte> mrSigner, ushort isvProdId, ushort minIsvSvn)
    {
        RequireLength(mrEnclave, MrEnclaveSize, nameof(mrEnclave));
        RequireLength(mrSigner, MrSignerSize, nameof(mrSigner));
        var id = new byte[SgxIdSize];
        id[0] = (byte)MeasurementKind.Sgx;
        mrEnclave.CopyTo(id.AsSpan(1));
        mrSigner.CopyTo(id.AsSpan(1 + MrEnclaveSize));
        BinaryPrimitives.WriteUInt16BigEndian(id.AsSpan(SgxIdSize - 4), isvProdId);
        BinaryPrimitives.WriteUInt16BigEndian(id.AsSpan(SgxIdSize - 2), minIsvSvn);
        return new Measurement(id);
    }

    public static Measurement Tdx(ReadOnlySpan<byte> mrTd, IReadOnlyList<byte[]> rtmrs)
    {
        ArgumentNullException.ThrowIfNull(rtmrs);
        RequireLength(mrTd, MrTdSize, nameof(mrTd));
        if (rtmrs.Count != RtmrCount)
        {
            throw new ArgumentException($"a TDX measurement has {RtmrCount} RTMRs, got {rtmrs.Count}", nameof(rtmrs));
        }
        var id = new byte[TdxIdSize];
        id[0] = (byte)MeasurementKind.Tdx;
        mrTd.CopyTo(id.AsSpan(1));
        for (var i = 0; i < RtmrCount; i++)
        {
            RequireLength(rtmrs[i], RtmrSize, $"rtmrs[{i}]");
            rtmrs[i].CopyTo(id.AsSpan(1 + MrTdSize + (i * RtmrSize)));
        }
        return new Measurement(id);
    }

    public static Measurement Mock(ReadOnlySpan<byte> measurement)
    {
        RequireLength(measurement, MockSize, nameof(measurement));
        return new Measurement([(byte)MeasurementKind.Mock, .. measurement]);
    }

    /// <summary>Reads a canonical id; false (with the reason) for an unknown kind or a wrong length. Never throws.</summary>
    public static bool TryFromCanonicalId(ReadOnlySpan<byte> id, out Measurement? measurement, out string error)
    {
        measurement = null;
        if (id.IsEmpty)
        {
            error = "empty measurement id";
            return false;
        }
        var expected = id[0] switch
        {
            (byte)MeasurementKind.Sgx => SgxIdSize,
            (byte)MeasurementKind.Tdx => TdxIdSize,
            (byte)MeasurementKind.Mock => MockIdSize,
            _ => -1,
        };
        if (expected < 0)
        {
            error = $"unknown measurement kind 0x{id[0]:x2}";
            return false;
        }
        if (id.Length != expected)
        {
            error = $"a {(MeasurementKind)id[0]} measurement id is {expected} bytes, got {id.Length}";
            return false;
        }
        measurement = new Measurement(id.ToArray());
        error = "";
        return true;
    }

    /// <summary>
    /// True when the verdict's facts are this measurement (docs/session.md, "Config"): SGX when
    /// MRENCLAVE, MRSIGNER and ISVPRODID are equal and ISVSVN ≥ the floor; TDX when MRTD and all
    /// four RTMRs are equal; mock when the evidence is mock and its measurement is equal. Whether
    /// the quote was accepted at all is the caller's check.
    /// </summary>
    public bool Matches(QuoteVerification verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        switch (Kind)
        {
            case MeasurementKind.Sgx:
                return verdict.Tee == QuoteTee.Sgx
                    && Equal(verdict.MrEnclave, _id.AsSpan(1, MrEnclaveSize))
                    && Equal(verdict.MrSigner, _id.AsSpan(1 + MrEnclaveSize, MrSignerSize))
                    && verdict.IsvProdId == IsvProdId
                    && verdict.IsvSvn >= MinIsvSvn;
            case MeasurementKind.Tdx:
                if (verdict.Tee != QuoteTee.Tdx || !Equal(verdict.MrTd, _id.AsSpan(1, MrTdSize)) || verdict.Rtmrs is not { Count: RtmrCount } rtmrs)
                {
                    return false;
                }
                for (var i = 0; i < RtmrCount; i++)
                {
                    if (!Equal(rtmrs[i], _id.AsSpan(1 + MrTdSize + (i * RtmrSize), RtmrSize)))
                    {
                        return false;
                    }
                }
                return true;
            case MeasurementKind.Mock:
                return verdict.Tee == QuoteTee.Mock && Equal(verdict.MrEnclave, _id.AsSpan(1));
            default:
                return false;
        }
    }

    /// <summary>Parses one entry as in the config, e.g. <c>{"mock":{"measurement":"…"}}</c>; throws <see cref="SessionConfigException"/>.</summary>
    public static Measurement ParseJson(ReadOnlySpan<byte> utf8)
    {
        var json = new StrictJson(isConfig: true);
        using var document = json.Document(utf8, "the measurement");
        return Read(json, document.RootElement, "$");
    }

    /// <summary>Writes the entry as in the config.</summary>
    public void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        switch (Kind)
        {
            case MeasurementKind.Sgx:
                writer.WriteStartObject("sgx");
                writer.WriteString("mr_enclave", Convert.ToHexStringLower(MrEnclave!));
                writer.WriteString("mr_signer", Convert.ToHexStringLower(MrSigner!));
                writer.WriteNumber("isv_prod_id", IsvProdId);
                writer.WriteNumber("min_isv_svn", MinIsvSvn);
                writer.WriteEndObject();
                break;
            case MeasurementKind.Tdx:
                writer.WriteStartObject("tdx");
                writer.WriteString("mr_td", Convert.ToHexStringLower(MrTd!));
                writer.WriteStartArray("rtmrs");
                foreach (var rtmr in Rtmrs!)
                {
                    writer.WriteStringValue(Convert.ToHexStringLower(rtmr));
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartObject("mock");
                writer.WriteString("measurement", Convert.ToHexStringLower(MockMeasurement!));
                writer.WriteEndObject();
                break;
        }
        writer.WriteEndObject();
    }

    /// <summary>The entry as JSON bytes.</summary>
    public byte[] ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    internal static Measurement Read(StrictJson json, JsonElement element, string path)
    {
        var members = json.Members(element, path, "sgx", "tdx", "mock");
        var present = members.Count(m => m.ValueKind != JsonValueKind.Undefined);
        if (present != 1)
        {
            throw json.Error(path, "a measurement has exactly one of sgx, tdx, mock");
        }
        if (members[0].ValueKind != JsonValueKind.Undefined)
        {
            var p = StrictJson.Join(path, "sgx");
            var f = json.Members(members[0], p, "mr_enclave", "mr_signer", "isv_prod_id", "min_isv_svn");
            return Sgx(
                json.Hex(f[0], StrictJson.Join(p, "mr_enclave"), MrEnclaveSize),
                json.Hex(f[1], StrictJson.Join(p, "mr_signer"), MrSignerSize),
                (ushort)json.UInt64(f[2], StrictJson.Join(p, "isv_prod_id"), 0, ushort.MaxValue),
                (ushort)json.UInt64(f[3], StrictJson.Join(p, "min_isv_svn"), 0, ushort.MaxValue));
        }
        if (members[1].ValueKind != JsonValueKind.Undefined)
        {
            var p = StrictJson.Join(path, "tdx");
            var f = json.Members(members[1], p, "mr_td", "rtmrs");
            var mrTd = json.Hex(f[0], StrictJson.Join(p, "mr_td"), MrTdSize);
            var rp = StrictJson.Join(p, "rtmrs");
            if (json.Required(f[1], rp).ValueKind != JsonValueKind.Array || f[1].GetArrayLength() != RtmrCount)
            {
                throw json.Error(rp, $"expected an array of {RtmrCount} RTMRs");
            }
            var rtmrs = new byte[RtmrCount][];
            var i = 0;
            foreach (var rtmr in f[1].EnumerateArray())
            {
                rtmrs[i] = json.Hex(rtmr, StrictJson.Index(rp, i), RtmrSize);
                i++;
            }
            return Tdx(mrTd, rtmrs);
        }
        var mp = StrictJson.Join(path, "mock");
        var mock = json.Members(members[2], mp, "measurement");
        return Mock(json.Hex(mock[0], StrictJson.Join(mp, "measurement"), MockSize));
    }

    public bool Equals(Measurement? other) => other is not null && _id.AsSpan().SequenceEqual(other._id);

    public override bool Equals(object? obj) => Equals(obj as Measurement);

    /// <summary>From the canonical id's bytes (not randomized), so equal measurements hash alike everywhere.</summary>
    public override int GetHashCode() => BinaryPrimitives.ReadInt32BigEndian(_id.AsSpan(_id.Length - 4));

    public override string ToString() => $"{Kind}:{Convert.ToHexStringLower(_id.AsSpan(1, Math.Min(8, _id.Length - 1)))}…";

    private static bool Equal(byte[]? actual, ReadOnlySpan<byte> expected) => actual is not null && actual.AsSpan().SequenceEqual(expected);

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{name} must be {length} bytes, got {value.Length}", name);
        }
    }
}

using System.Text;

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>Splits PEM text into the DER bodies of its blocks (RFC 7468).</summary>
public static class PemText
{
    /// <summary>Every block with the given label, in order. Text outside blocks and NUL padding are ignored.</summary>
    public static IReadOnlyList<byte[]> DecodeAll(ReadOnlySpan<byte> text, string label, string item)
    {
        var s = Encoding.ASCII.GetString(text);
        var begin = $"-----BEGIN {label}-----";
        var end = $"-----END {label}-----";
        var list = new List<byte[]>();
        var at = 0;
        while (true)
        {
            var b = s.IndexOf(begin, at, StringComparison.Ordinal);
            if (b < 0)
            {
                break;
            }
            var e = s.IndexOf(end, b + begin.Length, StringComparison.Ordinal);
            if (e < 0)
            {
                throw new CollateralFormatException(item, $"PEM block {list.Count} has no END line");
            }
            var body = s.AsSpan(b + begin.Length, e - b - begin.Length);
            var clean = new StringBuilder(body.Length);
            foreach (var c in body)
            {
                if (c is not ('\r' or '\n' or ' ' or '\t'))
                {
                    clean.Append(c);
                }
            }
            try
            {
                list.Add(Convert.FromBase64String(clean.ToString()));
            }
            catch (FormatException ex)
            {
                throw new CollateralFormatException(item, $"PEM block {list.Count} is not base64", ex);
            }
            at = e + end.Length;
        }
        return list;
    }

    internal static bool TryDecodeSingle(ReadOnlySpan<byte> data, string label, out byte[] der)
    {
        der = [];
        var prefix = Encoding.ASCII.GetBytes("-----BEGIN");
        var trimmed = data.TrimStart(" \t\r\n"u8);
        if (!trimmed.StartsWith(prefix))
        {
            return false;
        }
        var all = DecodeAll(data, label, label);
        if (all.Count != 1)
        {
            throw new CollateralFormatException(label, $"expected one PEM block, found {all.Count}");
        }
        der = all[0];
        return true;
    }
}

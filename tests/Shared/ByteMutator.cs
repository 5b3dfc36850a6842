namespace Citrine.Testing;

/// <summary>
/// The one byte-level mutator of the parser mutation tests and the fuzz driver's <c>mutate</c>
/// mode: from a seed input, one to three edits — a bit flip, a boundary byte (0x00, 0xFF, 0x7F,
/// 0x80, 0x01, '"', '\'), an inserted byte, a deleted run, a truncation, a duplicated run.
/// Deterministic for a given seed, so a failure replays.
/// </summary>
public static class ByteMutator
{
    private static readonly byte[] Boundaries = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0x22, 0x5C];

    public static IEnumerable<byte[]> Mutate(IReadOnlyList<byte[]> seeds, int seed, int count)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        // A fixed-seed generator on purpose: reproducible test inputs, not a secret.
#pragma warning disable CA5394
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = new List<byte>(seeds[random.Next(seeds.Count)]);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
                switch (random.Next(6))
                {
                    case 0 when bytes.Count > 0:
                        bytes[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1 when bytes.Count > 0:
                        bytes[at] = Boundaries[random.Next(Boundaries.Length)];
                        break;
                    case 2:
                        bytes.Insert(at, (byte)random.Next(256));
                        break;
                    case 3 when bytes.Count > 0:
                        bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                        break;
                    case 4:
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                    default:
                        var length = Math.Min(bytes.Count - at, 1 + random.Next(16));
                        bytes.InsertRange(at, bytes.GetRange(at, length));
                        break;
                }
            }
#pragma warning restore CA5394
            yield return [.. bytes];
        }
    }
}

using Citrine.Chain.Blocks;
using Citrine.Chain.Indexing;
using FsCheck.Xunit;

namespace Citrine.Chain.Tests.Indexing;

/// <summary>
/// The index's answers equal a brute-force evaluation of the kv indexer's rules over every
/// indexed tx (all conditions of one event, heights filtered, exact text for "=", numbers for
/// ranges), for random blocks and queries over a small vocabulary that makes collisions likely.
/// </summary>
public class ChainIndexerPropertyTests
{
    private static readonly string[] Types = ["a", "b"];
    private static readonly string[] Keys = ["x", "y"];
    private static readonly string[] Values = ["1", "2", "10", "-3", "1.5", "ab", "b", ""];
    private static readonly string[] Ops = ["=", "<", "<=", ">", ">=", "CONTAINS", "EXISTS"];

    [Property(MaxTest = 400)]
    public bool Search_equals_brute_force(int seed)
    {
        var rng = new Random(seed);
        using var index = ChainIndexer.InMemory();
        var all = new List<(long Height, int Index, List<AbciEvent> Events)>();
        for (var height = 1; height <= 4; height++)
        {
            var results = new List<TxResult>();
            for (var t = rng.Next(0, 4); t > 0; t--)
            {
                var events = new List<AbciEvent>();
                for (var e = rng.Next(0, 4); e > 0; e--)
                {
                    events.Add(new AbciEvent(Types[rng.Next(Types.Length)],
                        [.. Enumerable.Range(0, rng.Next(1, 4)).Select(_ => new EventAttr(Keys[rng.Next(Keys.Length)], Values[rng.Next(Values.Length)]))]));
                }
                results.Add(new TxResult(0, [], "", 0, 0, events));
            }
            index.Index(ChainIndexerTests.BlockAt(height, [.. results.Select((_, i) => System.Text.Encoding.UTF8.GetBytes($"{height}/{i}"))]), new BlockResults(height, results, [], new byte[32]));
            all.AddRange(results.Select((r, i) => ((long)height, i, r.Events.ToList())));
        }
        var parts = new List<string>();
        for (var c = rng.Next(1, 4); c > 0; c--)
        {
            var tag = Types[rng.Next(Types.Length)] + "." + Keys[rng.Next(Keys.Length)];
            var value = Values[rng.Next(Values.Length)];
            var op = Ops[rng.Next(Ops.Length)];
            var numeric = value.Length > 0 && char.IsAsciiDigit(value[0]);
            parts.Add(op switch
            {
                "EXISTS" => $"{tag} EXISTS",
                "CONTAINS" => $"{tag} CONTAINS '{value}'",
                "=" => $"{tag} = '{value}'",
                _ when numeric => $"{tag} {op} {value}",
                _ => $"{tag} EXISTS",
            });
        }
        var heightEq = rng.Next(0, 6);
        if (heightEq > 0)
        {
            parts.Add($"tx.height = {heightEq}");
        }
        var query = EventQuery.Parse(string.Join(" AND ", parts));
        var expected = all.Where(tx => (heightEq == 0 || tx.Height == heightEq) && tx.Events.Any(e => Holds(query, e)))
            .Select(tx => $"{tx.Height}/{tx.Index}").Order().ToList();
        var actual = index.SearchTxs(query).Select(l => $"{l.Height}/{l.Index}").Order().ToList();
        return expected.SequenceEqual(actual);
    }

    /// <summary>Every non-height condition holds in this one event; ranges on one tag merge (one value in all bounds).</summary>
    private static bool Holds(EventQuery query, AbciEvent e)
    {
        var conditions = query.Conditions.Where(c => c.Tag != ChainIndexer.TxHeightKey).ToList();
        foreach (var group in conditions.Where(c => c.IsRange).GroupBy(c => c.Tag))
        {
            var values = e.Attributes.Where(a => e.Type + "." + a.Key == group.Key).Select(a => a.Value);
            if (!values.Any(v => QueryNumber.TryParseIndexed(v, out var n) && group.All(c => InRange(n, c, group.ToList()))))
            {
                return false;
            }
        }
        foreach (var c in conditions.Where(c => !c.IsRange))
        {
            var values = e.Attributes.Where(a => e.Type + "." + a.Key == c.Tag).Select(a => a.Value).ToList();
            var ok = c.Op switch
            {
                QueryOp.Exists => values.Count > 0,
                QueryOp.Contains => values.Any(v => v.Trim().Contains(c.Arg, StringComparison.Ordinal)),
                _ => values.Contains(c.Arg),
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The merged range's bound for the op of <paramref name="c"/> is the last such bound of the tag (query_range.go).</summary>
    private static bool InRange(QueryNumber n, QueryCondition c, List<QueryCondition> group)
    {
        var lower = c.Op is QueryOp.Gt or QueryOp.Geq;
        var last = group.Last(g => (g.Op is QueryOp.Gt or QueryOp.Geq) == lower);
        var include = group.Any(g => g.Op == (lower ? QueryOp.Geq : QueryOp.Leq));
        var cmp = n.CompareTo(QueryNumber.Parse(last.Arg));
        return lower ? cmp > 0 || (cmp == 0 && include) : cmp < 0 || (cmp == 0 && include);
    }
}

using Citrine.Chain.Indexing;
using FsCheck;
using FsCheck.Xunit;

namespace Citrine.Chain.Tests.Indexing;

public class EventQueryTests
{
    private static readonly Dictionary<string, List<string>> Events = new(StringComparer.Ordinal)
    {
        ["tm.event"] = ["Tx"],
        ["tx.height"] = ["12"],
        ["wasm._contract_address"] = ["citrine1abc", "citrine1def"],
        ["transfer.amount"] = ["8ucit"],
        ["account.balance"] = ["-5"],
        ["account.created"] = ["2021-11-23T15:16:17Z"],
        ["account.day"] = ["2021-11-23"],
    };

    [Theory]
    [InlineData("tm.event='Tx'", true)]
    [InlineData("tm.event = 'NewBlock'", false)]
    [InlineData("tm.event='Tx' AND wasm._contract_address='citrine1def'", true)]
    [InlineData("tm.event='Tx' AND wasm._contract_address='citrine1xyz'", false)]
    [InlineData("tx.height>10 AND tx.height<=12", true)]
    [InlineData("tx.height>12", false)]
    [InlineData("tx.height>=12", true)]
    [InlineData("tx.height<12", false)]
    [InlineData("tx.height=12", true)]
    [InlineData("tx.height=12.0", true)]
    [InlineData("tx.height='12'", true)]
    [InlineData("wasm._contract_address CONTAINS 'def'", true)]
    [InlineData("wasm._contract_address CONTAINS 'xyz'", false)]
    [InlineData("wasm._contract_address EXISTS", true)]
    [InlineData("transfer.sender EXISTS", false)]
    [InlineData("wasm EXISTS", true)] // a tag naming an event type matches (query.go findAttr)
    [InlineData("transfer.amount > 7", true)] // "8ucit" reads as 8 (query.go parseNumber)
    [InlineData("transfer.amount = 8", true)]
    [InlineData("transfer.amount > 8", false)]
    [InlineData("account.balance < 0", true)] // a whole signed integer keeps its sign
    [InlineData("account.created > TIME 2021-11-23T15:16:16Z", true)]
    [InlineData("account.created = TIME 2021-11-23T16:16:17+01:00", true)]
    [InlineData("account.created < TIME 2021-11-23T15:16:17Z", false)]
    [InlineData("account.day >= DATE 2021-11-23", true)]
    [InlineData("account.day > DATE 2021-11-23", false)]
    [InlineData("tx.height > 99999999999999999999999999999999999", false)]
    public void Matches_as_CometBft_pubsub_does(string query, bool expected) =>
        Assert.Equal(expected, EventQuery.Parse(query).Matches(Events));

    [Fact]
    public void Matches_nothing_in_an_empty_event_set() =>
        Assert.False(EventQuery.Parse("a EXISTS").Matches(new Dictionary<string, List<string>>()));

    [Fact]
    public void Parses_conditions_with_their_argument_types()
    {
        var q = EventQuery.Parse("a.b = 'x y' AND c<=3.5 AND d > TIME 2021-11-23T15:16:17Z AND e < DATE 2021-11-23 AND f CONTAINS '' AND g EXISTS");
        Assert.Equal(
            [
                new QueryCondition("a.b", QueryOp.Eq, QueryArgType.String, "x y"),
                new QueryCondition("c", QueryOp.Leq, QueryArgType.Number, "3.5"),
                new QueryCondition("d", QueryOp.Gt, QueryArgType.Time, "2021-11-23T15:16:17Z"),
                new QueryCondition("e", QueryOp.Lt, QueryArgType.Date, "2021-11-23"),
                new QueryCondition("f", QueryOp.Contains, QueryArgType.String, ""),
                new QueryCondition("g", QueryOp.Exists, QueryArgType.None, ""),
            ],
            q.Conditions);
    }

    // Each message is what CometBFT 0.38's libs/pubsub/query/syntax parser returns for the same text, except
    // the text after "invalid TIME/DATE value:", which is ours (Go prints its time.Parse error there).
    [Theory]
    [InlineData("", "offset 0: EOF")]
    [InlineData("   ", "offset 3: EOF")]
    [InlineData("tm.event", "offset 8: EOF")]
    [InlineData("tm.event=", "offset 9: EOF")]
    [InlineData("tm.event=='Tx'", "offset 9: got = operator, wanted number, timestamp, datestamp or string")]
    [InlineData("tm.event='Tx", "offset 9: EOF")]
    [InlineData("tm.event=Tx", "offset 9: got tag, wanted number, timestamp, datestamp or string")]
    [InlineData("tx.height > 'a'", "offset 12: got string, wanted number, timestamp or datestamp")]
    [InlineData("a CONTAINS 5", "offset 11: got number, wanted string")]
    [InlineData("a EXISTS 'b'", "offset 9: got string, want AND operator")]
    [InlineData("a = 'b' and c = 'd'", "offset 8: got tag, want AND operator")]
    [InlineData("a = 'b' AND", "offset 11: EOF")]
    [InlineData("AND a = 'b'", "offset 0: got AND operator, wanted tag")]
    [InlineData("'x' = 'y'", "offset 0: got string, wanted tag")]
    [InlineData("a 'b'", "offset 2: got string, wanted <= operator, >= operator, < operator, > operator, = operator, CONTAINS operator or EXISTS operator")]
    [InlineData("a = -23", "offset 4: invalid input - at offset 5")]
    [InlineData("a & b", "offset 2: invalid input & at offset 3")]
    [InlineData("a = 1 & b", "offset 6: got invalid token, want AND operator")]
    [InlineData("d > DATE 2021-01-99", "offset 4: invalid DATE value: cannot parse \"2021-01-99\" as 2006-01-02")]
    [InlineData("d > TIME 2021-01-01T34:56:78Z", "offset 4: invalid TIME value: cannot parse \"2021-01-01T34:56:78Z\" as 2006-01-02T15:04:05Z07:00")]
    [InlineData("d > TIME 2021-01-01T14:56:08", "offset 4: invalid TIME value: cannot parse \"2021-01-01T14:56:08\" as 2006-01-02T15:04:05Z07:00")]
    [InlineData("d > DATE 1899-12-31", "offset 4: datestamp year 1899 out of range")]
    [InlineData("d > TIME 3000-01-01T00:00:00Z", "offset 4: timestamp year 3000 out of range")]
    [InlineData("d > DATE2013-05-03", "offset 4: got tag, wanted number, timestamp or datestamp")]
    [InlineData("é = 'x' AND ü EXISTS Ö", "offset 23: got tag, want AND operator")] // offsets count UTF-8 bytes
    public void Rejects_malformed_queries_with_CometBfts_message(string query, string message) =>
        Assert.Equal(message, Assert.Throws<QueryParseException>(() => EventQuery.Parse(query)).Message);

    [Theory]
    [InlineData("1", "1.0", 0)]
    [InlineData("10", "9.999", 1)]
    [InlineData("-1", "0", -1)]
    [InlineData("-0", "0", 0)]
    [InlineData("-2", "-10", 1)]
    [InlineData("0.5", ".5", 0)]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567891", -1)]
    public void Numbers_compare_exactly(string a, string b, int expected)
    {
        Assert.True(QueryNumber.TryParseIndexed(a, out var x));
        Assert.True(QueryNumber.TryParseIndexed(b, out var y));
        Assert.Equal(expected, Math.Sign(x.CompareTo(y)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1e5")]
    [InlineData("8ucit")]
    [InlineData("1.2.3")]
    [InlineData("Inf")]
    public void Indexed_numbers_must_be_whole_decimals(string value) =>
        Assert.False(QueryNumber.TryParseIndexed(value, out _));

    [Property(MaxTest = 300)]
    public bool Number_order_agrees_with_decimal(decimal a, decimal b)
    {
        var ta = a.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tb = b.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return QueryNumber.TryParseIndexed(ta, out var x) && QueryNumber.TryParseIndexed(tb, out var y) && Math.Sign(x.CompareTo(y)) == Math.Sign(a.CompareTo(b));
    }

    [Property(MaxTest = 500)]
    public void Parse_never_throws_anything_but_QueryParseException(NonNull<string> text)
    {
        try
        {
            var q = EventQuery.Parse(text.Get);
            Assert.NotEmpty(q.Conditions);
        }
        catch (QueryParseException)
        {
        }
    }

    [Property(MaxTest = 300)]
    public bool Printed_conditions_parse_back(PositiveInt n, NonNegativeInt m)
    {
        var text = $"a.b = '{n.Get}' AND c.d > {m.Get} AND e.f CONTAINS 'x' AND g EXISTS";
        var q = EventQuery.Parse(text);
        return q.Conditions.Count == 4 && q.Conditions[0].Arg == n.Get.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && q.Conditions[1].Arg == m.Get.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

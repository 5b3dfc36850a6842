using Citrine.Chain.Abci.Home;

namespace Citrine.Chain.Tests.Abci.Home;

public sealed class TomlWriterTests
{
    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("C:\\dir", "\"C:\\\\dir\"")]
    [InlineData("tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\"")]
    [InlineData("\u0001\u007f", "\"\\u0001\\u007F\"")]
    [InlineData("héllo", "\"héllo\"")]
    public void Quote_escapes_what_a_TOML_basic_string_must_escape(string value, string expected)
    {
        Assert.Equal(expected, TomlWriter.Quote(value));
    }

    [Fact]
    public void Written_values_read_back_unchanged()
    {
        var awkward = "id@host:1,\"quoted\" \\ back\nslash\u0002";
        var text = new TomlWriter()
            .Comment("two\nlines")
            .String("s", awkward).Integer("n", -42).Boolean("b", true)
            .Table("t").String("s", "").Integer("n", long.MaxValue).Boolean("b", false)
            .ToString();
        var values = TomlReader.Read(text);
        Assert.Equal(awkward, values["s"]);
        Assert.Equal(-42L, values["n"]);
        Assert.Equal(true, values["b"]);
        Assert.Equal("", values["t.s"]);
        Assert.Equal(long.MaxValue, values["t.n"]);
        Assert.Equal(false, values["t.b"]);
        Assert.Equal(6, values.Count);
    }

    [Fact]
    public void Writer_refuses_keys_that_are_not_bare_and_repeated_keys()
    {
        Assert.Throws<ArgumentException>(() => new TomlWriter().String("a.b", "x"));
        Assert.Throws<ArgumentException>(() => new TomlWriter().Table("a b"));
        Assert.Throws<InvalidOperationException>(() => new TomlWriter().Integer("k", 1).Integer("k", 2));
        Assert.Throws<InvalidOperationException>(() => new TomlWriter().Table("t").Table("t"));
        // The same key in another table is a different key.
        _ = new TomlWriter().Integer("k", 1).Table("t").Integer("k", 2);
    }

    [Theory]
    [InlineData(1000, "1s")]
    [InlineData(500, "500ms")]
    [InlineData(0, "0s")]
    [InlineData(90_000, "90s")]
    public void GoDuration_writes_what_time_ParseDuration_reads(int ms, string expected)
    {
        Assert.Equal(expected, CometBftConfig.GoDuration(TimeSpan.FromMilliseconds(ms)));
    }
}

using System.Globalization;

namespace Citrine.Chain.Abci.Home;

/// <summary>
/// One node's CometBFT v0.38 <c>config/config.toml</c>. Only keys CometBFT v0.38 defines are
/// written (docs.cometbft.com/v0.38/core/configuration); CometBFT fills every key left out with
/// its default.
/// </summary>
public sealed record CometBftConfig
{
    public required string Moniker { get; init; }
    /// <summary><c>proxy_app</c>: where this node's Citrine app serves ABCI.</summary>
    public required string ProxyApp { get; init; }
    public required string RpcListen { get; init; }
    public required string P2pListen { get; init; }
    /// <summary><c>id@host:port</c> of every other validator.</summary>
    public required IReadOnlyList<string> PersistentPeers { get; init; }
    public bool AddrBookStrict { get; init; } = true;
    public bool AllowDuplicateIp { get; init; }
    public TimeSpan TimeoutCommit { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Mempool <c>max_tx_bytes</c>: the app's own limit (<see cref="Devnet.NodeConfig.MaxTxBytes"/>), so CometBFT does not gossip what the app refuses.</summary>
    public int MaxTxBytes { get; init; } = new Devnet.NodeConfig().MaxTxBytes;

    public string ToToml()
    {
        var t = new TomlWriter();
        t.Comment("CometBFT v0.38 config written by 'citrine node init --cometbft' (docs/multinode.md).\nPaths are relative to this CometBFT home. Keys left out take CometBFT's defaults.");
        t.String("proxy_app", ProxyApp)
            .String("moniker", Moniker)
            .String("db_backend", "goleveldb")
            .String("db_dir", "data")
            .String("log_level", "info")
            .String("log_format", "plain")
            .String("genesis_file", "config/genesis.json")
            .String("priv_validator_key_file", "config/priv_validator_key.json")
            .String("priv_validator_state_file", "data/priv_validator_state.json")
            .String("priv_validator_laddr", "")
            .String("node_key_file", "config/node_key.json")
            .String("abci", "socket")
            .Boolean("filter_peers", false);
        t.Table("rpc")
            .String("laddr", RpcListen)
            .String("timeout_broadcast_tx_commit", "10s");
        t.Table("p2p")
            .String("laddr", P2pListen)
            .String("external_address", "")
            .String("seeds", "")
            .String("persistent_peers", string.Join(',', PersistentPeers))
            .String("addr_book_file", "config/addrbook.json")
            .Boolean("addr_book_strict", AddrBookStrict)
            .Boolean("pex", true)
            .Boolean("allow_duplicate_ip", AllowDuplicateIp);
        t.Table("mempool")
            .String("type", "flood")
            .Boolean("recheck", true)
            .Boolean("broadcast", true)
            .Integer("size", 5000)
            .Integer("max_txs_bytes", 1L << 30)
            .Integer("cache_size", 10000)
            .Integer("max_tx_bytes", MaxTxBytes);
        t.Comment("To join a running network by state sync: enable = true, rpc_servers = two RPC addresses of\nrunning nodes (\"http://host:26657,http://host:26667\"), trust_height and trust_hash from a\nrecent block of one of them, trust_period shorter than the unbonding period. See docs/multinode.md.");
        t.Table("statesync")
            .Boolean("enable", false)
            .String("rpc_servers", "")
            .Integer("trust_height", 0)
            .String("trust_hash", "")
            .String("trust_period", "168h0m0s")
            .String("discovery_time", "15s")
            .String("chunk_request_timeout", "10s")
            .String("chunk_fetchers", "4");
        t.Table("blocksync")
            .String("version", "v0");
        t.Table("consensus")
            .String("wal_file", "data/cs.wal/wal")
            .String("timeout_propose", "3s")
            .String("timeout_prevote", "1s")
            .String("timeout_precommit", "1s")
            .String("timeout_commit", GoDuration(TimeoutCommit))
            .Boolean("create_empty_blocks", true)
            .String("create_empty_blocks_interval", "0s");
        t.Table("storage")
            .Boolean("discard_abci_responses", false);
        t.Table("tx_index")
            .String("indexer", "kv");
        t.Table("instrumentation")
            .Boolean("prometheus", false);
        return t.ToString();
    }

    /// <summary>A duration as Go's <c>time.ParseDuration</c> reads it: whole seconds as "5s", else milliseconds.</summary>
    public static string GoDuration(TimeSpan span)
    {
        var ms = (long)span.TotalMilliseconds;
        return ms % 1000 == 0
            ? (ms / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}

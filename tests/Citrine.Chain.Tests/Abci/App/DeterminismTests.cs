using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Citrine.Attestation.Dcap.Verification;
using Citrine.Attestation.Testing;
using Citrine.Chain.Abci.Wire;
using Citrine.Chain.App;
using Citrine.Chain.Contracts;
using Citrine.Chain.Genesis;
using Citrine.Chain.Tests.Contracts;
using Citrine.Chain.Txs;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Crypto;
using Citrine.Crypto.Signatures;
using FsCheck.Xunit;
using Google.Protobuf;

namespace Citrine.Chain.Tests.Abci.App;

/// <summary>
/// Execution is a function of the committed state and the block: two apps fed the same blocks
/// answer byte-identical FinalizeBlock responses, and the devnet node (the same ChainApp) reaches
/// the same app hashes as the ABCI app.
/// </summary>
public sealed class DeterminismTests
{
    private static readonly Lazy<(GenesisAttestation Root, MsgRegistryUpdate[] Uploads)> Collateral = new(() =>
    {
        using var keys = TestPkiKeys.FromSeed("citrine-abci-determinism"u8);
        var e = new DcapSimulator(keys).Generate(new SimulatedQuoteRequest { Now = DateTimeOffset.FromUnixTimeSeconds(AbciTestApp.GenesisTime.Seconds), TcbEvaluationDataNumber = 17 });
        using var root = X509CertificateLoader.LoadCertificate(e.RootCertificateDer);
        var p = root.GetECDsaPublicKey()!.ExportParameters(false);
        static string Pem(params byte[][] ders) => string.Concat(ders.Select(d => PemEncoding.WriteString("CERTIFICATE", d) + "\n"));
        var admin = AbciTestApp.NewGenesis(1).Admin;
        MsgRegistryUpdate Msg(CollateralKind kind, byte[] document, string chain) => new(admin, (uint)kind, document, System.Text.Encoding.ASCII.GetBytes(chain));
        return (GenesisAttestation.Simulated([.. p.Q.X!, .. p.Q.Y!]),
        [
            Msg(CollateralKind.RootCaCrl, e.RootCrlDer, Pem(e.RootCertificateDer)),
            Msg(CollateralKind.TcbInfo, System.Text.Encoding.UTF8.GetBytes(e.TcbInfoPcsJson), e.TcbSigningChainPem),
            Msg(CollateralKind.QeIdentity, System.Text.Encoding.UTF8.GetBytes(e.QeIdentityPcsJson), e.QeIdentitySigningChainPem),
            Msg(CollateralKind.ProcessorCrl, e.PckCrlDer, e.PckCrlIssuerChainPem),
        ]);
    });

    private static ContractHost CounterHost()
    {
        var host = new ContractHost();
        host.Register(new ContractCode("counter", new byte[32], () => new CounterContract()));
        return host;
    }

    /// <summary>Builds block txs from a script: each byte picks a tx kind, valid or failing in a specific way.</summary>
    private sealed class Scripted(AbciTestApp reference)
    {
        private readonly Dictionary<int, ulong> _sequence = [];
        private byte[] _contract = new byte[20];

        private ulong Next(int account)
        {
            if (!_sequence.TryGetValue(account, out var s))
            {
                var record = reference.App.Query(new RequestQuery { Path = "/store/acc/key", Data = ByteString.CopyFrom(reference.Address(account)) }).Value;
                s = record.IsEmpty ? 0 : ChainApp.DecodeAccount(record.Span).Sequence;
            }
            _sequence[account] = s + 1;
            return s;
        }

        public void Committed(ResponseFinalizeBlock response)
        {
            _sequence.Clear();
            foreach (var r in response.TxResults)
            {
                if (r.Code == 0 && r.Data.Length == 20)
                {
                    _contract = r.Data.ToByteArray();
                }
            }
        }

        public byte[] Tx(byte op)
        {
            var account = op % 3;
            var t = reference;
            switch ((op / 3) % 10)
            {
                case 0:
                    return t.Send(account, (account + 1) % 3, (ulong)(op % 50) + 1, Next(account));
                case 1:
                    return t.Send(account, (account + 1) % 3, 1, Next(account) + 5); // bad sequence
                case 2:
                    return t.Send(account, (account + 1) % 3, 1_000_000_000, Next(account)); // insufficient funds
                case 3:
                    return t.Sign(account, new MsgSend(t.Address(account), t.Address(0), 1), Next(account), chainId: "not-this-chain"); // bad signature
                case 4:
                    return Hashing.Sha256([op])[..(op % 31 + 1)]; // undecodable
                case 5:
                    return t.Sign(0, new MsgSetValidator(t.Address(0), Ed25519.PublicKeyFromSeed(t.ValidatorSeeds[1]), op % 4), Next(0));
                case 6:
                    return t.Sign(0, Collateral.Value.Uploads[op % 4], Next(0), gas: 5_000_000);
                case 7:
                    return t.Sign(account, new MsgInstantiate(t.Address(account), "counter", "5"u8.ToArray(), (ulong)(op % 2), "c"), Next(account), gas: 1_000_000);
                case 8:
                    return t.Sign(account, new MsgExecute(t.Address(account), _contract, op % 2 == 0 ? "inc"u8.ToArray() : "fail"u8.ToArray(), 0), Next(account), gas: 1_000_000);
                default:
                    return t.Sign(account, new MsgSetValidator(t.Address(account), Ed25519.PublicKeyFromSeed(t.ValidatorSeeds[1]), 3), Next(account)); // not the admin unless account 0
            }
        }
    }

    private static byte[] ResultsHash(ResponseFinalizeBlock response) =>
        BlockHashes.ResultsHash([.. response.TxResults.Select(r => new Blocks.TxResult(r.Code, r.Data.ToByteArray(), r.Log, r.GasWanted, r.GasUsed, []))]);

    [Property(MaxTest = 30)]
    public bool Two_apps_fed_the_same_blocks_answer_byte_identical_FinalizeBlock_responses(byte[] script, byte[] times)
    {
        script ??= [];
        times ??= [];
        var genesis = AbciTestApp.NewGenesis(1, Collateral.Value.Root);
        using var a = new AbciTestApp(contracts: CounterHost(), genesis: genesis);
        using var b = new AbciTestApp(contracts: CounterHost(), genesis: genesis);
        if (!a.InitChain().Equals(b.InitChain()))
        {
            return false;
        }
        var builder = new Scripted(a);
        var time = AbciTestApp.GenesisTime;
        var ops = script.Take(40).ToArray();
        for (var i = 0; i < ops.Length; i += 4)
        {
            var txs = ops.Skip(i).Take(4).Select(builder.Tx).ToArray();
            var height = a.App.Height + 1;
            time = new Timestamp(time.Seconds + 1 + (i / 4 < times.Length ? times[i / 4] % 7 : 0), (int)(height * 1000));
            var request = AbciTestApp.FinalizeRequest(height, txs, time);
            var ra = a.App.FinalizeBlock(request);
            var rb = b.App.FinalizeBlock(request);
            if (!ra.ToByteArray().AsSpan().SequenceEqual(rb.ToByteArray()) || !ResultsHash(ra).AsSpan().SequenceEqual(ResultsHash(rb)))
            {
                return false;
            }
            a.App.Commit(new RequestCommit());
            b.App.Commit(new RequestCommit());
            builder.Committed(ra);
        }
        return a.App.Info(new RequestInfo()).Equals(b.App.Info(new RequestInfo()));
    }

    [Fact]
    public void The_scripted_blocks_cover_successes_and_each_kind_of_failure()
    {
        var genesis = AbciTestApp.NewGenesis(1, Collateral.Value.Root);
        using var a = new AbciTestApp(contracts: CounterHost(), genesis: genesis);
        a.InitChain();
        var builder = new Scripted(a);
        var codes = new HashSet<(uint, string)>();
        byte[] ops = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 1, 2, 16, 17, 19, 20, 24, 25];
        foreach (var op in ops)
        {
            var response = a.Block(builder.Tx(op));
            builder.Committed(response);
            codes.Add((response.TxResults[0].Code, response.TxResults[0].Codespace));
        }
        Assert.Contains((0u, ""), codes);
        Assert.Contains((TxCodes.InvalidSequence, "sdk"), codes);
        Assert.Contains((TxCodes.InsufficientFunds, "sdk"), codes);
        Assert.Contains((TxCodes.Unauthorized, "sdk"), codes);
        Assert.Contains((TxCodes.TxDecode, "sdk"), codes);
        Assert.Contains(((uint)Chain.Attestation.RegistryCode.RootCrlMissing, "attestation"), codes);
        Assert.Contains((ContractException.Code, "wasm"), codes);
    }

    [Fact]
    public void The_devnet_node_and_the_ABCI_app_reach_the_same_app_hashes_and_results_for_the_same_blocks()
    {
        var host = CounterHost();
        using var devnet = new TestChain(validators: 1, extraKeys: 1, contracts: host);
        using var abci = new AbciTestApp(contracts: CounterHost());
        Assert.Equal(devnet.Genesis.ToJson(), abci.Genesis.ToJson());
        var init = abci.InitChain();
        void Submit(byte[] tx) => Assert.True(devnet.Node.SubmitTx(tx).Result.IsOk);

        Submit(abci.Send(1, 2, 10, 0));
        Submit(abci.Send(2, 1, 5_000_000, 0)); // passes CheckTx, fails for funds
        Submit(abci.Sign(0, new MsgInstantiate(abci.Address(0), "counter", "5"u8.ToArray(), 3, "c"), 0, 1_000_000));
        devnet.Produce();
        var contract = devnet.Node.GetResults(1)!.TxResults[2].Data;
        Submit(abci.Sign(0, new MsgExecute(abci.Address(0), contract, "inc"u8.ToArray(), 0), 1, 1_000_000));
        Submit(abci.Sign(0, new MsgSetValidator(abci.Address(0), Ed25519.PublicKeyFromSeed(abci.ValidatorSeeds[1]), 5), 2));
        Submit(abci.Sign(1, new MsgExecute(abci.Address(1), contract, "fail"u8.ToArray(), 0), 1, 1_000_000));
        devnet.Produce();
        Submit(abci.Send(1, 0, 1, 2));
        devnet.Produce();
        devnet.Produce();

        Assert.Equal(devnet.Node.GetBlock(1)!.Block.Header.AppHash, init.AppHash.ToByteArray());
        for (long h = 1; h <= devnet.Node.Height; h++)
        {
            var block = devnet.Node.GetBlock(h)!.Block;
            var results = devnet.Node.GetResults(h)!;
            var response = abci.App.FinalizeBlock(AbciTestApp.FinalizeRequest(h, block.Txs, block.Header.Time));
            abci.App.Commit(new RequestCommit());
            Assert.Equal(results.AppHash, response.AppHash.ToByteArray());
            Assert.Equal(BlockHashes.ResultsHash(results.TxResults), ResultsHash(response));
            Assert.Equal(results.ValidatorUpdates.Select(u => (Convert.ToHexString(u.PublicKey), u.Power)),
                response.ValidatorUpdates.Select(u => (Convert.ToHexString(u.PubKey.Ed25519.Span), u.Power)));
            if (h < devnet.Node.Height)
            {
                Assert.Equal(devnet.Node.GetBlock(h + 1)!.Block.Header.LastResultsHash, ResultsHash(response));
            }
        }
        Assert.Contains(devnet.Node.GetResults(2)!.TxResults, r => r.Code == ContractException.Code);
        Assert.Single(devnet.Node.GetResults(2)!.ValidatorUpdates);
    }
}

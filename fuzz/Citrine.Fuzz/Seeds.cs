using System.Buffers.Binary;
using System.Text;
using Citrine.CometBft.Encoding;
using Citrine.CometBft.Types;
using Citrine.Contracts.Execution;
using Citrine.Contracts.Session;
using Citrine.Crypto;

namespace Citrine.Fuzz;

/// <summary>
/// Valid inputs for the targets that have no vectors in the shared vector set, built with the
/// formats' own writers (so a seed follows the format when it changes). <c>Citrine.Fuzz seeds
/// TARGET DIR</c> writes them for an AFL corpus; <c>mutate</c> starts from them.
/// </summary>
internal static class Seeds
{
    private static readonly Dictionary<string, Func<IEnumerable<byte[]>>> ByTarget = new(StringComparer.Ordinal)
    {
        ["session-config"] = Configs,
        ["session-measurement"] = () => Measurements().Select(m => m.ToJson()),
        ["session-record"] = () => Records().Select(r => r.Encode()),
        ["session-instantiate"] = () =>
        [
            SessionMessages.Instantiate(Configs().First(), Bytes(0x51, 40)),
            SessionMessages.Instantiate(Configs().Last(), Bytes(0x52, 3), """{"greeting":"hi","n":[1,2,{"x":null}]}"""u8),
        ],
        ["session-execute"] = () =>
        [
            SessionMessages.SessionCreate(Bytes(0x11, 32), Bytes(0x51, 40)),
            SessionMessages.SessionSetPubKey(Bytes(0x11, 32), Bytes(0x21, 32), Bytes(0x31, 32), 12, Bytes(0x51, 7)),
            SessionMessages.SessionReattest(Bytes(0x11, 32), Bytes(0x21, 32), Bytes(0x31, 32), 99, Bytes(0x51, 8)),
            SessionMessages.AddMeasurement(Measurements()[1]),
            SessionMessages.RemoveMeasurement(Measurements()[0]),
            """{"app_own":{"x":1}}"""u8.ToArray(),
        ],
        ["session-query"] = () =>
        [
            SessionMessages.Query(SessionQuery.Session),
            SessionMessages.Query(SessionQuery.SessionHistory),
            SessionMessages.Query(SessionQuery.Config),
            """{"count":{}}"""u8.ToArray(),
        ],
        ["session-answer"] = () => [.. Records().Select(r => SessionMessages.SessionAnswer(r)), SessionMessages.SessionAnswer(null)],
        ["session-history-answer"] = () => [SessionMessages.HistoryAnswer([.. Records()]), SessionMessages.HistoryAnswer([])],
        ["session-config-answer"] = () =>
        [
            SessionMessages.ConfigAnswerJson(Configs().First(), Measurements()),
            SessionMessages.ConfigAnswerJson(Bytes(0x7b, 1), []),
        ],
        ["execution-request-record"] = () => RequestRecords().Select(r => r.Encode()),
        ["execution-output-body"] = () => OutputBodies().Select(b => b.Encode()),
        ["execution-output-response"] = () => Responses().Select(r => r.Encode()),
        ["execution-execute"] = () =>
        [
            ExecutionMessages.Request("transfer", RequestSuite.ChaCha20Poly1305, Bytes(0x31, 32), Bytes(0xc1, 57)),
            ExecutionMessages.Request("a", RequestSuite.Aes256Gcm, [], []),
            ExecutionMessages.Request(new string('z', RequestRecord.MaxKindLength), RequestSuite.Aes256Gcm, Bytes(0x32, 32), Bytes(0xc2, 1)),
            ExecutionMessages.Output(OutputBodies().Last().Encode(), Bytes(0x5a, ExecutionMessages.SignatureSize)),
            """{"deposit":{"amount":5}}"""u8.ToArray(),
        ],
        ["execution-query"] = () =>
        [
            ExecutionMessages.QueueQuery(),
            ExecutionMessages.ResponseQuery(0),
            ExecutionMessages.ResponseQuery(ulong.MaxValue),
            """{"balance":{}}"""u8.ToArray(),
        ],
        ["execution-request-answer"] = () => [ExecutionMessages.RequestAnswer(0), ExecutionMessages.RequestAnswer(42), ExecutionMessages.RequestAnswer(ulong.MaxValue)],
        ["execution-queue-answer"] = () =>
        [
            ExecutionMessages.QueueAnswerJson(new QueueAnswer(0, 0, new byte[OutputBody.HashSize])),
            ExecutionMessages.QueueAnswerJson(new QueueAnswer(3, 7, Bytes(0xe3, OutputBody.HashSize))),
        ],
        ["execution-output-answer"] = () =>
        [
            ExecutionMessages.OutputAnswerJson(new OutputAnswer(0, 1, Bytes(0xe1, OutputBody.HashSize))),
            ExecutionMessages.OutputAnswerJson(new OutputAnswer(1_000, 2_024, Bytes(0xe2, OutputBody.HashSize))),
        ],
        ["execution-response-answer"] = () => [.. Responses().Select(r => ExecutionMessages.ResponseAnswer(r)), ExecutionMessages.ResponseAnswer(null)],
        ["cometbft-light-block-proto"] = () => [LightBlockInput(3), LightBlockInput(1)],
        ["enclave-session-state"] = () =>
        [
            SessionState(1, Configs().First(), extra: []),
            SessionState(2, Configs().First(), extra: [.. Bytes(0xc0, 20), .. Bytes(0x11, 32)]),
            SessionState(3, Configs().Last(), extra: [.. Bytes(0xc0, 20), .. Bytes(0x11, 32), .. Bytes(0x21, 32), .. Bytes(0x31, 32), .. Bytes(0x41, 32)]),
        ],
        ["abci-frame"] = () =>
        [
            Citrine.Chain.Abci.Server.AbciFraming.ToFrame(new Citrine.Chain.Abci.Wire.Request { Echo = new() { Message = "hello" } }),
            Citrine.Chain.Abci.Server.AbciFraming.ToFrame(new Citrine.Chain.Abci.Wire.Request { CheckTx = new() { Tx = Google.Protobuf.ByteString.CopyFrom(Bytes(7, 120)), Type = Citrine.Chain.Abci.Wire.CheckTxType.Recheck } }),
            Citrine.Chain.Abci.Server.AbciFraming.ToFrame(new Citrine.Chain.Abci.Wire.Request { FinalizeBlock = new() { Height = 9, Txs = { Google.Protobuf.ByteString.CopyFrom(Bytes(1, 40)) }, Hash = Google.Protobuf.ByteString.CopyFrom(Bytes(2, 32)) } }),
        ],
        ["abci-snapshot-metadata"] = () => [Citrine.Chain.Abci.Snapshots.SnapshotMetadata.Encode([Bytes(1, 32), Bytes(2, 32)]), Citrine.Chain.Abci.Snapshots.SnapshotMetadata.Encode([Bytes(3, 32)])],
        ["abci-snapshot-restore"] = () => [SnapshotStream(0), SnapshotStream(12)],
    };

    /// <summary>A format-1 snapshot stream of a multistore with <paramref name="keys"/> keys per store, committed over three versions.</summary>
    private static byte[] SnapshotStream(int keys)
    {
        using var store = new Citrine.Store.Multistore.MultiStore(new Citrine.Store.Storage.MemoryKeyValueDb(), Citrine.Chain.App.ChainApp.StoreNames, ownsDb: true);
        for (var v = 0; v < 3; v++)
        {
            foreach (var name in Citrine.Chain.App.ChainApp.StoreNames)
            {
                for (var k = 0; k < keys; k++)
                {
                    store.Store(name).Set([(byte)k, (byte)v], Bytes((byte)(k + v), 3));
                }
            }
            store.Commit();
        }
        using var export = store.Export(3);
        using var output = new MemoryStream();
        Citrine.Chain.Abci.Snapshots.SnapshotItemCodec.Write(export.Items(), output);
        return output.ToArray();
    }

    public static bool TryGet(string target, out IReadOnlyList<byte[]> seeds)
    {
        seeds = ByTarget.TryGetValue(target, out var make) ? [.. make()] : [];
        return seeds.Count > 0;
    }

    private static byte[] Bytes(byte value, int length) => [.. Enumerable.Repeat(value, length)];

    private static List<Measurement> Measurements() =>
    [
        Measurement.Sgx(Bytes(1, 32), Bytes(2, 32), 7, 3),
        Measurement.Tdx(Bytes(0x40, 48), [Bytes(0x41, 48), Bytes(0x42, 48), Bytes(0x43, 48), Bytes(0x44, 48)]),
        Measurement.Mock(Bytes(0x77, 32)),
    ];

    private static IEnumerable<byte[]> Configs()
    {
        var root = new SessionTrustRoot
        {
            ChainId = "citrine-devnet-1",
            TrustedHeight = 5,
            TrustedHash = Bytes(0xee, 32),
            TrustingPeriodSeconds = 1_209_600,
            TrustThresholdNumerator = 1,
            TrustThresholdDenominator = 3,
            MaxClockDriftSeconds = 10,
            MaxBlockLag = 10,
        };
        yield return SessionConfig.Write(Measurements(), new SessionPolicy { AcceptMock = true, MaxAttestationAgeSeconds = 86_400 }, root, []);
        yield return SessionConfig.Write(
            Measurements()[..2],
            new SessionPolicy
            {
                AcceptedTcbStatuses = ["UpToDate", "SWHardeningNeeded", "OutOfDate"],
                AllowedAdvisoryIds = ["INTEL-SA-00334", "INTEL-SA-00615"],
                MinTcbEvaluationDataNumber = 17,
                AllowDebug = true,
                MaxAttestationAgeSeconds = 3_600,
            },
            root with { TrustThresholdNumerator = 2, TrustThresholdDenominator = 3, MaxBlockLag = uint.MaxValue },
            Bytes(0xad, 20));
        // Hand-written, with whitespace and another member order: the parser must not depend on the writer's layout.
        yield return Encoding.UTF8.GetBytes($$"""
            {
              "trust_root": { "max_block_lag": 10, "chain_id": "c", "trusted_height": 1, "trusted_hash": "{{new string('A', 64)}}",
                "trusting_period_seconds": 60, "trust_threshold": "1/1", "max_clock_drift_seconds": 1 },
              "policy": { "max_attestation_age_seconds": 1, "accept_mock": true },
              "measurements": [ { "mock": { "measurement": "{{new string('0', 64)}}" } } ],
              "version": 1
            }
            """);
    }

    private static IEnumerable<SessionRecord> Records()
    {
        var measurements = Measurements();
        yield return new SessionRecord
        {
            Phase = SessionPhase.Created, Id = 1, Nonce = Bytes(0x11, 32), CreatedHeight = 8, Measurement = measurements[0].CanonicalId,
            AttestationExpiryUnixSeconds = 1_800_000_000,
        };
        yield return new SessionRecord
        {
            Phase = SessionPhase.Established, Id = 2, Nonce = Bytes(0x12, 32), CreatedHeight = 20, Measurement = measurements[1].CanonicalId,
            SigningKey = Bytes(0x21, 32), EncryptionKey = Bytes(0x31, 32), VerifiedHeight = 21, AttestationExpiryUnixSeconds = -1,
        };
        yield return new SessionRecord
        {
            Phase = SessionPhase.Ended, Id = ulong.MaxValue, Nonce = Bytes(0x13, 32), CreatedHeight = 30, Measurement = measurements[2].CanonicalId,
            SigningKey = Bytes(0x22, 32), EncryptionKey = Bytes(0x32, 32), VerifiedHeight = 31, AttestationExpiryUnixSeconds = long.MaxValue,
            EndReason = SessionEndReason.MeasurementRemoved,
        };
    }

    private static IEnumerable<RequestRecord> RequestRecords()
    {
        yield return new RequestRecord
        {
            Seq = 0, SessionId = 2, Sender = Bytes(0xa1, RequestRecord.AddressSize), Kind = "transfer",
            AeadId = RequestSuite.ChaCha20Poly1305AeadId, Enc = Bytes(0x31, RequestSuite.EncSize), Ciphertext = Bytes(0xc1, 57), Height = 40,
        };
        yield return new RequestRecord
        {
            Seq = 7, SessionId = 2, Sender = Bytes(0xa2, RequestRecord.AddressSize), Kind = "deposit_2",
            AeadId = RequestSuite.Aes256GcmAeadId, Funds = 1_000, Height = 41,
        };
        yield return new RequestRecord
        {
            Seq = ulong.MaxValue, SessionId = ulong.MaxValue, Sender = Bytes(0xa3, RequestRecord.AddressSize), Kind = new string('z', RequestRecord.MaxKindLength),
            AeadId = RequestSuite.Aes256GcmAeadId, Enc = Bytes(0x32, RequestSuite.EncSize), Ciphertext = Bytes(0xc2, 1), Funds = ulong.MaxValue, Height = ulong.MaxValue,
        };
    }

    private static List<OutputResponse> Responses() =>
    [
        new() { Seq = 0, Status = ResponseStatus.Ok, Payload = """{"balance":95}"""u8.ToArray() },
        new() { Seq = 1, Status = ResponseStatus.Refused, Payload = "overdraft"u8.ToArray() },
        new() { Seq = ulong.MaxValue, Status = ResponseStatus.Ok },
    ];

    private static IEnumerable<OutputBody> OutputBodies()
    {
        yield return new OutputBody
        {
            ChainId = "citrine-devnet-1", Contract = Bytes(0xcc, OutputBody.AddressSize), SessionId = 2, PrevStateHash = new byte[OutputBody.HashSize],
            FirstSeq = 0, EndSeq = 1, VerifiedHeight = 40, NewState = Bytes(0x5e, 1),
        };
        yield return new OutputBody
        {
            ChainId = "ch\u00e9ne-\u00e9t\u00e9", Contract = Bytes(0xcd, OutputBody.AddressSize), SessionId = ulong.MaxValue, PrevStateHash = Bytes(0xe1, OutputBody.HashSize),
            FirstSeq = 1, EndSeq = 4, VerifiedHeight = 41, NewState = Bytes(0x5f, 60),
            Effects = [OutputEffect.Send(Bytes(0xa1, OutputBody.AddressSize), 5), OutputEffect.Send(Bytes(0xa2, OutputBody.AddressSize), ulong.MaxValue)],
            Responses = Responses(),
        };
    }

    /// <summary><c>"CSES" ‖ 2 ‖ phase ‖ u32 len ‖ config ‖ extra ‖ u64 generation ‖ i64 height</c> (docs/enclave.md, "Sealed session state").</summary>
    private static byte[] SessionState(byte phase, byte[] config, byte[] extra)
    {
        var output = new byte[4 + 1 + 1 + 4 + config.Length + extra.Length + 16];
        "CSES"u8.CopyTo(output);
        output[4] = 2;
        output[5] = phase;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(6), (uint)config.Length);
        config.CopyTo(output, 10);
        extra.CopyTo(output, 10 + config.Length);
        BinaryPrimitives.WriteUInt64BigEndian(output.AsSpan(10 + config.Length + extra.Length), 4);
        BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(18 + config.Length + extra.Length), 42);
        return output;
    }

    /// <summary>A light block of <paramref name="validators"/> validators (signatures are filler: decoding does not verify them), split as the target reads it.</summary>
    private static byte[] LightBlockInput(int validators)
    {
        var keys = Enumerable.Range(0, validators).Select(i => Hashing.Sha256([(byte)i])).ToList();
        var set = new ValidatorSet(keys.Select((k, i) => new Validator(Validator.AddressOf(k), k, 10 + i, i - 1)));
        var time = new Timestamp(1_795_000_000, 123_456_789);
        var blockId = new BlockId(Bytes(0xb1, 32), new PartSetHeader(1, Bytes(0xb2, 32)));
        var header = new Header
        {
            Version = new ConsensusVersion(11, 1),
            ChainId = "citrine-devnet-1",
            Height = 7,
            Time = time,
            LastBlockId = new BlockId(Bytes(0xa1, 32), new PartSetHeader(2, Bytes(0xa2, 32))),
            LastCommitHash = Bytes(0x01, 32),
            DataHash = Bytes(0x02, 32),
            ValidatorsHash = set.Hash(),
            NextValidatorsHash = set.Hash(),
            ConsensusHash = Bytes(0x05, 32),
            AppHash = Bytes(0x06, 32),
            LastResultsHash = Bytes(0x07, 32),
            EvidenceHash = Bytes(0x08, 32),
            ProposerAddress = set.Validators[0].Address,
        };
        var signatures = set.Validators
            .Select((v, i) => i == 1 ? CommitSig.Absent() : new CommitSig(BlockIdFlag.Commit, v.Address, time, Bytes((byte)(0x60 + i), 64)))
            .ToList();
        var block = new LightBlock(new SignedHeader(header, new Commit(7, 0, blockId, signatures)), set, set);
        var (encoded, next) = LightBlockProtobuf.Encode(block);
        var input = new byte[2 + encoded.Length + next.Length];
        BinaryPrimitives.WriteUInt16BigEndian(input, checked((ushort)encoded.Length));
        encoded.CopyTo(input, 2);
        next.CopyTo(input, 2 + encoded.Length);
        return input;
    }
}

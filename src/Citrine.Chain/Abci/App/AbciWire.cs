using Citrine.Chain.Abci.Wire;
using Citrine.Chain.Blocks;
using TxResult = Citrine.Chain.Blocks.TxResult;
using Google.Protobuf;

namespace Citrine.Chain.Abci.App;

/// <summary>Conversions between the application's values and the ABCI wire messages.</summary>
internal static class AbciWire
{
    public static CometBft.Types.Timestamp Time(Google.Protobuf.WellKnownTypes.Timestamp time) => new(time.Seconds, time.Nanos);

    public static Google.Protobuf.WellKnownTypes.Timestamp Time(CometBft.Types.Timestamp time) => new() { Seconds = time.Seconds, Nanos = time.Nanos };

    public static Wire.ValidatorUpdate Validator(byte[] ed25519PublicKey, long power) =>
        new() { PubKey = new PublicKey { Ed25519 = ByteString.CopyFrom(ed25519PublicKey) }, Power = power };

    public static Event Event(AbciEvent e)
    {
        var wire = new Event { Type = e.Type };
        foreach (var a in e.Attributes)
        {
            wire.Attributes.Add(new EventAttribute { Key = a.Key, Value = a.Value, Index = a.Index });
        }
        return wire;
    }

    public static ExecTxResult ExecResult(TxResult r)
    {
        var wire = new ExecTxResult
        {
            Code = r.Code,
            Data = ByteString.CopyFrom(r.Data),
            Log = r.Log,
            GasWanted = r.GasWanted,
            GasUsed = r.GasUsed,
            Codespace = r.Codespace,
        };
        wire.Events.Add(r.Events.Select(Event));
        return wire;
    }

    public static ResponseCheckTx CheckResult(TxResult r)
    {
        var wire = new ResponseCheckTx
        {
            Code = r.Code,
            Data = ByteString.CopyFrom(r.Data),
            Log = r.Log,
            GasWanted = r.GasWanted,
            GasUsed = r.GasUsed,
            Codespace = r.Codespace,
        };
        wire.Events.Add(r.Events.Select(Event));
        return wire;
    }

    /// <summary>The size CometBFT counts for a tx in a block's data (types.ComputeProtoSizeForTxs: field tag, length, bytes).</summary>
    public static long ProtoSize(int txLength) => 1 + CodedOutputStream.ComputeLengthSize(txLength) + (long)txLength;
}

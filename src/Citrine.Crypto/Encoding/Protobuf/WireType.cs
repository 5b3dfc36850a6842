namespace Citrine.Crypto.Encoding.Protobuf;

/// <summary>Protobuf wire types (protobuf encoding guide, "Message Structure").</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

namespace Citrine.Crypto.Hpke;

/// <summary>
/// Misuse of HPKE: inconsistent PSK inputs for the mode (RFC 9180 §5.1 VerifyPSKInputs), Seal or
/// Open on an export-only context, an export longer than 255·Nh, or an unsupported suite.
/// </summary>
public sealed class HpkeException : CryptoException
{
    public HpkeException()
    {
    }

    public HpkeException(string message)
        : base(message)
    {
    }

    public HpkeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The context's sequence number would reach 2^(8·Nn) − 1 (RFC 9180 §5.2): no more messages under this context.</summary>
public sealed class MessageLimitReachedException : CryptoException
{
    public MessageLimitReachedException()
    {
    }

    public MessageLimitReachedException(string message)
        : base(message)
    {
    }

    public MessageLimitReachedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

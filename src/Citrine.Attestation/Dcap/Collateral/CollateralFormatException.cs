namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>Collateral (TCB Info, QE Identity, CRL, certificate chain, collateral JSON) is malformed.</summary>
public sealed class CollateralFormatException : Exception
{
    public CollateralFormatException()
    {
        Item = string.Empty;
    }

    public CollateralFormatException(string message)
        : base(message)
    {
        Item = string.Empty;
    }

    public CollateralFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Item = string.Empty;
    }

    public CollateralFormatException(string item, string message, Exception? innerException = null)
        : base($"{item}: {message}", innerException)
    {
        Item = item;
    }

    /// <summary>Which collateral item (e.g. "tcb_info.tcbLevels[2].tcbStatus").</summary>
    public string Item { get; }
}

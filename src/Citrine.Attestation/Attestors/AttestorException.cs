namespace Citrine.Attestation.Attestors;

/// <summary>Why an attestor could not produce evidence.</summary>
public enum AttestorError
{
    /// <summary>The report data is not exactly 64 bytes.</summary>
    InvalidReportData,

    /// <summary>The TEE interface (device directory, configfs-tsm report root) does not exist.</summary>
    DeviceMissing,

    /// <summary>Gramine's /dev/attestation/attestation_type is not "dcap".</summary>
    WrongAttestationType,

    /// <summary>configfs-tsm reports a different provider than expected (e.g. sev_guest instead of tdx_guest).</summary>
    ProviderMismatch,

    /// <summary>configfs-tsm's generation moved by more than our own write: someone else used the entry.</summary>
    ConcurrentUse,

    /// <summary>The device returned fewer bytes than a quote needs (or none).</summary>
    ShortRead,

    /// <summary>The returned quote does not parse.</summary>
    QuoteMalformed,

    /// <summary>The returned quote is for another TEE than this attestor's.</summary>
    TeeMismatch,

    /// <summary>The returned quote binds different report data than requested.</summary>
    ReportDataMismatch,

    /// <summary>Reading or writing the device failed.</summary>
    DeviceIo,
}

/// <summary>An attestor failed; <see cref="Error"/> says which step.</summary>
public sealed class AttestorException : Exception
{
    public AttestorException()
    {
    }

    public AttestorException(string message)
        : base(message)
    {
    }

    public AttestorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AttestorException(AttestorError error, string message, Exception? innerException = null)
        : base($"{error}: {message}", innerException)
    {
        Error = error;
    }

    public AttestorError Error { get; }
}

namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>
/// TCB status values of TCB Info and Enclave Identity, ordered by severity (higher is worse) as
/// used when combining platform, QE and TDX module statuses.
/// </summary>
public enum TcbStatus
{
    UpToDate = 0,
    SWHardeningNeeded = 1,
    ConfigurationNeeded = 2,
    ConfigurationAndSWHardeningNeeded = 3,
    OutOfDate = 4,
    OutOfDateConfigurationNeeded = 5,
    Revoked = 6,
}

public static class TcbStatusNames
{
    public static bool TryParse(string? text, out TcbStatus status)
    {
        switch (text)
        {
            case "UpToDate": status = TcbStatus.UpToDate; return true;
            case "SWHardeningNeeded": status = TcbStatus.SWHardeningNeeded; return true;
            case "ConfigurationNeeded": status = TcbStatus.ConfigurationNeeded; return true;
            case "ConfigurationAndSWHardeningNeeded": status = TcbStatus.ConfigurationAndSWHardeningNeeded; return true;
            case "OutOfDate": status = TcbStatus.OutOfDate; return true;
            case "OutOfDateConfigurationNeeded": status = TcbStatus.OutOfDateConfigurationNeeded; return true;
            case "Revoked": status = TcbStatus.Revoked; return true;
            default: status = default; return false;
        }
    }

    public static string Name(TcbStatus status) => status.ToString();
}

using Citrine.Enclave.Execution;
using Transfers.Enclave;

namespace Citrine.Cli.Commands;

/// <summary>
/// The apps <c>citrine enclave start --app NAME</c> can run. The CLI is the composition root:
/// each app registers here, one line each, and the enclave library stays app-agnostic.
/// </summary>
internal static class EnclaveApps
{
    public static EnclaveAppRegistry Create() => new EnclaveAppRegistry()
        .Add(TransfersApp.AppName, () => new TransfersApp());
}

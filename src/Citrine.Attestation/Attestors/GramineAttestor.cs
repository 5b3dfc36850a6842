using System.Text;

namespace Citrine.Attestation.Attestors;

/// <summary>
/// SGX attestation inside Gramine through its <c>/dev/attestation</c> pseudo-files (Gramine
/// manual, "Attestation and Secret Provisioning"): check <c>attestation_type</c> is "dcap",
/// write the 64 bytes of report data to <c>user_report_data</c>, read the DCAP quote from
/// <c>quote</c>. The returned quote is parsed and must bind exactly that report data.
/// </summary>
public sealed class GramineAttestor : IAttestor
{
    public const string DefaultDirectory = "/dev/attestation";

    // The device pair (write report data, read quote) is process-global: one attestation at a time.
    private static readonly SemaphoreSlim DeviceGate = new(1, 1);
    private readonly string _directory;

    /// <param name="directory">The attestation pseudo-file directory (tests point it at a fake).</param>
    public GramineAttestor(string directory = DefaultDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
    }

    public TeeKind Kind => TeeKind.Sgx;

    public async Task<AttestationEvidence> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        var data = QuoteChecks.RequireReportData(reportData);
        if (!Directory.Exists(_directory))
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{_directory} does not exist: not running under Gramine with remote attestation enabled");
        }
        await DeviceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var type = await ReadText("attestation_type", cancellationToken).ConfigureAwait(false);
            if (type != "dcap")
            {
                throw new AttestorException(AttestorError.WrongAttestationType, $"attestation_type is '{type}', expected 'dcap' (sgx.remote_attestation = \"dcap\" in the manifest)");
            }
            await Io("user_report_data", async path =>
            {
                // Gramine takes the whole 64-byte write in one call; no truncation semantics on a pseudo-file.
                var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, useAsync: false);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                }
                return 0;
            }).ConfigureAwait(false);
            var quote = await Io("quote", path => File.ReadAllBytesAsync(path, cancellationToken)).ConfigureAwait(false);
            return new AttestationEvidence
            {
                Kind = TeeKind.Sgx,
                Quote = QuoteChecks.Check(quote, TeeKind.Sgx, data, "gramine /dev/attestation/quote"),
                ReportData = data,
                Source = "gramine",
            };
        }
        finally
        {
            DeviceGate.Release();
        }
    }

    private async Task<string> ReadText(string name, CancellationToken cancellationToken)
    {
        var bytes = await Io(name, path => File.ReadAllBytesAsync(path, cancellationToken)).ConfigureAwait(false);
        return Encoding.ASCII.GetString(bytes).TrimEnd('\0', '\n', ' ');
    }

    private async Task<T> Io<T>(string name, Func<string, Task<T>> action)
    {
        var path = Path.Combine(_directory, name);
        try
        {
            return await action(path).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{path} does not exist", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new AttestorException(AttestorError.DeviceMissing, $"{path} does not exist", e);
        }
        catch (IOException e)
        {
            throw new AttestorException(AttestorError.DeviceIo, $"{path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AttestorException(AttestorError.DeviceIo, $"{path}: {e.Message}", e);
        }
    }
}

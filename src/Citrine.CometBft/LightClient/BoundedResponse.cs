namespace Citrine.CometBft.LightClient;

/// <summary>
/// Reads an HTTP response body up to a byte limit, so a hostile or broken node cannot make a client
/// buffer without bound; the one reader of the light-client provider and the host's RPC client.
/// </summary>
public static class BoundedResponse
{
    /// <summary>The body, or null when it is (or announces itself as) larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> TryReadAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }
}

namespace Citrine.Crypto;

/// <summary>Base type of every error Citrine.Crypto reports for bad keys, lengths or ciphertexts.</summary>
public class CryptoException : Exception
{
    public CryptoException()
    {
    }

    public CryptoException(string message)
        : base(message)
    {
    }

    public CryptoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A key has the wrong length, is not on the curve, or is otherwise unusable.</summary>
public sealed class InvalidKeyException : CryptoException
{
    public InvalidKeyException()
    {
    }

    public InvalidKeyException(string message)
        : base(message)
    {
    }

    public InvalidKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// An authenticated ciphertext failed its integrity check (AEAD tag mismatch, or too short to
/// carry a tag). Nothing about the plaintext is released.
/// </summary>
public sealed class AuthenticationFailedException : CryptoException
{
    public AuthenticationFailedException()
    {
    }

    public AuthenticationFailedException(string message)
        : base(message)
    {
    }

    public AuthenticationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

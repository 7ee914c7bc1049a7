using System.Security.Cryptography;
using System.Text;

namespace CrowdLabel.Core.Security;

/// <summary>Makes high-entropy secrets (API keys, invitation tokens) and the SHA-256 hashes we store instead of them.</summary>
public static class SecretHasher
{
    /// <summary>A new random secret with a readable prefix, e.g. "clk_3fZ...".</summary>
    public static string NewSecret(string prefix)
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return prefix + Base64UrlEncode(bytes);
    }

    /// <summary>The hex SHA-256 of a secret. Secrets are random and long, so an unsalted hash is enough to look them up.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

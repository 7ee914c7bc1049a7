using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>A setting the site cannot start with; Program prints the message and exits with code 2.</summary>
public sealed class SettingException(string message) : Exception(message);

/// <summary>
/// Encrypts the Data Protection key ring with a certificate (DataProtection:CertificatePath, a PKCS#12 file, and
/// DataProtection:CertificatePassword). The keys live in the database (table DataProtectionKeys) so that every node
/// shares them; unencrypted, anyone who can read that table can forge sign-in cookies, an admin's included.
/// </summary>
public static class KeyProtection
{
    public const string Section = "DataProtection";

    /// <exception cref="SettingException">The certificate cannot be read, or has no private key to read the keys back with.</exception>
    public static void ProtectKeysWithConfiguredCertificate(this IServiceCollection services, IConfiguration configuration)
    {
        var path = configuration[$"{Section}:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[$"{Section}:CertificatePassword"]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new SettingException(
                $"{Section}:CertificatePath \"{path}\" could not be read as a PKCS#12 (.pfx) certificate: {e.Message} " +
                $"Check the file and {Section}:CertificatePassword.");
        }

        if (!certificate.HasPrivateKey)
        {
            throw new SettingException(
                $"The certificate at {Section}:CertificatePath \"{path}\" has no private key: the keys could be encrypted with it but never read back. Use a .pfx with its private key.");
        }

        services.AddDataProtection().ProtectKeysWithCertificate(certificate);
    }
}

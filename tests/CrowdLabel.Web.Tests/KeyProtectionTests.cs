using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Infrastructure;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests;

public sealed class KeyProtectionTests
{
    private const string UnencryptedMarker = "the key below is in an unencrypted form";

    /// <summary>
    /// The key ring in the database is stored in the clear by default, and encrypted with the certificate when one is
    /// configured; signing in (a cookie written with a key and read back with it) works either way.
    /// </summary>
    [Fact]
    public async Task Keys_AreEncryptedWithTheConfiguredCertificate_AndSignInStillWorks()
    {
        var pfx = Path.Combine(Path.GetTempPath(), $"crowdlabel-keys-{Guid.NewGuid():N}.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=CrowdLabel test keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx-pass"));
        }

        try
        {
            var plain = await SignInAndReadKeysAsync(new Dictionary<string, string?>());
            var encrypted = await SignInAndReadKeysAsync(new Dictionary<string, string?>
            {
                ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "pfx-pass",
            });

            Assert.All(plain, key => Assert.Contains(UnencryptedMarker, key, StringComparison.Ordinal));
            Assert.All(encrypted, key => Assert.DoesNotContain(UnencryptedMarker, key, StringComparison.Ordinal));
            Assert.All(encrypted, key => Assert.Contains("<encryptedSecret", key, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Fact]
    public void ACertificateThatCannotBeRead_StopsTheStart_SayingWhichSettingToFix()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = "/nowhere/keys.pfx",
        }).Build();

        var error = Assert.Throws<SettingException>(() => new ServiceCollection().ProtectKeysWithConfiguredCertificate(configuration));

        Assert.StartsWith("DataProtection:CertificatePath \"/nowhere/keys.pfx\" could not be read as a PKCS#12 (.pfx) certificate: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Check the file and DataProtection:CertificatePassword.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Signs a new owner in and opens their dashboard (which needs the cookie read back); returns the stored keys' XML.</summary>
    private static async Task<List<string>> SignInAndReadKeysAsync(IReadOnlyDictionary<string, string?> settings)
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, settings);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var client = site.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(tenant.OwnerEmail, Scenario.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/t/acme")).StatusCode);
        await using var scope = site.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
        Assert.NotEmpty(keys);
        return keys;
    }
}

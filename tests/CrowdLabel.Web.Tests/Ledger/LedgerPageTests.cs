using System.Net;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Ledger;

public sealed class LedgerPageTests
{
    private const string AdminEmail = "admin@crowd.test";

    [Theory, OnSqlite, OnPostgres]
    public async Task Admin_CreditsATenantThroughTheForm_AndTheRequesterSeesItOnTheLedgerPage(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(site.Services, "tenant-b");
        await LedgerScenario.CreditAsync(site.Services, b.TenantId, 777, "Money of B");
        var admin = await SignedInAdminAsync(site);

        var posted = await admin.SubmitAsync("/admin/credits", CreditForm(a.TenantId, "25.50", "Wire transfer 2026-03"));
        var credits = await (await admin.GetAsync(posted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        var requester = site.Browser();
        await requester.SignInAsync(a.OwnerEmail, Scenario.Password);
        var ledgerPage = await (await requester.GetAsync("/t/tenant-a/ledger")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("Credited 25.50 USD to Org tenant-a.", credits, StringComparison.Ordinal);
        Assert.Matches("<td>Org tenant-a</td>\\s*<td>25.50 USD</td>\\s*<td>Wire transfer 2026-03</td>\\s*<td>Ada Admin &lt;admin@crowd.test&gt;</td>", credits);
        Assert.Equal(new Money(2550, "USD"), await LedgerScenario.BalanceAsync(site.Services, a.TenantId));
        Assert.Contains("<td id=\"balance\">25.50 USD</td>", ledgerPage, StringComparison.Ordinal);
        Assert.Contains("Wire transfer 2026-03", ledgerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Money of B", ledgerPage, StringComparison.Ordinal);
        await LedgerScenario.AssertInvariantsAsync(site.Services);
    }

    [Fact]
    public async Task Admin_CreditForm_RefusesBadInputByField_AndWritesNothing()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var admin = await SignedInAdminAsync(site);

        var tooPrecise = await admin.SubmitAsync("/admin/credits", CreditForm(a.TenantId, "12.345", "Typo"));
        var notANumber = await admin.SubmitAsync("/admin/credits", CreditForm(a.TenantId, "twelve", "Typo"));
        var zero = await admin.SubmitAsync("/admin/credits", CreditForm(a.TenantId, "0.00", "Typo"));
        var noReason = await admin.SubmitAsync("/admin/credits", CreditForm(a.TenantId, "12.00", ""));
        var noTenant = await admin.SubmitAsync("/admin/credits", CreditForm(null, "12.00", "Typo"));

        Assert.Matches("data-valmsg-for=\"Input.Amount\"[^>]*>USD has 2 decimal places; &quot;12.345&quot; has 3.<", await tooPrecise.Content.ReadAsStringAsync());
        Assert.Matches("data-valmsg-for=\"Input.Amount\"[^>]*>Enter the amount as digits", await notANumber.Content.ReadAsStringAsync());
        Assert.Matches("data-valmsg-for=\"Input.Amount\"[^>]*>Enter an amount greater than zero.<", await zero.Content.ReadAsStringAsync());
        Assert.Matches("data-valmsg-for=\"Input.Reason\"[^>]*>Say why this credit is made", await noReason.Content.ReadAsStringAsync());
        Assert.Matches("data-valmsg-for=\"Input.TenantId\"[^>]*>Choose the organization to credit.<", await noTenant.Content.ReadAsStringAsync());
        await using var scope = site.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().LedgerTransactions.CountAsync());
    }

    [Fact]
    public async Task NonAdmins_AreRefused_TheAdminLedgerPages()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var requester = site.Browser();
        await requester.SignInAsync(a.OwnerEmail, Scenario.Password);

        foreach (var path in new[] { "/admin/credits", "/admin/ledger" })
        {
            var anonymous = await site.Browser().GetAsync(path);
            var signedIn = await requester.GetAsync(path);

            Assert.StartsWith("/account/login", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            Assert.StartsWith("/account/access-denied", signedIn.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        var forged = await requester.Http.PostAsync(new Uri("/admin/credits", UriKind.Relative),
            new FormUrlEncodedContent(CreditForm(a.TenantId, "1000.00", "Free money")));
        Assert.NotEqual(HttpStatusCode.OK, forged.StatusCode);
        Assert.Equal(new Money(0, "USD"), await LedgerScenario.BalanceAsync(site.Services, a.TenantId));
    }

    [Fact]
    public async Task Admin_InvariantPage_ReportsTheLedgerBalanced_WithTotalsByKindOfAccount()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        await LedgerScenario.CreditAsync(site.Services, a.TenantId, 1234);
        var admin = await SignedInAdminAsync(site);

        var html = await (await admin.GetAsync("/admin/ledger")).Content.ReadAsStringAsync();

        Assert.Contains("The ledger balances: 1 transactions checked, no violations.", html, StringComparison.Ordinal);
        Assert.Matches($"<code>{LedgerAccounts.ManualAdjustments}</code></td><td>1</td><td>-12.34 USD</td>", html);
        Assert.Matches("<code>tenant:\\*:balance</code></td><td>1</td><td>12.34 USD</td>", html);
    }

    [Fact]
    public async Task Reviewer_IsRefused_TheTenantLedgerPage()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        await Scenario.AddMemberAsync(site.Services, a, "rev@crowd.test", TenantRole.Reviewer);

        var client = site.Browser();
        await client.SignInAsync("rev@crowd.test", Scenario.Password);

        var response = await client.GetAsync("/t/tenant-a/ledger");

        Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> CreditForm(Guid? tenantId, string amount, string reason) => new()
    {
        ["Input.TenantId"] = tenantId?.ToString() ?? "",
        ["Input.Amount"] = amount,
        ["Input.Reason"] = reason,
    };

    private static async Task<SiteClient> SignedInAdminAsync(Site site)
    {
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var user = await RegisterAsync(scope.ServiceProvider, AdminEmail, "Ada Admin");
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await users.AddToRoleAsync(user, Roles.Admin)).Succeeded);
        }

        var admin = site.Browser();
        await admin.SignInAsync(AdminEmail, Scenario.Password);
        return admin;
    }

    private static async Task<AppUser> RegisterAsync(IServiceProvider services, string email, string name)
    {
        var registered = await services.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
        {
            Email = email, DisplayName = name, Password = Scenario.Password, ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
        });
        Assert.True(registered.Succeeded);
        return registered.Value!.User;
    }
}

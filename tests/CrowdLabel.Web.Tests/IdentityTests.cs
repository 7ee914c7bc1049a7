using System.Net;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests;

public sealed class IdentityTests
{
    private static Dictionary<string, string> RequesterForm(string email, string slug, string password = Scenario.Password) => new()
    {
        ["Input.Kind"] = "Requester",
        ["Input.Email"] = email,
        ["Input.DisplayName"] = "Rae",
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = password,
        ["Input.OrganizationName"] = "Acme Labs",
        ["Input.OrganizationSlug"] = slug,
    };

    [Theory, OnSqlite, OnPostgres]
    public async Task Register_AsRequester_SignsIn_AndLandsOnTheDashboard(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var client = site.Browser();

        var registered = await client.SubmitAsync("/account/register", RequesterForm("rae@acme.test", "acme-labs"));
        var dashboard = await client.GetAsync("/t/acme-labs");

        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        Assert.Equal("/t/acme-labs", registered.Headers.Location!.OriginalString);
        Assert.Contains("Acme Labs", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithBadInput_ShowsEachMessageByItsField_AndWritesNothing()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        await Scenario.CreateTenantAsync(site.Services, "taken");
        var client = site.Browser();

        var weak = await client.SubmitAsync("/account/register", RequesterForm("a@acme.test", "fresh-slug", password: "weak"));
        var badSlug = await client.SubmitAsync("/account/register", RequesterForm("b@acme.test", "Not A Slug!"));
        var taken = await client.SubmitAsync("/account/register", RequesterForm("c@acme.test", "taken"));

        Assert.Contains("at least 10 characters", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("lower-case letters, digits and single hyphens", await badSlug.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var takenHtml = await taken.Content.ReadAsStringAsync();
        Assert.Matches("data-valmsg-for=\"Input.OrganizationSlug\"[^>]*>[^<]*already taken", takenHtml);
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        Assert.Equal(1, await db.Users.CountAsync());
        Assert.Equal(1, await db.Tenants.CountAsync());
    }

    /// <summary>The sign-in page takes 30 requests a minute from one address; the 31st gets the status page for 429 and Retry-After.</summary>
    [Fact]
    public async Task SignIn_FromOneAddress_IsLimitedTo30RequestsAMinute()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var client = site.Browser();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage last = null!;
        for (var i = 0; i < 31; i++)
        {
            last = await client.GetAsync("/account/login");
            statuses.Add(last.StatusCode);
        }

        Assert.All(statuses.Take(30), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.True(last.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task SignIn_LocksTheAccount_AfterRepeatedWrongPasswords()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var client = site.Browser();

        for (var i = 0; i < IdentitySettings.MaxFailedSignIns; i++)
        {
            var wrong = await client.SignInAsync(a.OwnerEmail, "Wrong-Pass-999");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await client.SignInAsync(a.OwnerEmail, Scenario.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/t/tenant-a")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithTheRightPassword_Succeeds_AndSignOut_Ends_TheSession()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var client = site.Browser();

        var signIn = await client.SignInAsync(a.OwnerEmail, Scenario.Password);
        var inside = await client.GetAsync("/t/tenant-a");
        var signOut = await client.SubmitAsync("/account/logout", new Dictionary<string, string>());
        var after = await client.GetAsync("/t/tenant-a");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task RoleGatedPage_IsRefusedToAWorker()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var client = site.Browser();
        var registered = await client.SubmitAsync("/account/register", new Dictionary<string, string>
        {
            ["Input.Kind"] = "Worker", ["Input.Email"] = "wade@crowd.test", ["Input.DisplayName"] = "Wade",
            ["Input.Password"] = Scenario.Password, ["Input.ConfirmPassword"] = Scenario.Password,
        });

        var work = await client.GetAsync("/work");
        var admin = await client.GetAsync("/admin");

        Assert.Equal("/work", registered.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, work.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/account/access-denied", admin.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitation_LinkIsShownOnScreen_AndJoinsTheInvitedUser()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var owner = site.Browser();
        await owner.SignInAsync(a.OwnerEmail, Scenario.Password);

        var invited = await owner.SubmitAsync("/t/tenant-a/members", new Dictionary<string, string>
        {
            ["Input.Email"] = "rev@acme.test", ["Input.Role"] = nameof(TenantRole.Reviewer),
        });
        var html = await invited.Content.ReadAsStringAsync();
        var link = System.Text.RegularExpressions.Regex.Match(html, "/invitations/(inv_[A-Za-z0-9_-]+)");
        Assert.True(link.Success, "No invitation link on the page.");

        var reviewer = site.Browser();
        await reviewer.SubmitAsync("/account/register", new Dictionary<string, string>
        {
            ["Input.Kind"] = "Worker", ["Input.Email"] = "rev@acme.test", ["Input.DisplayName"] = "Rev",
            ["Input.Password"] = Scenario.Password, ["Input.ConfirmPassword"] = Scenario.Password,
        });
        var accepted = await reviewer.SubmitAsync(link.Value, new Dictionary<string, string>());

        Assert.Equal("/t/tenant-a", accepted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/t/tenant-a")).StatusCode);
    }
}

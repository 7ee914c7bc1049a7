using System.Net;
using System.Net.Http.Headers;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests;

public sealed class TenantIsolationTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task RequesterOfA_GetsNotFound_ForEverythingOfB(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(site.Services, "tenant-b");
        var client = site.Browser();
        await client.SignInAsync(a.OwnerEmail, Scenario.Password);

        // A's own pages work...
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/t/tenant-a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/t/tenant-a/projects/{a.ProjectId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/t/tenant-a/members")).StatusCode);

        // ...and B's answer 404 by slug, by id under A's slug, and by id under B's slug.
        string[] forbidden =
        [
            "/t/tenant-b",
            "/t/tenant-b/members",
            $"/t/tenant-b/projects/{b.ProjectId}",
            $"/t/tenant-a/projects/{b.ProjectId}",
            "/t/no-such-tenant",
        ];
        foreach (var path in forbidden)
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}");
        }
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ApiKeyOfA_GetsNotFound_ForBsProject_AndListsOnlyAs(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(site.Services, "tenant-b");
        var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", a.ApiKey);

        var own = await api.GetAsync(new Uri($"/api/v1/projects/{a.ProjectId}", UriKind.Relative));
        var other = await api.GetAsync(new Uri($"/api/v1/projects/{b.ProjectId}", UriKind.Relative));
        var list = await api.GetStringAsync(new Uri("/api/v1/projects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains(a.ProjectId.ToString(), list, StringComparison.Ordinal);
        Assert.DoesNotContain(b.ProjectId.ToString(), list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WithoutKey_OrWithAWrongKey_IsUnauthorized()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var anonymous = site.CreateClient();
        var wrong = site.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "clk_not-a-real-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri($"/api/v1/projects/{a.ProjectId}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(new Uri($"/api/v1/projects/{a.ProjectId}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task SignedInUser_WithNoMembership_GetsNotFound()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
            {
                Email = "loner@crowd.test", DisplayName = "Loner", Password = Scenario.Password, ConfirmPassword = Scenario.Password,
                Kind = AccountKind.Worker,
            });
        }

        var client = site.Browser();
        await client.SignInAsync("loner@crowd.test", Scenario.Password);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/t/tenant-a")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");

        var response = await site.Browser().GetAsync($"/t/tenant-a/projects/{a.ProjectId}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }
}

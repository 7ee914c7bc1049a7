using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Accounts;

public sealed class RegistrationTests
{
    private static RegisterInput Requester(string email, string slug, string password = Scenario.Password) => new()
    {
        Email = email, DisplayName = "Rae", Password = password, ConfirmPassword = password,
        Kind = AccountKind.Requester, OrganizationName = "Acme Labs", OrganizationSlug = slug,
    };

    private static async Task<Result<Registration>> RegisterAsync(IServiceProvider services, RegisterInput input)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(input);
    }

    private static async Task<(int Users, int Tenants, int Memberships)> CountsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        return (await db.Users.CountAsync(), await db.Tenants.CountAsync(),
            await db.Memberships.IgnoreQueryFilters().CountAsync());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Requester_CreatesOrganization_AndOwnsIt(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);

        var result = await RegisterAsync(services, Requester("rae@acme.test", "acme-labs"));

        Assert.True(result.Succeeded);
        await using var scope = Scenario.TenantScope(services, result.Value!.Tenant!.Id);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var membership = await db.Memberships.SingleAsync();
        Assert.Equal((result.Value.User.Id, TenantRole.Owner), (membership.UserId, membership.Role));
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        Assert.True(await users.IsInRoleAsync(result.Value.User, Roles.Requester));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Worker_GetsAGlobalProfile_AndNoTenant(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);

        var result = await RegisterAsync(services, new RegisterInput
        {
            Email = "wade@crowd.test", DisplayName = "Wade", Password = Scenario.Password, ConfirmPassword = Scenario.Password,
            Kind = AccountKind.Worker,
        });

        Assert.True(result.Succeeded);
        Assert.Null(result.Value!.Tenant);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        Assert.Equal("Wade", (await db.WorkerProfiles.SingleAsync()).DisplayName);
        Assert.Equal((1, 0, 0), await CountsAsync(services));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DuplicateSlug_IsRefusedOnTheSlugField_AndNothingIsWritten(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        await RegisterAsync(services, Requester("first@acme.test", "acme-labs"));

        var result = await RegisterAsync(services, Requester("second@acme.test", "acme-labs"));

        Assert.False(result.Succeeded);
        Assert.Contains("already taken", Assert.Single(result.Errors[nameof(RegisterInput.OrganizationSlug)]), StringComparison.Ordinal);
        Assert.Equal((1, 1, 1), await CountsAsync(services));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConcurrentRegistrations_ForOneSlug_CreateExactlyOneTenant(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => RegisterAsync(services, Requester($"racer{i}@acme.test", "contested")))));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.True(r.Errors.ContainsKey(nameof(RegisterInput.OrganizationSlug))));
        Assert.Equal((1, 1, 1), await CountsAsync(services));
    }

    [Theory]
    [InlineData("Acme Labs")]
    [InlineData("acme_labs")]
    [InlineData("-acme")]
    [InlineData("ac")]
    [InlineData("admin")]
    public async Task InvalidSlug_IsRefusedWithAClearMessage_AndNothingIsWritten(string slug)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);

        var result = await RegisterAsync(services, Requester("rae@acme.test", slug));

        var message = Assert.Single(result.Errors[nameof(RegisterInput.OrganizationSlug)]);
        Assert.Matches("lower-case letters|reserved", message);
        Assert.Equal((0, 0, 0), await CountsAsync(services));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task WeakPassword_IsRefusedOnThePasswordField_AndNothingIsWritten(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);

        var result = await RegisterAsync(services, Requester("rae@acme.test", "acme-labs", password: "short"));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors[nameof(RegisterInput.Password)], m => m.Contains("at least 10 characters", StringComparison.Ordinal));
        Assert.Equal((0, 0, 0), await CountsAsync(services));
    }

    [Fact]
    public async Task DuplicateEmail_IsRefusedOnTheEmailField()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        await RegisterAsync(services, Requester("rae@acme.test", "acme-labs"));

        var result = await RegisterAsync(services, Requester("RAE@acme.test", "other-labs"));

        Assert.True(result.Errors.ContainsKey(nameof(RegisterInput.Email)));
        Assert.Equal((1, 1, 1), await CountsAsync(services));
    }
}

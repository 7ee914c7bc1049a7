using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CrowdLabel.Core.Tests.Tenancy;

public sealed class InvitationTests
{
    private static async Task<AppUser> RegisterWorkerAsync(IServiceProvider services, string email)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
        {
            Email = email, DisplayName = email, Password = Scenario.Password, ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
        });
        return result.Value!.User;
    }

    private static async Task<string> InviteAsync(IServiceProvider services, TenantFixture tenant, string email, TenantRole role)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var result = await scope.ServiceProvider.GetRequiredService<InvitationService>()
            .InviteAsync(new InviteInput { Email = email, Role = role }, tenant.OwnerId);
        Assert.True(result.Succeeded);
        return result.Value!.Token;
    }

    private static async Task<Result<Tenant>> AcceptAsync(IServiceProvider services, string token, Guid userId)
    {
        await using var scope = services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByIdAsync(userId.ToString());
        return await scope.ServiceProvider.GetRequiredService<InvitationService>().AcceptAsync(token, user!);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task InvitedUser_Accepts_AndBecomesAMemberWithTheRole(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var invitee = await RegisterWorkerAsync(services, "rev@acme.test");
        var token = await InviteAsync(services, tenant, "rev@acme.test", TenantRole.Reviewer);

        var accepted = await AcceptAsync(services, token, invitee.Id);

        Assert.Equal("acme", accepted.Value!.Slug);
        await using var scope = services.CreateAsyncScope();
        var member = await scope.ServiceProvider.GetRequiredService<TenantAccess>().FindMembershipAsync("acme", invitee.Id);
        Assert.Equal(TenantRole.Reviewer, member!.Role);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        Assert.DoesNotContain(token, (await db.Invitations.IgnoreQueryFilters().SingleAsync()).TokenHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitation_ForAnotherEmail_IsRefused_AndUsedTwice_IsRefused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var invitee = await RegisterWorkerAsync(services, "rev@acme.test");
        var stranger = await RegisterWorkerAsync(services, "someone@else.test");
        var token = await InviteAsync(services, tenant, "rev@acme.test", TenantRole.Requester);

        var wrong = await AcceptAsync(services, token, stranger.Id);
        var right = await AcceptAsync(services, token, invitee.Id);
        var again = await AcceptAsync(services, token, invitee.Id);

        Assert.Contains("sent to rev@acme.test", Assert.Single(wrong.Errors[""]), StringComparison.Ordinal);
        Assert.True(right.Succeeded);
        Assert.Contains("already been used", Assert.Single(again.Errors[""]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredInvitation_IsRefused()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, clock);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var invitee = await RegisterWorkerAsync(services, "rev@acme.test");
        var token = await InviteAsync(services, tenant, "rev@acme.test", TenantRole.Requester);

        clock.Advance(InvitationService.Lifetime + TimeSpan.FromMinutes(1));
        var result = await AcceptAsync(services, token, invitee.Id);

        Assert.Contains("expired", Assert.Single(result.Errors[""]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToken_IsNotFound()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        var invitee = await RegisterWorkerAsync(services, "rev@acme.test");

        Assert.True((await AcceptAsync(services, "inv_nope", invitee.Id)).IsNotFound);
    }
}

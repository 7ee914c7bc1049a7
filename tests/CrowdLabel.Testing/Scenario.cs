using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Security;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CrowdLabel.Testing;

/// <summary>A tenant made through the real registration path, with one project and an API key.</summary>
public sealed record TenantFixture(Guid TenantId, string Slug, Guid OwnerId, string OwnerEmail, Guid ProjectId, string ApiKey);

/// <summary>Builds test data through the application's own services.</summary>
public static class Scenario
{
    public const string Password = "Test-Pass-12345";

    public static async Task<TenantFixture> CreateTenantAsync(IServiceProvider services, string slug)
    {
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var email = $"owner@{slug}.test";
        var registered = await accounts.RegisterAsync(new RegisterInput
        {
            Email = email, DisplayName = $"Owner of {slug}", Password = Password, ConfirmPassword = Password,
            Kind = AccountKind.Requester, OrganizationName = $"Org {slug}", OrganizationSlug = slug,
        });
        Assert.True(registered.Succeeded, string.Join("; ", registered.Errors.SelectMany(e => e.Value)));
        var tenant = registered.Value!.Tenant!;
        var owner = registered.Value.User;

        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var project = new Project { Id = Guid.CreateVersion7(), TenantId = tenant.Id, Name = $"Project of {slug}", CreatedAt = DateTime.UtcNow };
        project.Labels.Add(new ProjectLabel { Id = Guid.CreateVersion7(), TenantId = tenant.Id, ProjectId = project.Id, Ordinal = 0, Name = "yes" });
        project.Labels.Add(new ProjectLabel { Id = Guid.CreateVersion7(), TenantId = tenant.Id, ProjectId = project.Id, Ordinal = 1, Name = "no" });
        db.Projects.Add(project);
        var key = SecretHasher.NewSecret("clk_");
        db.ApiKeys.Add(new ApiKey
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.Id, Name = "test", Prefix = key[..12], KeyHash = SecretHasher.Hash(key),
            CreatedByUserId = owner.Id, CreatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
        return new TenantFixture(tenant.Id, tenant.Slug, owner.Id, email, project.Id, key);
    }

    /// <summary>Registers a user and makes them a member of the tenant in <paramref name="role"/>, as an accepted invitation does.</summary>
    public static async Task<Guid> AddMemberAsync(IServiceProvider services, TenantFixture tenant, string email, TenantRole role)
    {
        await using var scope = TenantScope(services, tenant.TenantId);
        var registered = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
        {
            Email = email, DisplayName = email, Password = Password, ConfirmPassword = Password, Kind = AccountKind.Worker,
        });
        Assert.True(registered.Succeeded, string.Join("; ", registered.Errors.SelectMany(e => e.Value)));
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var userId = registered.Value!.User.Id;
        db.Memberships.Add(new Membership { Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, UserId = userId, Role = role, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return userId;
    }

    /// <summary>The one value a raw SQL query returns, on the services' database: for checks of the database's own state (statistics, storage parameters).</summary>
    public static async Task<T> ScalarAsync<T>(IServiceProvider services, string sql)
    {
        await using var scope = services.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A scope whose current tenant is set, as tenant resolution sets it for a request.</summary>
    public static AsyncServiceScope TenantScope(IServiceProvider services, Guid tenantId)
    {
        var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        return scope;
    }
}

using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Tenancy;

public sealed class TenantIsolationTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Queries_SeeOnlyTheCurrentTenantsRows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var a = await Scenario.CreateTenantAsync(services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(services, "tenant-b");

        await using var scope = Scenario.TenantScope(services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();

        Assert.Equal([a.ProjectId], await db.Projects.Select(p => p.Id).ToListAsync());
        Assert.Null(await db.Projects.FirstOrDefaultAsync(p => p.Id == b.ProjectId));
        Assert.All(await db.ProjectLabels.ToListAsync(), l => Assert.Equal(a.TenantId, l.TenantId));
        Assert.Single(await db.Memberships.ToListAsync());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task WithNoCurrentTenant_TenantRowsAreInvisible(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        await Scenario.CreateTenantAsync(services, "tenant-a");

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();

        Assert.Empty(await db.Projects.ToListAsync());
        Assert.Single(await db.Tenants.ToListAsync());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SaveChanges_RefusesRowsOfAnotherTenant_AndWritesNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var a = await Scenario.CreateTenantAsync(services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(services, "tenant-b");

        await using (var scope = Scenario.TenantScope(services, a.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            db.Projects.Add(new Project { Id = Guid.CreateVersion7(), TenantId = a.TenantId, Name = "mine" });
            db.Projects.Add(new Project { Id = Guid.CreateVersion7(), TenantId = b.TenantId, Name = "smuggled" });

            await Assert.ThrowsAsync<TenantWriteException>(() => db.SaveChangesAsync());
        }

        await using (var scope = Scenario.TenantScope(services, b.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            Assert.Equal(["Project of tenant-b"], await db.Projects.Select(p => p.Name).ToListAsync());
        }
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SaveChanges_RefusesMovingARowToAnotherTenant(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var a = await Scenario.CreateTenantAsync(services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(services, "tenant-b");

        await using var scope = Scenario.TenantScope(services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var project = await db.Projects.SingleAsync();
        project.TenantId = b.TenantId;

        await Assert.ThrowsAsync<TenantWriteException>(() => db.SaveChangesAsync());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SaveChanges_WithoutCurrentTenant_RefusesTenantRows(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var a = await Scenario.CreateTenantAsync(services, "tenant-a");

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        db.Projects.Add(new Project { Id = Guid.CreateVersion7(), TenantId = a.TenantId, Name = "orphan" });

        var error = await Assert.ThrowsAsync<TenantWriteException>(() => db.SaveChangesAsync());
        Assert.Contains("no tenant is current", error.Message, StringComparison.Ordinal);
    }
}

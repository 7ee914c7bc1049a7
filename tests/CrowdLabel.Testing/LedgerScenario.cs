using System.Globalization;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CrowdLabel.Testing;

/// <summary>Ledger test data (funded tenants, draft batches with items) and the invariant check every ledger test ends with.</summary>
public static class LedgerScenario
{
    /// <summary>Prices the tenant's project and adds a draft batch of <paramref name="items"/> items to it, as an import would.</summary>
    public static async Task<Guid> CreateDraftBatchAsync(
        IServiceProvider services, TenantFixture tenant, int items, long priceMinor = 100, int maxRedundancy = 3, string? name = null)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var project = await db.Projects.SingleAsync(p => p.Id == tenant.ProjectId);
        project.PricePerAssignmentMinor = priceMinor;
        project.MaxRedundancy = maxRedundancy;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, ProjectId = project.Id, Name = name ?? $"Batch of {items} items",
            ItemCount = items, CreatedAt = DateTime.UtcNow,
        };
        db.Batches.Add(batch);
        for (var row = 1; row <= items; row++)
        {
            db.Items.Add(new Item
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, BatchId = batch.Id, RowNumber = row,
                ExternalId = row.ToString(CultureInfo.InvariantCulture), Data = $$"""{"text":"item {{row}}"}""", RedundancyTarget = project.BaseRedundancy,
            });
        }

        await db.SaveChangesAsync();
        return batch.Id;
    }

    /// <summary>Credits the tenant's balance by hand, as an admin would.</summary>
    public static async Task CreditAsync(IServiceProvider services, Guid tenantId, long amountMinor, string reason = "Test funds")
    {
        await using var scope = services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var credited = await ledger.CreditTenantAsync(new CreditInput { TenantId = tenantId, AmountMinor = amountMinor, Reason = reason }, Guid.CreateVersion7());
        Assert.True(credited.Succeeded, string.Join("; ", credited.Errors.SelectMany(e => e.Value)));
    }

    public static async Task<Money> BalanceAsync(IServiceProvider services, Guid tenantId)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LedgerService>().GetTenantBalanceAsync(tenantId);
    }

    /// <summary>Fails with every violation in words unless the whole ledger balances.</summary>
    public static async Task AssertInvariantsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<LedgerService>().CheckInvariantsAsync();
        Assert.True(report.IsOk, "The ledger is broken:" + Environment.NewLine + string.Join(Environment.NewLine, report.Violations));
    }
}

using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Ledger;

public sealed class InvariantCheckTests : LedgerTestBase
{
    [Theory, OnSqlite, OnPostgres]
    public async Task InvariantCheck_FindsAnUnbalancedTransaction_ANegativeBalance_AndEscrowLeftInAClosedBatch(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var (a, batchId) = await world.FundedDraftAsync(1000, items: 1, name: "Leaky batch");
        await using var scope = Scenario.TenantScope(world.Services, a.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        Assert.True((await ledger.CheckInvariantsAsync()).IsOk);

        // Written straight into the tables, past the service: money that appears from nowhere, a balance
        // driven below zero, and escrow held by a batch that is already cancelled.
        var now = world.Clock.GetUtcNow().UtcDateTime;
        var broken = new[]
        {
            Transaction(a.TenantId, "Money from nowhere", now, (LedgerAccounts.TenantBalance(a.TenantId), 500)),
            Transaction(a.TenantId, "Overdraft", now, (LedgerAccounts.TenantBalance(a.TenantId), -2000), (LedgerAccounts.PlatformRevenue, 2000)),
            Transaction(a.TenantId, "Escrow never released", now, (LedgerAccounts.ManualAdjustments, -300), (LedgerAccounts.BatchEscrow(batchId), 300)),
        };
        db.LedgerTransactions.AddRange(broken);
        (await db.Batches.SingleAsync(b => b.Id == batchId)).Status = BatchStatus.Cancelled;
        await db.SaveChangesAsync();

        var report = await ledger.CheckInvariantsAsync();

        Assert.False(report.IsOk);
        Assert.Equal(3, report.Violations.Count);
        Assert.Contains(report.Violations, v => v.Contains($"Transaction {broken[0].Id}", StringComparison.Ordinal) &&
                                                v.Contains("\"Money from nowhere\") does not sum to zero: its USD postings sum to 5.00 USD.", StringComparison.Ordinal));
        Assert.Contains($"Account {LedgerAccounts.TenantBalance(a.TenantId)} stands at -5.00 USD; it must never be negative.", report.Violations);
        Assert.Contains($"Batch \"Leaky batch\" ({batchId}) is Cancelled, yet its escrow still holds 3.00 USD.", report.Violations);
        Assert.Contains(new AccountKindTotal("tenant:*:balance", "USD", 1, -500), report.Totals);
        Assert.Contains(new AccountKindTotal(LedgerAccounts.ManualAdjustments, "USD", 1, -1300), report.Totals);

        // Repaired, the ledger checks out again (and so the check run when this test ends passes).
        db.LedgerTransactions.RemoveRange(broken);
        await db.SaveChangesAsync();
        Assert.True((await ledger.CheckInvariantsAsync()).IsOk);
    }

    private static LedgerTransaction Transaction(Guid tenantId, string description, DateTime at, params (string Account, long Amount)[] lines)
    {
        var transaction = new LedgerTransaction { Id = Guid.CreateVersion7(), TenantId = tenantId, Kind = "test", Description = description, CreatedAt = at };
        transaction.Postings.AddRange(lines.Select(l => new Posting
        {
            Id = Guid.CreateVersion7(), TransactionId = transaction.Id, Account = l.Account, AmountMinor = l.Amount, Currency = "USD", TenantId = tenantId, CreatedAt = at,
        }));
        return transaction;
    }
}

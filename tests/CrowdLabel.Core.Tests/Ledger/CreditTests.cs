using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Ledger;

public sealed class CreditTests : LedgerTestBase
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Credit_MovesMoneyFromManualAdjustments_ToTheTenantBalance(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(world.Services, "tenant-b");
        var adminId = a.OwnerId;

        await using var scope = world.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var credited = await ledger.CreditTenantAsync(new CreditInput { TenantId = a.TenantId, AmountMinor = 2500, Reason = " Invoice 42 paid by wire " }, adminId);

        Assert.True(credited.Succeeded);
        Assert.Equal(new Money(2500, "USD"), await ledger.GetTenantBalanceAsync(a.TenantId));
        Assert.Equal(new Money(0, "USD"), await ledger.GetTenantBalanceAsync(b.TenantId));
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var postings = await db.Postings.Where(p => p.TransactionId == credited.Value!.Id).OrderBy(p => p.AmountMinor).ToListAsync();
        Assert.Equal([(LedgerAccounts.ManualAdjustments, -2500L), (LedgerAccounts.TenantBalance(a.TenantId), 2500L)],
            postings.Select(p => (p.Account, p.AmountMinor)));
        var credit = Assert.Single(await ledger.ListManualCreditsAsync(10));
        Assert.Equal(("Org tenant-a", new Money(2500, "USD"), "Invoice 42 paid by wire"), (credit.TenantName, credit.Amount, credit.Reason));
        Assert.Contains(a.OwnerEmail, credit.CreatedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credit_WithBadInput_IsRefusedByField_AndWritesNothing()
    {
        var world = await StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        await using var scope = world.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var good = new CreditInput { TenantId = a.TenantId, AmountMinor = 100, Reason = "Top-up" };

        (CreditInput Input, string Field, string Message)[] cases =
        [
            (good with { AmountMinor = 0 }, nameof(CreditInput.AmountMinor), "Enter an amount greater than zero."),
            (good with { AmountMinor = -500 }, nameof(CreditInput.AmountMinor), "Enter an amount greater than zero."),
            (good with { AmountMinor = CreditInputValidator.MaxAmountMinor + 1 }, nameof(CreditInput.AmountMinor), "A single credit is at most 10,000,000.00"),
            (good with { Reason = "  " }, nameof(CreditInput.Reason), "Say why this credit is made"),
            (good with { Reason = new string('x', 501) }, nameof(CreditInput.Reason), "Keep the reason to 500 characters."),
            (good with { TenantId = Guid.Empty }, nameof(CreditInput.TenantId), "Choose the organization to credit."),
            (good with { TenantId = Guid.CreateVersion7() }, nameof(CreditInput.TenantId), "There is no such organization."),
        ];
        foreach (var (input, field, message) in cases)
        {
            var result = await ledger.CreditTenantAsync(input, a.OwnerId);

            Assert.False(result.Succeeded);
            Assert.Contains(result.Errors[field], m => m.StartsWith(message, StringComparison.Ordinal));
        }

        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().LedgerTransactions.CountAsync());
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task TenantEntries_ShowEachMovementOnBalanceAndEscrow_WithTheBalanceAfterIt(DatabaseProvider provider)
    {
        var world = await StartAsync(provider);
        var a = await Scenario.CreateTenantAsync(world.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(world.Services, "tenant-b");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(world.Services, a, items: 10, priceMinor: 100, maxRedundancy: 3);
        await LedgerScenario.CreditAsync(world.Services, a.TenantId, 5000, "First top-up");
        await LedgerScenario.CreditAsync(world.Services, b.TenantId, 9900, "Someone else's money");
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        await world.PublishAsync(a, batchId);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await world.LifecycleAsync(a, s => s.CancelAsync(batchId, a.OwnerId))).Succeeded);
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        await LedgerScenario.CreditAsync(world.Services, a.TenantId, 100, "Second top-up");

        await using var scope = world.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var all = await ledger.ListTenantEntriesAsync(a.TenantId, 50, CancellationToken.None);
        var newestTwo = await ledger.ListTenantEntriesAsync(a.TenantId, 2, CancellationToken.None);

        Assert.Equal(
            [
                (LedgerKinds.ManualCredit, 100L, 0L, 5100L),
                (LedgerKinds.ReleaseEscrow, 3600L, -3600L, 5000L),
                (LedgerKinds.Publish, -3600L, 3600L, 1400L),
                (LedgerKinds.ManualCredit, 5000L, 0L, 5000L),
            ],
            all.Select(e => (e.Kind, e.BalanceChange.Minor, e.EscrowChange.Minor, e.BalanceAfter.Minor)));
        Assert.Equal("Second top-up", all[0].Description);
        Assert.Equal(all.Take(2), newestTwo);
        Assert.Equal(new Money(5100, "USD"), await ledger.GetTenantBalanceAsync(a.TenantId));
        Assert.Equal(new Money(0, "USD"), await ledger.GetTenantEscrowAsync(a.TenantId));
    }
}

using System.Net;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Payments;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Payments;

public sealed class PayoutTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task TwoPayoutRunsAtOnce_PayEachWorkerOnce(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var workers = await WorkScenario.CreateWorkersAsync(world.Services, 4);
        var accounts = new Dictionary<Guid, string>();
        foreach (var worker in workers.Take(3))
        {
            accounts[worker] = await world.OnboardAndEnableAsync(worker);
        }

        // Worker 3 earns too little (1 x 3.00 < 5.00); worker 4 has no connected account.
        await world.EarnAsync(tenant, [workers[0], workers[1], workers[3]], assignments: 2);
        await world.EarnAsync(tenant, [workers[2]], assignments: 1);

        var runs = await Task.WhenAll(world.RunPayoutsAsync(), world.RunPayoutsAsync(), world.RunPayoutsAsync());
        var payouts = await world.DbAsync(db => db.Payouts.AsNoTracking().ToListAsync());

        Assert.Equal(2, runs.Sum(r => r.Created));
        Assert.Equal(2, payouts.Count);
        foreach (var worker in workers.Take(2))
        {
            var payout = Assert.Single(payouts, p => p.WorkerId == worker);
            Assert.Equal((600, "USD", PayoutStatus.Sent, accounts[worker]), (payout.AmountMinor, payout.Currency, payout.Status, payout.StripeAccountId));
            var transfer = Assert.Single(world.Stripe.Transfers, t => t["destination"]!.GetValue<string>() == accounts[worker]);
            Assert.Equal(transfer["id"]!.GetValue<string>(), payout.StripeTransferId);
            Assert.Equal(Payout.StripeKey(payout.Id), transfer["transfer_group"]!.GetValue<string>());
            Assert.Equal(0, await world.AccountAsync(LedgerAccounts.WorkerEarnings(worker)));
            Assert.Equal(600, await world.AccountAsync(LedgerAccounts.WorkerPaid(worker)));
        }

        Assert.Equal(2, world.Stripe.Transfers.Count);
        Assert.Equal(300, await world.AccountAsync(LedgerAccounts.WorkerEarnings(workers[2])));
        Assert.Equal(600, await world.AccountAsync(LedgerAccounts.WorkerEarnings(workers[3])));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task CrashAfterTheTransferIsCreated_ThenARerun_PaysNothingTwice(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var (worker, account) = await world.EarningWorkerAsync(assignments: 3);
        var crashPoints = world.Services.GetRequiredService<PayoutCrashPoints>();
        crashPoints.AfterTransferCreated = _ => throw new ProcessCrashed();

        await Assert.ThrowsAsync<ProcessCrashed>(world.RunPayoutsAsync);
        var afterCrash = await world.DbAsync(db => db.Payouts.AsNoTracking().SingleAsync());
        crashPoints.AfterTransferCreated = null;
        var rerun = await world.RunPayoutsAsync();
        var again = await world.RunPayoutsAsync();
        var payout = await world.DbAsync(db => db.Payouts.AsNoTracking().SingleAsync());

        Assert.Equal((PayoutStatus.Pending, null), (afterCrash.Status, afterCrash.StripeTransferId));
        Assert.Equal(new PayoutRunReport(0, 1, 0), rerun);
        Assert.Equal(new PayoutRunReport(0, 0, 0), again);
        var transfer = Assert.Single(world.Stripe.Transfers);
        Assert.Equal((PayoutStatus.Sent, transfer["id"]!.GetValue<string>(), 900L), (payout.Status, payout.StripeTransferId, transfer["amount"]!.GetValue<long>()));
        Assert.Equal(account, transfer["destination"]!.GetValue<string>());
        Assert.Equal(900, await world.AccountAsync(LedgerAccounts.WorkerPaid(worker)));
        Assert.Equal(0, await world.AccountAsync(LedgerAccounts.WorkerEarnings(worker)));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task CrashAfterTheTransfer_ReplaysTheSameIdempotencyKey_WhenStripeFindsNoTransferByGroup(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var (worker, _) = await world.EarningWorkerAsync(assignments: 2);
        var crashPoints = world.Services.GetRequiredService<PayoutCrashPoints>();
        crashPoints.AfterTransferCreated = _ => throw new ProcessCrashed();
        await Assert.ThrowsAsync<ProcessCrashed>(world.RunPayoutsAsync);
        crashPoints.AfterTransferCreated = null;
        world.Stripe.Transfers.TryPeek(out var first);
        // Forget the attempt, so the rerun skips the lookup by transfer group and creates again: only the idempotency
        // key stands between it and a second transfer.
        await world.DbAsync(db => db.Payouts.ExecuteUpdateAsync(s => s.SetProperty(p => p.Attempts, 0)));
        var replaysBefore = world.Stripe.Replays;

        await world.RunPayoutsAsync();

        Assert.Equal(replaysBefore + 1, world.Stripe.Replays);
        Assert.Single(world.Stripe.Transfers);
        Assert.Equal(first!["id"]!.GetValue<string>(), await world.DbAsync(db => db.Payouts.Select(p => p.StripeTransferId).SingleAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AFailedTransfer_LeavesThePayoutPending_AndTheNextRunSendsIt(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var (worker, _) = await world.EarningWorkerAsync(assignments: 2);
        world.Stripe.FailNext("/v1/transfers");

        var failed = await world.RunPayoutsAsync();
        var pending = await world.DbAsync(db => db.Payouts.AsNoTracking().SingleAsync());
        var retried = await world.RunPayoutsAsync();

        Assert.Equal(new PayoutRunReport(1, 0, 1), failed);
        Assert.Equal(PayoutStatus.Pending, pending.Status);
        Assert.Contains("retried by the next run with the same key", pending.LastError, StringComparison.Ordinal);
        Assert.Equal(new PayoutRunReport(0, 1, 0), retried);
        Assert.Single(world.Stripe.Transfers);
        Assert.Equal(600, await world.AccountAsync(LedgerAccounts.WorkerPaid(worker)));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ATransferStripeRefusesForGood_FailsThePayout_PutsItBackIntoEarnings_AndPaysAgainOnceTheAccountIsReady(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var (worker, account) = await world.EarningWorkerAsync(assignments: 2);
        // Stripe turns the account's payouts off; the account.updated event has not reached the site yet.
        world.Stripe.SetPayoutsEnabled(account, false);

        var refused = await world.RunPayoutsAsync();
        var failed = await world.DbAsync(db => db.Payouts.AsNoTracking().SingleAsync());
        var paused = await world.RunPayoutsAsync();
        var page = await (await (await world.SignedInAsync("worker1@crowd.test")).GetAsync("/work/payouts")).Content.ReadAsStringAsync();

        Assert.Equal(new PayoutRunReport(1, 0, 0, 1), refused);
        Assert.Equal(PayoutStatus.Failed, failed.Status);
        Assert.StartsWith("Stripe refused the transfer: No such destination or payouts are not enabled", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(new PayoutRunReport(0, 0, 0), paused);
        Assert.Empty(world.Stripe.Transfers);
        Assert.Equal((600L, 0L), (await world.AccountAsync(LedgerAccounts.WorkerEarnings(worker)), await world.AccountAsync(LedgerAccounts.WorkerPaid(worker))));
        Assert.False(await world.DbAsync(db => db.WorkerStripeAccounts.Where(a => a.WorkerId == worker).Select(a => a.PayoutsEnabled).SingleAsync()));
        Assert.Contains("Stripe refused the transfer", System.Net.WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        await LedgerScenario.AssertInvariantsAsync(world.Services);

        await world.DeliverOkAsync(world.Stripe.Event("account.updated", world.Stripe.SetPayoutsEnabled(account, true)));
        var resumed = await world.RunPayoutsAsync();

        Assert.Equal(new PayoutRunReport(1, 1, 0), resumed);
        Assert.Equal(600, Assert.Single(world.Stripe.Transfers)["amount"]!.GetValue<long>());
        Assert.Equal((0L, 600L), (await world.AccountAsync(LedgerAccounts.WorkerEarnings(worker)), await world.AccountAsync(LedgerAccounts.WorkerPaid(worker))));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Fact]
    public void OnlyARefusalOfTheTransferItself_FailsAPayout()
    {
        static Stripe.StripeException Error(HttpStatusCode status, string type, string? code = null) =>
            new(status, new Stripe.StripeError { Type = type, Code = code }, "refused");

        Assert.True(PayoutService.RefusedForGood(Error(HttpStatusCode.BadRequest, "invalid_request_error")));
        Assert.True(PayoutService.RefusedForGood(Error(HttpStatusCode.NotFound, "invalid_request_error", "resource_missing")));
        Assert.False(PayoutService.RefusedForGood(Error(HttpStatusCode.BadRequest, "invalid_request_error", "balance_insufficient")));
        Assert.False(PayoutService.RefusedForGood(Error(HttpStatusCode.BadRequest, "idempotency_error")));
        Assert.False(PayoutService.RefusedForGood(Error(HttpStatusCode.Unauthorized, "invalid_request_error")));
        Assert.False(PayoutService.RefusedForGood(Error(HttpStatusCode.TooManyRequests, "invalid_request_error", "rate_limit")));
        Assert.False(PayoutService.RefusedForGood(Error(HttpStatusCode.InternalServerError, "api_error")));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task TransferReversed_PutsThePayoutBackIntoEarnings_Once(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var (worker, _) = await world.EarningWorkerAsync(assignments: 2);
        await world.RunPayoutsAsync();
        var transferId = await world.DbAsync(db => db.Payouts.Select(p => p.StripeTransferId!).SingleAsync());

        var reversed = world.Stripe.Event("transfer.reversed", world.Stripe.ReverseTransfer(transferId));
        await world.DeliverOkAsync(reversed);
        await world.DeliverOkAsync(world.Stripe.Event("transfer.reversed", world.Stripe.Get(transferId)));

        var payout = await world.DbAsync(db => db.Payouts.AsNoTracking().SingleAsync());
        Assert.Equal((PayoutStatus.Reversed, 600L), (payout.Status, payout.ReversedMinor));
        Assert.Equal(600, await world.AccountAsync(LedgerAccounts.WorkerEarnings(worker)));
        Assert.Equal(0, await world.AccountAsync(LedgerAccounts.WorkerPaid(worker)));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Admin_RefundsUnusedBalance_ToTheFundingPayment_AndIsRefusedBeyondTheBalance(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        await world.FundAsync(tenant, 5000);
        var admin = tenant.OwnerId;

        var refunded = await world.WithAsync(sp => sp.GetRequiredService<FundingService>().RefundAsync(new RefundInput(tenant.TenantId, 2000, admin)));
        var tooMuch = await world.WithAsync(sp => sp.GetRequiredService<FundingService>().RefundAsync(new RefundInput(tenant.TenantId, 3001, admin)));
        world.Stripe.FailNext("/v1/refunds");
        var networkFailure = await world.WithAsync(sp => sp.GetRequiredService<FundingService>().RefundAsync(new RefundInput(tenant.TenantId, 1000, admin)));
        await world.WithAsync(async sp =>
        {
            await sp.GetRequiredService<FundingService>().SendPendingRefundsAsync();
            return 0;
        });

        Assert.True(refunded.Succeeded);
        Assert.Equal(RefundStatus.Succeeded, refunded.Value!.Status);
        Assert.Equal("The balance is 30.00 USD; a refund can return at most that.", Assert.Single(tooMuch.Errors["Amount"]));
        Assert.True(networkFailure.Succeeded);
        Assert.Equal(RefundStatus.Pending, networkFailure.Value!.Status);
        Assert.Equal(2, world.Stripe.Refunds.Count);
        var paymentIntent = await world.DbAsync(db => db.StripeFundings.Select(f => f.PaymentIntentId).SingleAsync());
        Assert.All(world.Stripe.Refunds, r => Assert.Equal(paymentIntent, r["payment_intent"]!.GetValue<string>()));
        Assert.All(await world.DbAsync(db => db.StripeRefunds.ToListAsync()), r => Assert.Equal(RefundStatus.Succeeded, r.Status));
        Assert.Equal(new Money(2000, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        Assert.Equal(-2000, await world.AccountAsync(LedgerAccounts.StripeClearing));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    private sealed class ProcessCrashed() : Exception("The process died here.");
}

using System.Net;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using Payout = CrowdLabel.Core.Domain.Payout;

namespace CrowdLabel.Core.Payments;

/// <summary>What one payout run did: payouts created, sent, left pending for the next run, and failed (refused by Stripe).</summary>
public sealed record PayoutRunReport(int Created, int Sent, int StillPending, int Failed = 0);

/// <summary>One payout, for listings.</summary>
public sealed record PayoutRow(Guid Id, Guid WorkerId, string WorkerName, Money Amount, PayoutStatus Status, string? StripeTransferId, string? LastError,
    DateTime CreatedAt, DateTime? SentAt);

/// <summary>
/// A place in the payout run where a test can stop the process, as a crash would: set by tests only, empty otherwise.
/// </summary>
public sealed class PayoutCrashPoints
{
    /// <summary>Called after Stripe has created a payout's transfer and before the database records it.</summary>
    public Func<Guid, Task>? AfterTransferCreated { get; set; }
}

/// <summary>
/// Pays approved earnings out to workers' connected accounts. Step one, per worker under the worker's payout lock: a
/// pending Payout row and its ledger movement (earnings to paid) commit together. Step two, per pending payout: one
/// Stripe Transfer whose idempotency key and transfer group are derived from the payout's id, then the payout is marked
/// sent. A run that dies between the two, or a failed call, leaves the payout pending; the next run sends it again
/// with the same key (and first looks the transfer up by its group, since Stripe forgets keys after 24 hours). A
/// transfer Stripe refuses for good (the destination cannot take it) fails the payout instead: its amount goes back to
/// the worker's earnings and payouts to that account stop until Stripe reports it ready again (account.updated).
/// </summary>
public sealed class PayoutService(
    ICrowdLabelDb db, LedgerService ledger, StripeGateway stripe, IOptions<StripeOptions> options, PayoutCrashPoints crashPoints, TimeProvider clock)
{
    /// <summary>The payout run: creates the payouts now due, then sends every pending one.</summary>
    public async Task<PayoutRunReport> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!stripe.IsConfigured)
        {
            return new PayoutRunReport(0, 0, 0);
        }

        var workers = await db.WorkerStripeAccounts.AsNoTracking()
            .Where(a => a.PayoutsEnabled && a.StripeAccountId != null)
            .OrderBy(a => a.WorkerId)
            .Select(a => a.WorkerId)
            .ToListAsync(cancellationToken);
        var created = 0;
        foreach (var workerId in workers)
        {
            created += await CreatePayoutsAsync(workerId, cancellationToken);
            // Committed: tracking every worker's payout and ledger entries would make each later save look through
            // all of them (what made approving a batch slow down with its size; docs/benchmarks.md).
            db.ChangeTracker.Clear();
        }

        var pending = await db.Payouts.AsNoTracking().Where(p => p.Status == PayoutStatus.Pending)
            .OrderBy(p => p.CreatedAt).Select(p => p.Id).ToListAsync(cancellationToken);
        var outcomes = new List<PayoutStatus>(pending.Count);
        foreach (var payoutId in pending)
        {
            outcomes.Add(await SendAsync(payoutId, cancellationToken));
        }

        return new PayoutRunReport(created, outcomes.Count(o => o == PayoutStatus.Sent), outcomes.Count(o => o == PayoutStatus.Pending),
            outcomes.Count(o => o == PayoutStatus.Failed));
    }

    /// <summary>The newest payouts, of one worker or of all.</summary>
    public async Task<IReadOnlyList<PayoutRow>> ListAsync(Guid? workerId, int take, CancellationToken cancellationToken = default)
    {
        var rows = await (
                from payout in db.Payouts.AsNoTracking()
                join user in db.Users.AsNoTracking() on payout.WorkerId equals user.Id
                where workerId == null || payout.WorkerId == workerId
                orderby payout.CreatedAt descending
                select new { payout, user.DisplayName })
            .Take(take)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new PayoutRow(r.payout.Id, r.payout.WorkerId, r.DisplayName, new Money(r.payout.AmountMinor, r.payout.Currency), r.payout.Status,
            r.payout.StripeTransferId, r.payout.LastError, r.payout.CreatedAt, r.payout.SentAt)).ToList();
    }

    /// <summary>
    /// Under the worker's payout lock (a conditional update of the account row, held to commit on PostgreSQL and behind
    /// SQLite's single writer), turns each currency's earnings at or above the minimum into one pending payout.
    /// </summary>
    private async Task<int> CreatePayoutsAsync(Guid workerId, CancellationToken cancellationToken)
    {
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        var locked = await db.WorkerStripeAccounts
            .Where(a => a.WorkerId == workerId && a.PayoutsEnabled && a.StripeAccountId != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.PayoutSequence, a => a.PayoutSequence + 1), cancellationToken);
        if (locked == 0)
        {
            return 0;
        }

        var account = await db.WorkerStripeAccounts.AsNoTracking().SingleAsync(a => a.WorkerId == workerId, cancellationToken);
        var earningsAccount = LedgerAccounts.WorkerEarnings(workerId);
        // Read after the lock: a run that waited for it sees the earnings the other run has just paid out.
        var due = await db.Postings.Where(p => p.Account == earningsAccount)
            .GroupBy(p => p.Currency)
            .Select(g => new { Currency = g.Key, Sum = g.Sum(p => p.AmountMinor) })
            .ToListAsync(cancellationToken);
        var minimum = Math.Max(1, options.Value.MinimumPayoutMinor);
        var now = clock.GetUtcNow().UtcDateTime;
        var created = 0;
        foreach (var earnings in due.Where(d => d.Sum >= minimum).OrderBy(d => d.Currency, StringComparer.Ordinal))
        {
            var payout = new Payout
            {
                Id = Guid.CreateVersion7(), WorkerId = workerId, AmountMinor = earnings.Sum, Currency = earnings.Currency,
                StripeAccountId = account.StripeAccountId!, CreatedAt = now,
            };
            db.Payouts.Add(payout);
            ledger.Post(new Movement(LedgerKinds.Payout, $"Payout {payout.Id} to Stripe account {payout.StripeAccountId}", payout.Currency, null, null, null, $"payout:{payout.Id}"),
                (earningsAccount, -payout.AmountMinor), (LedgerAccounts.WorkerPaid(workerId), payout.AmountMinor));
            created++;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// Sends one pending payout as a Stripe Transfer; returns Sent when this call marked it sent, Failed when Stripe
    /// refused it for good, and Pending otherwise (not sent this time, or already settled by another run).
    /// </summary>
    private async Task<PayoutStatus> SendAsync(Guid payoutId, CancellationToken cancellationToken)
    {
        var payout = await db.Payouts.AsNoTracking().SingleAsync(p => p.Id == payoutId, cancellationToken);
        if (payout.Status != PayoutStatus.Pending)
        {
            return PayoutStatus.Pending;
        }

        var key = Payout.StripeKey(payout.Id);
        var transfers = new TransferService(stripe.Client);
        // Counted before the call: a payout tried before may have a transfer already, whatever its key's age.
        await db.Payouts.Where(p => p.Id == payoutId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Attempts, p => p.Attempts + 1), cancellationToken);
        try
        {
            Transfer? transfer = null;
            if (payout.Attempts > 0)
            {
                var earlier = await transfers.ListAsync(new TransferListOptions { TransferGroup = key, Limit = 1 }, cancellationToken: cancellationToken);
                transfer = earlier.Data.FirstOrDefault();
            }

            transfer ??= await transfers.CreateAsync(
                new TransferCreateOptions
                {
                    Amount = payout.AmountMinor,
                    Currency = payout.Currency.ToLowerInvariant(),
                    Destination = payout.StripeAccountId,
                    TransferGroup = key,
                    Description = $"CrowdLabel payout {payout.Id}",
                    Metadata = new Dictionary<string, string> { [PaymentMetadata.PayoutId] = payout.Id.ToString(), [PaymentMetadata.WorkerId] = payout.WorkerId.ToString() },
                },
                new RequestOptions { IdempotencyKey = key }, cancellationToken);
            if (crashPoints.AfterTransferCreated is { } crash)
            {
                await crash(payout.Id);
            }

            var marked = await db.Payouts.Where(p => p.Id == payoutId && p.Status == PayoutStatus.Pending).ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Status, PayoutStatus.Sent)
                .SetProperty(p => p.StripeTransferId, transfer.Id)
                .SetProperty(p => p.SentAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(p => p.LastError, (string?)null), cancellationToken);
            return marked == 1 ? PayoutStatus.Sent : PayoutStatus.Pending;
        }
        catch (StripeException e) when (RefusedForGood(e))
        {
            return await FailAsync(payout, e.StripeError?.Message ?? e.Message, cancellationToken) ? PayoutStatus.Failed : PayoutStatus.Pending;
        }
        catch (Exception e) when (e is StripeException or HttpRequestException)
        {
            var reason = StripeWebhookService.Truncate($"Stripe did not confirm the transfer ({e.Message}); retried by the next run with the same key.");
            await db.Payouts.Where(p => p.Id == payoutId).ExecuteUpdateAsync(s => s.SetProperty(p => p.LastError, reason), cancellationToken);
            return PayoutStatus.Pending;
        }
    }

    /// <summary>
    /// Stripe looked at the transfer and refused it (a request error about it, such as a destination that cannot
    /// receive transfers), so sending it again cannot succeed. Not so: a short platform balance (the operator tops it
    /// up), an idempotency conflict, a bad API key, rate limits, Stripe's own errors and the network, which all stay
    /// pending and are retried.
    /// </summary>
    public static bool RefusedForGood(StripeException e) =>
        e.HttpStatusCode is HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired or HttpStatusCode.Forbidden or HttpStatusCode.NotFound &&
        e.StripeError?.Type is "invalid_request_error" or "card_error" &&
        e.StripeError.Code is not ("balance_insufficient" or "insufficient_funds");

    /// <summary>
    /// Fails a pending payout Stripe refused, in one transaction: the payout is marked failed with Stripe's reason (the
    /// worker and the admin see it), its amount moves from paid back to the worker's earnings, and the account stops
    /// taking payouts until an account.updated event says it can (else every run would make and fail a new payout).
    /// </summary>
    private async Task<bool> FailAsync(Payout payout, string stripeMessage, CancellationToken cancellationToken)
    {
        var asOf = StripeGateway.AsOfEventSecond(clock.GetUtcNow().UtcDateTime);
        var reason = StripeWebhookService.Truncate(
            $"Stripe refused the transfer: {stripeMessage} The amount is back in your earnings; payouts resume once Stripe reports your account ready.");
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        var failed = await db.Payouts.Where(p => p.Id == payout.Id && p.Status == PayoutStatus.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.Status, PayoutStatus.Failed)
            .SetProperty(p => p.LastError, reason), cancellationToken);
        if (failed == 1)
        {
            ledger.Post(
                new Movement(LedgerKinds.PayoutFailure, $"Stripe refused payout {payout.Id} to {payout.StripeAccountId}", payout.Currency, null, null, null,
                    $"payout-failure:{payout.Id}"),
                (LedgerAccounts.WorkerPaid(payout.WorkerId), -payout.AmountMinor), (LedgerAccounts.WorkerEarnings(payout.WorkerId), payout.AmountMinor));
            await db.WorkerStripeAccounts.Where(a => a.WorkerId == payout.WorkerId && a.StripeAccountId == payout.StripeAccountId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.PayoutsEnabled, false).SetProperty(a => a.StatusAsOf, asOf), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return failed == 1;
    }
}

using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace CrowdLabel.Core.Payments;

/// <summary>A worker's money: earnings not paid out, work waiting for approval, paid out, and the Stripe account's state.</summary>
public sealed record WorkerEarnings(
    IReadOnlyList<Money> Balance, IReadOnlyList<PendingApprovals> Pending, IReadOnlyList<Money> PaidOut, string? StripeAccountId, bool PayoutsEnabled);

/// <summary>Answers submitted and not yet approved, and what they pay once approved, in one currency.</summary>
public sealed record PendingApprovals(int Assignments, Money Value);

/// <summary>Stripe Connect Express onboarding of workers, and what the earnings page shows.</summary>
public sealed class WorkerPaymentsService(ICrowdLabelDb db, StripeGateway stripe, TimeProvider clock)
{
    /// <summary>
    /// Creates the worker's Express account (once: the idempotency key is the worker's, and the id is kept) and an
    /// Account Link for its onboarding; returns the link's URL.
    /// </summary>
    public async Task<Result<string>> StartOnboardingAsync(Guid workerId, string returnUrl, string refreshUrl, CancellationToken cancellationToken = default)
    {
        if (!stripe.IsConfigured)
        {
            return Result<string>.Invalid("", StripeGateway.NotConfiguredMessage);
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == workerId, cancellationToken);
        if (user is null)
        {
            return Result<string>.NotFound();
        }

        var row = await db.WorkerStripeAccounts.FirstOrDefaultAsync(a => a.WorkerId == workerId, cancellationToken);
        if (row?.StripeAccountId is null)
        {
            var account = await new AccountService(stripe.Client).CreateAsync(
                new AccountCreateOptions
                {
                    Type = "express",
                    Email = user.Email,
                    Capabilities = new AccountCapabilitiesOptions { Transfers = new AccountCapabilitiesTransfersOptions { Requested = true } },
                    Metadata = new Dictionary<string, string> { [PaymentMetadata.WorkerId] = workerId.ToString() },
                },
                new RequestOptions { IdempotencyKey = $"account-{workerId:N}" }, cancellationToken);
            if (row is null)
            {
                row = new WorkerStripeAccount { WorkerId = workerId, CreatedAt = clock.GetUtcNow().UtcDateTime };
                db.WorkerStripeAccounts.Add(row);
            }

            row.StripeAccountId = account.Id;
            row.PayoutsEnabled = account.PayoutsEnabled;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (db.WorkerStripeAccounts.Entry(row).State == EntityState.Added)
            {
                // A second click that raced this one stored the row first. Stripe gave both the same account (the
                // idempotency key is the worker's), so the stored row is this one: carry on with it.
                db.WorkerStripeAccounts.Entry(row).State = EntityState.Detached;
                row = await db.WorkerStripeAccounts.AsNoTracking().SingleAsync(a => a.WorkerId == workerId, cancellationToken);
            }
        }

        var link = await new AccountLinkService(stripe.Client).CreateAsync(new AccountLinkCreateOptions
        {
            Account = row.StripeAccountId,
            Type = "account_onboarding",
            ReturnUrl = returnUrl,
            RefreshUrl = refreshUrl,
        }, cancellationToken: cancellationToken);
        return Result<string>.Success(link.Url);
    }

    /// <summary>Reads the account back from Stripe (the return page), so the worker sees the state at once, before account.updated arrives.</summary>
    public async Task RefreshAccountAsync(Guid workerId, CancellationToken cancellationToken = default)
    {
        var row = await db.WorkerStripeAccounts.FirstOrDefaultAsync(a => a.WorkerId == workerId, cancellationToken);
        if (!stripe.IsConfigured || row?.StripeAccountId is null)
        {
            return;
        }

        var account = await new AccountService(stripe.Client).GetAsync(row.StripeAccountId, cancellationToken: cancellationToken);
        var now = StripeGateway.AsOfEventSecond(clock.GetUtcNow().UtcDateTime);
        row.PayoutsEnabled = account.PayoutsEnabled;
        row.StatusAsOf = row.StatusAsOf is { } asOf && asOf > now ? asOf : now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Earnings, pending approvals across every tenant the worker answered for, and totals paid out.</summary>
    public async Task<WorkerEarnings> GetEarningsAsync(Guid workerId, CancellationToken cancellationToken = default)
    {
        var earnings = Domain.LedgerAccounts.WorkerEarnings(workerId);
        var paid = Domain.LedgerAccounts.WorkerPaid(workerId);
        var sums = await db.Postings.Where(p => p.Account == earnings || p.Account == paid)
            .GroupBy(p => new { p.Account, p.Currency })
            .Select(g => new { g.Key.Account, g.Key.Currency, Sum = g.Sum(p => p.AmountMinor) })
            .ToListAsync(cancellationToken);
        // Workers are not inside a tenant: their answers are read across tenants, for this worker only.
        var batches = db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var pending = await (
                from assignment in db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly)
                join batch in batches on assignment.BatchId equals batch.Id
                where assignment.WorkerId == workerId && assignment.Status == AssignmentStatus.Submitted
                group batch.PricePerAssignmentMinor by batch.Currency into g
                select new { Currency = g.Key, Count = g.Count(), Value = g.Sum() })
            .ToListAsync(cancellationToken);
        var account = await db.WorkerStripeAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.WorkerId == workerId, cancellationToken);
        return new WorkerEarnings(
            sums.Where(s => s.Account == earnings).OrderBy(s => s.Currency, StringComparer.Ordinal).Select(s => new Money(s.Sum, s.Currency)).ToList(),
            pending.OrderBy(p => p.Currency, StringComparer.Ordinal).Select(p => new PendingApprovals(p.Count, new Money(p.Value, p.Currency))).ToList(),
            sums.Where(s => s.Account == paid).OrderBy(s => s.Currency, StringComparer.Ordinal).Select(s => new Money(s.Sum, s.Currency)).ToList(),
            account?.StripeAccountId, account?.PayoutsEnabled ?? false);
    }
}

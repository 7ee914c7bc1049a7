using System.Net;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace CrowdLabel.Core.Payments;

/// <summary>A top-up the requester asked for: the organization, the amount in minor units, and where Checkout sends them back.</summary>
public sealed record CheckoutInput(Guid TenantId, long AmountMinor, string SuccessUrl, string CancelUrl, Guid UserId);

/// <summary>A refund an admin asked for: the organization and the amount in minor units.</summary>
public sealed record RefundInput(Guid TenantId, long AmountMinor, Guid AdminUserId);

/// <summary>One top-up, for listings.</summary>
public sealed record FundingRow(string SessionId, Guid TenantId, string TenantName, Money Amount, Money Refunded, FundingStatus Status, DateTime CreatedAt);

/// <summary>One refund, for listings.</summary>
public sealed record RefundRow(Guid Id, string TenantName, Money Amount, RefundStatus Status, string? StripeRefundId, string? LastError, DateTime CreatedAt);

/// <summary>
/// Requester funding through Stripe Checkout (the balance is credited by the checkout.session.completed webhook, never
/// by the return page) and admin refunds of unused balance against the funding payment.
/// </summary>
public sealed class FundingService(ICrowdLabelDb db, LedgerService ledger, StripeGateway stripe, IOptions<StripeOptions> options, TimeProvider clock)
{
    /// <summary>Creates a payment-mode Checkout Session for the amount and returns the URL to send the requester to.</summary>
    public async Task<Result<string>> StartCheckoutAsync(CheckoutInput input, CancellationToken cancellationToken = default)
    {
        if (!stripe.IsConfigured)
        {
            return Result<string>.Invalid("", StripeGateway.NotConfiguredMessage);
        }

        var settings = options.Value;
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == input.TenantId, cancellationToken);
        if (tenant is null)
        {
            return Result<string>.NotFound();
        }

        if (!string.Equals(tenant.Currency, settings.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return Result<string>.Invalid("", $"Stripe funding is in {settings.Currency.ToUpperInvariant()}; this organization pays in {tenant.Currency}. Ask an admin to credit the balance by hand.");
        }

        if (input.AmountMinor < settings.MinFundingMinor || input.AmountMinor > settings.MaxFundingMinor)
        {
            return Result<string>.Invalid("Amount",
                $"Enter an amount from {Money.Format(settings.MinFundingMinor, tenant.Currency)} to {Money.Format(settings.MaxFundingMinor, tenant.Currency)}.");
        }

        var session = await new SessionService(stripe.Client).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            ClientReferenceId = tenant.Id.ToString(),
            Metadata = new Dictionary<string, string> { [PaymentMetadata.TenantId] = tenant.Id.ToString() },
            PaymentIntentData = new SessionPaymentIntentDataOptions
            {
                Metadata = new Dictionary<string, string> { [PaymentMetadata.TenantId] = tenant.Id.ToString() },
            },
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = tenant.Currency.ToLowerInvariant(),
                        UnitAmount = input.AmountMinor,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = $"CrowdLabel balance for {tenant.Name}" },
                    },
                },
            ],
            SuccessUrl = input.SuccessUrl,
            CancelUrl = input.CancelUrl,
        }, cancellationToken: cancellationToken);

        // The webhook may have come first and recorded the session from the event: then it is left as it is.
        if (!await db.StripeFundings.AnyAsync(f => f.SessionId == session.Id, cancellationToken))
        {
            db.StripeFundings.Add(new StripeFunding
            {
                SessionId = session.Id, TenantId = tenant.Id, AmountMinor = input.AmountMinor, Currency = tenant.Currency,
                CreatedByUserId = input.UserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        return Result<string>.Success(session.Url);
    }

    /// <summary>
    /// Refunds unused balance: the ledger movement (balance to clearing) and a pending refund row commit first, under the
    /// tenant's ledger lock; then Stripe is asked, with a key derived from the refund's id. Refused if the balance is short.
    /// </summary>
    public async Task<Result<StripeRefund>> RefundAsync(RefundInput input, CancellationToken cancellationToken = default)
    {
        if (!stripe.IsConfigured)
        {
            return Result<StripeRefund>.Invalid("", StripeGateway.NotConfiguredMessage);
        }

        if (input.AmountMinor <= 0)
        {
            return Result<StripeRefund>.Invalid("Amount", "Enter an amount greater than zero.");
        }

        var currency = await db.Tenants.Where(t => t.Id == input.TenantId).Select(t => t.Currency).FirstOrDefaultAsync(cancellationToken);
        if (currency is null)
        {
            return Result<StripeRefund>.Invalid("TenantId", "Choose the organization to refund.");
        }

        var recorded = await ledger.InTenantLockAsync(input.TenantId, async () =>
        {
            var balance = await ledger.BalanceAsync(LedgerAccounts.TenantBalance(input.TenantId), currency, cancellationToken);
            if (balance < input.AmountMinor)
            {
                return Result<StripeRefund>.Invalid("Amount",
                    $"The balance is {Money.Format(balance, currency)}; a refund can return at most that.");
            }

            var funding = await db.StripeFundings
                .Where(f => f.TenantId == input.TenantId && f.Status == FundingStatus.Paid && f.PaymentIntentId != null)
                .OrderByDescending(f => f.AmountMinor - f.RefundedMinor).ThenByDescending(f => f.CompletedAt)
                .FirstOrDefaultAsync(cancellationToken);
            var refundable = funding is null ? 0 : funding.AmountMinor - funding.RefundedMinor;
            if (funding is null || refundable < input.AmountMinor)
            {
                return Result<StripeRefund>.Invalid("Amount",
                    $"A refund goes back to one Stripe payment; the most any payment of this organization has left to refund is {Money.Format(refundable, currency)}.");
            }

            funding.RefundedMinor += input.AmountMinor;
            var refund = new StripeRefund
            {
                Id = Guid.CreateVersion7(), TenantId = input.TenantId, FundingSessionId = funding.SessionId, AmountMinor = input.AmountMinor,
                Currency = currency, CreatedByUserId = input.AdminUserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.StripeRefunds.Add(refund);
            ledger.Post(new Movement(LedgerKinds.Refund, $"Refund of unused balance to Stripe payment {funding.PaymentIntentId}", currency,
                    input.TenantId, null, input.AdminUserId, $"refund:{refund.Id}"),
                (LedgerAccounts.TenantBalance(input.TenantId), -input.AmountMinor), (LedgerAccounts.StripeClearing, input.AmountMinor));
            return Result<StripeRefund>.Success(refund);
        }, cancellationToken);
        if (!recorded.Succeeded)
        {
            return recorded;
        }

        await SendRefundAsync(recorded.Value!.Id, cancellationToken);
        var refund = await db.StripeRefunds.AsNoTracking().SingleAsync(r => r.Id == recorded.Value.Id, cancellationToken);
        return refund.Status == RefundStatus.Failed
            ? Result<StripeRefund>.Invalid("", $"Stripe refused the refund: {refund.LastError} The balance is as it was.")
            : Result<StripeRefund>.Success(refund);
    }

    /// <summary>Sends the refunds still pending (after a network failure), with their original idempotency keys.</summary>
    public async Task SendPendingRefundsAsync(CancellationToken cancellationToken = default)
    {
        if (!stripe.IsConfigured)
        {
            return;
        }

        var pending = await db.StripeRefunds.AsNoTracking().Where(r => r.Status == RefundStatus.Pending).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in pending)
        {
            await SendRefundAsync(id, cancellationToken);
        }
    }

    /// <summary>The newest top-ups, of one organization or of all.</summary>
    public async Task<IReadOnlyList<FundingRow>> ListFundingsAsync(Guid? tenantId, int take, CancellationToken cancellationToken = default)
    {
        var rows = await (
                from funding in db.StripeFundings.AsNoTracking()
                join tenant in db.Tenants.AsNoTracking() on funding.TenantId equals tenant.Id
                where tenantId == null || funding.TenantId == tenantId
                orderby funding.CreatedAt descending
                select new { funding, tenant.Name })
            .Take(take)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new FundingRow(r.funding.SessionId, r.funding.TenantId, r.Name, new Money(r.funding.AmountMinor, r.funding.Currency),
            new Money(r.funding.RefundedMinor, r.funding.Currency), r.funding.Status, r.funding.CreatedAt)).ToList();
    }

    /// <summary>The newest refunds of every organization.</summary>
    public async Task<IReadOnlyList<RefundRow>> ListRefundsAsync(int take, CancellationToken cancellationToken = default)
    {
        var rows = await (
                from refund in db.StripeRefunds.AsNoTracking()
                join tenant in db.Tenants.AsNoTracking() on refund.TenantId equals tenant.Id
                orderby refund.CreatedAt descending
                select new { refund, tenant.Name })
            .Take(take)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new RefundRow(r.refund.Id, r.Name, new Money(r.refund.AmountMinor, r.refund.Currency), r.refund.Status,
            r.refund.StripeRefundId, r.refund.LastError, r.refund.CreatedAt)).ToList();
    }

    private async Task SendRefundAsync(Guid refundId, CancellationToken cancellationToken)
    {
        var refund = await db.StripeRefunds.AsNoTracking().SingleAsync(r => r.Id == refundId, cancellationToken);
        var paymentIntent = await db.StripeFundings.Where(f => f.SessionId == refund.FundingSessionId).Select(f => f.PaymentIntentId).SingleAsync(cancellationToken);
        try
        {
            var sent = await new Stripe.RefundService(stripe.Client).CreateAsync(
                new RefundCreateOptions
                {
                    PaymentIntent = paymentIntent,
                    Amount = refund.AmountMinor,
                    Metadata = new Dictionary<string, string> { [PaymentMetadata.RefundId] = refund.Id.ToString(), [PaymentMetadata.TenantId] = refund.TenantId.ToString() },
                },
                new RequestOptions { IdempotencyKey = StripeRefund.StripeKey(refund.Id) }, cancellationToken);
            await db.StripeRefunds.Where(r => r.Id == refundId && r.Status == RefundStatus.Pending).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RefundStatus.Succeeded).SetProperty(r => r.StripeRefundId, sent.Id).SetProperty(r => r.LastError, (string?)null), cancellationToken);
        }
        catch (StripeException e) when (e.HttpStatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError
                                        && e.HttpStatusCode != HttpStatusCode.TooManyRequests && e.HttpStatusCode != HttpStatusCode.Conflict)
        {
            await FailRefundAsync(refund, StripeWebhookService.Truncate(e.Message), cancellationToken);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException)
        {
            // Stripe may or may not have the refund: it stays pending and is sent again with the same key.
            var reason = StripeWebhookService.Truncate($"Not confirmed by Stripe yet ({e.Message}); retried with the same key.");
            await db.StripeRefunds.Where(r => r.Id == refundId).ExecuteUpdateAsync(s => s.SetProperty(r => r.LastError, reason), cancellationToken);
        }
    }

    /// <summary>Stripe refused for good: the money goes back on the balance, in one transaction with the refund's status.</summary>
    private async Task FailRefundAsync(StripeRefund refund, string reason, CancellationToken cancellationToken)
    {
        await ledger.InTenantLockAsync(refund.TenantId, async () =>
        {
            var row = await db.StripeRefunds.SingleAsync(r => r.Id == refund.Id, cancellationToken);
            if (row.Status != RefundStatus.Pending)
            {
                return Result<bool>.Success(false);
            }

            row.Status = RefundStatus.Failed;
            row.LastError = reason;
            var funding = await db.StripeFundings.SingleAsync(f => f.SessionId == row.FundingSessionId, cancellationToken);
            funding.RefundedMinor -= row.AmountMinor;
            ledger.Post(new Movement(LedgerKinds.Refund, "Refund refused by Stripe; the amount is back on the balance", row.Currency, row.TenantId, null, null,
                    $"refund-failed:{row.Id}"),
                (LedgerAccounts.StripeClearing, -row.AmountMinor), (LedgerAccounts.TenantBalance(row.TenantId), row.AmountMinor));
            return Result<bool>.Success(true);
        }, cancellationToken);
    }
}

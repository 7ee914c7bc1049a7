using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace CrowdLabel.Core.Payments;

/// <summary>What the webhook endpoint answers.</summary>
public enum WebhookReceiptKind
{
    /// <summary>Stored now (and processed, or waiting for a retry).</summary>
    Stored,

    /// <summary>Stored before: Stripe delivered it again.</summary>
    Duplicate,

    /// <summary>Bad signature or payload: nothing stored.</summary>
    Rejected,

    /// <summary>No webhook secret is configured.</summary>
    NotConfigured,
}

/// <summary>The outcome of one delivery, with the reason when rejected.</summary>
public sealed record WebhookReceipt(WebhookReceiptKind Kind, string? EventId, string? Problem = null);

/// <summary>
/// Receives Stripe webhooks: verifies the signature, stores each event once by Stripe's id, and processes it once.
/// Processing takes the stored row with a conditional update (pending only) and sets it processed in the same database
/// transaction as the ledger effect, whose idempotency key is derived from the Stripe object, so neither a repeated
/// delivery nor two processors at once can apply an event twice. An event that cannot be processed yet (an account not
/// recorded yet) stays pending with its reason and is retried by <see cref="StripeEventRetryJob"/>.
/// </summary>
public sealed partial class StripeWebhookService(
    ICrowdLabelDb db, IServiceScopeFactory scopes, IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripeWebhookService> logger)
{
    /// <summary>Verifies, stores and processes one delivery.</summary>
    public async Task<WebhookReceipt> ReceiveAsync(string payload, string? signatureHeader, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.WebhookSecret))
        {
            return new WebhookReceipt(WebhookReceiptKind.NotConfigured, null, "Stripe webhooks are not configured: set Stripe:WebhookSecret.");
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return new WebhookReceipt(WebhookReceiptKind.Rejected, null, "The Stripe-Signature header is missing.");
        }

        Event? stripeEvent = null;
        string? problem = null;
        // Stripe signs a Connect endpoint's deliveries with that endpoint's own secret: each configured secret is tried.
        foreach (var secret in settings.WebhookSecret.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                stripeEvent = EventUtility.ConstructEvent(payload, signatureHeader, secret, settings.WebhookToleranceSeconds,
                    clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
                break;
            }
            catch (Exception e) when (e is StripeException or Newtonsoft.Json.JsonException or System.Text.Json.JsonException or ArgumentException)
            {
                problem ??= $"The event was refused: {e.Message}";
            }
        }

        if (stripeEvent is null)
        {
            return new WebhookReceipt(WebhookReceiptKind.Rejected, null, problem);
        }

        if (string.IsNullOrWhiteSpace(stripeEvent.Id) || string.IsNullOrWhiteSpace(stripeEvent.Type))
        {
            return new WebhookReceipt(WebhookReceiptKind.Rejected, null, "The event has no id or no type.");
        }

        if (!await StoreAsync(stripeEvent, payload, cancellationToken))
        {
            return new WebhookReceipt(WebhookReceiptKind.Duplicate, stripeEvent.Id);
        }

        await ProcessAsync(stripeEvent.Id, cancellationToken);
        return new WebhookReceipt(WebhookReceiptKind.Stored, stripeEvent.Id);
    }

    /// <summary>Processes every stored event still pending, oldest first (the retry job).</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var pending = await db.StripeEvents.AsNoTracking()
            .Where(e => e.Status == StripeEventStatus.Pending)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .Select(e => e.Id)
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var id in pending)
        {
            await ProcessAsync(id, cancellationToken);
        }

        return pending.Count;
    }

    /// <summary>
    /// An admin sends back a stored event that was given up on or ignored, once what it waited for is there (say, a
    /// worker's account recorded by hand): it gets a fresh round of attempts and is processed now. An event already
    /// processed is refused: its effect is in the ledger, and processing is what must happen once.
    /// </summary>
    public async Task<Result<StripeEvent>> ProcessAgainAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var stored = await db.StripeEvents.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (stored is null)
        {
            return Result<StripeEvent>.NotFound();
        }

        var sentBack = Truncate($"Sent back for processing by an admin at {clock.GetUtcNow():u}.");
        var reset = await db.StripeEvents.Where(e => e.Id == eventId && e.Status != StripeEventStatus.Processed)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, StripeEventStatus.Pending).SetProperty(e => e.Attempts, 0)
                .SetProperty(e => e.ProcessedAt, (DateTime?)null).SetProperty(e => e.LastError, sentBack), cancellationToken);
        if (reset == 0)
        {
            return Result<StripeEvent>.Invalid("event", $"Event {eventId} was processed already; processing it again would apply it twice.");
        }

        await ProcessAsync(eventId, cancellationToken);
        return Result<StripeEvent>.Success(await db.StripeEvents.AsNoTracking().SingleAsync(e => e.Id == eventId, cancellationToken));
    }

    /// <summary>Processes one stored event if it is still pending, in its own scope and database transaction.</summary>
    public async Task ProcessAsync(string eventId, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>().ProcessAsync(eventId, cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException or InvalidOperationException or StripeException)
        {
            // Nothing of the attempt was committed; the event stays pending and the retry job takes it again.
            LogProcessingFailed(logger, eventId, e);
            var reason = Truncate($"Processing failed and will be retried: {e.Message}");
            await db.StripeEvents.Where(x => x.Id == eventId && x.Status == StripeEventStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Attempts, x => x.Attempts + 1).SetProperty(x => x.LastError, reason), cancellationToken);
        }
    }

    /// <summary>Inserts the event; false when an event with its id is stored already.</summary>
    private async Task<bool> StoreAsync(Event stripeEvent, string payload, CancellationToken cancellationToken)
    {
        if (await db.StripeEvents.AnyAsync(e => e.Id == stripeEvent.Id, cancellationToken))
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var fresh = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        fresh.StripeEvents.Add(new StripeEvent
        {
            Id = stripeEvent.Id,
            Type = stripeEvent.Type,
            Payload = payload,
            CreatedAt = DateTime.SpecifyKind(stripeEvent.Created, DateTimeKind.Utc),
            ReceivedAt = clock.GetUtcNow().UtcDateTime,
        });
        try
        {
            await fresh.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Two deliveries of one event at once: the other one stored it (anything else is a real failure).
            if (await db.StripeEvents.AnyAsync(e => e.Id == stripeEvent.Id, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    internal static string Truncate(string text) => text.Length <= 1000 ? text : text[..997] + "...";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe event {EventId} could not be processed; it stays pending for a retry.")]
    private static partial void LogProcessingFailed(ILogger logger, string eventId, Exception exception);
}

/// <summary>
/// Applies one stored event, inside one database transaction. Scoped: each event gets a fresh context, so a failed
/// attempt leaves nothing tracked behind.
/// </summary>
public sealed class StripeEventProcessor(ICrowdLabelDb db, LedgerService ledger, IOptions<StripeOptions> options, TimeProvider clock)
{
    /// <summary>Applies the event unless it was processed already; its effect and its processed marker commit together.</summary>
    public async Task ProcessAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
        // Take the event: the conditional update locks the row until commit, and a second processor that waited for the
        // lock finds it no longer pending and stops.
        var taken = await db.StripeEvents.Where(e => e.Id == eventId && e.Status == StripeEventStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Attempts, e => e.Attempts + 1), cancellationToken);
        if (taken == 0)
        {
            return;
        }

        var stored = await db.StripeEvents.SingleAsync(e => e.Id == eventId, cancellationToken);
        var outcome = await ApplyAsync(EventUtility.ParseEvent(stored.Payload, throwOnApiVersionMismatch: false), stored, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        switch (outcome.Kind)
        {
            case OutcomeKind.Processed:
                stored.Status = StripeEventStatus.Processed;
                stored.ProcessedAt = now;
                stored.LastError = outcome.Reason;
                break;
            case OutcomeKind.Ignored:
                stored.Status = StripeEventStatus.Ignored;
                stored.ProcessedAt = now;
                stored.LastError = StripeWebhookService.Truncate(outcome.Reason!);
                break;
            case OutcomeKind.Retry when stored.Attempts >= options.Value.MaxEventAttempts:
                stored.Status = StripeEventStatus.Ignored;
                stored.ProcessedAt = now;
                stored.LastError = StripeWebhookService.Truncate($"{outcome.Reason} Given up after {stored.Attempts} attempt{(stored.Attempts == 1 ? "" : "s")}.");
                break;
            default:
                stored.LastError = StripeWebhookService.Truncate($"{outcome.Reason} Retried later.");
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private Task<Outcome> ApplyAsync(Event stripeEvent, StripeEvent stored, CancellationToken cancellationToken) =>
        (stripeEvent.Type, stripeEvent.Data?.Object) switch
        {
            ("checkout.session.completed" or "checkout.session.async_payment_succeeded", Session session) => FundAsync(session, cancellationToken),
            ("account.updated", Account account) => UpdateAccountAsync(account, stored, cancellationToken),
            ("transfer.reversed", Transfer transfer) => ReverseTransferAsync(transfer, stored, cancellationToken),
            var (type, _) => Task.FromResult(Outcome.Ignore($"CrowdLabel does not act on {type} events.")),
        };

    /// <summary>checkout.session.completed: the paid amount moves from clearing to the organization's balance, once per session.</summary>
    private async Task<Outcome> FundAsync(Session session, CancellationToken cancellationToken)
    {
        if (session.Mode != "payment")
        {
            return Outcome.Ignore($"Checkout Session {session.Id} is in {session.Mode} mode; only payment-mode sessions fund a balance.");
        }

        if (session.PaymentStatus != "paid")
        {
            return Outcome.Ignore($"Checkout Session {session.Id} is {session.PaymentStatus}; the balance is credited when its payment succeeds.");
        }

        var reference = session.ClientReferenceId ?? session.Metadata?.GetValueOrDefault(PaymentMetadata.TenantId);
        if (!Guid.TryParse(reference, out var tenantId))
        {
            return Outcome.Ignore($"Checkout Session {session.Id} names no organization (client_reference_id \"{reference}\").");
        }

        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return Outcome.Ignore($"Checkout Session {session.Id} names organization {tenantId}, which does not exist; refund the payment by hand.");
        }

        var currency = (session.Currency ?? "").ToUpperInvariant();
        var amount = session.AmountTotal ?? 0;
        if (currency != tenant.Currency || amount <= 0)
        {
            return Outcome.Ignore(
                $"Checkout Session {session.Id} paid {Money.Format(amount, currency)}, but {tenant.Name} pays in {tenant.Currency}; credit or refund it by hand.");
        }

        var funding = await db.StripeFundings.FirstOrDefaultAsync(f => f.SessionId == session.Id, cancellationToken);
        if (funding is null)
        {
            // The webhook overtook the page that created the session: the event itself says all that is needed.
            funding = new StripeFunding { SessionId = session.Id, TenantId = tenantId, AmountMinor = amount, Currency = currency, CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.StripeFundings.Add(funding);
        }
        else if (funding.Status == FundingStatus.Paid)
        {
            return Outcome.Done($"Checkout Session {session.Id} was credited already.");
        }

        funding.Status = FundingStatus.Paid;
        funding.AmountMinor = amount;
        funding.PaymentIntentId = session.PaymentIntentId;
        funding.CompletedAt = clock.GetUtcNow().UtcDateTime;
        ledger.Post(
            new Movement(LedgerKinds.StripeFunding, $"Stripe Checkout payment {session.PaymentIntentId ?? session.Id}", currency, tenantId, null, null, $"stripe-funding:{session.Id}"),
            (LedgerAccounts.StripeClearing, -amount), (LedgerAccounts.TenantBalance(tenantId), amount));
        return Outcome.Done();
    }

    /// <summary>account.updated: keeps payouts-enabled in step; an event older than the state already taken in changes nothing.</summary>
    private async Task<Outcome> UpdateAccountAsync(Account account, StripeEvent stored, CancellationToken cancellationToken)
    {
        var row = await db.WorkerStripeAccounts.FirstOrDefaultAsync(a => a.StripeAccountId == account.Id, cancellationToken);
        if (row is null)
        {
            return Outcome.Retry($"No worker has the Stripe account {account.Id} (yet).");
        }

        if (row.StatusAsOf is { } asOf && asOf > stored.CreatedAt)
        {
            return Outcome.Ignore($"The account {account.Id} was updated from a newer state ({asOf:u}) already.");
        }

        row.PayoutsEnabled = account.PayoutsEnabled;
        row.StatusAsOf = stored.CreatedAt;
        return Outcome.Done();
    }

    /// <summary>transfer.reversed: what Stripe took back from the connected account goes back from paid to the worker's earnings.</summary>
    private async Task<Outcome> ReverseTransferAsync(Transfer transfer, StripeEvent stored, CancellationToken cancellationToken)
    {
        var payout = await db.Payouts.FirstOrDefaultAsync(p => p.StripeTransferId == transfer.Id, cancellationToken);
        if (payout is null && Guid.TryParse(transfer.Metadata?.GetValueOrDefault(PaymentMetadata.PayoutId), out var payoutId))
        {
            // The reversal overtook the commit that records the transfer id.
            payout = await db.Payouts.FirstOrDefaultAsync(p => p.Id == payoutId, cancellationToken);
        }

        if (payout is null)
        {
            return Outcome.Retry($"No payout has the Stripe transfer {transfer.Id}.");
        }

        var reversed = Math.Min(transfer.AmountReversed, payout.AmountMinor);
        var more = reversed - payout.ReversedMinor;
        payout.StripeTransferId ??= transfer.Id;
        if (more <= 0)
        {
            return Outcome.Done($"Nothing more of transfer {transfer.Id} was reversed.");
        }

        ledger.Post(
            new Movement(LedgerKinds.PayoutReversal, $"Stripe reversed {Money.Format(more, payout.Currency)} of transfer {transfer.Id}", payout.Currency,
                null, null, null, $"stripe:{stored.Id}"),
            (LedgerAccounts.WorkerPaid(payout.WorkerId), -more), (LedgerAccounts.WorkerEarnings(payout.WorkerId), more));
        payout.ReversedMinor = reversed;
        if (reversed == payout.AmountMinor)
        {
            payout.Status = PayoutStatus.Reversed;
        }

        return Outcome.Done();
    }

    private enum OutcomeKind
    {
        Processed,
        Ignored,
        Retry,
    }

    private sealed record Outcome(OutcomeKind Kind, string? Reason)
    {
        public static Outcome Done(string? note = null) => new(OutcomeKind.Processed, note);

        public static Outcome Ignore(string reason) => new(OutcomeKind.Ignored, reason);

        public static Outcome Retry(string reason) => new(OutcomeKind.Retry, reason);
    }
}

/// <summary>Metadata keys CrowdLabel puts on Stripe objects, so events lead back to its rows.</summary>
public static class PaymentMetadata
{
    public const string TenantId = "tenant_id";
    public const string WorkerId = "worker_id";
    public const string PayoutId = "payout_id";
    public const string RefundId = "refund_id";
}

using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Admin.Payouts;

/// <summary>Payouts, Stripe top-ups and refunds, events that need a look, and the refund form.</summary>
public sealed class IndexModel(ICrowdLabelDb db, PayoutService payouts, FundingService funding, StripeGateway stripe, StripeWebhookService webhooks) : PageModel
{
    public const int Shown = 200;

    /// <summary>The refund form as typed: the amount stays text until it is read in the organization's currency.</summary>
    public sealed record RefundForm
    {
        public Guid TenantId { get; init; }

        public string Amount { get; init; } = "";
    }

    [BindProperty]
    public RefundForm Input { get; set; } = new();

    public bool Configured => stripe.IsConfigured;

    public IReadOnlyList<Tenant> Tenants { get; private set; } = [];

    public IReadOnlyList<PayoutRow> Payouts { get; private set; } = [];

    public IReadOnlyList<FundingRow> Fundings { get; private set; } = [];

    public IReadOnlyList<RefundRow> Refunds { get; private set; } = [];

    /// <summary>Stored events not processed, or ignored, with their reasons.</summary>
    public IReadOnlyList<StripeEvent> Unprocessed { get; private set; } = [];

    public string? Refunded { get; private set; }

    /// <summary>What became of an event an admin sent back for processing.</summary>
    public string? SentBack { get; private set; }

    public async Task OnGetAsync(string? refunded, string? sentBack, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        (Refunded, SentBack) = (refunded, sentBack);
    }

    /// <summary>Sends a given-up or ignored event back for processing, now.</summary>
    public async Task<IActionResult> OnPostProcessAgainAsync(string eventId, CancellationToken cancellationToken)
    {
        var result = await webhooks.ProcessAgainAsync(eventId, cancellationToken);
        if (result.IsNotFound)
        {
            return NotFound();
        }

        // Redirect after the post either way, so reloading the page does not send the event back again.
        var stored = result.Value;
        return RedirectToPage(new
        {
            sentBack = stored is null ? string.Join(" ", result.Errors.Values.SelectMany(m => m))
                : stored.Status == StripeEventStatus.Processed ? $"Event {stored.Id} ({stored.Type}) was processed."
                : $"Event {stored.Id} ({stored.Type}) is still not processed: {stored.LastError}",
        });
    }

    public async Task<IActionResult> OnPostRefundAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        var tenant = Tenants.FirstOrDefault(t => t.Id == Input.TenantId);
        if (tenant is null)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(RefundForm.TenantId)}", "Choose the organization to refund.");
            return Page();
        }

        if (!MoneyText.TryParse(Input.Amount, tenant.Currency, out var amountMinor, out var amountError))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(RefundForm.Amount)}", amountError);
            return Page();
        }

        var adminId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var result = await funding.RefundAsync(new RefundInput(tenant.Id, amountMinor, adminId), cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddErrors(result.Errors);
            return Page();
        }

        // Redirect after the post, so reloading the page cannot refund twice.
        return RedirectToPage(new { refunded = $"{new Money(amountMinor, tenant.Currency)} to {tenant.Name}" });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        Payouts = await payouts.ListAsync(null, Shown, cancellationToken);
        Fundings = await funding.ListFundingsAsync(null, Shown, cancellationToken);
        Refunds = await funding.ListRefundsAsync(Shown, cancellationToken);
        Unprocessed = await db.StripeEvents.AsNoTracking()
            .Where(e => e.Status != StripeEventStatus.Processed)
            .OrderByDescending(e => e.ReceivedAt)
            .Take(Shown)
            .ToListAsync(cancellationToken);
    }
}

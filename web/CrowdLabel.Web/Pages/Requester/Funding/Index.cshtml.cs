using System.Security.Claims;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Funding;

/// <summary>
/// Top up the organization's balance through Stripe Checkout; the webhook credits it once Stripe says it is paid. Money
/// is for the people who spend it, as on the ledger page.
/// </summary>
[ManagersOnly]
public sealed class IndexModel(FundingService funding, LedgerService ledger, StripeGateway stripe) : PageModel
{
    /// <summary>The amount as typed; it stays text until it is read exactly in the organization's currency.</summary>
    [BindProperty]
    public string Amount { get; set; } = "";

    public TenantMember Member { get; private set; } = null!;

    public Money Balance { get; private set; }

    public bool Configured => stripe.IsConfigured;

    public bool Cancelled { get; private set; }

    public IReadOnlyList<FundingRow> Fundings { get; private set; } = [];

    public async Task OnGetAsync(bool cancelled, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Cancelled = cancelled;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        ModelState.Clear();
        if (!MoneyText.TryParse(Amount, Member.Tenant.Currency, out var amountMinor, out var error))
        {
            ModelState.AddModelError(nameof(Amount), error);
            return Page();
        }

        var here = $"{Request.Scheme}://{Request.Host}/t/{Member.Tenant.Slug}/funding";
        var result = await funding.StartCheckoutAsync(new CheckoutInput(Member.Tenant.Id, amountMinor,
            // Stripe fills in {CHECKOUT_SESSION_ID} itself.
            $"{here}/success?session_id={{CHECKOUT_SESSION_ID}}", $"{here}?cancelled=true",
            Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!)), cancellationToken);
        if (!result.Succeeded)
        {
            ModelState.AddErrors(result.Errors, prefix: "");
            return Page();
        }

        return Redirect(result.Value!);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        Balance = await ledger.GetTenantBalanceAsync(Member.Tenant.Id, cancellationToken);
        Fundings = await funding.ListFundingsAsync(Member.Tenant.Id, 50, cancellationToken);
    }
}

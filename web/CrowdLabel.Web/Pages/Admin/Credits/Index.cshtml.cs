using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Pages.Admin.Credits;

public sealed class IndexModel(ICrowdLabelDb db, LedgerService ledger) : PageModel
{
    /// <summary>The form as typed: the amount stays text until it is read exactly in the chosen tenant's currency.</summary>
    public sealed record CreditForm
    {
        public Guid TenantId { get; init; }

        public string Amount { get; init; } = "";

        public string Reason { get; init; } = "";
    }

    [BindProperty]
    public CreditForm Input { get; set; } = new();

    public IReadOnlyList<Tenant> Tenants { get; private set; } = [];

    public IReadOnlyList<ManualCredit> Credits { get; private set; } = [];

    /// <summary>The credit just made, shown once after the redirect.</summary>
    public ManualCredit? Credited { get; private set; }

    public async Task OnGetAsync(Guid? credited, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Credited = Credits.FirstOrDefault(c => c.TransactionId == credited);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        ModelState.Clear();
        await LoadAsync(cancellationToken);
        var tenant = Tenants.FirstOrDefault(t => t.Id == Input.TenantId);
        if (tenant is null)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(CreditForm.TenantId)}", "Choose the organization to credit.");
            return Page();
        }

        if (!MoneyText.TryParse(Input.Amount, tenant.Currency, out var amountMinor, out var amountError))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(CreditForm.Amount)}", amountError);
            return Page();
        }

        var adminId = Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
        var result = await ledger.CreditTenantAsync(
            new CreditInput { TenantId = tenant.Id, AmountMinor = amountMinor, Reason = Input.Reason }, adminId, cancellationToken);
        if (!result.Succeeded)
        {
            // The service speaks of minor units; the form's field is the amount as typed.
            ModelState.AddErrors(result.Errors.ToDictionary(
                e => e.Key == nameof(CreditInput.AmountMinor) ? nameof(CreditForm.Amount) : e.Key, e => e.Value, StringComparer.Ordinal));
            return Page();
        }

        // Redirect after the post, so reloading the page cannot credit twice.
        return RedirectToPage(new { credited = result.Value!.Id });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        Credits = await ledger.ListManualCreditsAsync(50, cancellationToken);
    }
}

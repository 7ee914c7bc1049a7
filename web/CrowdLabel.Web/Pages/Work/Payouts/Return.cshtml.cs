using System.Security.Claims;
using CrowdLabel.Core.Payments;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Payouts;

/// <summary>Where Stripe sends the worker after onboarding: reads the account back, then shows the earnings page.</summary>
public sealed class ReturnModel(WorkerPaymentsService payments) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await payments.RefreshAccountAsync(Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!), cancellationToken);
        return Redirect("/work/payouts");
    }
}

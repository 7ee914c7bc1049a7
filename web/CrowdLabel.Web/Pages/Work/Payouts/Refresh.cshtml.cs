using System.Security.Claims;
using CrowdLabel.Core.Payments;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Payouts;

/// <summary>Where Stripe sends the worker when an onboarding link has expired or was used: a fresh link, at once.</summary>
public sealed class RefreshModel(WorkerPaymentsService payments) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var link = await IndexModel.OnboardingLinkAsync(payments, Request, Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!), cancellationToken);
        return link.Succeeded ? Redirect(link.Value!) : Redirect("/work/payouts");
    }
}

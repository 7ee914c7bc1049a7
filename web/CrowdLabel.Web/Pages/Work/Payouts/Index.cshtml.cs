using System.Security.Claims;
using CrowdLabel.Core.Payments;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Work.Payouts;

/// <summary>The worker's earnings, pending approvals and payouts, and the way to connect a Stripe account.</summary>
public sealed class IndexModel(WorkerPaymentsService payments, PayoutService payouts, StripeGateway stripe) : PageModel
{
    public WorkerEarnings Earnings { get; private set; } = null!;

    public IReadOnlyList<PayoutRow> Payouts { get; private set; } = [];

    public bool Configured => stripe.IsConfigured;

    private Guid WorkerId => Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Creates the Express account if needed and sends the worker to Stripe's onboarding.</summary>
    public async Task<IActionResult> OnPostConnectAsync(CancellationToken cancellationToken)
    {
        var link = await OnboardingLinkAsync(payments, Request, WorkerId, cancellationToken);
        if (link.Succeeded)
        {
            return Redirect(link.Value!);
        }

        ModelState.AddErrors(link.Errors);
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>An Account Link that returns to /work/payouts/return, or to /work/payouts/refresh when it has expired.</summary>
    internal static Task<CrowdLabel.Core.Result<string>> OnboardingLinkAsync(
        WorkerPaymentsService payments, HttpRequest request, Guid workerId, CancellationToken cancellationToken)
    {
        var here = $"{request.Scheme}://{request.Host}/work/payouts";
        return payments.StartOnboardingAsync(workerId, $"{here}/return", $"{here}/refresh", cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Earnings = await payments.GetEarningsAsync(WorkerId, cancellationToken);
        Payouts = await payouts.ListAsync(WorkerId, 100, cancellationToken);
    }
}

using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Funding;

/// <summary>Where Checkout sends the requester back. It credits nothing: only the verified webhook does.</summary>
[ManagersOnly]
public sealed class SuccessModel(LedgerService ledger) : PageModel
{
    public TenantMember Member { get; private set; } = null!;

    public Money Balance { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        Balance = await ledger.GetTenantBalanceAsync(Member.Tenant.Id, cancellationToken);
    }
}

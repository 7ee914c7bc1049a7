using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Funding;

/// <summary>Where Checkout sends the requester back. It credits nothing: only the verified webhook does.</summary>
public sealed class SuccessModel(LedgerService ledger) : PageModel
{
    public TenantMember Member { get; private set; } = null!;

    public Money Balance { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        if (Member.Role is not (TenantRole.Owner or TenantRole.Requester))
        {
            return Forbid();
        }

        Balance = await ledger.GetTenantBalanceAsync(Member.Tenant.Id, cancellationToken);
        return Page();
    }
}

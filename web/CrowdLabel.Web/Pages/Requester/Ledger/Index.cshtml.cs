using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Ledger;

/// <summary>Money is for the people who spend it: reviewers work the dispute queue and do not see the ledger.</summary>
[ManagersOnly]
public sealed class IndexModel(LedgerService ledger) : PageModel
{
    /// <summary>How many of the newest entries the page lists.</summary>
    public const int Shown = 200;

    private static readonly Dictionary<string, string> KindNames = new(StringComparer.Ordinal)
    {
        [LedgerKinds.ManualCredit] = "Credit",
        [LedgerKinds.StripeFunding] = "Payment",
        [LedgerKinds.Publish] = "Published batch",
        [LedgerKinds.Approval] = "Approved work",
        [LedgerKinds.ReleaseEscrow] = "Escrow returned",
        [LedgerKinds.Refund] = "Refund",
    };

    public TenantMember Member { get; private set; } = null!;

    public Money Balance { get; private set; }

    public Money Escrow { get; private set; }

    public IReadOnlyList<LedgerEntry> Entries { get; private set; } = [];

    public static string KindName(string kind) => KindNames.GetValueOrDefault(kind, kind);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Member = HttpContext.TenantMember();
        var tenantId = Member.Tenant.Id;
        Balance = await ledger.GetTenantBalanceAsync(tenantId, cancellationToken);
        Escrow = await ledger.GetTenantEscrowAsync(tenantId, cancellationToken);
        Entries = await ledger.ListTenantEntriesAsync(tenantId, Shown, cancellationToken);
    }
}

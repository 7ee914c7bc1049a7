using CrowdLabel.Core.Ledger;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Admin.Ledger;

public sealed class IndexModel(LedgerService ledger) : PageModel
{
    public InvariantReport Report { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Report = await ledger.CheckInvariantsAsync(cancellationToken);
}

using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CrowdLabel.Web.Pages.Requester.Batches;

/// <summary>A batch's results page by page, and its export as CSV or JSONL, streamed.</summary>
public sealed class ResultsModel(ResultsService results) : PageModel
{
    public const int PageSize = 100;

    public IReadOnlyList<ItemResult> Rows { get; private set; } = [];

    public Guid BatchId { get; private set; }

    public int PageNumber { get; private set; }

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    /// <summary>The longest a field's value is shown in the table; the export has it whole.</summary>
    public const int ShownValueLength = 200;

    /// <summary>An item's fields for the table, each value cut to <see cref="ShownValueLength"/> characters.</summary>
    public static IEnumerable<(string Name, string Value)> Fields(string data) =>
        ItemFields.Parse(data).Select(f => (f.Key, f.Value.Length <= ShownValueLength ? f.Value : f.Value[..ShownValueLength] + "…"));

    public async Task<IActionResult> OnGetAsync(Guid batchId, int page, CancellationToken cancellationToken)
    {
        (BatchId, PageNumber) = (batchId, Math.Max(1, page));
        var rows = await results.PageAsync(batchId, (PageNumber - 1) * PageSize, PageSize, cancellationToken);
        if (rows is null)
        {
            return NotFound();
        }

        Rows = rows;
        return Page();
    }

    /// <summary>GET ?handler=export&amp;format=csv|jsonl: the whole batch, written row by row as it is read.</summary>
    public async Task<IActionResult> OnGetExportAsync(Guid batchId, string? format, CancellationToken cancellationToken)
    {
        if (!ResultsExport.TryParse(format, out var parsed))
        {
            return BadRequest($"Unknown export format \"{format}\"; use csv or jsonl.");
        }

        if (!await results.ExistsAsync(batchId, cancellationToken))
        {
            return NotFound();
        }

        await ResultsExport.WriteAsync(HttpContext, results, batchId, parsed, cancellationToken);
        return new EmptyResult();
    }
}

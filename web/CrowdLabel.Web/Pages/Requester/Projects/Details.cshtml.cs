using CrowdLabel.Core;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Projects;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Web.Pages.Requester.Projects;

// The configured import limit (default 100 MB) is enforced while reading; these only lift the framework's lower defaults.
[RequestSizeLimit(UploadLimits.MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadLimits.MaxRequestBytes)]
public sealed class DetailsModel(ICrowdLabelDb db, ProjectService projects, ImportService import, IOptions<ImportOptions> importOptions) : PageModel
{
    public Project Project { get; private set; } = null!;

    public IReadOnlyList<ProjectLabel> Labels { get; private set; } = [];

    public IReadOnlyList<Batch> Batches { get; private set; } = [];

    public IReadOnlyList<string> ImportErrors { get; private set; } = [];

    [BindProperty]
    public string BatchName { get; set; } = "";

    public string Slug => HttpContext.TenantMember().Tenant.Slug;

    public long MaxMegabytes => importOptions.Value.MaxFileBytes / (1024 * 1024);

    public async Task<IActionResult> OnGetAsync(Guid projectId, CancellationToken cancellationToken) =>
        await LoadAsync(projectId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostUploadAsync(Guid projectId, IFormFile? file, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(projectId, cancellationToken))
        {
            return NotFound();
        }

        var wantsJson = Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal);
        if (file is null || file.Length == 0)
        {
            return Rejected(["Choose a file to upload (CSV, JSON Lines or Label Studio JSON). An empty file has no items."], wantsJson);
        }

        var format = ImportService.FormatOf(file.ContentType, file.FileName);
        if (format is null)
        {
            return Rejected([$"\"{file.FileName}\" is not a file type CrowdLabel reads: use .csv, .jsonl or .json (Label Studio tasks)."], wantsJson);
        }

        var name = string.IsNullOrWhiteSpace(BatchName) ? Path.GetFileNameWithoutExtension(file.FileName) : BatchName;
        await using var content = file.OpenReadStream();
        var result = await import.ImportAsync(new ImportRequest(projectId, name, format.Value, content), cancellationToken);
        if (!result.Succeeded)
        {
            return Rejected(result.Errors.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value).ToList(), wantsJson);
        }

        var batchUrl = $"/t/{Slug}/batches/{result.Value!.Id}";
        return wantsJson ? new JsonResult(new { batchUrl }) : Redirect(batchUrl);
    }

    private IActionResult Rejected(IReadOnlyList<string> errors, bool wantsJson)
    {
        ImportErrors = errors;
        return wantsJson ? new JsonResult(new { errors }) { StatusCode = StatusCodes.Status400BadRequest } : Page();
    }

    private async Task<bool> LoadAsync(Guid projectId, CancellationToken cancellationToken)
    {
        // Another tenant's project is filtered out by the tenant query filter, so it is "not found" here.
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return false;
        }

        Project = project;
        Labels = await projects.CurrentLabelsAsync(project, cancellationToken);
        Batches = await db.Batches.AsNoTracking().Where(b => b.ProjectId == projectId)
            .OrderByDescending(b => b.CreatedAt).ToListAsync(cancellationToken);
        return true;
    }
}

/// <summary>Framework request limits for uploads: above any configured import limit.</summary>
public static class UploadLimits
{
    public const long MaxRequestBytes = 1L << 30;
}

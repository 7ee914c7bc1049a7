using CrowdLabel.Core.Quality;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Writes a batch's results export to the response as it reads them (shared by the results page and the API).</summary>
public static class ResultsExport
{
    public static bool TryParse(string? format, out ExportFormat parsed)
    {
        parsed = format?.ToLowerInvariant() switch
        {
            "csv" => ExportFormat.Csv,
            "jsonl" => ExportFormat.Jsonl,
            _ => 0,
        };
        return parsed != 0;
    }

    public static async Task WriteAsync(HttpContext context, ResultsService results, Guid batchId, ExportFormat format, CancellationToken cancellationToken)
    {
        var (type, extension) = format == ExportFormat.Csv ? ("text/csv; charset=utf-8", "csv") : ("application/x-ndjson; charset=utf-8", "jsonl");
        context.Response.ContentType = type;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"batch-{batchId:N}.{extension}\"";
        await results.ExportAsync(batchId, format, context.Response.Body, cancellationToken);
    }
}

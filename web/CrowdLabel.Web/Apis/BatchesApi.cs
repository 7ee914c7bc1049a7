using CrowdLabel.Core;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace CrowdLabel.Web.Apis;

/// <summary>
/// A batch's status, counts and cost as the JSON API shows them; the accuracy estimate is the batch page's, measured
/// on the reviewed QA sample of accepted labels (its mean and 95% interval are null until a sampled item is reviewed).
/// </summary>
public sealed record BatchStatusDto(
    Guid Id, Guid ProjectId, int ProjectVersion, string Name, string Status, int Items, int GoldItems,
    IReadOnlyDictionary<string, int> ItemsByStatus, long CommittedMinor, long SpentMinor, long RemainingMinor, string Currency,
    QaAccuracy AccuracyEstimate, DateTime CreatedAt, DateTime? PublishedAt, DateTime? ClosedAt);

/// <summary>Requester routes for uploading batches and reading their status (tenant API key).</summary>
public static class BatchesApi
{
    public static IEndpointRouteBuilder MapBatchesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.TenantApi).WithTags("Batches");
        // The content types are documented, not enforced by routing: routing would refuse another one with a bare 415
        // before the handler, whose refusal says which types it reads.
        api.MapPost("/projects/{projectId:guid}/batches", UploadAsync)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = UploadContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } }),
                };
                return Task.CompletedTask;
            })
            .WithDescription("Uploads a batch all or nothing. The body is the file: CSV (text/csv), JSON Lines (application/jsonl) or Label Studio tasks (application/json). ?name= names the batch.");
        api.MapGet("/batches/{batchId:guid}", GetAsync);
        return app;
    }

    private static readonly string[] UploadContentTypes = ["text/csv", "application/jsonl", "application/x-ndjson", "application/json"];

    /// <summary>Reads the status a requester sees; shared with the lifecycle routes.</summary>
    public static async Task<BatchStatusDto?> StatusAsync(
        ICrowdLabelDb db, LedgerService ledger, ReviewService reviews, Guid batchId, CancellationToken cancellationToken)
    {
        var batch = await db.Batches.AsNoTracking().FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return null;
        }

        var byStatus = (await BatchItemCounts.ByStatusAsync(db, batchId, cancellationToken)).ToDictionary(c => c.Key.ToString(), c => c.Value);
        var cost = await ledger.GetBatchCostAsync(batchId, cancellationToken);
        var accuracy = await reviews.QaAccuracyAsync(batchId, cancellationToken);
        return new BatchStatusDto(
            batch.Id, batch.ProjectId, batch.ProjectVersion, batch.Name, batch.Status.ToString(), batch.ItemCount, batch.GoldCount,
            byStatus, cost.Committed.Minor, cost.Spent.Minor, cost.Remaining.Minor, batch.Currency,
            accuracy, batch.CreatedAt, batch.PublishedAt, batch.ClosedAt);
    }

    private static async Task<Results<Ok<BatchStatusDto>, NotFound>> GetAsync(
        Guid batchId, ICrowdLabelDb db, LedgerService ledger, ReviewService reviews, CancellationToken cancellationToken) =>
        await StatusAsync(db, ledger, reviews, batchId, cancellationToken) is { } status ? TypedResults.Ok(status) : TypedResults.NotFound();

    private static async Task<Results<Created<BatchStatusDto>, ValidationProblem, ProblemHttpResult, NotFound>> UploadAsync(
        Guid projectId, string? name, HttpContext context, ImportService import, IOptions<ImportOptions> options,
        ICrowdLabelDb db, LedgerService ledger, ReviewService reviews, TimeProvider clock, CancellationToken cancellationToken)
    {
        var format = ImportService.FormatOf(context.Request.ContentType, null);
        if (format is null)
        {
            return TypedResults.Problem(
                $"The content type \"{context.Request.ContentType}\" is not one CrowdLabel reads: send text/csv, application/jsonl or application/json (Label Studio tasks).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The batch was not imported.");
        }

        // The import enforces the configured limit with a clear message; lift the server's own lower default.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxFileBytes + 1;
        }

        var batchName = string.IsNullOrWhiteSpace(name) ? $"Upload {clock.GetUtcNow():yyyy-MM-dd HH:mm}" : name;
        var result = await import.ImportAsync(new ImportRequest(projectId, batchName, format.Value, context.Request.Body), cancellationToken);
        if (result.IsNotFound)
        {
            return TypedResults.NotFound();
        }

        if (!result.Succeeded)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The batch was not imported; nothing was stored. Fix the rows listed in errors and upload the whole file again.");
        }

        var status = await StatusAsync(db, ledger, reviews, result.Value!.Id, cancellationToken);
        return TypedResults.Created($"/api/v1/batches/{result.Value.Id}", status!);
    }
}

using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdLabel.Web.Apis;

/// <summary>Requester routes of the quality loop: approve a batch's answers, reject one answer, export results (tenant API key).</summary>
public static class QualityApi
{
    public static IEndpointRouteBuilder MapQualityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.TenantApi).WithTags("Quality");
        api.MapPost("/batches/{batchId:guid}/approve", ApproveAsync)
            .WithDescription("Approves every answer of the batch that waits for approval: each one's price moves from the escrow to its worker, the fee to the platform.");
        api.MapPost("/assignments/{assignmentId:guid}/reject", RejectAsync)
            .WithDescription("Rejects an answer waiting for approval, with a ground (PausedByGold or DisagreesWithReview) that must hold and a reason the worker sees.");
        api.MapPost("/projects/{projectId:guid}/workers/{workerId:guid}/reject-waiting", RejectPausedWorkerAsync)
            .WithDescription("Rejects every answer of a worker paused by gold on the project that waits for approval, with {\"reason\": \"...\"} the worker sees; answers how many.");
        api.MapGet("/batches/{batchId:guid}/results", (Guid batchId, string? format, HttpContext context, ResultsService results, CancellationToken cancellationToken) =>
                ExportAsync(batchId, format ?? "jsonl", context, results, cancellationToken))
            .WithDescription("The batch's results, streamed as JSONL, or CSV with ?format=csv (?format=jsonl is the default).");
        api.MapGet("/batches/{batchId:guid}/results.{format}", ExportAsync)
            .WithDescription("The batch's results, streamed as CSV or JSONL (results.csv or results.jsonl).");
        return app;
    }

    private static async Task<Results<Ok<ApprovalOutcome>, NotFound, ValidationProblem>> ApproveAsync(
        Guid batchId, ApprovalService approvals, CancellationToken cancellationToken)
    {
        var result = await approvals.ApproveBatchAsync(batchId, cancellationToken);
        return result.IsNotFound ? TypedResults.NotFound()
            : result.Succeeded ? TypedResults.Ok(result.Value!)
            : TypedResults.ValidationProblem(result.Errors.ToDictionary(e => e.Key.Length == 0 ? "batch" : e.Key, e => e.Value, StringComparer.Ordinal));
    }

    private static async Task<Results<Ok<RejectedDto>, NotFound, ValidationProblem>> RejectAsync(
        Guid assignmentId, RejectInput input, ApprovalService approvals, CancellationToken cancellationToken)
    {
        var result = await approvals.RejectAsync(assignmentId, input, cancellationToken);
        return result.IsNotFound ? TypedResults.NotFound()
            : result.Succeeded ? TypedResults.Ok(new RejectedDto(result.Value!.Id, result.Value.Status.ToString(), result.Value.RejectionReason))
            : TypedResults.ValidationProblem(result.Errors.ToDictionary(e => e.Key.Length == 0 ? "assignment" : e.Key, e => e.Value, StringComparer.Ordinal));
    }

    private static async Task<Results<Ok<RejectedWaitingDto>, NotFound, ValidationProblem>> RejectPausedWorkerAsync(
        Guid projectId, Guid workerId, RejectWaitingRequest request, ApprovalService approvals, CancellationToken cancellationToken)
    {
        var result = await approvals.RejectPausedWorkerAsync(projectId, workerId, request.Reason, cancellationToken);
        return result.IsNotFound ? TypedResults.NotFound()
            : result.Succeeded ? TypedResults.Ok(new RejectedWaitingDto(workerId, result.Value))
            : TypedResults.ValidationProblem(result.Errors.ToDictionary(e => e.Key.Length == 0 ? "worker" : e.Key, e => e.Value, StringComparer.Ordinal));
    }

    private static async Task<IResult> ExportAsync(Guid batchId, string format, HttpContext context, ResultsService results, CancellationToken cancellationToken)
    {
        if (!ResultsExport.TryParse(format, out var parsed))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"Unknown export format \"{format}\"; use csv or jsonl."] });
        }

        if (!await results.ExistsAsync(batchId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await ResultsExport.WriteAsync(context, results, batchId, parsed, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>The body of a reject-waiting request: the reason the worker sees.</summary>
    public sealed record RejectWaitingRequest(string? Reason);

    /// <summary>How many of the worker's waiting answers were rejected.</summary>
    public sealed record RejectedWaitingDto(Guid WorkerId, int Rejected);

    /// <summary>A rejected answer.</summary>
    public sealed record RejectedDto(Guid AssignmentId, string Status, string? Reason);
}

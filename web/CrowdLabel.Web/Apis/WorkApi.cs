using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Work;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdLabel.Web.Apis;

/// <summary>A batch open to the worker, as the JSON API shows it: tasksLeft is counted up to 1,000, and moreTasksLeft
/// is true when there are more; holdsLease is true when the worker has a live lease there, which a claim returns.</summary>
public sealed record WorkBatchDto(
    Guid BatchId, string Name, Guid ProjectId, string ProjectName, string Organization, long PayPerTaskMinor, string Currency,
    double? EstimatedSecondsPerTask, int TasksLeft, bool MoreTasksLeft, bool NeedsQualification, string Standing, string? StandingReason, bool HoldsLease)
{
    public static WorkBatchDto From(MarketplaceBatch b) => new(
        b.BatchId, b.BatchName, b.ProjectId, b.ProjectName, b.Organization, b.PayPerTask.Minor, b.PayPerTask.Currency,
        b.EstimatedTimePerTask?.TotalSeconds, b.TasksLeft, b.MoreTasksLeft, b.NeedsQualification, b.Standing.ToString(), b.StandingReason, b.HoldsLease);
}

/// <summary>Where an assignment stands after an answer or a skip, as the JSON API shows it.</summary>
public sealed record AssignmentDto(Guid AssignmentId, Guid BatchId, string Status, string? Label, DateTime? SubmittedAt, string? Problem)
{
    public static AssignmentDto From(AssignmentReceipt r) =>
        new(r.AssignmentId, r.BatchId, r.Status.ToString(), r.Label, r.SubmittedAt, r.ProblemReport);
}

/// <summary>The optional body of a skip: with a problem, the item is reported as well as given back.</summary>
public sealed record SkipRequest(string? Problem);

/// <summary>Worker routes under /api/v1/work (personal worker token): the marketplace, claims, answers and skips.</summary>
public static class WorkApi
{
    /// <summary>The errors-map key of a refusal about the claimed batch as a whole (the service's "" key).</summary>
    public const string BatchErrorKey = "batch";

    /// <summary>The errors-map key of a refusal about the assignment as a whole (the service's "" key).</summary>
    public const string AssignmentErrorKey = "assignment";

    public static IEndpointRouteBuilder MapWorkApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/work").RequireAuthorization(Policies.WorkerApi).RequireRateLimiting(WebServices.WorkApiRateLimit).WithTags("Work");
        api.MapGet("/batches", ListBatchesAsync)
            .WithDescription("The batches open to this worker, newest first, 50 a page (?page=2, ?pageSize= up to 100; a Link header rel=\"next\" when there are more): pay per task, estimated time per task (median so far), tasks left, organization.");
        api.MapPost("/batches/{batchId:guid}/claim", ClaimAsync)
            .WithDescription("Leases the next task of the batch to this worker (or gives back the one they hold); 204 when nothing is left for them.");
        api.MapPost("/assignments/{assignmentId:guid}/answer", AnswerAsync)
            .WithDescription("Answers the task with one of its labels. Idempotent: a repeated answer returns the first. After the lease ended: 409.");
        api.MapPost("/assignments/{assignmentId:guid}/skip", SkipAsync)
            .WithDescription("Gives the task back; the worker is not offered the item again. A body {\"problem\": \"...\"} reports what is wrong with it.");
        return app;
    }

    /// <summary>A page of batches (?page=1&amp;pageSize=50 by default, at most 100); a Link header (rel="next") when there are more.</summary>
    private static async Task<Results<Ok<List<WorkBatchDto>>, ValidationProblem>> ListBatchesAsync(
        string? page, string? pageSize, ClaimsPrincipal user, MarketplaceService marketplace, HttpContext http, CancellationToken cancellationToken)
    {
        var paging = MarketplacePaging.Read(page, pageSize);
        if (!paging.Succeeded)
        {
            return TypedResults.ValidationProblem(paging.Errors, title: "The marketplace page was not listed.");
        }

        var listed = await marketplace.ListBatchesAsync(WorkerId(user), paging.Value, cancellationToken);
        if (listed.HasMore)
        {
            http.Response.Headers.Link = $"</api/v1/work/batches?page={listed.Page + 1}&pageSize={listed.PageSize}>; rel=\"next\"";
        }

        return TypedResults.Ok(listed.Batches.Select(WorkBatchDto.From).ToList());
    }

    private static async Task<Results<Ok<WorkTask>, NoContent, NotFound, ProblemHttpResult>> ClaimAsync(
        Guid batchId, ClaimsPrincipal user, AssignmentService assignments, CancellationToken cancellationToken)
    {
        var result = await assignments.ClaimAsync(batchId, WorkerId(user), cancellationToken);
        if (result.IsNotFound)
        {
            return TypedResults.NotFound();
        }

        if (!result.Succeeded)
        {
            return TypedResults.Problem(Refusal("No task was given.", BatchErrorKey, result.Errors));
        }

        return result.Value!.Task is { } task ? TypedResults.Ok(task) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AssignmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> AnswerAsync(
        Guid assignmentId, AnswerInput input, ClaimsPrincipal user, AssignmentService assignments, CancellationToken cancellationToken) =>
        Outcome(await assignments.SubmitAsync(assignmentId, WorkerId(user), input, cancellationToken), "The answer was not recorded.");

    private static async Task<Results<Ok<AssignmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> SkipAsync(
        Guid assignmentId, SkipRequest? request, ClaimsPrincipal user, AssignmentService assignments, CancellationToken cancellationToken)
    {
        var workerId = WorkerId(user);
        var result = request?.Problem is { } problem
            ? await assignments.ReportProblemAsync(assignmentId, workerId, new ProblemInput { Problem = problem }, cancellationToken)
            : await assignments.SkipAsync(assignmentId, workerId, cancellationToken);
        return Outcome(result, "The task was not given back.");
    }

    /// <summary>
    /// An input the worker can fix (a label, a problem text) is a 400 validation problem; a refusal because of where the
    /// task stands (the lease ended, it was given back or answered) is a 409 conflict; another worker's assignment is 404.
    /// </summary>
    private static Results<Ok<AssignmentDto>, NotFound, ValidationProblem, ProblemHttpResult> Outcome(Result<AssignmentReceipt> result, string title)
    {
        if (result.IsNotFound)
        {
            return TypedResults.NotFound();
        }

        if (result.Succeeded)
        {
            return TypedResults.Ok(AssignmentDto.From(result.Value!));
        }

        if (result.Errors.Keys.Any(k => k.Length == 0 || k == AssignmentService.LeaseErrorKey))
        {
            return TypedResults.Problem(Refusal(title, AssignmentErrorKey, result.Errors));
        }

        return TypedResults.ValidationProblem(result.Errors, title: title);
    }

    /// <summary>A 409 conflict as RFC 7807 problem details, its errors map holding the service's messages.</summary>
    private static HttpValidationProblemDetails Refusal(string title, string wholeKey, IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary(e => e.Key.Length == 0 ? wholeKey : e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status409Conflict,
            Title = title,
            Detail = string.Join(" ", errors.Values.SelectMany(m => m)),
        };

    private static Guid WorkerId(ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
}

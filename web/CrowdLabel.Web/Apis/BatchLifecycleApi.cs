using System.Security.Claims;
using CrowdLabel.Core;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Quality;
using CrowdLabel.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdLabel.Web.Apis;

/// <summary>Requester routes that move a batch through its life: publish, pause, resume, cancel (tenant API key).</summary>
public static class BatchLifecycleApi
{
    /// <summary>The errors-map key of a refusal about the batch as a whole (the service's "" key).</summary>
    public const string BatchErrorKey = "batch";

    private delegate Task<Result<Batch>> Step(BatchLifecycleService lifecycle, Guid batchId, Guid userId, CancellationToken cancellationToken);

    public static IEndpointRouteBuilder MapBatchLifecycleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/batches/{batchId:guid}").RequireAuthorization(Policies.TenantApi).WithTags("Batches");
        Map(api, "publish", "The batch was not published.", (s, id, user, ct) => s.PublishAsync(id, user, ct),
            "Publishes a draft: moves items x max redundancy x (price + fee) from the tenant balance into the batch's escrow; refused (409) when the balance is short.");
        Map(api, "pause", "The batch was not paused.", (s, id, user, ct) => s.PauseAsync(id, user, ct), "Pauses a published batch: workers get no new tasks from it.");
        Map(api, "resume", "The batch was not resumed.", (s, id, user, ct) => s.ResumeAsync(id, user, ct), "Resumes a paused batch.");
        Map(api, "cancel", "The batch was not cancelled.", (s, id, user, ct) => s.CancelAsync(id, user, ct),
            "Cancels a draft, published or paused batch and returns its unspent escrow to the tenant balance, less the pay of answers waiting for approval, which are still approved.");
        return app;
    }

    private static void Map(RouteGroupBuilder api, string action, string refusedTitle, Step step, string description) =>
        api.MapPost($"/{action}", async Task<Results<Ok<BatchStatusDto>, NotFound, ProblemHttpResult>> (
                Guid batchId, ClaimsPrincipal user, BatchLifecycleService lifecycle, ICrowdLabelDb db, LedgerService ledger,
                ReviewService reviews, CancellationToken cancellationToken) =>
            {
                // An API key acts for the requester who created it.
                var userId = Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
                var result = await step(lifecycle, batchId, userId, cancellationToken);
                if (result.IsNotFound)
                {
                    return TypedResults.NotFound();
                }

                if (!result.Succeeded)
                {
                    return TypedResults.Problem(Refusal(refusedTitle, result.Errors));
                }

                return TypedResults.Ok((await BatchesApi.StatusAsync(db, ledger, reviews, batchId, cancellationToken))!);
            })
            .WithDescription(description);

    /// <summary>
    /// A refusal is a conflict with the batch's current state or the tenant's balance, not a malformed request: 409, as
    /// RFC 7807 problem details whose errors map holds the service's messages (the whole-batch ones under "batch").
    /// </summary>
    private static HttpValidationProblemDetails Refusal(string title, IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary(e => e.Key.Length == 0 ? BatchErrorKey : e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status409Conflict,
            Title = title,
            Detail = string.Join(" ", errors.Values.SelectMany(m => m)),
        };
}

using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tests.Work;
using CrowdLabel.Core.Work;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Quality;

/// <summary>Calls into the quality services, each in its own tenant scope as a job or a request makes them.</summary>
internal static class QualityCalls
{
    public static async Task<T> InTenantAsync<T>(this WorkWorld world, Func<IServiceProvider, Task<T>> call)
    {
        await using var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId);
        return await call(scope.ServiceProvider);
    }

    public static async Task<ConsensusRun> RunConsensusAsync(this WorkWorld world)
    {
        var run = await world.InTenantAsync(s => s.GetRequiredService<ConsensusService>().RunBatchAsync(world.BatchId));
        Assert.True(run.Succeeded, string.Join("; ", run.Errors.SelectMany(e => e.Value)));
        return run.Value!;
    }

    public static Task<Result<ReviewDecision>> ResolveAsync(this WorkWorld world, Guid itemId, string label, string? note = null) =>
        world.InTenantAsync(s => s.GetRequiredService<ReviewService>().ResolveAsync(itemId, world.Tenant.OwnerId, new ResolveInput { Label = label, Note = note }));

    public static Task<ProjectWorker?> StandingAsync(this WorkWorld world, Guid workerId) =>
        world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().ProjectWorkers.AsNoTracking()
            .FirstOrDefaultAsync(w => w.ProjectId == world.Tenant.ProjectId && w.WorkerId == workerId));

    public static Task<Batch> BatchAsync(this WorkWorld world) =>
        world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Batches.AsNoTracking().SingleAsync(b => b.Id == world.BatchId));

    /// <summary>The row number of the item a task shows (WorkScenario's items read "item {row}").</summary>
    public static int RowOf(WorkTask task) => int.Parse(task.Item["text"]["item ".Length..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Lets the worker claim and answer until the batch has nothing left for them or refuses them (a pause);
    /// <paramref name="answer"/> picks the label for an item row (null skips the item). Returns the rows answered, in order.
    /// </summary>
    public static async Task<List<int>> WorkUntilDoneAsync(this WorkWorld world, Guid workerId, Func<int, string?> answer)
    {
        var rows = new List<int>();
        while (true)
        {
            var claimed = await world.ClaimAsync(workerId);
            if (!claimed.Succeeded || claimed.Value!.Task is not { } task)
            {
                return rows;
            }

            var row = RowOf(task);
            if (answer(row) is { } label)
            {
                var answered = await world.AnswerAsync(task.AssignmentId, workerId, label);
                Assert.True(answered.Succeeded, string.Join("; ", answered.Errors.SelectMany(e => e.Value)));
                rows.Add(row);
            }
            else
            {
                await WorkScenario.EngineAsync(world.Services, e => e.SkipAsync(task.AssignmentId, workerId));
            }
        }
    }
}

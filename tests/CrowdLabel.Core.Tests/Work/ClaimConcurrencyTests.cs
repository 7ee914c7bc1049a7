using System.Diagnostics;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Xunit.Abstractions;

namespace CrowdLabel.Core.Tests.Work;

public sealed class ClaimConcurrencyTests(ITestOutputHelper output)
{
    private const int Workers = 100;
    private const int ClaimsPerWorker = 5;
    private const int Items = 40;
    private const int Redundancy = 3;
    private const int Slots = Items * Redundancy;

    [Theory, OnSqlite, OnPostgres]
    public async Task Claims_NeverExceedRedundancy_AndNeverRepeatAWorker_UnderConcurrency(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database, configure: WorkScenario.CheapPasswordHashes);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(services, tenant, Items, Redundancy);
        var workers = await WorkScenario.CreateWorkersAsync(services, Workers);

        // Round one: 500 claims at once, five from each worker. Each worker may hold one lease, so the 100 workers can
        // take 100 of the 120 slots, and every one of them must get exactly one lease, however often they asked.
        var first = await ClaimAllAtOnceAsync(services, batchId, workers);
        var (items, assignments) = await WorkScenario.SnapshotAsync(services, tenant.TenantId, batchId);
        AssertInvariants(items, assignments);
        Assert.Equal(Math.Min(Slots, Workers), assignments.Count(a => a.Status == AssignmentStatus.Leased));
        Assert.All(workers, w => Assert.Single(first.Where(c => c.WorkerId == w).Select(c => c.AssignmentId).Distinct()));

        // Everyone answers their task, then round two: 500 more claims for the 20 slots left. No worker may get the item
        // they answered, and every slot that can be filled is filled: each item ends with exactly its target.
        await Task.WhenAll(first.DistinctBy(c => c.AssignmentId).Select(c => Task.Run(async () =>
            Assert.True((await WorkScenario.AnswerAsync(services, c.AssignmentId!.Value, c.WorkerId, "yes")).Succeeded))));
        var second = await ClaimAllAtOnceAsync(services, batchId, workers);
        (items, assignments) = await WorkScenario.SnapshotAsync(services, tenant.TenantId, batchId);
        AssertInvariants(items, assignments);
        Assert.Equal(Workers, assignments.Count(a => a.Status == AssignmentStatus.Submitted));
        Assert.Equal(Slots - Workers, assignments.Count(a => a.Status == AssignmentStatus.Leased));
        Assert.All(items, i => Assert.Equal(Redundancy, i.Claimed));
        Assert.Equal(Slots - Workers, second.Where(c => c.AssignmentId is not null).Select(c => c.AssignmentId).Distinct().Count());
    }

    /// <summary>Every worker's claims, shuffled together and run at once, each in its own scope as a request would be.</summary>
    private async Task<List<Claimed>> ClaimAllAtOnceAsync(IServiceProvider services, Guid batchId, IReadOnlyList<Guid> workers)
    {
        var order = workers.SelectMany(w => Enumerable.Repeat(w, ClaimsPerWorker)).ToArray();
        new Random(42).Shuffle(order);
        var stopwatch = Stopwatch.StartNew();
        var claims = await Task.WhenAll(order.Select(workerId => Task.Run(async () =>
        {
            var result = await WorkScenario.ClaimAsync(services, batchId, workerId);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
            return new Claimed(workerId, result.Value!.Task?.AssignmentId);
        })));
        output.WriteLine($"{claims.Length} claims in {stopwatch.ElapsedMilliseconds} ms.");
        return [.. claims];
    }

    /// <summary>
    /// Each item's slot count is exactly its live leases plus answers and never above its target; no worker has any
    /// item twice.
    /// </summary>
    private static void AssertInvariants(List<Item> items, List<Assignment> assignments)
    {
        var taken = assignments.Where(a => a.Status is AssignmentStatus.Leased or AssignmentStatus.Submitted)
            .GroupBy(a => a.ItemId).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(items, i =>
        {
            Assert.Equal(taken.GetValueOrDefault(i.Id), i.Claimed);
            Assert.InRange(i.Claimed, 0, i.RedundancyTarget);
        });
        Assert.Equal(assignments.Count, assignments.Select(a => (a.ItemId, a.WorkerId)).Distinct().Count());
    }

    private sealed record Claimed(Guid WorkerId, Guid? AssignmentId);
}

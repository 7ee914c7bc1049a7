using System.Diagnostics;
using System.Globalization;
using CrowdLabel.Core;
using CrowdLabel.Core.Work;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// The worker's marketplace page (<see cref="MarketplaceService.ListBatchesAsync"/>) on a large batch: 60,000 items,
/// two answers on each (120,000), on SQLite and, when run.sh started one, PostgreSQL.
/// <code>
/// tests/CrowdLabel.Benchmarks/run.sh marketplace
/// </code>
/// The batch is made through the real services (upload, fund, publish); the answers are written straight into the
/// assignments table, as the claims and answers of two workers would have left them, because answering 120,000 tasks
/// through the services would take most of the run. Then a third worker's marketplace is read 5 times to warm up and
/// 20 times measured, each in its own scope as a page view is.
/// </summary>
internal static class MarketplaceBenchmark
{
    private const int Items = 60_000;

    public static int Run(string[] args) => RunAsync().GetAwaiter().GetResult();

    private static async Task<int> RunAsync()
    {
        Console.WriteLine($"marketplace of a worker: one published batch of {Items:N0} items with {2 * Items:N0} answers; 5 warm-up reads, then 20 measured");
        Console.WriteLine("| provider | median ms | slowest ms | tasks left shown |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var provider in BenchmarkProviders.Available)
        {
            await using var database = await TestDatabase.CreateAsync(provider);
            await using var services = await AppServices.CreateAsync(database, configure: WorkScenario.CheapPasswordHashes);
            var tenant = await Scenario.CreateTenantAsync(services, "bench");
            await WorkScenario.CreatePublishedBatchAsync(services, tenant, Items, redundancy: 3);
            var workers = await WorkScenario.CreateWorkersAsync(services, 3);
            await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
                await BenchmarkAnswers.AnswerEveryItemAsync(db, provider, [.. workers.Take(2)]);
            }

            var times = new List<double>();
            var shown = "";
            for (var read = 0; read < 25; read++)
            {
                var stopwatch = Stopwatch.StartNew();
                await using var scope = services.CreateAsyncScope();
                var batch = (await scope.ServiceProvider.GetRequiredService<MarketplaceService>().ListBatchesAsync(workers[2])).Batches.Single();
                if (read >= 5)
                {
                    times.Add(stopwatch.Elapsed.TotalMilliseconds);
                }

                shown = $"{batch.TasksLeft:N0}{(batch.MoreTasksLeft ? "+" : "")}";
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {provider} | {times[times.Count / 2]:F1} | {times[^1]:F1} | {shown} |"));
        }

        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using CrowdLabel.Core;
using CrowdLabel.Core.Quality;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// The consensus job's run over one large batch (<see cref="ConsensusService.RunBatchAsync"/>), on SQLite and, when
/// run.sh started one, PostgreSQL: the first run, which decides every answered item, then runs with nothing new, as
/// most runs of a busy batch are (a few answers more than the last one).
/// <code>
/// tests/CrowdLabel.Benchmarks/run.sh consensus-run [ITEMS]      # default 60,000 items, three answers on each
/// </code>
/// </summary>
internal static class ConsensusRunBenchmark
{
    private const int Workers = 30;

    public static int Run(string[] args) => RunAsync(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60_000).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(int items)
    {
        Console.WriteLine($"consensus over one batch: {items:N0} items, three answers on each from {Workers} workers ({3 * items:N0} answers), base 3, max 5, target 0.95");
        Console.WriteLine("| provider | run | items changed | wall ms | benchmark process CPU ms | allocated MB |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var provider in BenchmarkProviders.Available)
        {
            await using var database = await TestDatabase.CreateAsync(provider);
            await using var services = await AppServices.CreateAsync(database, configure: s =>
            {
                WorkScenario.CheapPasswordHashes(s);
                // The run's own work, back to back: the site pauses between its write transactions (Quality:WritePause).
                s.Configure<QualityOptions>(o => o.WritePause = TimeSpan.Zero);
                // The run's own log line: how long reading, fitting and saving took.
                s.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter(typeof(ConsensusService).FullName, LogLevel.Information));
            });
            var tenant = await Scenario.CreateTenantAsync(services, "bench");
            var batchId = await WorkScenario.CreatePublishedBatchAsync(services, tenant, items, redundancy: 3, configure: p => p.MaxRedundancy = 5);
            var workers = await WorkScenario.CreateWorkersAsync(services, Workers);
            await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
                for (var w = 0; w < Workers; w++)
                {
                    // Worker w answers the items whose row number ends in w's last digit (three workers an item), right
                    // with probability 0.6 to 0.89 by worker; the truth alternates yes and no.
                    var draw = $"((\"RowNumber\" * 2654435761 + {w} * 40503) % 1000003) % 100";
                    var truth = "CASE WHEN \"RowNumber\" % 2 = 0 THEN 'yes' ELSE 'no' END";
                    var wrong = "CASE WHEN \"RowNumber\" % 2 = 0 THEN 'no' ELSE 'yes' END";
                    await BenchmarkAnswers.AnswerItemsAsync(db, provider, workers[w], $"\"RowNumber\" % 10 = {w % 10}",
                        $"CASE WHEN {draw} < {60 + w} THEN {truth} ELSE {wrong} END");
                }

                await BenchmarkAnswers.SetAnswerCountsAsync(db, 3);
            }

            foreach (var run in new[] { "first (every item decided)", "second (nothing new)", "third (nothing new)" })
            {
                await using var scope = Scenario.TenantScope(services, tenant.TenantId);
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes();
                var stopwatch = Stopwatch.StartNew();
                var outcome = await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batchId);
                var wall = stopwatch.Elapsed.TotalMilliseconds;
                process.Refresh();
                if (!outcome.Succeeded)
                {
                    Console.Error.WriteLine(string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
                    return 1;
                }

                var changed = outcome.Value!.Done + outcome.Value.Extended + outcome.Value.Disputed + outcome.Value.Reopened;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {provider} | {run} | {changed:N0} | {wall:N0} | {(process.TotalProcessorTime - cpu).TotalMilliseconds:N0} | {(GC.GetTotalAllocatedBytes() - allocated) / 1e6:N0} |"));
            }

            // What the node keeps between runs: the memory the batch's cache entry holds.
            var cache = services.GetRequiredService<ConsensusAnswerCache>();
            var kept = cache.Count;
            var with = Settled();
            cache.Forget(batchId);
            var without = Settled();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {provider} | answers kept between runs: {kept:N0}, {(with - without) / 1e6:N1} MB, {(double)(with - without) / Math.Max(1, kept):N0} bytes an answer | | | | |"));
        }

        return 0;
    }

    /// <summary>The managed heap's size once everything unreachable is collected.</summary>
    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

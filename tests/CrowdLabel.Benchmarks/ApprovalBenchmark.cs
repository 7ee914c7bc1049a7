using System.Diagnostics;
using System.Globalization;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// The requester's "approve every answer of the batch" (<see cref="ApprovalService.ApproveBatchAsync"/>, what the
/// auto-approval job does per batch) over a batch whose answers all wait for approval, on SQLite and, when run.sh
/// started one, PostgreSQL.
/// <code>
/// tests/CrowdLabel.Benchmarks/run.sh approval [ITEMS]      # default 5,000 items, two answers on each
/// </code>
/// </summary>
internal static class ApprovalBenchmark
{
    public static int Run(string[] args) => RunAsync(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(int items)
    {
        Console.WriteLine($"approve a batch: {items:N0} items, two answers on each ({2 * items:N0} answers waiting for approval)");
        Console.WriteLine("| provider | answers approved | seconds | approvals/s | ledger transactions | escrow postings |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var provider in BenchmarkProviders.Available)
        {
            await using var database = await TestDatabase.CreateAsync(provider);
            await using var services = await AppServices.CreateAsync(database, configure: WorkScenario.CheapPasswordHashes);
            var tenant = await Scenario.CreateTenantAsync(services, "bench");
            var batchId = await WorkScenario.CreatePublishedBatchAsync(services, tenant, items, redundancy: 3);
            var workers = await WorkScenario.CreateWorkersAsync(services, 2);
            await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
            {
                var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
                await BenchmarkAnswers.AnswerEveryItemAsync(db, provider, workers);
            }

            await using (var scope = Scenario.TenantScope(services, tenant.TenantId))
            {
                var stopwatch = Stopwatch.StartNew();
                var outcome = await scope.ServiceProvider.GetRequiredService<ApprovalService>().ApproveBatchAsync(batchId);
                var seconds = stopwatch.Elapsed.TotalSeconds;
                if (!outcome.Succeeded)
                {
                    Console.Error.WriteLine(string.Join("; ", outcome.Errors.SelectMany(e => e.Value)));
                    return 1;
                }

                var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
                var transactions = await db.LedgerTransactions.CountAsync(t => t.BatchId == batchId);
                var escrow = LedgerAccounts.BatchEscrow(batchId);
                var postings = await db.Postings.CountAsync(p => p.Account == escrow);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {provider} | {outcome.Value!.Approved:N0} | {seconds:F1} | {outcome.Value.Approved / seconds:N0} | {transactions:N0} | {postings:N0} |"));
            }
        }

        return 0;
    }
}

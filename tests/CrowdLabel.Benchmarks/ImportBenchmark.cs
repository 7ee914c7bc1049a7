using System.Diagnostics;
using System.Globalization;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// Batch import speed and memory: a generated CSV (id, text, a gold answer on every 20th row) imported through
/// the real ImportService into a fresh, migrated database, once per provider, each in its own process so the
/// peak working set is the import's own.
/// </summary>
internal static class ImportBenchmark
{
    public const string RunCommand = "import-run";

    public static int Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var csv = Path.Combine(Path.GetTempPath(), $"crowdlabel-import-{rows}.csv");
        WriteCsv(csv, rows);
        Console.WriteLine($"import of {rows:N0} CSV rows ({new FileInfo(csv).Length / (1024.0 * 1024.0):F1} MB), one fresh process per provider");
        Console.WriteLine($"{"provider",-10} {"rows",10} {"seconds",8} {"rows/s",10} {"peak MB",8}");
        var providers = BenchmarkProviders.Available;
        if (TestDatabase.PostgresServer is null)
        {
            Console.WriteLine("(PostgreSQL skipped: run tests/CrowdLabel.Benchmarks/run.sh import, which starts one)");
        }

        foreach (var provider in providers)
        {
            var (exitCode, output, _) = ChildProcess.Run([RunCommand, provider.ToString(), csv]);
            Console.WriteLine(output.TrimEnd());
            if (exitCode != 0)
            {
                return exitCode;
            }
        }

        File.Delete(csv);
        return 0;
    }

    public static int RunOne(string[] args) => RunOneAsync(Enum.Parse<DatabaseProvider>(args[0]), args[1]).GetAwaiter().GetResult();

    private static async Task<int> RunOneAsync(DatabaseProvider provider, string csv)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "bench");
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var import = scope.ServiceProvider.GetRequiredService<ImportService>();

        var clock = Stopwatch.StartNew();
        await using var file = new FileStream(csv, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var result = await import.ImportAsync(new ImportRequest(tenant.ProjectId, "benchmark", ImportFormat.Csv, file));
        clock.Stop();
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, result.Errors.SelectMany(e => e.Value).Take(5)));
            return 1;
        }

        var rows = result.Value!.ItemCount;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{provider,-10} {rows,10:N0} {clock.Elapsed.TotalSeconds,8:F2} {rows / clock.Elapsed.TotalSeconds,10:N0} {peak,8:F0}"));
        return 0;
    }

    private static void WriteCsv(string path, int rows)
    {
        using var writer = new StreamWriter(path);
        writer.Write("id,text,gold\n");
        for (var i = 1; i <= rows; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"item-{i},\"Review {i}: the plot was fine, the acting \"\"great\"\", would watch again\",{(i % 20 == 0 ? (i % 40 == 0 ? "yes" : "no") : "")}\n"));
        }
    }
}

namespace CrowdLabel.Benchmarks;

/// <summary>The benchmark program: one subcommand per benchmark (run with no arguments for the list).</summary>
internal static class Program
{
    private static readonly SortedDictionary<string, (string Summary, Func<string[], int> Run)> Commands = new(StringComparer.Ordinal)
    {
        ["approval"] = ("the requester approving every answer of a batch (5,000 items, 10,000 answers) on SQLite and PostgreSQL: approval [ITEMS]", ApprovalBenchmark.Run),
        ["consensus"] = ("Dawid-Skene fit at 100k, 1M and 10M synthetic answers, and the CLI on a 1M-row CSV", ConsensusBenchmark.Run),
        ["consensus-run"] = ("the consensus job's run over one batch of 60,000 items and 180,000 answers, on SQLite and PostgreSQL: consensus-run [ITEMS]", ConsensusRunBenchmark.Run),
        ["consensus-sparsity"] = ("accuracy of MV, DS and one-coin on the synthetic crowd at 20, 100 and 1000 answers per worker", ConsensusBenchmark.RunSparsity),
        ["consensus-datasets"] = ("accuracy of MV, DS and one-coin on the real datasets in tests/data, and DS fit time", ConsensusBenchmark.RunDatasets),
        [ConsensusBenchmark.FitCommand] = ("(child process) one Dawid-Skene fit: consensus-fit ANSWERS", ConsensusBenchmark.RunFit),
        [ConsensusBenchmark.CsvCommand] = ("(child process) write a synthetic answers CSV: consensus-csv ANSWERS FILE", ConsensusBenchmark.RunCsv),
        [ConsensusBenchmark.CliCommand] = ("(child process) crowdlabel aggregate on a CSV: consensus-cli FILE", ConsensusBenchmark.RunCli),
        ["import"] = ("batch import of a generated 1,000,000-row CSV on SQLite and PostgreSQL: import [ROWS]", ImportBenchmark.Run),
        ["marketplace"] = ("a worker's marketplace on a 60,000-item batch with 120,000 answers, on SQLite and PostgreSQL", MarketplaceBenchmark.Run),
        ["work"] = ("workers claiming and answering over HTTP against the site on PostgreSQL, with pgbench beside: work [--workers 64,256] [--seconds 20]", WorkBenchmark.Run),
        [ImportBenchmark.RunCommand] = ("(child process) one import: import-run PROVIDER CSVFILE", ImportBenchmark.RunOne),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Commands.TryGetValue(args[0], out var command))
        {
            Console.Error.WriteLine("Usage: dotnet run -c Release --project tests/CrowdLabel.Benchmarks -- COMMAND [ARGS]");
            foreach (var (name, (summary, _)) in Commands)
            {
                Console.Error.WriteLine($"  {name,-16} {summary}");
            }

            return 2;
        }

        return command.Run(args[1..]);
    }
}

using System.Diagnostics;
using System.Globalization;
using CrowdLabel.Consensus;

namespace CrowdLabel.Benchmarks;

/// <summary>Speed and memory of the consensus engine: Dawid-Skene fits on synthetic crowds, and the CLI end to end on a CSV.</summary>
/// <remarks>Every measurement runs in a fresh child process, so the peak working set of each is its own.
/// Shape as crowd-kit's reference run: K = 5, 1000 workers with random confusion matrices, redundancy 5, fixed seed.</remarks>
internal static class ConsensusBenchmark
{
    public const string FitCommand = "consensus-fit";
    public const string CsvCommand = "consensus-csv";
    public const string CliCommand = "consensus-cli";

    private static readonly int[] DefaultSizes = [100_000, 1_000_000, 10_000_000];

    /// <summary>consensus [--sizes N,N,...] [--cli-answers N | --no-cli] [--runs N]: runs every measurement in a fresh child process and
    /// prints the tables; sizes up to 1M and the CLI run --runs times (default 3), larger sizes once.</summary>
    public static int Run(string[] args)
    {
        var sizes = Option(args, "--sizes") is { } list ? [.. list.Split(',').Select(ParseCount)] : DefaultSizes;
        var cliAnswers = args.Contains("--no-cli") ? 0 : Option(args, "--cli-answers") is { } n ? ParseCount(n) : 1_000_000;
        var runs = Option(args, "--runs") is { } r ? ParseCount(r) : 3;
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        Console.WriteLine("Synthetic crowd: K = 5, 1000 workers with random confusion matrices, redundancy 5, seed 20261129.");
        Console.WriteLine();
        Console.WriteLine("| answers | items | classes | iterations | converged | build s | fit s | fit CPU s | s / iteration | warm fit s | peak working set MB | DS accuracy | MV accuracy |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var fitSeconds = new Dictionary<int, double>();
        foreach (var size in sizes)
        {
            var fits = new List<double>();
            for (var run = 0; run < (size <= 1_000_000 ? runs : 1); run++)
            {
                var (result, _) = Child(FitCommand, Invariant(size));
                fits.Add(Number(result, "fit_s"));
                Console.WriteLine(
                    $"| {size:N0} | {result["items"]} | {result["classes"]} | {result["iterations"]} | {result["converged"]} | {result["build_s"]} | " +
                    $"{result["fit_s"]} | {result["fit_cpu_s"]} | {result["per_iteration_s"]} | {result["warm_fit_s"]} | {result["peak_mb"]} | {result["ds_accuracy"]} | {result["mv_accuracy"]} |");
            }

            fitSeconds[size] = Median(fits);
        }

        if (fitSeconds.TryGetValue(1_000_000, out var million) && fitSeconds.TryGetValue(10_000_000, out var tenMillion))
        {
            Console.WriteLine();
            Console.WriteLine($"Fit time 10M / median 1M: {tenMillion / million:0.0}x (linear would be 10x).");
        }

        if (cliAnswers > 0)
        {
            var csv = Path.Combine(Path.GetTempPath(), $"crowdlabel-bench-{Environment.ProcessId}.csv");
            try
            {
                Child(CsvCommand, Invariant(cliAnswers), csv);
                Console.WriteLine();
                Console.WriteLine($"CLI, crowdlabel aggregate --method ds on a {cliAnswers:N0}-row CSV ({new FileInfo(csv).Length / 1e6:0.0} MB):");
                Console.WriteLine();
                Console.WriteLine("| answers | Run (read, fit, write) s | whole process s | process CPU s | peak working set MB |");
                Console.WriteLine("| --- | --- | --- | --- | --- |");
                for (var run = 0; run < runs; run++)
                {
                    var (result, wall) = Child(CliCommand, csv);
                    Console.WriteLine($"| {cliAnswers:N0} | {result["run_s"]} | {wall:0.000} | {result["cpu_s"]} | {result["peak_mb"]} |");
                }
            }
            finally
            {
                File.Delete(csv);
            }
        }

        return 0;
    }

    /// <summary>consensus-datasets [FOLDER]: accuracy against truth.csv of each method on every dataset under tests/data.</summary>
    /// <remarks>Accuracy counts the items of truth.csv that have answers (relevance has truth for only some of its items).</remarks>
    public static int RunDatasets(string[] args)
    {
        var root = args.Length > 0 ? args[0] : FindDataFolder();
        Console.WriteLine("| dataset | answers | items | workers | classes | MV | DS | one-coin | DS iterations | DS fit s |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var builder = new AnswerSetBuilder();
            Cli.CsvFiles.ReadAnswers(Path.Combine(folder, "answers.csv"), builder);
            var answers = builder.Build();
            var truth = Cli.CsvFiles.ReadItemLabels(Path.Combine(folder, "truth.csv"))
                .Select(t => (Item: answers.IndexOfItem(t.Item), Label: answers.IndexOfLabel(t.Label)))
                .Where(t => t.Item >= 0)
                .ToArray();
            string Score(ConsensusResult result) =>
                ((double)truth.Count(t => result.ItemLabels[t.Item] == t.Label) / truth.Length).ToString("0.0000", CultureInfo.InvariantCulture);

            var clock = Stopwatch.StartNew();
            var ds = DawidSkene.Fit(answers);
            var fit = clock.Elapsed.TotalSeconds;
            Console.WriteLine(
                $"| {Path.GetFileName(folder)} | {answers.Count:N0} | {answers.ItemCount:N0} | {answers.WorkerCount:N0} | {answers.ClassCount} | " +
                $"{Score(MajorityVote.Fit(answers))} | {Score(ds)} | {Score(OneCoinDawidSkene.Fit(answers))} | {ds.Iterations} | {Seconds(fit)} |");
        }

        return 0;
    }

    /// <summary>consensus-sparsity: accuracy of each method on the synthetic crowd as the answers per worker grow (20, 100, 1000).</summary>
    public static int RunSparsity(string[] args)
    {
        Console.WriteLine("| answers (per worker) | MV | DS | DS, alpha 1 | one-coin |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var size in new[] { 20_000, 100_000, 1_000_000 })
        {
            var crowd = SyntheticCrowd.Generate(size);
            var answers = AnswerSet.FromArrays(crowd.Items, crowd.Workers, crowd.Labels, crowd.ItemCount, crowd.WorkerCount, crowd.ClassCount);
            Console.WriteLine(
                $"| {size:N0} ({size / crowd.WorkerCount:N0}) | {Accuracy(MajorityVote.Fit(answers), crowd.Truth)} | " +
                $"{Accuracy(DawidSkene.Fit(answers), crowd.Truth)} | {Accuracy(DawidSkene.Fit(answers, new DawidSkeneOptions { Alpha = 1 }), crowd.Truth)} | " +
                $"{Accuracy(OneCoinDawidSkene.Fit(answers), crowd.Truth)} |");
        }

        return 0;
    }

    /// <summary>consensus-fit ANSWERS: generate, build the answer set, fit Dawid-Skene (cold, then warm), report one RESULT line.</summary>
    public static int RunFit(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var crowd = SyntheticCrowd.Generate(ParseCount(args[0]));
        var generated = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var answers = AnswerSet.FromArrays(crowd.Items, crowd.Workers, crowd.Labels, crowd.ItemCount, crowd.WorkerCount, crowd.ClassCount);
        var built = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var result = DawidSkene.Fit(answers);
        var fit = clock.Elapsed.TotalSeconds;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        clock.Restart();
        DawidSkene.Fit(answers);
        var warm = clock.Elapsed.TotalSeconds;

        var majority = MajorityVote.Fit(answers);
        Report(
            ("answers", Invariant(answers.Count)),
            ("items", Invariant(answers.ItemCount)),
            ("classes", Invariant(answers.ClassCount)),
            ("iterations", Invariant(result.Iterations)),
            ("converged", result.Converged ? "yes" : "no"),
            ("generate_s", Seconds(generated)),
            ("build_s", Seconds(built)),
            ("fit_s", Seconds(fit)),
            ("fit_cpu_s", Seconds(cpu.TotalSeconds)),
            ("per_iteration_s", (fit / result.Iterations).ToString("0.0000", CultureInfo.InvariantCulture)),
            ("warm_fit_s", Seconds(warm)),
            ("peak_mb", Invariant((int)(peak / (1024 * 1024)))),
            ("ds_accuracy", Accuracy(result, crowd.Truth)),
            ("mv_accuracy", Accuracy(majority, crowd.Truth)));
        return 0;
    }

    /// <summary>consensus-csv ANSWERS FILE: writes the synthetic crowd as item,worker,label rows (string ids, as a user's file would have).</summary>
    public static int RunCsv(string[] args)
    {
        var crowd = SyntheticCrowd.Generate(ParseCount(args[0]));
        using var writer = new StreamWriter(args[1], append: false, System.Text.Encoding.UTF8, 1 << 16);
        writer.WriteLine("item,worker,label");
        for (var a = 0; a < crowd.Count; a++)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"item{crowd.Items[a]:D7},worker{crowd.Workers[a]:D4},{crowd.Labels[a]}"));
        }

        return 0;
    }

    /// <summary>consensus-cli FILE: crowdlabel aggregate --method ds on the file, in this process; reports the time of Run and the peak working set.</summary>
    public static int RunCli(string[] args)
    {
        var output = Path.ChangeExtension(args[0], ".labels.csv");
        try
        {
            var clock = Stopwatch.StartNew();
            var code = Cli.Program.Run(["aggregate", "--input", args[0], "--method", "ds", "--output", output], Console.Out, Console.Error);
            var run = clock.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            Report(("exit", Invariant(code)), ("run_s", Seconds(run)), ("cpu_s", Seconds(cpu)), ("peak_mb", Invariant((int)(peak / (1024 * 1024)))));
            return code;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Runs this program with the given subcommand in a child process; returns its RESULT values and its wall-clock seconds.</summary>
    /// <remarks>The CLI's child runs with tiered compilation off, as the crowdlabel executable does (its project sets it).</remarks>
    private static (Dictionary<string, string> Result, double Seconds) Child(params string[] args)
    {
        var environment = args[0] == CliCommand ? new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" } : null;
        var (exitCode, output, seconds) = ChildProcess.Run(args, environment);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} exited with {exitCode}:\n{output}");
        }

        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal)) ?? string.Empty;
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        return (values, seconds);
    }

    private static void Report(params (string Name, string Value)[] values) =>
        Console.WriteLine("RESULT " + string.Join(' ', values.Select(v => $"{v.Name}={v.Value}")));

    private static string Accuracy(ConsensusResult result, int[] truth)
    {
        var right = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            right += result.ItemLabels[i] == truth[i] ? 1 : 0;
        }

        return ((double)right / truth.Length).ToString("0.0000", CultureInfo.InvariantCulture);
    }

    private static string FindDataFolder()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            var data = Path.Combine(folder.FullName, "tests", "data");
            if (Directory.Exists(data))
            {
                return data;
            }
        }

        throw new DirectoryNotFoundException("tests/data not found above the current folder: pass the folder as an argument.");
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int ParseCount(string text) => int.Parse(text.Replace("_", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    private static double Number(Dictionary<string, string> values, string name) => double.Parse(values[name], CultureInfo.InvariantCulture);

    private static string Seconds(double seconds) => seconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

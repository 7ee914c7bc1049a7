using System.Diagnostics;
using System.Globalization;
using System.Text;
using CrowdLabel.Consensus;

namespace CrowdLabel.Cli;

/// <summary>crowdlabel aggregate: reads answers (and gold), runs a consensus method, writes labels (and worker quality), reports.</summary>
internal static class AggregateCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        AggregateOptions options;
        try
        {
            options = AggregateOptions.Parse(args);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"crowdlabel aggregate: {e.Message}");
            stderr.WriteLine(Program.Usage);
            return Program.BadUsage;
        }

        try
        {
            Execute(options, stdout, stderr);
            return Program.Success;
        }
        catch (Exception e) when (e is InputFileException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"crowdlabel aggregate: {e.Message}");
            return Program.BadInput;
        }
    }

    private static void Execute(AggregateOptions options, TextWriter stdout, TextWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        var builder = options.Labels is null ? new AnswerSetBuilder() : new AnswerSetBuilder(options.Labels);
        var gold = options.Gold is null ? null : CsvFiles.ReadItemLabels(options.Gold);
        foreach (var (_, label, line) in gold ?? [])
        {
            try
            {
                builder.AddLabel(label);
            }
            catch (ArgumentException e)
            {
                throw new InputFileException(options.Gold!, line, e.Message);
            }
        }

        CsvFiles.ReadAnswers(options.Input, builder);
        var answers = builder.Build();
        var truths = gold is null ? null : KnownTruths.FromIds(answers, gold.Select(g => (g.Item, g.Label)));
        var read = clock.Elapsed.TotalSeconds;
        var result = options.Method switch
        {
            AggregationMethod.MajorityVote => MajorityVote.Fit(answers, truths),
            AggregationMethod.OneCoin => OneCoinDawidSkene.Fit(answers, options.Fit, truths),
            _ => DawidSkene.Fit(answers, options.Fit, truths),
        };

        var fitted = clock.Elapsed.TotalSeconds;
        if (options.Output is null)
        {
            CsvFiles.WriteLabels(stdout, answers, result);
            stdout.Flush();
        }
        else
        {
            WriteFile(options.Output, writer => CsvFiles.WriteLabels(writer, answers, result));
        }

        if (options.Workers is not null)
        {
            WriteFile(options.Workers, writer => CsvFiles.WriteWorkers(writer, answers, result));
        }

        var accuracy = options.Truth is null ? null : Score(options.Truth, answers, result, truths);
        var seconds = string.Create(CultureInfo.InvariantCulture,
            $"{clock.Elapsed.TotalSeconds:0.000} (read {read:0.000}, fit {fitted - read:0.000}, write {clock.Elapsed.TotalSeconds - fitted:0.000})");
        WriteSummary(stderr, options, answers, truths, result, accuracy, seconds);
    }

    private static void WriteFile(string path, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        write(writer);
    }

    /// <summary>Accuracy of the labels on the items of the truth file that have answers (gold items left out: they are right by construction).</summary>
    private static string Score(string path, AnswerSet answers, ConsensusResult result, KnownTruths? truths)
    {
        var truthByItem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (item, label, _) in CsvFiles.ReadItemLabels(path))
        {
            truthByItem[item] = label;
        }

        int scored = 0, right = 0, withoutAnswers = 0, gold = 0;
        foreach (var (itemId, label) in truthByItem)
        {
            var item = answers.IndexOfItem(itemId);
            if (item < 0)
            {
                withoutAnswers++;
            }
            else if (truths is not null && truths[item] >= 0)
            {
                gold++;
            }
            else
            {
                scored++;
                right += answers.Labels[result.ItemLabels[item]] == label ? 1 : 0;
            }
        }

        var text = new StringBuilder(scored == 0
            ? "no items to score"
            : string.Create(CultureInfo.InvariantCulture, $"{(double)right / scored:0.0000} ({right} of {scored} items right)"));
        if (gold > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {gold} gold items left out");
        }

        if (withoutAnswers > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {withoutAnswers} items of the truth file have no answers");
        }

        return text.ToString();
    }

    private static void WriteSummary(
        TextWriter stderr,
        AggregateOptions options,
        AnswerSet answers,
        KnownTruths? truths,
        ConsensusResult result,
        string? accuracy,
        string seconds)
    {
        var lines = new List<(string Name, string Value)>
        {
            ("method", options.MethodName),
            ("items", Invariant(answers.ItemCount)),
            ("workers", Invariant(answers.WorkerCount)),
            ("classes", Invariant(answers.ClassCount)),
            ("answers", Invariant(answers.Count)),
        };
        if (answers.DuplicatesDropped > 0)
        {
            lines.Add(("duplicates", $"{Invariant(answers.DuplicatesDropped)} repeated answers by the same worker to the same item dropped (the last one counts)"));
        }

        if (truths is not null)
        {
            var ignored = truths.Ignored > 0 ? $" ({Invariant(truths.Ignored)} more without answers ignored)" : string.Empty;
            lines.Add(("gold items", Invariant(truths.Count) + ignored));
        }

        lines.Add(("ties", Invariant(result.TieCount)));
        lines.Add(("iterations", Invariant(result.Iterations)));
        lines.Add(("converged", result.Converged ? "yes" : "no"));
        lines.Add(("seconds", seconds));
        if (accuracy is not null)
        {
            lines.Add(("accuracy", accuracy));
        }

        foreach (var (name, value) in lines)
        {
            stderr.WriteLine($"{name}: {value}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

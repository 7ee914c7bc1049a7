using System.Text;

namespace CrowdLabel.Cli;

/// <summary>The crowdlabel command: runs the consensus engine on crowd answers from CSV files.</summary>
public static class Program
{
    /// <summary>Exit code when the command ran.</summary>
    public const int Success = 0;

    /// <summary>Exit code when an input file is missing or malformed.</summary>
    public const int BadInput = 1;

    /// <summary>Exit code when the command line is wrong.</summary>
    public const int BadUsage = 2;

    internal const string Usage = """
        Usage: crowdlabel aggregate --input answers.csv [options]

        Aggregates redundant crowd answers into one label per item, with a confidence.

          --input FILE      answers, CSV with header item,worker,label (required)
          --method NAME     mv (majority vote), ds (Dawid-Skene, default) or onecoin (one-coin Dawid-Skene)
          --gold FILE       known truths, CSV item,label: these items keep their label and teach the model
          --output FILE     labels, CSV item,label,confidence sorted by item (default: standard output)
          --workers FILE    worker quality, CSV worker,accuracy,answers
          --truth FILE      CSV item,label: print the accuracy of the labels against it
          --labels A,B,C    the label set, in this order (default: the labels found, in numeric or ordinal order);
                            an answer or gold label outside it is an error
          --max-iter N      EM iteration cap (default 100)
          --tol X           EM stops when the log-likelihood per answer gains less than X (default 1e-5)
          --alpha X         add-alpha smoothing of confusion matrices and priors (default 0.01)

        A summary goes to standard error. Exit codes: 0 done, 1 bad input file, 2 bad command line.
        """;

    /// <summary>Entry point: standard output is buffered and flushed at the end.</summary>
    public static int Main(string[] args)
    {
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        var code = Run(args, stdout, Console.Error);
        stdout.Flush();
        return code;
    }

    /// <summary>Runs the command line with the given writers for standard output and standard error; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return BadUsage;
        }

        if (args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return Success;
        }

        if (args[0] != "aggregate")
        {
            stderr.WriteLine($"crowdlabel: unknown command '{args[0]}'.");
            stderr.WriteLine(Usage);
            return BadUsage;
        }

        return AggregateCommand.Run(args[1..], stdout, stderr);
    }
}

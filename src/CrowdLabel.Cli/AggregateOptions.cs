using System.Globalization;
using System.Numerics;
using CrowdLabel.Consensus;

namespace CrowdLabel.Cli;

/// <summary>The consensus method the aggregate command runs.</summary>
internal enum AggregationMethod
{
    MajorityVote,
    DawidSkene,
    OneCoin,
}

/// <summary>The aggregate command's arguments, parsed and checked.</summary>
internal sealed record AggregateOptions(
    string Input,
    AggregationMethod Method,
    string? Gold,
    string? Output,
    string? Workers,
    string? Truth,
    IReadOnlyList<string>? Labels,
    DawidSkeneOptions Fit)
{
    public string MethodName => Method switch
    {
        AggregationMethod.MajorityVote => "mv",
        AggregationMethod.OneCoin => "onecoin",
        _ => "ds",
    };

    /// <summary>Parses "--name value" and "--name=value" arguments.</summary>
    /// <exception cref="UsageException">An option is unknown, repeated, lacks its value or has a bad one, or --input is missing.</exception>
    public static AggregateOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var a = 0; a < args.Count; a++)
        {
            var argument = args[a];
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{argument}'.");
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? argument[2..equals] : argument[2..];
            string value;
            if (equals > 0)
            {
                value = argument[(equals + 1)..];
            }
            else if (a + 1 < args.Count)
            {
                value = args[++a];
            }
            else
            {
                throw new UsageException($"--{name} needs a value.");
            }

            if (name is not ("input" or "method" or "gold" or "output" or "workers" or "truth" or "labels" or "max-iter" or "tol" or "alpha"))
            {
                throw new UsageException($"unknown option --{name}.");
            }

            if (!values.TryAdd(name, value))
            {
                throw new UsageException($"--{name} is given twice.");
            }
        }

        var input = values.GetValueOrDefault("input") ?? throw new UsageException("--input is required.");
        var defaults = DawidSkeneOptions.Default;
        var fit = defaults with
        {
            MaxIterations = Number(values, "max-iter", defaults.MaxIterations, minimum: 1),
            Tolerance = Number(values, "tol", defaults.Tolerance, minimum: 0),
            Alpha = Number(values, "alpha", defaults.Alpha, minimum: 0),
        };
        return new AggregateOptions(
            input,
            ParseMethod(values.GetValueOrDefault("method") ?? "ds"),
            values.GetValueOrDefault("gold"),
            values.GetValueOrDefault("output"),
            values.GetValueOrDefault("workers"),
            values.GetValueOrDefault("truth"),
            ParseLabels(values.GetValueOrDefault("labels")),
            fit);
    }

    private static string[]? ParseLabels(string? list)
    {
        if (list is null)
        {
            return null;
        }

        var labels = list.Split(',');
        return labels.Any(string.IsNullOrEmpty) || labels.Distinct(StringComparer.Ordinal).Count() != labels.Length
            ? throw new UsageException($"--labels must list distinct, non-empty labels separated by commas, not '{list}'.")
            : labels;
    }

    private static AggregationMethod ParseMethod(string name) => name switch
    {
        "mv" => AggregationMethod.MajorityVote,
        "ds" => AggregationMethod.DawidSkene,
        "onecoin" => AggregationMethod.OneCoin,
        _ => throw new UsageException($"--method must be mv, ds or onecoin, not '{name}'."),
    };

    private static T Number<T>(Dictionary<string, string> values, string name, T fallback, T minimum)
        where T : struct, INumber<T>
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !T.IsFinite(value) || value < minimum)
        {
            throw new UsageException($"--{name} must be a number of at least {minimum.ToString(null, CultureInfo.InvariantCulture)}, not '{text}'.");
        }

        return value;
    }
}

/// <summary>A wrong command line: the message says what to fix.</summary>
internal sealed class UsageException(string message) : Exception(message);

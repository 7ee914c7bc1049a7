using CrowdLabel.Consensus;
using nietras.SeparatedValues;

namespace CrowdLabel.Cli;

/// <summary>Reads the command's input CSV files (checked, with line numbers in every error) and writes its output files.</summary>
internal static class CsvFiles
{
    private static readonly Sep Comma = new(',');

    /// <summary>Reads answers (header item,worker,label; any other columns are ignored) into the builder.</summary>
    public static void ReadAnswers(string path, AnswerSetBuilder builder)
    {
        using var reader = Open(path, ["item", "worker", "label"], out var columns);
        var columnCount = reader.Header.ColNames.Count;
        foreach (var row in reader)
        {
            if (IsBlankOrChecked(path, row, columnCount))
            {
                continue;
            }

            try
            {
                builder.Add(
                    Field(path, row, columns[0], "item"),
                    Field(path, row, columns[1], "worker"),
                    Field(path, row, columns[2], "label"));
            }
            catch (ArgumentException e)
            {
                throw new InputFileException(path, row.LineNumberFrom, e.Message);
            }
        }

        if (builder.Count == 0)
        {
            throw new InputFileException(path, 2, "no answers after the header.");
        }
    }

    /// <summary>Reads (item, label) pairs with their line numbers (header item,label), for gold and truth files.</summary>
    public static List<(string Item, string Label, int Line)> ReadItemLabels(string path)
    {
        using var reader = Open(path, ["item", "label"], out var columns);
        var columnCount = reader.Header.ColNames.Count;
        var pairs = new List<(string Item, string Label, int Line)>();
        foreach (var row in reader)
        {
            if (IsBlankOrChecked(path, row, columnCount))
            {
                continue;
            }

            pairs.Add((Field(path, row, columns[0], "item").ToString(), Field(path, row, columns[1], "label").ToString(), row.LineNumberFrom));
        }

        return pairs;
    }

    /// <summary>Writes item,label,confidence, one row per item in the answer set's item order (ordinal by item id).</summary>
    public static void WriteLabels(TextWriter output, AnswerSet answers, ConsensusResult result)
    {
        using var writer = Comma.Writer(o => o with { Escape = true }).To(output, leaveOpen: true);
        Span<char> digits = stackalloc char[8];
        for (var i = 0; i < answers.ItemCount; i++)
        {
            using var row = writer.NewRow();
            row["item"].Set(answers.ItemIds[i]);
            row["label"].Set(answers.Labels[result.ItemLabels[i]]);
            row["confidence"].Set(Probability(result.Confidences[i], digits));
        }
    }

    /// <summary>Writes worker,accuracy,answers, one row per worker in ordinal order of worker id.</summary>
    public static void WriteWorkers(TextWriter output, AnswerSet answers, ConsensusResult result)
    {
        using var writer = Comma.Writer(o => o with { Escape = true }).To(output, leaveOpen: true);
        Span<char> digits = stackalloc char[8];
        for (var w = 0; w < answers.WorkerCount; w++)
        {
            using var row = writer.NewRow();
            row["worker"].Set(answers.WorkerIds[w]);
            row["accuracy"].Set(Probability(result.WorkerAccuracies[w], digits));
            row["answers"].Format(answers.WorkerAnswerCount(w));
        }
    }

    /// <summary>A probability in [0, 1] with at most six decimals ("0.595888", "0.5", "1"), as the format "0.######" writes it,
    /// by integer arithmetic: formatting a million doubles with a custom format costs more than the whole fit.</summary>
    internal static ReadOnlySpan<char> Probability(double probability, Span<char> digits)
    {
        var millionths = (long)Math.Round(Math.Clamp(probability, 0, 1) * 1e6, MidpointRounding.AwayFromZero);
        if (millionths is 0 or 1_000_000)
        {
            return millionths == 0 ? "0" : "1";
        }

        digits[0] = '0';
        digits[1] = '.';
        for (var d = 7; d >= 2; d--)
        {
            digits[d] = (char)('0' + (millionths % 10));
            millionths /= 10;
        }

        var length = 8;
        while (digits[length - 1] == '0')
        {
            length--;
        }

        return digits[..length];
    }

    private static SepReader Open(string path, string[] required, out int[] columns)
    {
        if (!File.Exists(path))
        {
            throw new InputFileException(path, 0, "no such file.");
        }

        var reader = Comma
            .Reader(o => o with { Unescape = true, DisableColCountCheck = true, ColNameComparer = StringComparer.OrdinalIgnoreCase })
            .FromFile(path);
        try
        {
            var header = reader.Header;
            var expected = string.Join(',', required);
            if (header.IsEmpty || (header.ColNames.Count == 1 && header.ColNames[0].Length == 0))
            {
                throw new InputFileException(path, 1, $"the file is empty; expected the header {expected}.");
            }

            columns = new int[required.Length];
            for (var c = 0; c < required.Length; c++)
            {
                if (!header.TryIndexOf(required[c], out columns[c]))
                {
                    throw new InputFileException(
                        path, 1, $"missing header: expected {expected}, found {string.Join(',', header.ColNames)}.");
                }
            }

            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>True for a blank line (skipped); throws when the row has the wrong number of fields.</summary>
    private static bool IsBlankOrChecked(string path, SepReader.Row row, int columnCount)
    {
        if (row.Span.IsEmpty)
        {
            return true;
        }

        if (row.ColCount != columnCount)
        {
            throw new InputFileException(
                path, row.LineNumberFrom, $"expected {columnCount} fields as in the header, found {row.ColCount}.");
        }

        return false;
    }

    private static ReadOnlySpan<char> Field(string path, SepReader.Row row, int column, string name)
    {
        var value = row[column].Span;
        if (value.IsEmpty)
        {
            throw new InputFileException(path, row.LineNumberFrom, $"empty {name}.");
        }

        return value;
    }
}

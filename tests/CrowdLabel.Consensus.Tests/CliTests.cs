using CrowdLabel.Cli;

namespace CrowdLabel.Consensus.Tests;

/// <summary>The crowdlabel command run in-process on temporary files.</summary>
public sealed class CliTests : IDisposable
{
    private const string Answers = """
        item,worker,label
        i1,w1,cat
        i1,w2,cat
        i1,w3,dog
        i2,w1,dog
        i2,w2,dog
        i2,w3,dog
        i3,w1,cat
        i3,w2,dog
        i3,w3,cat
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("crowdlabel-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Aggregate_WritesOneRowPerItem_SortedByItem_AndASummary()
    {
        var input = Write("answers.csv", Answers);
        var output = Path.Combine(_folder, "labels.csv");

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--method", "ds", "--output", output);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stdout);
        var lines = File.ReadAllLines(output);
        Assert.Equal("item,label,confidence", lines[0]);
        Assert.Equal(["i1", "i2", "i3"], lines[1..].Select(line => line.Split(',')[0]));
        Assert.Equal(["cat", "dog", "cat"], lines[1..].Select(line => line.Split(',')[1]));
        Assert.All(lines[1..], line => Assert.InRange(double.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1));
        foreach (var expected in new[] { "items: 3", "workers: 3", "classes: 2", "answers: 9", "iterations: ", "converged: yes", "seconds: " })
        {
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("mv")]
    [InlineData("ds")]
    [InlineData("onecoin")]
    public void Aggregate_WithoutOutput_WritesTheLabelsToStandardOutput(string method)
    {
        var input = Write("answers.csv", Answers);

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--method", method);

        Assert.Equal(0, code);
        Assert.StartsWith("item,label,confidence", stdout, StringComparison.Ordinal);
        Assert.Equal(4, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains($"method: {method}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_WithGold_KeepsTheGoldLabel_AgainstTheVotes()
    {
        var input = Write("answers.csv", Answers);
        var gold = Write("gold.csv", "item,label\ni2,cat\nnot-answered,dog\n");

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--gold", gold);

        Assert.Equal(0, code);
        Assert.Contains("i2,cat,1", stdout, StringComparison.Ordinal);
        Assert.Contains("gold items: 1 (1 more without answers ignored)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_WithTruth_PrintsTheAccuracy()
    {
        var input = Write("answers.csv", Answers);
        var truth = Write("truth.csv", "item,label\ni1,cat\ni2,cat\ni3,cat\n");

        var (code, _, stderr) = Run("aggregate", "--input", input, "--method", "mv", "--truth", truth);

        Assert.Equal(0, code);
        Assert.Contains("accuracy: 0.6667 (2 of 3 items right)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_WithWorkersFile_WritesAccuracyAndAnswerCounts()
    {
        var input = Write("answers.csv", Answers + "\ni4,w1,cat\n");
        var workers = Path.Combine(_folder, "workers.csv");

        var (code, _, _) = Run("aggregate", "--input", input, "--workers", workers, "--method", "mv");

        Assert.Equal(0, code);
        var lines = File.ReadAllLines(workers);
        Assert.Equal("worker,accuracy,answers", lines[0]);
        Assert.Equal("w1,1,4", lines[1]);
        Assert.StartsWith("w3,0.", lines[3], StringComparison.Ordinal);
        Assert.EndsWith(",3", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_QuotedFields_AreReadAndWrittenBack()
    {
        var input = Write("answers.csv", """"
            item,worker,label
            "Paris, France",w1,"says ""yes"""
            "Paris, France",w2,"says ""yes"""
            "line
            break",w1,no
            """");

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--method", "mv");

        Assert.Equal(0, code);
        Assert.Contains("\"Paris, France\",\"says \"\"yes\"\"\",1", stdout, StringComparison.Ordinal);
        Assert.Contains("\"line\nbreak\",no,1", stdout.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("items: 2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_FileWithByteOrderMarkAndCrLf_IsRead()
    {
        var input = Path.Combine(_folder, "bom.csv");
        File.WriteAllText(input, "item,worker,label\r\ni1,w1,a\r\ni1,w2,a\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var (code, stdout, _) = Run("aggregate", "--input", input);

        Assert.Equal(0, code);
        Assert.Contains("i1,a,1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_HeaderInAnyOrderAndCase_WithExtraColumnsAndBlankLines_IsRead()
    {
        var input = Write("answers.csv", "Label,when,ITEM,Worker\na,monday,i1,w1\n\nb,monday,i1,w2\nb,tuesday,i1,w3\n\n");

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--method", "mv");

        Assert.Equal(0, code);
        Assert.Contains("i1,b,0.666667", stdout, StringComparison.Ordinal);
        Assert.Contains("answers: 3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_RepeatedAnswers_CountTheLastOne_AndAreReported()
    {
        var input = Write("answers.csv", "item,worker,label\ni1,w1,a\ni1,w1,b\ni1,w2,b\n");

        var (code, stdout, stderr) = Run("aggregate", "--input", input, "--method", "mv");

        Assert.Equal(0, code);
        Assert.Contains("i1,b,1", stdout, StringComparison.Ordinal);
        Assert.Contains("duplicates: 1 repeated answers", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "line 1: the file is empty")]
    [InlineData("i1,w1,a\ni2,w1,b\n", "line 1: missing header: expected item,worker,label, found i1,w1,a")]
    [InlineData("item,worker\ni1,w1\n", "line 1: missing header")]
    [InlineData("item,worker,label\n", "line 2: no answers after the header")]
    [InlineData("item,worker,label\ni1,w1,a\ni2,w1\n", "line 3: expected 3 fields as in the header, found 2")]
    [InlineData("item,worker,label\ni1,w1,a\ni2,w1,b,extra\n", "line 3: expected 3 fields as in the header, found 4")]
    [InlineData("item,worker,label\ni1,w1,a\ni2,,b\n", "line 3: empty worker")]
    [InlineData("item,worker,label\n\"a\nb\",w1,a\ni2,w1\n", "line 4: expected 3 fields")]
    public void Aggregate_BadAnswersFile_ExitsNonZero_WithTheLineAndWhatIsWrong(string content, string expected)
    {
        var input = Write("answers.csv", content);

        var (code, stdout, stderr) = Run("aggregate", "--input", input);

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{input}, {expected}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_BadGoldFile_ExitsNonZero_WithTheLine()
    {
        var input = Write("answers.csv", Answers);
        var gold = Write("gold.csv", "item,label\ni1,cat\ni2\n");

        var (code, _, stderr) = Run("aggregate", "--input", input, "--gold", gold);

        Assert.Equal(1, code);
        Assert.Contains($"{gold}, line 3: expected 2 fields", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_WithLabels_RejectsAnAnswerOutsideTheSet_WithItsLine()
    {
        var input = Write("answers.csv", Answers + "\ni4,w1,bird\n");

        var (code, _, stderr) = Run("aggregate", "--input", input, "--labels", "cat,dog");

        Assert.Equal(1, code);
        Assert.Contains($"{input}, line 11: Label 'bird' (item 'i4', worker 'w1') is not one of the declared labels: cat, dog.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_WithLabels_KeepsUnusedClasses_InTheGivenOrder()
    {
        var input = Write("answers.csv", Answers);
        var gold = Write("gold.csv", "item,label\ni1,cat\ni3,fish\n");

        var (code, _, stderr) = Run("aggregate", "--input", input, "--labels", "dog,cat,bird", "--gold", gold);

        Assert.Equal(1, code);
        Assert.Contains($"{gold}, line 3: Label 'fish' is not one of the declared labels: dog, cat, bird.", stderr, StringComparison.Ordinal);
        Assert.Equal(0, Run("aggregate", "--input", input, "--labels", "dog,cat,bird").Code);
        Assert.Contains("classes: 3", Run("aggregate", "--input", input, "--labels", "dog,cat,bird").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_MissingInputFile_ExitsNonZero()
    {
        var (code, _, stderr) = Run("aggregate", "--input", Path.Combine(_folder, "nope.csv"));

        Assert.Equal(1, code);
        Assert.Contains("nope.csv: no such file.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--input=x.csv --method=best", "--method must be mv, ds or onecoin")]
    [InlineData("--method ds", "--input is required")]
    [InlineData("--input x.csv --tol -1", "--tol must be a number of at least 0")]
    [InlineData("--input x.csv --max-iter 0", "--max-iter must be a number of at least 1")]
    [InlineData("--input x.csv --colour red", "unknown option --colour")]
    [InlineData("--input x.csv --alpha", "--alpha needs a value")]
    [InlineData("--input x.csv --labels a,,b", "--labels must list distinct, non-empty labels")]
    public void Aggregate_BadCommandLine_ExitsWithUsage(string arguments, string expected)
    {
        var (code, _, stderr) = Run(["aggregate", .. arguments.Split(' ')]);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Contains("Usage: crowdlabel aggregate", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_PrintsUsage_AndUnknownCommand_Fails()
    {
        Assert.Equal(0, Run("--help").Code);
        Assert.Equal(2, Run("split").Code);
        Assert.Equal(2, Run().Code);
    }

    [Fact]
    public void Aggregate_OnARealDataset_MatchesTheLibrary()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "data", "dog");

        var (code, _, stderr) = Run(
            "aggregate", "--input", Path.Combine(folder, "answers.csv"), "--truth", Path.Combine(folder, "truth.csv"),
            "--output", Path.Combine(_folder, "dog.csv"));

        var (answers, truth) = RealDatasetTests.Load("dog");
        var expected = RealDatasetTests.Accuracy(answers, truth, DawidSkene.Fit(answers));
        Assert.Equal(0, code);
        Assert.Contains($"accuracy: {expected.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5958884, "0.595888")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.0, "1")]
    [InlineData(0.9999996, "1")]
    [InlineData(0.0, "0")]
    [InlineData(0.0000004, "0")]
    [InlineData(0.0000005, "0.000001")]
    [InlineData(0.25, "0.25")]
    [InlineData(0.333333333, "0.333333")]
    public void Probabilities_AreWrittenWithAtMostSixDecimals(double probability, string expected)
    {
        Span<char> digits = stackalloc char[8];

        Assert.Equal(expected, CsvFiles.Probability(probability, digits).ToString());
        Assert.Equal(probability.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture), expected);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}

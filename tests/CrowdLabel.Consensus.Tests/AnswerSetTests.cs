namespace CrowdLabel.Consensus.Tests;

public sealed class AnswerSetTests
{
    [Fact]
    public void Builder_InternsIds_InOrdinalOrder_AndSortsAnswersByItemThenWorker()
    {
        var answers = Crowds.Of(("b", "w2", "x"), ("a", "w2", "y"), ("b", "w1", "y"), ("a", "w1", "x"));

        Assert.Equal(["a", "b"], answers.ItemIds);
        Assert.Equal(["w1", "w2"], answers.WorkerIds);
        Assert.Equal(["x", "y"], answers.Labels);
        Assert.Equal([0, 0, 1, 1], answers.Items.ToArray());
        Assert.Equal([0, 1, 0, 1], answers.Workers.ToArray());
        Assert.Equal([0, 1, 1, 0], answers.AnswerLabels.ToArray());
        Assert.Equal([0, 2, 4], answers.ItemOffsets.ToArray());
        Assert.Equal(2, answers.WorkerAnswerCount(0));
        Assert.Equal(2, answers.ItemAnswerCount(1));
    }

    [Fact]
    public void Builder_WithIntegerLabels_OrdersClassesNumerically()
    {
        var answers = Crowds.Of(("a", "w", "10"), ("b", "w", "2"), ("c", "w", "-1"));

        Assert.Equal(["-1", "2", "10"], answers.Labels);
    }

    [Fact]
    public void Builder_WithDeclaredLabels_KeepsTheDeclaredOrder_AndUnusedClasses()
    {
        var answers = Crowds.Of(["neg", "neutral", "pos"], ("a", "w", "pos"), ("b", "w", "neg"));

        Assert.Equal(["neg", "neutral", "pos"], answers.Labels);
        Assert.Equal(3, answers.ClassCount);
    }

    [Fact]
    public void Builder_RejectsLabelOutsideTheDeclaredSet_WithAClearMessage()
    {
        var builder = new AnswerSetBuilder(["cat", "dog"]);

        var error = Assert.Throws<ArgumentException>(() => builder.Add("item7", "w3", "bird"));

        Assert.Contains("'bird'", error.Message, StringComparison.Ordinal);
        Assert.Contains("item7", error.Message, StringComparison.Ordinal);
        Assert.Contains("cat, dog", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_WorkerAnsweringAnItemTwice_KeepsTheLastAnswer_AndReportsTheDuplicate()
    {
        var answers = Crowds.Of(("a", "w1", "x"), ("a", "w2", "x"), ("a", "w1", "y"), ("a", "w1", "z"));

        Assert.Equal(2, answers.Count);
        Assert.Equal(2, answers.DuplicatesDropped);
        Assert.Equal("z", answers.Labels[answers.AnswerLabels[0]]);
        Assert.Equal("x", answers.Labels[answers.AnswerLabels[1]]);
    }

    [Fact]
    public void Builder_ItemWithManyAnswers_IsSortedByWorker_AndKeepsTheLastRepeat()
    {
        var random = new Random(4);
        var given = Enumerable.Range(0, 300).Select(n => ("big", $"w{random.Next(100):D3}", $"l{n % 7}")).ToArray();

        var answers = Crowds.Of(given);

        var lastByWorker = given.GroupBy(g => g.Item2).ToDictionary(g => g.Key, g => g.Last().Item3);
        Assert.Equal(lastByWorker.Count, answers.Count);
        Assert.Equal(300 - lastByWorker.Count, answers.DuplicatesDropped);
        Assert.Equal(answers.Workers.ToArray().Order(), answers.Workers.ToArray());
        for (var a = 0; a < answers.Count; a++)
        {
            Assert.Equal(lastByWorker[answers.WorkerIds[answers.Workers[a]]], answers.Labels[answers.AnswerLabels[a]]);
        }
    }

    [Fact]
    public void FromArrays_SortsAndDeduplicates_LikeTheBuilder()
    {
        var answers = AnswerSet.FromArrays([1, 0, 1, 1], [0, 1, 0, 1], [2, 0, 1, 0], itemCount: 2, workerCount: 2, classCount: 3);

        Assert.Equal(3, answers.Count);
        Assert.Equal(1, answers.DuplicatesDropped);
        Assert.Equal([0, 1, 1], answers.Items.ToArray());
        Assert.Equal([1, 0, 1], answers.Workers.ToArray());
        Assert.Equal([0, 1, 0], answers.AnswerLabels.ToArray());
        Assert.Equal("1", answers.ItemIds[1]);
        Assert.Equal(1, answers.IndexOfItem("1"));
    }

    [Fact]
    public void FromArrays_RejectsIdsOutOfRange()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            AnswerSet.FromArrays([0, 0], [0, 1], [0, 3], itemCount: 1, workerCount: 2, classCount: 3));

        Assert.Contains("Answer 1: label 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AnswerSet.FromArrays([0], [0, 1], [0], 1, 2, 3));
        Assert.Throws<ArgumentException>(() => AnswerSet.FromArrays([-1], [0], [0], 1, 1, 1));
    }

    [Fact]
    public void KnownTruths_FromIds_IgnoresItemsWithoutAnswers_AndRejectsUnknownLabels()
    {
        var answers = Crowds.Of(("a", "w", "x"), ("b", "w", "y"));

        var truths = KnownTruths.FromIds(answers, [("a", "y"), ("zz", "x")]);

        Assert.Equal(1, truths.Count);
        Assert.Equal(1, truths.Ignored);
        Assert.Equal(1, truths[0]);
        Assert.Equal(-1, truths[1]);
        Assert.Throws<ArgumentException>(() => KnownTruths.FromIds(answers, [("a", "nope")]));
        Assert.Throws<ArgumentException>(() => KnownTruths.FromIndices(answers, [(5, 0)]));
    }
}

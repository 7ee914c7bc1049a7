namespace CrowdLabel.Consensus.Tests;

public sealed class DawidSkeneTests
{
    public static TheoryData<string> Methods => ["mv", "ds", "onecoin"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void SameAnswersInAnyOrder_GiveIdenticalOutput(string method)
    {
        var (answers, _) = Crowds.Simulate(items: 400, workers: 30, classes: 3, redundancy: 4, seed: 11);
        var shuffled = answers.ToArray();
        new Random(99).Shuffle(shuffled);

        var original = DegenerateInputTests.Fit(method, Crowds.Of([.. answers]));
        var reordered = DegenerateInputTests.Fit(method, Crowds.Of(shuffled));

        Crowds.AssertIdentical(original, reordered);
    }

    [Theory]
    [InlineData("ds")]
    [InlineData("onecoin")]
    public void ParallelAndSingleThreaded_GiveIdenticalOutput(string method)
    {
        var (simulated, _) = Crowds.Simulate(items: 13_000, workers: 200, classes: 4, redundancy: 5, seed: 3);
        var answers = Crowds.Of([.. simulated]);
        Assert.True(answers.Count >= 50_000, "large enough to run in parallel");

        var parallel = DegenerateInputTests.Fit(method, answers, new DawidSkeneOptions());
        var sequential = DegenerateInputTests.Fit(method, answers, new DawidSkeneOptions { MaxDegreeOfParallelism = 1 });

        Crowds.AssertIdentical(sequential, parallel);
    }

    [Fact]
    public void DawidSkene_BeatsMajorityVote_OnACrowdWithWeakWorkers()
    {
        var (simulated, truth) = Crowds.Simulate(items: 1500, workers: 40, classes: 3, redundancy: 5, seed: 7);
        var answers = Crowds.Of([.. simulated]);

        var ds = DawidSkene.Fit(answers);
        var mv = MajorityVote.Fit(answers);

        Assert.True(ds.Converged);
        Crowds.AssertFinite(ds);
        var (dsAccuracy, mvAccuracy) = (Accuracy(answers, ds, truth), Accuracy(answers, mv, truth));
        Assert.True(dsAccuracy > mvAccuracy + 0.02, $"DS {dsAccuracy}, MV {mvAccuracy}");
    }

    [Fact]
    public void DawidSkene_LearnsAWorkerWhoAlwaysSwapsTheLabels()
    {
        var list = new List<(string, string, string)>();
        for (var i = 0; i < 40; i++)
        {
            var label = i % 2 == 0 ? "a" : "b";
            var swapped = label == "a" ? "b" : "a";
            list.Add(($"i{i}", "good1", label));
            list.Add(($"i{i}", "good2", label));
            list.Add(($"i{i}", "swapper", swapped));
        }

        list.Add(("alone", "swapper", "b"));
        var answers = Crowds.Of([.. list]);

        var result = DawidSkene.Fit(answers);

        var swapper = answers.IndexOfWorker("swapper");
        Assert.True(result.ConfusionMatrix(swapper)[1] > 0.9, "true a is answered b");
        Assert.True(result.WorkerAccuracies[swapper] < 0.1);
        Assert.Equal("a", answers.Labels[result.ItemLabels[answers.IndexOfItem("alone")]]);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void KnownTruths_FixTheirItemsPosteriors_EvenAgainstEveryWorker(string method)
    {
        var (simulated, _) = Crowds.Simulate(items: 200, workers: 15, classes: 3, redundancy: 3, seed: 21);
        var answers = Crowds.Of([.. simulated]);
        var free = DegenerateInputTests.Fit(method, answers);
        var item = 17;
        var opposite = (free.ItemLabels[item] + 1) % 3;

        var result = DegenerateInputTests.Fit(method, answers, truths: KnownTruths.FromIndices(answers, [(item, opposite)]));

        Assert.Equal(opposite, result.ItemLabels[item]);
        Assert.Equal(1.0, result.Confidences[item]);
        Assert.Equal(1.0, result.Posterior(item)[opposite]);
        Assert.False(result.Ties[item]);
        Crowds.AssertFinite(result);
    }

    [Fact]
    public void KnownTruths_TeachTheModelWhoIsReliable()
    {
        var list = new List<(string, string, string)>();
        for (var i = 0; i < 30; i++)
        {
            var label = i % 3 == 0 ? "b" : "a";
            list.Add(($"i{i}", "honest", label));
            list.Add(($"i{i}", "contrarian", label == "a" ? "b" : "a"));
        }

        var answers = Crowds.Of([.. list]);
        var gold = Enumerable.Range(0, 10).Select(i => ($"i{i}", i % 3 == 0 ? "b" : "a"));

        var result = DawidSkene.Fit(answers, truths: KnownTruths.FromIds(answers, gold));

        Assert.True(result.WorkerAccuracies[answers.IndexOfWorker("honest")] > 0.9);
        Assert.True(result.WorkerAccuracies[answers.IndexOfWorker("contrarian")] < 0.1);
        for (var i = 10; i < 30; i++)
        {
            Assert.Equal(i % 3 == 0 ? "b" : "a", answers.Labels[result.ItemLabels[answers.IndexOfItem($"i{i}")]]);
        }
    }

    [Fact]
    public void DawidSkene_AtTheIterationCap_SaysItDidNotConverge()
    {
        var (simulated, _) = Crowds.Simulate(items: 300, workers: 20, classes: 3, redundancy: 3, seed: 2);
        var answers = Crowds.Of([.. simulated]);

        var capped = DawidSkene.Fit(answers, new DawidSkeneOptions { MaxIterations = 2 });
        var free = DawidSkene.Fit(answers);

        Assert.Equal(2, capped.Iterations);
        Assert.False(capped.Converged);
        Assert.True(free.Converged);
        Assert.InRange(free.Iterations, 3, 99);
    }

    [Fact]
    public void WorkerAccuracy_IsTheDiagonalWeightedByClassPriors()
    {
        var (simulated, _) = Crowds.Simulate(items: 300, workers: 20, classes: 3, redundancy: 3, seed: 8);
        var answers = Crowds.Of([.. simulated]);

        var result = DawidSkene.Fit(answers);

        for (var w = 0; w < answers.WorkerCount; w++)
        {
            var matrix = result.ConfusionMatrix(w);
            var expected = 0.0;
            for (var j = 0; j < 3; j++)
            {
                expected += result.ClassPriors[j] * matrix[(j * 3) + j];
                Assert.Equal(1.0, matrix.Slice(j * 3, 3).ToArray().Sum(), 6);
            }

            Assert.Equal(expected, result.WorkerAccuracies[w], 12);
        }
    }

    internal static double Accuracy(AnswerSet answers, ConsensusResult result, int[] truth)
    {
        var right = 0;
        for (var i = 0; i < answers.ItemCount; i++)
        {
            var index = int.Parse(answers.ItemIds[i].AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
            right += answers.Labels[result.ItemLabels[i]] == $"c{truth[index]}" ? 1 : 0;
        }

        return (double)right / answers.ItemCount;
    }
}

namespace CrowdLabel.Consensus.Tests;

/// <summary>Inputs with nothing or almost nothing to learn from: every method gives a well-defined result, never NaN.</summary>
public sealed class DegenerateInputTests
{
    public static TheoryData<string> Methods => ["mv", "ds", "onecoin"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void EmptyInput_GivesAnEmptyConvergedResult(string method)
    {
        var answers = new AnswerSetBuilder().Build();

        var result = Fit(method, answers);

        Assert.Equal(0, result.ItemCount);
        Assert.Equal(0, result.WorkerCount);
        Assert.Equal(0, result.Iterations);
        Assert.True(result.Converged);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void EmptyInput_WithDeclaredLabels_GivesUniformPriors(string method)
    {
        var answers = new AnswerSetBuilder(["a", "b", "c"]).Build();

        var result = Fit(method, answers);

        Assert.Equal(0, result.ItemCount);
        Assert.Equal([1.0 / 3, 1.0 / 3, 1.0 / 3], result.ClassPriors.ToArray());
        Crowds.AssertFinite(result);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void OneWorker_LabelsFollowThatWorker_WithoutNaN(string method)
    {
        var answers = Crowds.Of(("i1", "w", "a"), ("i2", "w", "b"), ("i3", "w", "a"), ("i4", "w", "c"));

        var result = Fit(method, answers);

        Crowds.AssertFinite(result);
        Assert.Equal([0, 1, 0, 2], result.ItemLabels.ToArray());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void OneClassInUse_LabelsEveryItemWithIt_WithoutNaN(string method)
    {
        var answers = Crowds.Of(["yes", "no"], ("i1", "w1", "yes"), ("i1", "w2", "yes"), ("i2", "w1", "yes"), ("i3", "w2", "yes"));

        var result = Fit(method, answers);

        Crowds.AssertFinite(result);
        Assert.All(result.ItemLabels, label => Assert.Equal(0, label));
        Assert.All(result.Confidences, confidence => Assert.True(confidence > 0.5));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void SingleClass_GivesCertaintyEverywhere(string method)
    {
        var answers = Crowds.Of(("i1", "w1", "only"), ("i2", "w2", "only"));

        var result = Fit(method, answers);

        Crowds.AssertFinite(result);
        Assert.Equal([1.0, 1.0], result.Confidences.ToArray());
        Assert.Equal([1.0, 1.0], result.WorkerAccuracies.ToArray());
        Assert.DoesNotContain(true, result.Ties);
    }

    [Theory]
    [InlineData("ds")]
    [InlineData("onecoin")]
    public void ZeroAlpha_WithWorkersWhoNeverUseSomeLabels_StaysFinite(string method)
    {
        var (simulated, _) = Crowds.Simulate(items: 60, workers: 12, classes: 4, redundancy: 3, seed: 5);
        var answers = Crowds.Of([.. simulated.Append(("lonely", "newcomer", "c3"))]);

        var result = Fit(method, answers, new DawidSkeneOptions { Alpha = 0 });

        Crowds.AssertFinite(result);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void ItemsWithoutAnyClass_AreAClearError(string method)
    {
        var answers = AnswerSet.FromArrays([], [], [], itemCount: 3, workerCount: 0, classCount: 0);

        var error = Assert.Throws<ArgumentException>(() => Fit(method, answers));

        Assert.Contains("no classes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void ItemsWithoutAnswers_GetTheirKnownTruthOrThePrior(string method)
    {
        // Reported priors come from the last M step, one step after the posteriors: equal once converged, up to the tolerance.
        var answers = AnswerSet.FromArrays([0, 0], [0, 1], [1, 1], itemCount: 3, workerCount: 2, classCount: 2);
        var truths = KnownTruths.FromIndices(answers, [(2, 0)]);

        var result = Fit(method, answers, truths: truths);

        Crowds.AssertFinite(result);
        Assert.Equal(0, result.ItemLabels[2]);
        Assert.Equal(1.0, result.Posterior(2)[0]);
        var expected = method == "mv" ? [0.5, 0.5] : result.ClassPriors.ToArray();
        Assert.Equal(expected, result.Posterior(1).ToArray(), (x, y) => Math.Abs(x - y) < 1e-4);
    }

    [Fact]
    public void Options_OutOfRange_AreRejected()
    {
        var answers = Crowds.Of(("i", "w", "a"), ("i", "v", "b"));

        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Fit(answers, new DawidSkeneOptions { Alpha = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Fit(answers, new DawidSkeneOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DawidSkene.Fit(answers, new DawidSkeneOptions { Tolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneCoinDawidSkene.Fit(answers, new DawidSkeneOptions { MaxDegreeOfParallelism = 0 }));
    }

    [Fact]
    public void KnownTruths_MadeForAnotherAnswerSet_AreRejected()
    {
        var answers = Crowds.Of(("i", "w", "a"), ("j", "w", "b"));
        var other = Crowds.Of(("i", "w", "a"));

        Assert.Throws<ArgumentException>(() => DawidSkene.Fit(answers, truths: KnownTruths.None(other)));
    }

    internal static ConsensusResult Fit(string method, AnswerSet answers, DawidSkeneOptions? options = null, KnownTruths? truths = null) =>
        method switch
        {
            "mv" => MajorityVote.Fit(answers, truths),
            "ds" => DawidSkene.Fit(answers, options, truths),
            "onecoin" => OneCoinDawidSkene.Fit(answers, options, truths),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
}

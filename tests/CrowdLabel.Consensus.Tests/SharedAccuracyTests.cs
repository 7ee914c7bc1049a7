namespace CrowdLabel.Consensus.Tests;

public sealed class SharedAccuracyTests
{
    /// <summary>
    /// Sixty items, "a" on the even ones and "b" on the odd ones, each answered by four regular workers r1 to r4, r_k wrong
    /// on the items i with i mod 5 = k (so right 4 times in 5, and the majority always right); a newcomer "s" answered
    /// three of them, all right, and so did two more newcomers. On x newcomer s1 is alone against r1 and r2; on y r3 is. On
    /// z the three newcomers agree; on w r1, r2 and r3 do.
    /// </summary>
    private static AnswerSet Crowd()
    {
        var answers = new List<(string, string, string)>();
        for (var i = 0; i < 60; i++)
        {
            var truth = i % 2 == 0 ? "a" : "b";
            for (var k = 1; k <= 4; k++)
            {
                answers.Add(($"p{i}", $"r{k}", i % 5 == k ? Other(truth) : truth));
            }
        }

        foreach (var newcomer in new[] { "s1", "s2", "s3" })
        {
            answers.AddRange([("p0", newcomer, "a"), ("p1", newcomer, "b"), ("p2", newcomer, "a")]);
            answers.Add(("z", newcomer, "b"));
        }

        answers.AddRange([("x", "s1", "a"), ("x", "r1", "b"), ("x", "r2", "b")]);
        answers.AddRange([("y", "r3", "a"), ("y", "r1", "b"), ("y", "r2", "b")]);
        answers.AddRange([("w", "r1", "b"), ("w", "r2", "b"), ("w", "r3", "b")]);
        return Crowds.Of([.. answers]);
    }

    private static string Other(string label) => label == "a" ? "b" : "a";

    [Fact]
    public void AWorkerSeenThreeTimes_IsTrustedNoMoreThanThePopulation()
    {
        var answers = Crowd();
        var (z, w) = (answers.IndexOfItem("z"), answers.IndexOfItem("w"));
        var fitted = DawidSkene.Fit(answers);

        var shared = SharedAccuracy.Fit(answers, fitted);

        // Dawid-Skene takes the newcomers' three right answers each as proof of near-perfect accuracy: three of them agreeing
        // leave far less doubt than three regular workers, right 4 times in 5 over 60 items, agreeing.
        Assert.True(1 - fitted.Confidences[z] < (1 - fitted.Confidences[w]) / 10, $"{fitted.Confidences[z]} against {fitted.Confidences[w]}");
        // Taken at the population's accuracy, a newcomer counts as much as anyone: the same votes, the same posterior.
        Assert.Equal(shared.Posterior(w).ToArray(), shared.Posterior(z).ToArray());
        Assert.Equal(shared.Posterior(answers.IndexOfItem("y")).ToArray(), shared.Posterior(answers.IndexOfItem("x")).ToArray());
        Crowds.AssertFinite(shared);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Posterior_IsThePriorTimesTheVoteMargin_PoweredByTheAnswerWeight(double weight)
    {
        var answers = Crowd();
        var fitted = DawidSkene.Fit(answers);
        var accuracy = ExpectedRightShare(answers, fitted);
        var (a, b) = (answers.IndexOfLabel("a"), answers.IndexOfLabel("b"));

        var shared = SharedAccuracy.Fit(answers, fitted, weight);

        // Two votes for b and one for a: odds b:a = prior ratio * (p / (1 - p))^(weight * 1) with K = 2.
        var odds = fitted.ClassPriors[b] / fitted.ClassPriors[a] * Math.Pow(accuracy / (1 - accuracy), weight);
        var x = shared.Posterior(answers.IndexOfItem("x"));
        Assert.Equal(odds / (1 + odds), x[b], 12);
        Assert.Equal(accuracy, shared.WorkerAccuracies[answers.IndexOfWorker("s1")], 12);
        Assert.InRange(accuracy, 0.75, 0.85);
    }

    [Fact]
    public void ATwoToOneSplit_IsFarUnderATargetOf095_AUnanimousItemReachesItOnlyWithMoreAnswers()
    {
        var answers = Crowd();
        var fitted = DawidSkene.Fit(answers);

        var shared = SharedAccuracy.Fit(answers, fitted, answerWeight: 0.5);

        // p is about 0.8, so one vote of margin is worth sqrt(4) = 2 to 1 at half weight, and even 4 to 1 at full weight.
        Assert.InRange(shared.Confidences[answers.IndexOfItem("x")], 0.6, 0.7);
        // Four votes to none (p0, p10, ...) is 4^2 = 16 to 1: still under 0.95; at full weight, 256 to 1.
        Assert.InRange(shared.Confidences[answers.IndexOfItem("p10")], 0.9, 0.95);
        Assert.True(SharedAccuracy.Fit(answers, fitted).Confidences[answers.IndexOfItem("p10")] > 0.99);
    }

    [Fact]
    public void KnownTruths_AreCertain_AndAFitOverOtherAnswersOrABadWeightIsRefused()
    {
        var answers = Crowd();
        var truths = KnownTruths.FromIds(answers, [("x", "a")]);
        var fitted = DawidSkene.Fit(answers, truths: truths);

        var shared = SharedAccuracy.Fit(answers, fitted, 0.5, truths);

        Assert.Equal([1.0, 0.0], shared.Posterior(answers.IndexOfItem("x")).ToArray());
        Assert.Throws<ArgumentException>(() => SharedAccuracy.Fit(answers, DawidSkene.Fit(Crowds.Of(("i", "w", "a"), ("i", "v", "b")))));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedAccuracy.Fit(answers, fitted, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedAccuracy.Fit(answers, fitted, 1.5));
    }

    private static double ExpectedRightShare(AnswerSet answers, ConsensusResult fitted)
    {
        var right = 0.0;
        for (var a = 0; a < answers.Count; a++)
        {
            right += fitted.Posterior(answers.Items[a])[answers.AnswerLabels[a]];
        }

        return right / answers.Count;
    }
}

namespace CrowdLabel.Consensus.Tests;

public sealed class GoldAccuracyTests
{
    [Theory]
    [InlineData(0.05, 1, 1, 0.05)]
    [InlineData(0.5, 1, 1, 0.5)]
    [InlineData(0.05, 2, 1, 0.22360679774997896)]
    [InlineData(0.05, 1, 3, 0.016952427508441503)]
    [InlineData(0.5, 7, 7, 0.5)]
    public void BetaQuantile_MatchesClosedForms(double p, double a, double b, double expected)
    {
        Assert.Equal(expected, BetaDistribution.Quantile(p, a, b), 12);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(0.95)]
    public void BetaQuantile_OfBeta10_2_InvertsItsClosedFormCdf(double p)
    {
        var x = BetaDistribution.Quantile(p, 10, 2);

        Assert.Equal(p, Math.Pow(x, 10) * (11 - (10 * x)), 12);
        Assert.Equal(p, BetaDistribution.Cdf(x, 10, 2), 12);
    }

    [Theory]
    [InlineData(0.3, 2.5, 4.5)]
    [InlineData(0.9, 900, 100)]
    [InlineData(0.01, 0.5, 0.5)]
    [InlineData(0.5, 20000, 300)]
    public void BetaCdf_AndQuantile_AreInverse(double p, double a, double b)
    {
        var x = BetaDistribution.Quantile(p, a, b);

        Assert.InRange(x, 0, 1);
        Assert.Equal(p, BetaDistribution.Cdf(x, a, b), 10);
    }

    [Fact]
    public void BetaCdf_IsSymmetric()
    {
        Assert.Equal(0.5, BetaDistribution.Cdf(0.5, 3.5, 3.5), 14);
        Assert.Equal(1 - BetaDistribution.Cdf(0.2, 4, 9), BetaDistribution.Cdf(0.8, 9, 4), 14);
    }

    [Fact]
    public void FromCounts_IsTheBetaPosteriorFromAUniformPrior()
    {
        var none = GoldAccuracy.FromCounts(0, 0);
        var nineOfTen = GoldAccuracy.FromCounts(9, 10);

        Assert.Equal(0.5, none.Mean, 12);
        Assert.Equal(0.05, none.LowerBound, 12);
        Assert.Equal(10.0 / 12, nineOfTen.Mean, 12);
        Assert.Equal(BetaDistribution.Quantile(0.05, 10, 2), nineOfTen.LowerBound, 12);
        Assert.True(GoldAccuracy.FromCounts(90, 100).LowerBound > nineOfTen.LowerBound, "more evidence, tighter bound");
        Assert.Throws<ArgumentOutOfRangeException>(() => GoldAccuracy.FromCounts(3, 2));
    }

    [Fact]
    public void Estimate_ScoresEachWorkerOnTheGoldItemsOnly()
    {
        var answers = Crowds.Of(
            ("g1", "w1", "a"), ("g2", "w1", "b"), ("x", "w1", "a"),
            ("g1", "w2", "b"), ("g2", "w2", "b"),
            ("x", "w3", "b"));
        var truths = KnownTruths.FromIds(answers, [("g1", "a"), ("g2", "b")]);

        var gold = GoldAccuracy.Estimate(answers, truths);

        Assert.Equal((2, 2, 0.75), (gold[0].Correct, gold[0].Total, gold[0].Mean));
        Assert.Equal(Math.Pow(0.05, 1.0 / 3), gold[0].LowerBound, 12);
        Assert.Equal((1, 2), (gold[1].Correct, gold[1].Total));
        Assert.Equal((0, 0), (gold[2].Correct, gold[2].Total));
    }
}

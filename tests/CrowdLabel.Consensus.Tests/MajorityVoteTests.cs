namespace CrowdLabel.Consensus.Tests;

public sealed class MajorityVoteTests
{
    [Fact]
    public void MajorityVote_PicksTheMostGivenLabel_WithItsShareAsConfidence()
    {
        var answers = Crowds.Of(("i", "w1", "b"), ("i", "w2", "b"), ("i", "w3", "a"));

        var result = MajorityVote.Fit(answers);

        Assert.Equal(1, result.ItemLabels[0]);
        Assert.Equal(2.0 / 3, result.Confidences[0], 12);
        Assert.Equal([1.0 / 3, 2.0 / 3], result.Posterior(0).ToArray());
        Assert.Equal(0, result.TieCount);
    }

    [Fact]
    public void MajorityVote_Tie_GoesToTheFirstLabel_AndIsReportedAsATie()
    {
        var answers = Crowds.Of(
            ("i", "w1", "c"), ("i", "w2", "b"), ("i", "w3", "c"), ("i", "w4", "b"),
            ("j", "w1", "a"), ("j", "w2", "a"), ("j", "w3", "c"));

        var result = MajorityVote.Fit(answers);

        Assert.Equal("b", answers.Labels[result.ItemLabels[0]]);
        Assert.True(result.Ties[0]);
        Assert.False(result.Ties[1]);
        Assert.Equal(1, result.TieCount);
        Assert.Equal(0.5, result.Confidences[0]);
    }

    [Fact]
    public void MajorityVote_WorkerAccuracy_IsAgreementWithTheMajority()
    {
        var answers = Crowds.Of(
            ("i", "w1", "a"), ("i", "w2", "a"), ("i", "w3", "b"),
            ("j", "w1", "a"), ("j", "w2", "a"), ("j", "w3", "a"));

        var result = MajorityVote.Fit(answers);

        Assert.Equal(1.0, result.WorkerAccuracies[0], 12);
        Assert.Equal(0.5, result.WorkerAccuracies[2], 12);
        Crowds.AssertFinite(result);
    }
}

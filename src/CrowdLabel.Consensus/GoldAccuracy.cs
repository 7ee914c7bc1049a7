// Gold accuracy: a worker's answers on items with a known label are Bernoulli trials with the worker's accuracy as
// success probability. With a Beta(a0, b0) prior and c right out of n, the posterior is Beta(a0 + c, b0 + n - c)
// (the binomial model with its conjugate prior: Gelman, Carlin, Stern, Dunson, Vehtari and Rubin, "Bayesian Data
// Analysis", 3rd ed., 2013, chapter 2). We report its mean and its 5% quantile, the lower end of a one-sided 95%
// credible interval: with 95% probability the worker is at least that accurate. Few gold answers give a low bound.

using System.Collections.Immutable;

namespace CrowdLabel.Consensus;

/// <summary>Worker accuracy on gold (known-truth) items as a Beta posterior: mean and 95% lower credible bound.</summary>
public static class GoldAccuracy
{
    /// <summary>Credibility of the lower bound: the bound is the (1 - CredibleLevel) quantile of the posterior.</summary>
    public const double CredibleLevel = 0.95;

    /// <summary>The posterior after <paramref name="correct"/> right answers out of <paramref name="total"/>, from a Beta(priorCorrect, priorWrong) prior (uniform by default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The counts are negative or correct exceeds total, or a prior parameter is not positive.</exception>
    public static WorkerGoldAccuracy FromCounts(int correct, int total, double priorCorrect = 1, double priorWrong = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(correct, total);
        var a = priorCorrect + correct;
        var b = priorWrong + (total - correct);
        var lowerBound = BetaDistribution.Quantile(1 - CredibleLevel, a, b);
        return new WorkerGoldAccuracy(correct, total, a / (a + b), lowerBound);
    }

    /// <summary>Every worker's gold accuracy: their answers on the items with a known truth, scored against it.</summary>
    /// <remarks>A worker with no gold answers gets the prior (mean 0.5 and lower bound 0.05 with the uniform prior).</remarks>
    public static ImmutableArray<WorkerGoldAccuracy> Estimate(
        AnswerSet answers, KnownTruths truths, double priorCorrect = 1, double priorWrong = 1)
    {
        truths.CheckFits(answers);
        var known = truths.LabelByItem;
        var offsets = answers.ItemOffsetArray;
        var workers = answers.WorkerArray;
        var labels = answers.LabelArray;
        var correct = new int[answers.WorkerCount];
        var total = new int[answers.WorkerCount];
        for (var i = 0; i < answers.ItemCount; i++)
        {
            if (known[i] < 0)
            {
                continue;
            }

            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                total[workers[a]]++;
                correct[workers[a]] += labels[a] == known[i] ? 1 : 0;
            }
        }

        var estimates = new WorkerGoldAccuracy[answers.WorkerCount];
        for (var w = 0; w < estimates.Length; w++)
        {
            estimates[w] = FromCounts(correct[w], total[w], priorCorrect, priorWrong);
        }

        return [.. estimates];
    }
}

/// <summary>A worker's accuracy on gold: counts, posterior mean, and the 95% lower credible bound.</summary>
/// <param name="Correct">Gold answers that matched the known label.</param>
/// <param name="Total">Gold answers.</param>
/// <param name="Mean">Posterior mean accuracy.</param>
/// <param name="LowerBound">5% quantile of the posterior: the accuracy the worker exceeds with 95% probability.</param>
public sealed record WorkerGoldAccuracy(int Correct, int Total, double Mean, double LowerBound);

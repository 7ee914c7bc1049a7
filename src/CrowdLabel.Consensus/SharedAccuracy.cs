// One shared accuracy: the one-coin restriction of Dawid, A. P. and Skene, A. M. (1979), "Maximum Likelihood Estimation
// of Observer Error-Rates Using the EM Algorithm", Applied Statistics 28(1), 20-28 (see OneCoinDawidSkene), taken one step
// further: every worker has the same accuracy p, the population's, so no worker is trusted more than the average worker.
// The posterior then depends only on the vote counts: p[j] * ((K - 1) p / (1 - p))^(w * votes[j]), normalized.
// w is the weight of one answer, the power of its likelihood (a tempered likelihood): 1 treats the answers to one item as
// independent, as the model does; under 1 counts each for less, since answers to one item share its difficulty.
// Nothing is fitted here: p and the class priors come from another method's fit over the same answers.

using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>Posteriors when every worker is taken at the population's accuracy: a cautious view of a fit, from the vote counts alone.</summary>
public static class SharedAccuracy
{
    /// <summary>Each item's posterior, label and confidence when every worker has the accuracy the fit expects of an answer on average.</summary>
    /// <param name="answers">The answers.</param>
    /// <param name="fitted">A fit over these answers (Dawid-Skene, say): its posteriors give the population accuracy, the share of
    /// the answers it expects to be right, and its class priors are kept.</param>
    /// <param name="answerWeight">The weight of one answer, in (0, 1]: the power of its likelihood.</param>
    /// <param name="truths">Items whose label is known: their posterior is certain.</param>
    public static ConsensusResult Fit(AnswerSet answers, ConsensusResult fitted, double answerWeight = 1, KnownTruths? truths = null)
    {
        if (fitted.ItemCount != answers.ItemCount || fitted.ClassCount != answers.ClassCount)
        {
            throw new ArgumentException("The fit is not over these answers: its items or classes differ.", nameof(fitted));
        }

        if (!(answerWeight > 0 && answerWeight <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(answerWeight), answerWeight, "The weight of an answer must be in (0, 1].");
        }

        truths?.CheckFits(answers);
        if (Estimation.TrivialResult(answers, truths) is { } trivial)
        {
            return trivial;
        }

        var k = answers.ClassCount;
        var accuracy = PopulationAccuracy(answers, fitted);
        var priors = fitted.ClassPriors.ToArray();
        var posteriors = Posteriors(answers, priors, answerWeight * Math.Log((k - 1) * accuracy / (1 - accuracy)), truths?.LabelByItem);
        var confusions = new double[answers.WorkerCount * k * k];
        confusions.AsSpan().Fill((1 - accuracy) / (k - 1));
        for (var w = 0; w < answers.WorkerCount; w++)
        {
            for (var j = 0; j < k; j++)
            {
                confusions[(((w * k) + j) * k) + j] = accuracy;
            }
        }

        return Estimation.Result(answers, posteriors, labels: null, confusions, priors, iterations: 0, converged: true, logLikelihood: 0);
    }

    /// <summary>The share of all answers the fit expects to be right, kept between chance (1/K: a vote never counts against its label) and just under 1.</summary>
    private static double PopulationAccuracy(AnswerSet answers, ConsensusResult fitted)
    {
        var k = answers.ClassCount;
        var posteriors = fitted.Posteriors.AsSpan();
        var offsets = answers.ItemOffsets;
        var labels = answers.AnswerLabels;
        var right = 0.0;
        for (var i = 0; i < answers.ItemCount; i++)
        {
            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                right += posteriors[(i * k) + labels[a]];
            }
        }

        return Math.Clamp(right / answers.Count, 1.0 / k, 1 - Estimation.MinProbability);
    }

    /// <summary>T[i][j] proportional to p[j] * exp(voteWeight * votes[i][j]), computed in logs; known items certain.</summary>
    /// <remarks>The votes are counted from the item's top count down (votes[i][j] - max votes[i]), which leaves T unchanged,
    /// so that items with the same margins (3-1 and 2-0, say) get bit-identical posteriors: the claim then orders them
    /// by row, not by rounding, and a run does not depend on the order its answers were read in.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Posteriors(AnswerSet answers, double[] priors, double voteWeight, int[]? known)
    {
        var k = answers.ClassCount;
        var offsets = answers.ItemOffsets;
        var labels = answers.AnswerLabels;
        var posteriors = new double[answers.ItemCount * k];
        Span<double> scores = k <= Estimation.StackLimit ? stackalloc double[k] : new double[k];
        Span<int> votes = k <= Estimation.StackLimit ? stackalloc int[k] : new int[k];
        for (var i = 0; i < answers.ItemCount; i++)
        {
            var row = posteriors.AsSpan(i * k, k);
            if (known is not null && known[i] >= 0)
            {
                Estimation.SetCertain(row, known[i]);
                continue;
            }

            votes.Clear();
            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                votes[labels[a]]++;
            }

            var top = 0;
            foreach (var count in votes)
            {
                top = Math.Max(top, count);
            }

            for (var j = 0; j < k; j++)
            {
                scores[j] = Estimation.SafeLog(priors[j]) + ((votes[j] - top) * voteWeight);
            }

            Estimation.NormalizeLog(scores, row);
        }

        return posteriors;
    }
}

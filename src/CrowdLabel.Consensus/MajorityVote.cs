// Majority vote: each item takes the label most of its workers gave it. It has no model of the workers; it is the
// baseline every other method must beat, and the starting point of Dawid & Skene's EM (Dawid, A. P. and Skene, A. M.,
// 1979, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm", Applied Statistics 28(1), 20-28,
// section 3, which starts from the proportions of votes).
// Posterior of item i: the share of its answers giving each class. A tie goes to the first of the tied classes in label
// order (as crowd-kit does, so the figures compare) and is reported as a tie.

using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>Majority vote: each item's label is the one most of its workers gave; ties are broken deterministically and reported.</summary>
public static class MajorityVote
{
    /// <summary>Labels every item by majority; items with a known truth take it.</summary>
    /// <remarks>Worker confusion matrices are one Dawid-Skene M step on the chosen labels (no smoothing): a worker's
    /// accuracy is then how often they agree with the majority, weighted by class as in <see cref="ConsensusResult.WorkerAccuracies"/>.</remarks>
    public static ConsensusResult Fit(AnswerSet answers, KnownTruths? truths = null)
    {
        truths?.CheckFits(answers);
        if (Estimation.TrivialResult(answers, truths) is { } trivial)
        {
            return trivial;
        }

        var k = answers.ClassCount;
        var shares = VoteShares(answers, truths);
        var (labels, ties) = Estimation.MostProbable(shares, answers.ItemCount, k);
        var chosen = new double[shares.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            chosen[(i * k) + labels[i]] = 1;
        }

        var priors = new double[k];
        Estimation.ClassPriors(chosen, k, alpha: 0, priors);
        var confusions = DawidSkene.ConfusionMatrices(answers, chosen, alpha: 0, Estimation.Scheduling(answers, DawidSkeneOptions.Default));
        return Estimation.Result(answers, shares, (labels, ties), confusions, priors, iterations: 0, converged: true, logLikelihood: 0);
    }

    /// <summary>Each item's share of votes per class (row-major, item x class); known truths are certain; an item with no answers is uniform.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[] VoteShares(AnswerSet answers, KnownTruths? truths)
    {
        var k = answers.ClassCount;
        var offsets = answers.ItemOffsetArray;
        var labels = answers.LabelArray;
        var known = truths?.LabelByItem;
        var shares = new double[answers.ItemCount * k];
        for (var i = 0; i < answers.ItemCount; i++)
        {
            var row = shares.AsSpan(i * k, k);
            if (known is not null && known[i] >= 0)
            {
                Estimation.SetCertain(row, known[i]);
                continue;
            }

            var count = offsets[i + 1] - offsets[i];
            if (count == 0)
            {
                row.Fill(1.0 / k);
                continue;
            }

            var share = 1.0 / count;
            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                row[labels[a]] += share;
            }
        }

        return shares;
    }
}

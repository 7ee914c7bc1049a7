// One-coin Dawid-Skene: the restriction of the model of Dawid, A. P. and Skene, A. M. (1979), "Maximum Likelihood
// Estimation of Observer Error-Rates Using the EM Algorithm", Applied Statistics 28(1), 20-28, in which each worker's
// confusion matrix has a single free parameter, an accuracy a[w]: the worker gives the true class with probability a[w]
// and each of the K - 1 other classes with probability (1 - a[w]) / (K - 1) (crowd-kit's OneCoinDawidSkene).
// One number per worker instead of K x K suits very sparse workers, at the price of ignoring class-specific errors.
// EM from majority vote as for the full model; the M step adds alpha to every cell, the E step runs in log space.

using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>One-coin Dawid-Skene: one accuracy per worker (errors spread evenly over the other classes) fitted by EM from a majority-vote start.</summary>
public static class OneCoinDawidSkene
{
    /// <summary>Fits the model and returns each item's posterior and label, each worker's accuracy (and the implied confusion matrix), and the class priors.</summary>
    /// <param name="answers">The answers.</param>
    /// <param name="options">Iteration cap, tolerance, smoothing; <see cref="DawidSkeneOptions.Default"/> when null.</param>
    /// <param name="truths">Items whose label is known (gold, reviewed): their posterior is fixed to it in every iteration.</param>
    public static ConsensusResult Fit(AnswerSet answers, DawidSkeneOptions? options = null, KnownTruths? truths = null)
    {
        var (em, trivial) = EmState.Start(answers, options, truths);
        if (em is null)
        {
            return trivial!;
        }

        var workers = new Workers(
            new double[answers.WorkerCount], new double[answers.WorkerCount], new double[answers.WorkerCount], new PartitionedSums(answers, answers.WorkerCount));
        MStep(em, workers);
        var run = em.Iterate(eStep: () => EStep(em, workers), mStep: () => MStep(em, workers));
        return em.Result(ConfusionMatrices(workers.Accuracy, answers.ClassCount), run);
    }

    /// <summary>E step: T[i][j] proportional to p[j] times the product over i's answers (w, l) of (a[w] if l = j, else (1 - a[w]) / (K - 1)).</summary>
    private static double EStep(EmState em, Workers workers) => em.UpdatePosteriors(new OneCoinScores(em.Answers, workers));

    /// <summary>M step: class priors, and a[w] = (sum over w's answers (i, l) of T[i][l], plus alpha) / (w's answer count, plus K alpha).</summary>
    private static void MStep(EmState em, Workers workers)
    {
        em.UpdatePriors();
        var k = em.ClassCount;
        var alpha = em.Options.Alpha;
        var posteriors = em.Posteriors;
        var offsets = em.Answers.ItemOffsetArray;
        var answerWorkers = em.Answers.WorkerArray;
        var labels = em.Answers.LabelArray;
        var right = workers.RightMass.Sum(em.Scheduling, (startItem, endItem, table) =>
            SumRightMass(startItem, endItem, table, posteriors, offsets, answerWorkers, labels, k));

        for (var w = 0; w < workers.Accuracy.Length; w++)
        {
            var total = em.Answers.WorkerAnswerCount(w) + (k * alpha);
            var accuracy = total > 0 ? (right[w] + alpha) / total : 1.0 / k;
            accuracy = Math.Clamp(accuracy, Estimation.MinProbability, 1 - Estimation.MinProbability);
            workers.Accuracy[w] = accuracy;
            workers.LogRight[w] = Math.Log(accuracy);
            workers.LogWrong[w] = Math.Log((1 - accuracy) / (k - 1));
        }
    }

    /// <summary>The confusion matrices implied by the accuracies: a[w] on the diagonal, (1 - a[w]) / (K - 1) elsewhere.</summary>
    private static double[] ConfusionMatrices(double[] accuracies, int k)
    {
        var confusion = new double[accuracies.Length * k * k];
        for (var w = 0; w < accuracies.Length; w++)
        {
            var matrix = confusion.AsSpan(w * k * k, k * k);
            matrix.Fill((1 - accuracies[w]) / (k - 1));
            for (var j = 0; j < k; j++)
            {
                matrix[(j * k) + j] = accuracies[w];
            }
        }

        return confusion;
    }

    /// <summary>Adds T[i][l] to worker w's total for every answer (w, l) of items [startItem, endItem).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRightMass(
        int startItem, int endItem, double[] table, double[] posteriors, int[] offsets, int[] workers, int[] labels, int k)
    {
        for (var i = startItem; i < endItem; i++)
        {
            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                table[workers[a]] += posteriors[(i * k) + labels[a]];
            }
        }
    }

    /// <summary>The E-step term of the one-coin model: every answer adds log((1 - a) / (K - 1)) to all classes and the
    /// difference to the class it names, one addition per answer rather than K.</summary>
    private readonly struct OneCoinScores(AnswerSet answers, Workers workers) : EmState.IAnswerScores
    {
        private readonly int[] _offsets = answers.ItemOffsetArray;
        private readonly int[] _workers = answers.WorkerArray;
        private readonly int[] _labels = answers.LabelArray;
        private readonly double[] _logRight = workers.LogRight;
        private readonly double[] _logWrong = workers.LogWrong;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int item, Span<double> scores)
        {
            var allWrong = 0.0;
            for (var a = _offsets[item]; a < _offsets[item + 1]; a++)
            {
                var w = _workers[a];
                allWrong += _logWrong[w];
                scores[_labels[a]] += _logRight[w] - _logWrong[w];
            }

            for (var j = 0; j < scores.Length; j++)
            {
                scores[j] += allWrong;
            }
        }
    }

    /// <summary>The one-coin parameters of every worker: a[w], log a[w], log((1 - a[w]) / (K - 1)), and the M step's sums of T[i][l].</summary>
    private sealed record Workers(double[] Accuracy, double[] LogRight, double[] LogWrong, PartitionedSums RightMass);
}

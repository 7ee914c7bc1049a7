// One-coin Dawid-Skene: the restriction of the model of Dawid, A. P. and Skene, A. M. (1979), "Maximum Likelihood
// Estimation of Observer Error-Rates Using the EM Algorithm", Applied Statistics 28(1), 20-28, in which each worker's
// confusion matrix has a single free parameter, an accuracy a[w]: the worker gives the true class with probability a[w]
// and each of the K - 1 other classes with probability (1 - a[w]) / (K - 1) (crowd-kit's OneCoinDawidSkene).
// One number per worker instead of K x K suits very sparse workers, at the price of ignoring class-specific errors.
// EM from majority vote as for the full model; the M step adds alpha to every cell, the E step runs in log space.

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

        var workers = new Workers(new double[answers.WorkerCount], new double[answers.WorkerCount], new double[answers.WorkerCount]);
        MStep(em, workers);
        var run = em.Iterate(eStep: () => EStep(em, workers), mStep: () => MStep(em, workers));
        return em.Result(ConfusionMatrices(workers.Accuracy, answers.ClassCount), run);
    }

    /// <summary>E step: T[i][j] proportional to p[j] times the product over i's answers (w, l) of (a[w] if l = j, else (1 - a[w]) / (K - 1)).</summary>
    /// <remarks>Every answer adds log((1 - a) / (K - 1)) to all classes and the difference to the class it names, so the
    /// pass costs one addition per answer rather than K.</remarks>
    private static double EStep(EmState em, Workers workers)
    {
        var k = em.ClassCount;
        var offsets = em.Answers.ItemOffsetArray;
        var answerWorkers = em.Answers.WorkerArray;
        var labels = em.Answers.LabelArray;
        return em.UpdatePosteriors((item, scores) =>
        {
            var allWrong = 0.0;
            for (var a = offsets[item]; a < offsets[item + 1]; a++)
            {
                var w = answerWorkers[a];
                allWrong += workers.LogWrong[w];
                scores[labels[a]] += workers.LogRight[w] - workers.LogWrong[w];
            }

            for (var j = 0; j < k; j++)
            {
                scores[j] += allWrong;
            }
        });
    }

    /// <summary>M step: class priors, and a[w] = (sum over w's answers (i, l) of T[i][l], plus alpha) / (w's answer count, plus K alpha).</summary>
    private static void MStep(EmState em, Workers workers)
    {
        em.UpdatePriors();
        var k = em.ClassCount;
        var alpha = em.Options.Alpha;
        var posteriors = em.Posteriors;
        var offsets = em.Answers.WorkerOffsetArray;
        var items = em.Answers.WorkerItemArray;
        var labels = em.Answers.WorkerLabelArray;
        Estimation.ForChunks(em.Answers.WorkerCount, Estimation.WorkersPerChunk, em.Scheduling, (_, start, end) =>
        {
            for (var w = start; w < end; w++)
            {
                var right = 0.0;
                for (var a = offsets[w]; a < offsets[w + 1]; a++)
                {
                    right += posteriors[(items[a] * k) + labels[a]];
                }

                var total = offsets[w + 1] - offsets[w] + (k * alpha);
                var accuracy = total > 0 ? (right + alpha) / total : 1.0 / k;
                accuracy = Math.Clamp(accuracy, Estimation.MinProbability, 1 - Estimation.MinProbability);
                workers.Accuracy[w] = accuracy;
                workers.LogRight[w] = Math.Log(accuracy);
                workers.LogWrong[w] = Math.Log((1 - accuracy) / (k - 1));
            }
        });
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

    /// <summary>The one-coin parameters of every worker: a[w], log a[w], log((1 - a[w]) / (K - 1)).</summary>
    private sealed record Workers(double[] Accuracy, double[] LogRight, double[] LogWrong);
}

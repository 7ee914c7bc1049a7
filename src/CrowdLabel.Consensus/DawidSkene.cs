// Dawid, A. P. and Skene, A. M. (1979). "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm".
// Journal of the Royal Statistical Society, Series C (Applied Statistics) 28(1), 20-28.
//
// Model: item i has a hidden true class j, drawn with prior p[j]; a worker w who answers it gives label l with
// probability pi[w][j][l] (the worker's confusion matrix), independently of the other answers given j.
// EM from a majority-vote start: the E step computes each item's posterior T[i][j], proportional to
// p[j] * product over i's answers (w, l) of pi[w][j][l]; the M step re-estimates p and pi from the answers weighted by T.
// Here the M step adds alpha to every count (a symmetric Dirichlet prior), the E step runs in log space, and items with
// a known truth keep T fixed to it in every iteration.

using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>Multiclass Dawid-Skene: per-worker confusion matrices and class priors fitted by EM from a majority-vote start.</summary>
public static class DawidSkene
{
    /// <summary>Fits the model and returns each item's posterior and label, each worker's confusion matrix and accuracy, and the class priors.</summary>
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

        var k = answers.ClassCount;
        var logConfusion = new double[answers.WorkerCount * k * k];
        var counts = new PartitionedSums(answers, logConfusion.Length);
        MStep(em, counts, logConfusion);
        var run = em.Iterate(eStep: () => EStep(em, logConfusion), mStep: () => MStep(em, counts, logConfusion));
        return em.Result(Probabilities(logConfusion, k), run);
    }

    /// <summary>One M step from given posteriors, as probabilities [worker][true class][answered class] (for methods that report confusion without fitting it).</summary>
    internal static double[] ConfusionMatrices(AnswerSet answers, double[] posteriors, double alpha, ParallelOptions? scheduling)
    {
        var k = answers.ClassCount;
        var logConfusion = new double[answers.WorkerCount * k * k];
        WorkerConfusions(answers, posteriors, alpha, new PartitionedSums(answers, logConfusion.Length), logConfusion, scheduling);
        return Probabilities(logConfusion, k);
    }

    /// <summary>E step: T[i][j] proportional to p[j] times the product over i's answers (w, l) of pi[w][j][l], computed in logs.</summary>
    private static double EStep(EmState em, double[] logConfusion) => em.UpdatePosteriors(new ConfusionScores(em.Answers, logConfusion));

    /// <summary>M step: class priors and every worker's confusion matrix from the posteriors, add-alpha smoothed, stored as logs.</summary>
    private static void MStep(EmState em, PartitionedSums counts, double[] logConfusion)
    {
        em.UpdatePriors();
        WorkerConfusions(em.Answers, em.Posteriors, em.Options.Alpha, counts, logConfusion, em.Scheduling);
    }

    /// <summary>pi[w][j][l] = (sum of T[i][j] over w's answers l, plus alpha) / (sum of T[i][j] over all w's answers, plus K alpha).</summary>
    /// <remarks>One pass over the answers in item order (a sequential read of the posteriors) adds T[i][.] into the counts
    /// of (worker, answered label); then each worker's counts are normalized per true class. Stored as log pi, laid out
    /// [worker][answered l][true j] so the E step reads K contiguous values per answer. A true class with no mass at all
    /// for this worker (possible only with alpha 0) gets a uniform row.</remarks>
    private static void WorkerConfusions(
        AnswerSet answers, double[] posteriors, double alpha, PartitionedSums sums, double[] logConfusion, ParallelOptions? scheduling)
    {
        var k = answers.ClassCount;
        var offsets = answers.ItemOffsetArray;
        var workers = answers.WorkerArray;
        var labels = answers.LabelArray;
        var counts = sums.Sum(scheduling, (startItem, endItem, table) =>
            CountAnswers(startItem, endItem, table, posteriors, offsets, workers, labels, k));

        Estimation.ForChunks(answers.WorkerCount, Estimation.WorkersPerChunk, scheduling, (_, start, end) =>
            NormalizeCounts(start, end, counts, alpha, k, logConfusion));
    }

    /// <summary>log pi of workers [start, end) from their counts: each true class's column normalized over the answered labels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeCounts(int start, int end, double[] counts, double alpha, int k, double[] logConfusion)
    {
        var uniform = Math.Log(1.0 / k);
        Span<double> totals = k <= Estimation.StackLimit ? stackalloc double[k] : new double[k];
        for (var w = start; w < end; w++)
        {
            var worker = counts.AsSpan(w * k * k, k * k);
            totals.Clear();
            for (var l = 0; l < k; l++)
            {
                for (var j = 0; j < k; j++)
                {
                    totals[j] += worker[(l * k) + j];
                }
            }

            var logs = logConfusion.AsSpan(w * k * k, k * k);
            for (var l = 0; l < k; l++)
            {
                for (var j = 0; j < k; j++)
                {
                    var denominator = totals[j] + (k * alpha);
                    logs[(l * k) + j] = denominator > 0 ? Estimation.SafeLog((worker[(l * k) + j] + alpha) / denominator) : uniform;
                }
            }
        }
    }

    /// <summary>From log pi laid out [worker][answered][true] to probabilities laid out [worker][true][answered].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Probabilities(double[] logConfusion, int k)
    {
        var confusion = new double[logConfusion.Length];
        for (var w = 0; w < logConfusion.Length; w += k * k)
        {
            for (var l = 0; l < k; l++)
            {
                for (var j = 0; j < k; j++)
                {
                    confusion[w + (j * k) + l] = Math.Exp(logConfusion[w + (l * k) + j]);
                }
            }
        }

        return confusion;
    }

    /// <summary>Adds T[i][.] to the counts of (worker, answered label) for every answer of items [startItem, endItem).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CountAnswers(
        int startItem, int endItem, double[] table, double[] posteriors, int[] offsets, int[] workers, int[] labels, int k)
    {
        for (var i = startItem; i < endItem; i++)
        {
            var posterior = posteriors.AsSpan(i * k, k);
            for (var a = offsets[i]; a < offsets[i + 1]; a++)
            {
                Estimation.AddTo(table.AsSpan(((workers[a] * k) + labels[a]) * k, k), posterior);
            }
        }
    }

    /// <summary>The E-step term of the full model: each answer (w, l) adds log pi[w][j][l] for every j, K contiguous values.</summary>
    private readonly struct ConfusionScores(AnswerSet answers, double[] logConfusion) : EmState.IAnswerScores
    {
        private readonly int[] _offsets = answers.ItemOffsetArray;
        private readonly int[] _workers = answers.WorkerArray;
        private readonly int[] _labels = answers.LabelArray;
        private readonly double[] _logConfusion = logConfusion;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int item, Span<double> scores)
        {
            var k = scores.Length;
            for (var a = _offsets[item]; a < _offsets[item + 1]; a++)
            {
                Estimation.AddTo(scores, _logConfusion.AsSpan(((_workers[a] * k) + _labels[a]) * k, k));
            }
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CrowdLabel.Consensus;

/// <summary>Arithmetic shared by the consensus methods: log-space normalization, class priors, known truths, chunked loops, the result record.</summary>
internal static class Estimation
{
    /// <summary>Floor for a probability before its log is taken (machine epsilon, as crowd-kit clips), so no log is ever -infinity.</summary>
    public const double MinProbability = 2.220446049250313e-16;

    /// <summary>Items per chunk of the item loops; fixed, so per-chunk partial sums add up in the same order on any machine.</summary>
    public const int ItemsPerChunk = 2048;

    /// <summary>Workers per chunk of the worker loops.</summary>
    public const int WorkersPerChunk = 8;

    /// <summary>Below this many answers the loops run on one thread: the work is too small to pay for scheduling.</summary>
    public const int ParallelThreshold = 50_000;

    /// <summary>Largest K for which per-chunk scratch lives on the stack.</summary>
    public const int StackLimit = 256;

    public static double SafeLog(double probability) => Math.Log(Math.Max(probability, MinProbability));

    /// <summary>Scheduling for the loops of one fit: null runs them on the calling thread.</summary>
    public static ParallelOptions? Scheduling(AnswerSet answers, DawidSkeneOptions options) =>
        answers.Count >= ParallelThreshold && options.MaxDegreeOfParallelism != 1 && Environment.ProcessorCount > 1
            ? new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }
            : null;

    /// <summary>Runs body(chunk, start, end) over [0, count) cut into fixed chunks, in parallel when scheduling is given.</summary>
    public static void ForChunks(int count, int perChunk, ParallelOptions? scheduling, Action<int, int, int> body)
    {
        var chunks = ChunkCount(count, perChunk);
        if (scheduling is null || chunks == 1)
        {
            for (var c = 0; c < chunks; c++)
            {
                body(c, c * perChunk, Math.Min(count, (c + 1) * perChunk));
            }

            return;
        }

        Parallel.For(0, chunks, scheduling, c => body(c, c * perChunk, Math.Min(count, (c + 1) * perChunk)));
    }

    public static int ChunkCount(int count, int perChunk) => (count + perChunk - 1) / perChunk;

    /// <summary>Turns log-scores into a distribution (shifting by the max before exponentiating); returns log of the sum of exp(scores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NormalizeLog(ReadOnlySpan<double> logScores, Span<double> distribution)
    {
        var max = double.NegativeInfinity;
        foreach (var score in logScores)
        {
            max = Math.Max(max, score);
        }

        var sum = 0.0;
        for (var j = 0; j < logScores.Length; j++)
        {
            var e = Math.Exp(logScores[j] - max);
            distribution[j] = e;
            sum += e;
        }

        var inverse = 1 / sum;
        for (var j = 0; j < distribution.Length; j++)
        {
            distribution[j] *= inverse;
        }

        return max + Math.Log(sum);
    }

    /// <summary>target[j] += source[j], four at a time where the hardware has 256-bit vectors (K values per answer in the hot loops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(Span<double> target, ReadOnlySpan<double> source)
    {
        var j = 0;
        if (Vector256.IsHardwareAccelerated && target.Length >= Vector256<double>.Count)
        {
            ref var to = ref MemoryMarshal.GetReference(target);
            ref var from = ref MemoryMarshal.GetReference(source[..target.Length]);
            for (; j <= target.Length - Vector256<double>.Count; j += Vector256<double>.Count)
            {
                (Vector256.LoadUnsafe(ref to, (nuint)j) + Vector256.LoadUnsafe(ref from, (nuint)j)).StoreUnsafe(ref to, (nuint)j);
            }
        }

        for (; j < target.Length; j++)
        {
            target[j] += source[j];
        }
    }

    /// <summary>values[i] = exp(values[i]), four at a time where the hardware has 256-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ExpInPlace(Span<double> values)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var first = ref MemoryMarshal.GetReference(values);
            for (; i <= values.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                Vector256.Exp(Vector256.LoadUnsafe(ref first, (nuint)i)).StoreUnsafe(ref first, (nuint)i);
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = Math.Exp(values[i]);
        }
    }

    /// <summary>Fixes a distribution to certainty on one class.</summary>
    public static void SetCertain(Span<double> distribution, int label)
    {
        distribution.Clear();
        distribution[label] = 1;
    }

    /// <summary>Class priors: the share of posterior mass in each class, add-alpha smoothed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClassPriors(double[] posteriors, int classCount, double alpha, double[] priors)
    {
        Array.Clear(priors);
        for (var offset = 0; offset < posteriors.Length; offset += classCount)
        {
            for (var j = 0; j < classCount; j++)
            {
                priors[j] += posteriors[offset + j];
            }
        }

        var itemCount = posteriors.Length / classCount;
        var total = itemCount + (classCount * alpha);
        for (var j = 0; j < classCount; j++)
        {
            priors[j] = total > 0 ? (priors[j] + alpha) / total : 1.0 / classCount;
        }
    }

    /// <summary>The result when there is nothing to estimate (no answers, or fewer than two classes), or null.</summary>
    /// <remarks>Posteriors are then the known truths or uniform, priors and confusion matrices uniform, nothing iterated.</remarks>
    /// <exception cref="ArgumentException">There are items but no classes.</exception>
    public static ConsensusResult? TrivialResult(AnswerSet answers, KnownTruths? truths)
    {
        var k = answers.ClassCount;
        if (answers.Count > 0 && k >= 2)
        {
            return null;
        }

        if (k == 0)
        {
            return answers.ItemCount == 0
                ? Result(answers, [], labels: null, [], [], iterations: 0, converged: true, logLikelihood: 0)
                : throw new ArgumentException("The answer set has items but no classes.", nameof(answers));
        }

        var uniform = 1.0 / k;
        var confusions = new double[answers.WorkerCount * k * k];
        Array.Fill(confusions, uniform);
        var priors = new double[k];
        Array.Fill(priors, uniform);
        var posteriors = MajorityVote.VoteShares(answers, truths);
        return Result(answers, posteriors, labels: null, confusions, priors, iterations: 0, converged: true, logLikelihood: 0);
    }

    /// <summary>Assembles the result; labels are the most probable class (lowest index on a tie) unless given.</summary>
    /// <remarks>confusions are probabilities, row-major [worker][true class][answered class].</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ConsensusResult Result(
        AnswerSet answers,
        double[] posteriors,
        (int[] Labels, bool[] Ties)? labels,
        double[] confusions,
        double[] priors,
        int iterations,
        bool converged,
        double logLikelihood)
    {
        var k = answers.ClassCount;
        var (chosen, ties) = labels ?? MostProbable(posteriors, answers.ItemCount, k);
        var confidences = new double[answers.ItemCount];
        for (var i = 0; i < confidences.Length; i++)
        {
            confidences[i] = posteriors[(i * k) + chosen[i]];
        }

        var accuracies = new double[answers.WorkerCount];
        for (var w = 0; w < accuracies.Length; w++)
        {
            var accuracy = 0.0;
            for (var j = 0; j < k; j++)
            {
                accuracy += priors[j] * confusions[(((w * k) + j) * k) + j];
            }

            accuracies[w] = accuracy;
        }

        return new ConsensusResult
        {
            ClassCount = k,
            ItemLabels = ImmutableCollectionsMarshal.AsImmutableArray(chosen),
            Confidences = ImmutableCollectionsMarshal.AsImmutableArray(confidences),
            Ties = ImmutableCollectionsMarshal.AsImmutableArray(ties),
            Posteriors = ImmutableCollectionsMarshal.AsImmutableArray(posteriors),
            ClassPriors = ImmutableCollectionsMarshal.AsImmutableArray(priors),
            ConfusionMatrices = ImmutableCollectionsMarshal.AsImmutableArray(confusions),
            WorkerAccuracies = ImmutableCollectionsMarshal.AsImmutableArray(accuracies),
            Iterations = iterations,
            Converged = converged,
            LogLikelihood = logLikelihood,
        };
    }

    /// <summary>The most probable class of each item (lowest index among exact ties) and whether it was tied.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int[] Labels, bool[] Ties) MostProbable(double[] posteriors, int itemCount, int classCount)
    {
        var labels = new int[itemCount];
        var ties = new bool[itemCount];
        for (var i = 0; i < itemCount; i++)
        {
            var row = posteriors.AsSpan(i * classCount, classCount);
            var best = 0;
            for (var j = 1; j < classCount; j++)
            {
                if (row[j] > row[best])
                {
                    best = j;
                }
            }

            labels[i] = best;
            ties[i] = row.Count(row[best]) > 1;
        }

        return (labels, ties);
    }
}

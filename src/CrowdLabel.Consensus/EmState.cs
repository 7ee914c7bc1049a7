using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>The state one EM fit carries between its steps (posteriors, class priors), and the loops every EM method shares.</summary>
/// <remarks>The methods supply only their model: how an item's answers add to its log-scores (E step) and how their worker
/// parameters follow from the posteriors (M step). This class runs the item loop in fixed chunks, normalizes in log space,
/// keeps known truths certain, re-estimates the priors, and iterates to convergence.</remarks>
internal sealed class EmState
{
    private readonly int[]? _known;
    private readonly double[] _chunkLogLikelihoods;

    private EmState(AnswerSet answers, DawidSkeneOptions options, KnownTruths? truths)
    {
        Answers = answers;
        Options = options;
        ClassCount = answers.ClassCount;
        Scheduling = Estimation.Scheduling(answers, options);
        _known = truths?.LabelByItem;
        _chunkLogLikelihoods = new double[Estimation.ChunkCount(answers.ItemCount, Estimation.ItemsPerChunk)];
        Posteriors = MajorityVote.VoteShares(answers, truths);
        Priors = new double[ClassCount];
        LogPriors = new double[ClassCount];
    }

    /// <summary>A model's E-step term: adds to scores[j] the log-likelihood of one item's answers if its true class were j.</summary>
    /// <remarks>Implemented by small structs, so the generic item loop is compiled for each model and the call inlined.</remarks>
    public interface IAnswerScores
    {
        void Add(int item, Span<double> scores);
    }

    public AnswerSet Answers { get; }

    public DawidSkeneOptions Options { get; }

    public int ClassCount { get; }

    public ParallelOptions? Scheduling { get; }

    /// <summary>T[i][j], row-major; starts as the majority vote's shares.</summary>
    public double[] Posteriors { get; }

    public double[] Priors { get; }

    public double[] LogPriors { get; }

    /// <summary>Checks the inputs and starts from majority vote; returns the finished result instead when there is nothing to estimate.</summary>
    public static (EmState? State, ConsensusResult? Trivial) Start(AnswerSet answers, DawidSkeneOptions? options, KnownTruths? truths)
    {
        options ??= DawidSkeneOptions.Default;
        options.Validate();
        truths?.CheckFits(answers);
        return Estimation.TrivialResult(answers, truths) is { } trivial
            ? (null, trivial)
            : (new EmState(answers, options, truths), null);
    }

    /// <summary>E step skeleton: each item's posterior from its log prior plus its answers' scores; returns the log-likelihood of all answers.</summary>
    /// <remarks>Items are independent, so chunks of items run in parallel; the log-likelihood is summed per fixed chunk and
    /// the chunks added in order, so the result never depends on scheduling. Known truths stay certain.</remarks>
    public double UpdatePosteriors<TScores>(TScores answerScores)
        where TScores : struct, IAnswerScores
    {
        Estimation.ForChunks(Answers.ItemCount, Estimation.ItemsPerChunk, Scheduling, (chunk, start, end) =>
            _chunkLogLikelihoods[chunk] = UpdateRange(answerScores, start, end, LogPriors, Posteriors, _known));

        var total = 0.0;
        foreach (var partial in _chunkLogLikelihoods)
        {
            total += partial;
        }

        return total;
    }

    /// <summary>M step for the priors: p[j] = (sum over items of T[i][j] + alpha) / (items + K alpha).</summary>
    public void UpdatePriors()
    {
        Estimation.ClassPriors(Posteriors, ClassCount, Options.Alpha, Priors);
        for (var j = 0; j < ClassCount; j++)
        {
            LogPriors[j] = Estimation.SafeLog(Priors[j]);
        }
    }

    /// <summary>The EM loop: E step then M step until the log-likelihood per answer gains less than the tolerance, or the cap.</summary>
    /// <remarks>eStep updates the posteriors and returns the log-likelihood of the answers under the current parameters;
    /// mStep updates the parameters from the posteriors.</remarks>
    public (int Iterations, bool Converged, double LogLikelihood) Iterate(Func<double> eStep, Action mStep)
    {
        var previous = double.NegativeInfinity;
        var logLikelihood = 0.0;
        for (var iteration = 1; iteration <= Options.MaxIterations; iteration++)
        {
            logLikelihood = eStep();
            mStep();
            if ((logLikelihood - previous) / Answers.Count < Options.Tolerance)
            {
                return (iteration, true, logLikelihood);
            }

            previous = logLikelihood;
        }

        return (Options.MaxIterations, false, logLikelihood);
    }

    /// <summary>The result: current posteriors and priors, with the given confusion matrices [worker][true][answered].</summary>
    public ConsensusResult Result(double[] confusions, (int Iterations, bool Converged, double LogLikelihood) run) =>
        Estimation.Result(Answers, Posteriors, labels: null, confusions, Priors, run.Iterations, run.Converged, run.LogLikelihood);

    /// <summary>Posteriors of items [start, end); returns their log-likelihood.</summary>
    /// <remarks>Three passes over the range's rows: log-scores shifted by each row's max (a known item's row becomes 0 on
    /// its label and -infinity elsewhere), one vectorized exponential over the whole range, then normalization. An
    /// item adds max + log(sum of exp) to the log-likelihood (a known item adds its score on the known label). Each sum
    /// lies in [1, K], so the sums are multiplied in batches small enough not to overflow (K^batch &lt; e^600) and one
    /// log taken per batch.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double UpdateRange<TScores>(
        TScores answerScores, int start, int end, double[] logPriors, double[] posteriors, int[]? known)
        where TScores : struct, IAnswerScores
    {
        var k = logPriors.Length;
        var logLikelihood = 0.0;
        for (var i = start; i < end; i++)
        {
            var row = posteriors.AsSpan(i * k, k);
            logPriors.CopyTo(row);
            answerScores.Add(i, row);
            var label = known is null ? -1 : known[i];
            if (label >= 0)
            {
                logLikelihood += row[label];
                row.Fill(double.NegativeInfinity);
                row[label] = 0;
                continue;
            }

            var max = double.NegativeInfinity;
            foreach (var score in row)
            {
                max = Math.Max(max, score);
            }

            logLikelihood += max;
            for (var j = 0; j < k; j++)
            {
                row[j] -= max;
            }
        }

        var rows = posteriors.AsSpan(start * k, (end - start) * k);
        Estimation.ExpInPlace(rows);
        var sums = 1.0;
        var inBatch = 0;
        var batch = Math.Max(1, (int)(600 / Math.Log(Math.Max(k, 2))));
        for (var i = 0; i < rows.Length; i += k)
        {
            var row = rows.Slice(i, k);
            var sum = 0.0;
            foreach (var p in row)
            {
                sum += p;
            }

            var inverse = 1 / sum;
            for (var j = 0; j < k; j++)
            {
                row[j] *= inverse;
            }

            sums *= sum;
            if (++inBatch == batch)
            {
                logLikelihood += Math.Log(sums);
                (sums, inBatch) = (1.0, 0);
            }
        }

        return logLikelihood + Math.Log(sums);
    }
}

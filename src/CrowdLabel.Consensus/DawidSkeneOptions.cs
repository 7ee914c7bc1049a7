namespace CrowdLabel.Consensus;

/// <summary>Parameters of the EM methods (<see cref="DawidSkene"/>, <see cref="OneCoinDawidSkene"/>), defaulting to crowd-kit's values where it has one.</summary>
public sealed record DawidSkeneOptions
{
    /// <summary>The defaults: 100 iterations, tolerance 1e-5, alpha 0.01, all cores.</summary>
    public static DawidSkeneOptions Default { get; } = new();

    /// <summary>Iteration cap: at most this many E step + M step rounds after the majority-vote start (crowd-kit: n_iter = 100).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when the log-likelihood per answer improves by less than this between two iterations (crowd-kit: tol = 1e-5).</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Add-alpha smoothing: a symmetric Dirichlet pseudo-count added to every cell of a worker's confusion matrix and to every class prior.</summary>
    /// <remarks>Keeps a worker who never gave some label from getting probability zero for it (and log zero). Small by default
    /// so that workers with many answers are estimated as by maximum likelihood; 0 is allowed (probabilities are then
    /// floored at machine epsilon, as crowd-kit does).</remarks>
    public double Alpha { get; init; } = 0.01;

    /// <summary>Most threads to use; -1 for all cores. The result is identical whatever the value.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    internal void Validate()
    {
        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be at least 1.");
        }

        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be a finite number, zero or more.");
        }

        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be a finite number, zero or more.");
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be -1 or positive.");
        }
    }
}

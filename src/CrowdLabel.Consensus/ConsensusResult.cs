using System.Collections.Immutable;

namespace CrowdLabel.Consensus;

/// <summary>What a consensus method concluded: per item a label and its posterior, per worker a confusion matrix and accuracy.</summary>
/// <remarks>Indices are those of the <see cref="AnswerSet"/> the method ran on (items, workers, classes).</remarks>
public sealed record ConsensusResult
{
    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; internal init; }

    /// <summary>The chosen class of each item: the most probable one (on a tie, see <see cref="Ties"/>).</summary>
    public ImmutableArray<int> ItemLabels { get; internal init; }

    /// <summary>The posterior probability of each item's chosen class.</summary>
    public ImmutableArray<double> Confidences { get; internal init; }

    /// <summary>Whether another class was exactly as probable as the chosen one (the choice then went to the lower class index).</summary>
    public ImmutableArray<bool> Ties { get; internal init; }

    /// <summary>Posterior distribution of every item, row-major: item i, class k at i * K + k.</summary>
    public ImmutableArray<double> Posteriors { get; internal init; }

    /// <summary>Estimated share of each class among the items.</summary>
    public ImmutableArray<double> ClassPriors { get; internal init; }

    /// <summary>Confusion matrix of every worker, row-major: worker w, true class j, answered class l at (w * K + j) * K + l; each row sums to 1.</summary>
    public ImmutableArray<double> ConfusionMatrices { get; internal init; }

    /// <summary>Each worker's accuracy: the probability that their answer is right on an item drawn from the class priors, sum over j of prior[j] * confusion[j, j].</summary>
    public ImmutableArray<double> WorkerAccuracies { get; internal init; }

    /// <summary>EM iterations run (0 for majority vote).</summary>
    public int Iterations { get; internal init; }

    /// <summary>Whether the tolerance was reached before the iteration cap (always true for majority vote).</summary>
    public bool Converged { get; internal init; }

    /// <summary>Log-likelihood of the answers under the parameters of the last iteration (0 for majority vote).</summary>
    public double LogLikelihood { get; internal init; }

    /// <summary>Number of items.</summary>
    public int ItemCount => ItemLabels.Length;

    /// <summary>Number of workers.</summary>
    public int WorkerCount => WorkerAccuracies.Length;

    /// <summary>Number of items whose chosen class was tied with another.</summary>
    public int TieCount
    {
        get
        {
            var count = 0;
            foreach (var tie in Ties)
            {
                count += tie ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>Posterior distribution of one item over the K classes.</summary>
    public ReadOnlySpan<double> Posterior(int item) => Posteriors.AsSpan().Slice(item * ClassCount, ClassCount);

    /// <summary>Confusion matrix of one worker, K x K row-major (row: true class, column: answered class).</summary>
    public ReadOnlySpan<double> ConfusionMatrix(int worker) =>
        ConfusionMatrices.AsSpan().Slice(worker * ClassCount * ClassCount, ClassCount * ClassCount);
}

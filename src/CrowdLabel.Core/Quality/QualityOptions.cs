namespace CrowdLabel.Core.Quality;

/// <summary>Settings of the quality loop (configuration section "Quality").</summary>
public sealed class QualityOptions
{
    public const string Section = "Quality";

    /// <summary>Gold answers a worker gives on a project before their gold score can pause them.</summary>
    public int MinGoldAnswersBeforePause { get; set; } = 5;

    /// <summary>Share of each label's accepted (Done) items drawn into the QA sample; at least one item per label.</summary>
    public double QaSampleRate { get; set; } = 0.01;

    /// <summary>
    /// The weight of one answer in the shared-accuracy view of an item (every worker taken at the population's accuracy),
    /// in (0, 1]: the power of its likelihood. Answers to one item are not independent (they share its difficulty), so at
    /// 1 items stop too early. An item's confidence is the lower of this view's posterior of its label and Dawid-Skene's;
    /// at 0.5 the dog replay used a third fewer answers at 0.4 point under the accuracy of all of them, on average over
    /// crowd orders (docs/benchmarks.md).
    /// </summary>
    public double AnswerWeight { get; set; } = 0.5;

    /// <summary>
    /// Answers this recent are looked at again by the next consensus run: an answer stamped just before a run may commit
    /// just after it, and must not be missed.
    /// </summary>
    public TimeSpan AnswerSettleTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Answers each node keeps between consensus runs, across batches, so that a run reads only the answers submitted
    /// since the last one (<see cref="ConsensusAnswerCache"/>; about 80 bytes an answer at three answers an item). 0 reads every answer each run.
    /// </summary>
    public long AnswerCacheSize { get; set; } = 2_000_000;

    /// <summary>
    /// How long a consensus run waits between its transactions of items (500 each). Writing them is a burst of one
    /// connection's work, about a second for 5,000 items on two cores, during which the claims and answers get a smaller
    /// share of the database server; with a pause between the transactions the same work is spread over a few seconds and
    /// the slowest cycles are quicker (docs/benchmarks.md, runs 123 to 129). A run that changes N items takes
    /// N / 500 - 1 pauses longer; nothing waits for it but the next run. 0 writes the transactions back to back.
    /// </summary>
    public TimeSpan WritePause { get; set; } = TimeSpan.FromMilliseconds(150);
}

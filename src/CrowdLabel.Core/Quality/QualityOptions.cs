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
    /// Answers this recent are looked at again by the next consensus run: an answer stamped just before a run may commit
    /// just after it, and must not be missed.
    /// </summary>
    public TimeSpan AnswerSettleTime { get; set; } = TimeSpan.FromSeconds(10);
}

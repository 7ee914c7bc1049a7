using System.Globalization;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Quality;

/// <summary>
/// A worker's gold score on a project (DESIGN.md, step 6): Beta(1,1) prior, posterior mean and 95% lower credible bound
/// (CrowdLabel.Consensus <see cref="GoldAccuracy"/>). After enough gold answers, a lower bound under the project's minimum
/// pauses the worker on the project.
/// </summary>
public static class GoldScore
{
    /// <summary>The posterior of a worker's gold accuracy from their counts on a project.</summary>
    public static WorkerGoldAccuracy Of(ProjectWorker standing) => GoldAccuracy.FromCounts(standing.GoldCorrect, standing.GoldAnswers);

    /// <summary>Why the worker should be paused on the project, in words shown to them; null while their score passes.</summary>
    public static string? PauseReason(int correct, int total, double minimum, int minAnswers)
    {
        if (total < Math.Max(1, minAnswers))
        {
            return null;
        }

        var score = GoldAccuracy.FromCounts(correct, total);
        return score.LowerBound >= minimum
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"your answers to known-answer (gold) questions were right {correct} of {total} times; your accuracy is estimated at {Percent(score.Mean)} (at least {Percent(score.LowerBound)} with 95% confidence), and this project asks for at least {Percent(minimum)}");
    }

    /// <summary>"62%": a share as whole percent, the same in every culture.</summary>
    public static string Percent(double share) => Percent(share, decimals: 0);

    /// <summary>A share as every page writes it: "97.5%", with the decimals given, the sign right after the number.</summary>
    public static string Percent(double share, int decimals) =>
        (share * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";
}

namespace CrowdLabel.Consensus.Tests;

/// <summary>Small answer sets for the tests: written out by hand, or drawn from a simulated crowd with a fixed seed.</summary>
internal static class Crowds
{
    public static AnswerSet Of(params (string Item, string Worker, string Label)[] answers) => Of(null, answers);

    public static AnswerSet Of(string[]? labels, params (string Item, string Worker, string Label)[] answers)
    {
        var builder = labels is null ? new AnswerSetBuilder() : new AnswerSetBuilder(labels);
        foreach (var (item, worker, label) in answers)
        {
            builder.Add(item, worker, label);
        }

        return builder.Build();
    }

    /// <summary>A simulated crowd: each worker is right with their own probability and otherwise gives their own favourite label.</summary>
    public static (List<(string Item, string Worker, string Label)> Answers, int[] Truth) Simulate(
        int items, int workers, int classes, int redundancy, int seed)
    {
        var random = new Random(seed);
        var skill = new double[workers];
        var favourite = new int[workers];
        for (var w = 0; w < workers; w++)
        {
            skill[w] = 0.3 + (0.65 * random.NextDouble());
            favourite[w] = random.Next(classes);
        }

        var truth = new int[items];
        var answers = new List<(string, string, string)>(items * redundancy);
        for (var i = 0; i < items; i++)
        {
            truth[i] = random.Next(classes);
            var chosen = new HashSet<int>();
            while (chosen.Count < Math.Min(redundancy, workers))
            {
                chosen.Add(random.Next(workers));
            }

            foreach (var w in chosen)
            {
                var label = random.NextDouble() < skill[w] ? truth[i] : favourite[w];
                answers.Add(($"item{i:D6}", $"worker{w:D4}", $"c{label}"));
            }
        }

        return (answers, truth);
    }

    public static void AssertFinite(ConsensusResult result)
    {
        Assert.All(result.Posteriors, p => Assert.True(double.IsFinite(p) && p >= 0 && p <= 1, $"posterior {p}"));
        Assert.All(result.Confidences, p => Assert.True(double.IsFinite(p) && p >= 0 && p <= 1, $"confidence {p}"));
        Assert.All(result.ConfusionMatrices, p => Assert.True(double.IsFinite(p) && p >= 0 && p <= 1, $"confusion {p}"));
        Assert.All(result.WorkerAccuracies, p => Assert.True(double.IsFinite(p) && p >= 0 && p <= 1 + 1e-12, $"accuracy {p}"));
        Assert.All(result.ClassPriors, p => Assert.True(double.IsFinite(p) && p >= 0 && p <= 1, $"prior {p}"));
        Assert.True(double.IsFinite(result.LogLikelihood));
        for (var i = 0; i < result.ItemCount; i++)
        {
            var sum = 0.0;
            foreach (var p in result.Posterior(i))
            {
                sum += p;
            }

            Assert.Equal(1.0, sum, 9);
        }
    }

    public static void AssertIdentical(ConsensusResult expected, ConsensusResult actual)
    {
        Assert.Equal(expected.ItemLabels.ToArray(), actual.ItemLabels.ToArray());
        Assert.Equal(expected.Ties.ToArray(), actual.Ties.ToArray());
        Assert.Equal(Bits(expected.Posteriors), Bits(actual.Posteriors));
        Assert.Equal(Bits(expected.Confidences), Bits(actual.Confidences));
        Assert.Equal(Bits(expected.ConfusionMatrices), Bits(actual.ConfusionMatrices));
        Assert.Equal(Bits(expected.WorkerAccuracies), Bits(actual.WorkerAccuracies));
        Assert.Equal(Bits(expected.ClassPriors), Bits(actual.ClassPriors));
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Converged, actual.Converged);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.LogLikelihood), BitConverter.DoubleToInt64Bits(actual.LogLikelihood));
    }

    private static long[] Bits(IEnumerable<double> values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];
}

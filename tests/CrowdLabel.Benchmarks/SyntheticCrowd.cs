namespace CrowdLabel.Benchmarks;

/// <summary>A synthetic crowd drawn with a fixed seed: items with true classes, workers with random confusion matrices, distinct workers per item.</summary>
/// <remarks>Each worker has, for every true class, a probability of being right drawn from U(0.35, 0.9) and the rest of the row
/// spread over the other classes with random weights; class priors are random too. Answers come out item by item.</remarks>
internal sealed class SyntheticCrowd
{
    private SyntheticCrowd(int[] items, int[] workers, int[] labels, int[] truth, int workerCount, int classCount)
    {
        Items = items;
        Workers = workers;
        Labels = labels;
        Truth = truth;
        WorkerCount = workerCount;
        ClassCount = classCount;
    }

    public int[] Items { get; }

    public int[] Workers { get; }

    public int[] Labels { get; }

    public int[] Truth { get; }

    public int ItemCount => Truth.Length;

    public int WorkerCount { get; }

    public int ClassCount { get; }

    public int Count => Items.Length;

    public static SyntheticCrowd Generate(int answers, int classes = 5, int workers = 1000, int redundancy = 5, int seed = 20_261_129)
    {
        var random = new Random(seed);
        var priors = Cumulative([.. Enumerable.Range(0, classes).Select(_ => 0.5 + random.NextDouble())]);
        var confusion = new double[workers * classes * classes];
        for (var row = 0; row < workers * classes; row++)
        {
            var truth = row % classes;
            var right = 0.35 + (0.55 * random.NextDouble());
            var weights = new double[classes];
            for (var l = 0; l < classes; l++)
            {
                weights[l] = l == truth ? 0 : random.NextDouble();
            }

            var wrong = weights.Sum();
            for (var l = 0; l < classes; l++)
            {
                weights[l] = l == truth ? right : (1 - right) * weights[l] / wrong;
            }

            Cumulative(weights).CopyTo(confusion, row * classes);
        }

        var itemCount = answers / redundancy;
        var truths = new int[itemCount];
        var itemOf = new int[itemCount * redundancy];
        var workerOf = new int[itemCount * redundancy];
        var labelOf = new int[itemCount * redundancy];
        Span<int> chosen = stackalloc int[redundancy];
        for (int i = 0, a = 0; i < itemCount; i++)
        {
            truths[i] = Draw(priors, random.NextDouble());
            for (var r = 0; r < redundancy; r++)
            {
                int w;
                do
                {
                    w = random.Next(workers);
                }
                while (chosen[..r].Contains(w));

                chosen[r] = w;
                itemOf[a] = i;
                workerOf[a] = w;
                labelOf[a] = Draw(confusion.AsSpan(((w * classes) + truths[i]) * classes, classes), random.NextDouble());
                a++;
            }
        }

        return new SyntheticCrowd(itemOf, workerOf, labelOf, truths, workers, classes);
    }

    private static double[] Cumulative(double[] weights)
    {
        var total = weights.Sum();
        var cumulative = new double[weights.Length];
        var running = 0.0;
        for (var j = 0; j < weights.Length; j++)
        {
            running += weights[j] / total;
            cumulative[j] = running;
        }

        cumulative[^1] = 1;
        return cumulative;
    }

    private static int Draw(ReadOnlySpan<double> cumulative, double u)
    {
        var j = 0;
        while (u >= cumulative[j] && j < cumulative.Length - 1)
        {
            j++;
        }

        return j;
    }
}

using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>The canonical layout of an answer set: sorted by item then worker, one answer per (item, worker).</summary>
internal sealed class CanonicalAnswers
{
    /// <summary>Items with at most this many answers are put in worker order by insertion sort; larger ones by a full sort.</summary>
    private const int InsertionSortLimit = 32;

    private CanonicalAnswers(int[] items, int[] workers, int[] labels, int[] itemOffsets, int[] workerAnswerCounts, int duplicatesDropped)
    {
        Items = items;
        Workers = workers;
        Labels = labels;
        ItemOffsets = itemOffsets;
        WorkerAnswerCounts = workerAnswerCounts;
        DuplicatesDropped = duplicatesDropped;
    }

    public int[] Items { get; }

    public int[] Workers { get; }

    public int[] Labels { get; }

    public int[] ItemOffsets { get; }

    public int[] WorkerAnswerCounts { get; }

    public int DuplicatesDropped { get; }

    /// <summary>Sorts answers given in any order; ids must already be in range.</summary>
    /// <remarks>A stable counting sort by item (linear), then each item's few answers sorted by worker, ties kept in input
    /// order, so that of several answers by one worker to one item the last given is the one kept.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CanonicalAnswers Sort(
        ReadOnlySpan<int> items,
        ReadOnlySpan<int> workers,
        ReadOnlySpan<int> labels,
        int itemCount,
        int workerCount)
    {
        var n = items.Length;
        var order = new int[n];
        var next = OffsetsOf(items, itemCount);
        for (var a = 0; a < n; a++)
        {
            order[next[items[a]]++] = a;
        }

        var start = 0;
        for (var i = 0; i < itemCount; i++)
        {
            var end = next[i];
            SortByWorker(order.AsSpan(start, end - start), workers);
            start = end;
        }

        var kept = 0;
        for (var j = 0; j < n; j++)
        {
            var a = order[j];
            var repeatedLater = j + 1 < n && items[order[j + 1]] == items[a] && workers[order[j + 1]] == workers[a];
            if (!repeatedLater)
            {
                order[kept++] = a;
            }
        }

        var sortedItems = new int[kept];
        var sortedWorkers = new int[kept];
        var sortedLabels = new int[kept];
        var workerAnswerCounts = new int[workerCount];
        for (var j = 0; j < kept; j++)
        {
            var a = order[j];
            sortedItems[j] = items[a];
            sortedWorkers[j] = workers[a];
            sortedLabels[j] = labels[a];
            workerAnswerCounts[workers[a]]++;
        }

        var itemOffsets = OffsetsOf(sortedItems, itemCount);
        return new CanonicalAnswers(sortedItems, sortedWorkers, sortedLabels, itemOffsets, workerAnswerCounts, n - kept);
    }

    /// <summary>Puts answer indices in worker order, keeping input order among equal workers (the indices ascend there).</summary>
    private static void SortByWorker(Span<int> answers, ReadOnlySpan<int> workers)
    {
        if (answers.Length <= InsertionSortLimit)
        {
            for (var j = 1; j < answers.Length; j++)
            {
                var a = answers[j];
                var k = j - 1;
                while (k >= 0 && workers[answers[k]] > workers[a])
                {
                    answers[k + 1] = answers[k];
                    k--;
                }

                answers[k + 1] = a;
            }

            return;
        }

        var keys = new long[answers.Length];
        for (var j = 0; j < keys.Length; j++)
        {
            keys[j] = ((long)workers[answers[j]] << 32) | (uint)answers[j];
        }

        Array.Sort(keys);
        for (var j = 0; j < keys.Length; j++)
        {
            answers[j] = (int)(keys[j] & uint.MaxValue);
        }
    }

    /// <summary>Where each id's run starts once the ids are sorted: starts[id], with starts[count] = ids.Length.</summary>
    private static int[] OffsetsOf(ReadOnlySpan<int> ids, int count)
    {
        var starts = new int[count + 1];
        foreach (var id in ids)
        {
            starts[id + 1]++;
        }

        for (var i = 0; i < count; i++)
        {
            starts[i + 1] += starts[i];
        }

        return starts;
    }
}

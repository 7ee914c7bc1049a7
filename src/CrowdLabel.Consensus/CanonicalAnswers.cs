namespace CrowdLabel.Consensus;

/// <summary>The canonical layout of an answer set: sorted by item then worker, one answer per (item, worker), plus a worker-ordered copy.</summary>
internal sealed class CanonicalAnswers
{
    private CanonicalAnswers(
        int[] items,
        int[] workers,
        int[] labels,
        int[] itemOffsets,
        int[] workerOffsets,
        int[] workerItems,
        int[] workerLabels,
        int duplicatesDropped)
    {
        Items = items;
        Workers = workers;
        Labels = labels;
        ItemOffsets = itemOffsets;
        WorkerOffsets = workerOffsets;
        WorkerItems = workerItems;
        WorkerLabels = workerLabels;
        DuplicatesDropped = duplicatesDropped;
    }

    public int[] Items { get; }

    public int[] Workers { get; }

    public int[] Labels { get; }

    public int[] ItemOffsets { get; }

    public int[] WorkerOffsets { get; }

    public int[] WorkerItems { get; }

    public int[] WorkerLabels { get; }

    public int DuplicatesDropped { get; }

    /// <summary>Sorts answers given in any order; ids must already be in range.</summary>
    /// <remarks>Two stable counting sorts (by worker, then by item) put answers in item-then-worker order while keeping
    /// the input order among repeats of one (item, worker), so the last repeat is the one kept. Linear in the answers.</remarks>
    public static CanonicalAnswers Sort(
        ReadOnlySpan<int> items,
        ReadOnlySpan<int> workers,
        ReadOnlySpan<int> labels,
        int itemCount,
        int workerCount)
    {
        var n = items.Length;
        var byWorker = new int[n];
        var workerStarts = StartsOf(workers, workerCount);
        for (var a = 0; a < n; a++)
        {
            byWorker[workerStarts[workers[a]]++] = a;
        }

        var byItem = new int[n];
        var itemStarts = StartsOf(items, itemCount);
        foreach (var a in byWorker)
        {
            byItem[itemStarts[items[a]]++] = a;
        }

        var kept = 0;
        for (var j = 0; j < n; j++)
        {
            var a = byItem[j];
            var isRepeatedLater = j + 1 < n && items[byItem[j + 1]] == items[a] && workers[byItem[j + 1]] == workers[a];
            if (!isRepeatedLater)
            {
                byItem[kept++] = a;
            }
        }

        var sortedItems = new int[kept];
        var sortedWorkers = new int[kept];
        var sortedLabels = new int[kept];
        for (var j = 0; j < kept; j++)
        {
            var a = byItem[j];
            sortedItems[j] = items[a];
            sortedWorkers[j] = workers[a];
            sortedLabels[j] = labels[a];
        }

        var itemOffsets = OffsetsOf(sortedItems, itemCount);
        var workerOffsets = OffsetsOf(sortedWorkers, workerCount);
        var workerItems = new int[kept];
        var workerLabels = new int[kept];
        var next = workerOffsets[..^1];
        for (var j = 0; j < kept; j++)
        {
            var slot = next[sortedWorkers[j]]++;
            workerItems[slot] = sortedItems[j];
            workerLabels[slot] = sortedLabels[j];
        }

        return new CanonicalAnswers(
            sortedItems, sortedWorkers, sortedLabels, itemOffsets, workerOffsets, workerItems, workerLabels, n - kept);
    }

    /// <summary>Offsets of each id's run: offsets[id] to offsets[id + 1], with offsets[count] = ids.Length.</summary>
    private static int[] OffsetsOf(ReadOnlySpan<int> ids, int count)
    {
        var offsets = new int[count + 1];
        foreach (var id in ids)
        {
            offsets[id + 1]++;
        }

        for (var i = 0; i < count; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        return offsets;
    }

    private static int[] StartsOf(ReadOnlySpan<int> ids, int count) => OffsetsOf(ids, count)[..^1];
}

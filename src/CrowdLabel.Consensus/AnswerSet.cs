namespace CrowdLabel.Consensus;

/// <summary>Answers (item, worker, label) over a fixed set of classes, held as flat integer arrays sorted by item, then worker.</summary>
/// <remarks>
/// Every consensus method reads this one structure: a struct of arrays in item order, so that an E step or an M step
/// is one sequential pass over the answers with no per-answer allocation. The order is canonical: the same answers given
/// in any order produce identical arrays, hence identical results.
/// A worker answers an item at most once: when the input holds several answers by one worker to one item, the last
/// one given counts and the others are counted in <see cref="DuplicatesDropped"/>.
/// </remarks>
public sealed class AnswerSet
{
    private readonly int[] _items;
    private readonly int[] _workers;
    private readonly int[] _labels;
    private readonly int[] _itemOffsets;
    private readonly int[] _workerAnswerCounts;
    private readonly IReadOnlyList<string> _itemIds;
    private readonly IReadOnlyList<string> _workerIds;
    private readonly IReadOnlyList<string> _labelNames;
    private Dictionary<string, int>? _itemIndex;
    private Dictionary<string, int>? _workerIndex;
    private Dictionary<string, int>? _labelIndex;

    private AnswerSet(
        CanonicalAnswers answers,
        IReadOnlyList<string> itemIds,
        IReadOnlyList<string> workerIds,
        IReadOnlyList<string> labelNames)
    {
        _items = answers.Items;
        _workers = answers.Workers;
        _labels = answers.Labels;
        _itemOffsets = answers.ItemOffsets;
        _workerAnswerCounts = answers.WorkerAnswerCounts;
        DuplicatesDropped = answers.DuplicatesDropped;
        _itemIds = itemIds;
        _workerIds = workerIds;
        _labelNames = labelNames;
    }

    /// <summary>Number of answers kept (after dropping repeated answers by one worker to one item).</summary>
    public int Count => _items.Length;

    /// <summary>Number of items.</summary>
    public int ItemCount => _itemIds.Count;

    /// <summary>Number of workers.</summary>
    public int WorkerCount => _workerIds.Count;

    /// <summary>Number of classes K: the size of the label set, used or not.</summary>
    public int ClassCount => _labelNames.Count;

    /// <summary>Answers dropped because the same worker answered the same item again later in the input.</summary>
    public int DuplicatesDropped { get; }

    /// <summary>Item ids by dense index (ordinal order when built from strings).</summary>
    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>Worker ids by dense index (ordinal order when built from strings).</summary>
    public IReadOnlyList<string> WorkerIds => _workerIds;

    /// <summary>Label names by class index.</summary>
    public IReadOnlyList<string> Labels => _labelNames;

    /// <summary>Item of each answer, sorted by item then worker.</summary>
    public ReadOnlySpan<int> Items => _items;

    /// <summary>Worker of each answer, in the same order as <see cref="Items"/>.</summary>
    public ReadOnlySpan<int> Workers => _workers;

    /// <summary>Class index of each answer, in the same order as <see cref="Items"/>.</summary>
    public ReadOnlySpan<int> AnswerLabels => _labels;

    /// <summary>Item i's answers are positions ItemOffsets[i] to ItemOffsets[i + 1] (exclusive) of the item-ordered arrays.</summary>
    public ReadOnlySpan<int> ItemOffsets => _itemOffsets;

    internal int[] ItemArray => _items;

    internal int[] WorkerArray => _workers;

    internal int[] LabelArray => _labels;

    internal int[] ItemOffsetArray => _itemOffsets;

    /// <summary>Builds an answer set from dense integer ids (item in [0, itemCount), worker in [0, workerCount), label in [0, classCount)).</summary>
    /// <remarks>Ids are kept as given; names are their decimal strings. Answers may come in any order; when a worker
    /// answered an item more than once, the last one in the given order counts.</remarks>
    /// <exception cref="ArgumentException">The arrays differ in length or an id is out of range.</exception>
    public static AnswerSet FromArrays(
        ReadOnlySpan<int> items,
        ReadOnlySpan<int> workers,
        ReadOnlySpan<int> labels,
        int itemCount,
        int workerCount,
        int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfNegative(workerCount);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        if (items.Length != workers.Length || items.Length != labels.Length)
        {
            throw new ArgumentException(
                $"items, workers and labels must have the same length (got {items.Length}, {workers.Length}, {labels.Length}).");
        }

        CheckRange(items, itemCount, "item", nameof(items));
        CheckRange(workers, workerCount, "worker", nameof(workers));
        CheckRange(labels, classCount, "label", nameof(labels));
        var canonical = CanonicalAnswers.Sort(items, workers, labels, itemCount, workerCount);
        return new AnswerSet(canonical, new IndexNames(itemCount), new IndexNames(workerCount), new IndexNames(classCount));
    }

    internal static AnswerSet FromCanonical(
        CanonicalAnswers answers,
        string[] itemIds,
        string[] workerIds,
        string[] labelNames) =>
        new(answers, itemIds, workerIds, labelNames);

    /// <summary>Number of answers worker w gave.</summary>
    public int WorkerAnswerCount(int worker) => _workerAnswerCounts[worker];

    /// <summary>Number of answers item i received.</summary>
    public int ItemAnswerCount(int item) => _itemOffsets[item + 1] - _itemOffsets[item];

    /// <summary>Dense index of an item id, or -1 when the item has no answers here.</summary>
    public int IndexOfItem(string itemId) => Lookup(ref _itemIndex, _itemIds, itemId);

    /// <summary>Dense index of a worker id, or -1 when the worker has no answers here.</summary>
    public int IndexOfWorker(string workerId) => Lookup(ref _workerIndex, _workerIds, workerId);

    /// <summary>Class index of a label name, or -1 when it is not in the label set.</summary>
    public int IndexOfLabel(string label) => Lookup(ref _labelIndex, _labelNames, label);

    private static int Lookup(ref Dictionary<string, int>? index, IReadOnlyList<string> names, string name)
    {
        if (index is null)
        {
            var built = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
            for (var i = 0; i < names.Count; i++)
            {
                built[names[i]] = i;
            }

            Interlocked.CompareExchange(ref index, built, null);
        }

        return index.TryGetValue(name, out var found) ? found : -1;
    }

    private static void CheckRange(ReadOnlySpan<int> ids, int count, string what, string parameter)
    {
        for (var a = 0; a < ids.Length; a++)
        {
            if ((uint)ids[a] >= (uint)count)
            {
                throw new ArgumentException(
                    $"Answer {a}: {what} {ids[a]} is outside the {count} declared (valid ids are 0 to {count - 1}).", parameter);
            }
        }
    }

    private sealed class IndexNames(int count) : IReadOnlyList<string>
    {
        public int Count => count;

        public string this[int index] =>
            (uint)index < (uint)count
                ? index.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

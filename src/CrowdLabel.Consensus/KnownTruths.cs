namespace CrowdLabel.Consensus;

/// <summary>Items of an <see cref="AnswerSet"/> whose true label is known (gold items, reviewed items): their posterior is fixed to that label.</summary>
public sealed class KnownTruths
{
    private readonly int[] _labelByItem;

    private KnownTruths(int[] labelByItem, int count, int ignored)
    {
        _labelByItem = labelByItem;
        Count = count;
        Ignored = ignored;
    }

    /// <summary>Number of items of the answer set with a known label.</summary>
    public int Count { get; }

    /// <summary>Truths given for items that have no answers in the answer set (they cannot change anything and are left out).</summary>
    public int Ignored { get; }

    /// <summary>Number of items of the answer set these truths were made for.</summary>
    public int ItemCount => _labelByItem.Length;

    /// <summary>The known class of an item, or -1.</summary>
    public int this[int item] => _labelByItem[item];

    internal int[] LabelByItem => _labelByItem;

    /// <summary>Known labels by dense ids (item index, class index); when an item is given twice the last one counts.</summary>
    /// <exception cref="ArgumentException">An item or class index is out of range.</exception>
    public static KnownTruths FromIndices(AnswerSet answers, IEnumerable<(int Item, int Label)> truths)
    {
        var labelByItem = NewUnknown(answers.ItemCount);
        foreach (var (item, label) in truths)
        {
            if ((uint)item >= (uint)answers.ItemCount)
            {
                throw new ArgumentException($"Known truth for item {item}: there are {answers.ItemCount} items.", nameof(truths));
            }

            if ((uint)label >= (uint)answers.ClassCount)
            {
                throw new ArgumentException(
                    $"Known truth for item {item}: label {label} is outside the {answers.ClassCount} classes.", nameof(truths));
            }

            labelByItem[item] = label;
        }

        return Create(labelByItem, ignored: 0);
    }

    /// <summary>Known labels by string ids; items with no answers are ignored and counted in <see cref="Ignored"/>.</summary>
    /// <exception cref="ArgumentException">A label is not in the answer set's label set.</exception>
    public static KnownTruths FromIds(AnswerSet answers, IEnumerable<(string Item, string Label)> truths)
    {
        var labelByItem = NewUnknown(answers.ItemCount);
        var ignored = 0;
        foreach (var (itemId, labelName) in truths)
        {
            var label = answers.IndexOfLabel(labelName);
            if (label < 0)
            {
                throw new ArgumentException(
                    $"Known truth for item '{itemId}': label '{labelName}' is not one of the labels: {string.Join(", ", answers.Labels)}.",
                    nameof(truths));
            }

            var item = answers.IndexOfItem(itemId);
            if (item < 0)
            {
                ignored++;
                continue;
            }

            labelByItem[item] = label;
        }

        return Create(labelByItem, ignored);
    }

    /// <summary>No known truths for this answer set.</summary>
    public static KnownTruths None(AnswerSet answers) => Create(NewUnknown(answers.ItemCount), ignored: 0);

    internal void CheckFits(AnswerSet answers)
    {
        if (ItemCount != answers.ItemCount)
        {
            throw new ArgumentException(
                $"These known truths were made for {ItemCount} items, the answer set has {answers.ItemCount}.", "truths");
        }
    }

    private static int[] NewUnknown(int itemCount)
    {
        var labelByItem = new int[itemCount];
        Array.Fill(labelByItem, -1);
        return labelByItem;
    }

    private static KnownTruths Create(int[] labelByItem, int ignored)
    {
        var count = 0;
        foreach (var label in labelByItem)
        {
            if (label >= 0)
            {
                count++;
            }
        }

        return new KnownTruths(labelByItem, count, ignored);
    }
}

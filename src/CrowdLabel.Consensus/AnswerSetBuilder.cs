using System.Globalization;

namespace CrowdLabel.Consensus;

/// <summary>Collects answers given as string ids (item, worker, label) and builds an <see cref="AnswerSet"/> with dense integer ids.</summary>
/// <remarks>
/// Strings are interned once each; adding an answer whose strings were seen before allocates nothing, so the span
/// overload can be fed straight from a CSV parser. <see cref="Build"/> numbers items and workers in ordinal order of
/// their ids, and labels in the declared order (or, when the set is discovered from the answers, in numeric order if
/// every label is an integer, ordinal order otherwise): the same answers in any order give the same answer set.
/// </remarks>
public sealed class AnswerSetBuilder
{
    private readonly Interner _items = new();
    private readonly Interner _workers = new();
    private readonly Interner _labels = new();
    private int[] _answerItems = new int[256];
    private int[] _answerWorkers = new int[256];
    private int[] _answerLabels = new int[256];

    /// <summary>A builder whose label set is discovered from the answers (and <see cref="AddLabel(string)"/>).</summary>
    public AnswerSetBuilder()
    {
    }

    /// <summary>A builder with a declared label set: an answer with any other label is rejected.</summary>
    /// <exception cref="ArgumentException">A label is declared twice.</exception>
    public AnswerSetBuilder(IEnumerable<string> labels)
    {
        foreach (var label in labels)
        {
            if (_labels.Find(label) >= 0)
            {
                throw new ArgumentException($"Label '{label}' is declared twice.", nameof(labels));
            }

            _labels.Intern(label);
        }

        LabelsDeclared = true;
    }

    /// <summary>Whether the label set was declared up front (closed) rather than discovered.</summary>
    public bool LabelsDeclared { get; }

    /// <summary>Answers added so far, repeats included.</summary>
    public int Count { get; private set; }

    /// <summary>Makes sure a class exists even if no answer uses it (for example a label that only gold items carry).</summary>
    /// <exception cref="ArgumentException">The label set is declared and does not contain this label.</exception>
    public void AddLabel(string label) => LabelId(label, label, string.Empty, string.Empty);

    /// <summary>Adds one answer: the worker gave the item this label.</summary>
    /// <exception cref="ArgumentException">The label set is declared and does not contain this label.</exception>
    public void Add(string item, string worker, string label) => Add(item.AsSpan(), worker.AsSpan(), label.AsSpan());

    /// <summary>Adds one answer from character spans (no allocation when the three strings were seen before).</summary>
    /// <exception cref="ArgumentException">The label set is declared and does not contain this label.</exception>
    public void Add(ReadOnlySpan<char> item, ReadOnlySpan<char> worker, ReadOnlySpan<char> label)
    {
        var labelId = LabelId(label, label, item, worker);
        if (Count == _answerItems.Length)
        {
            var capacity = checked(Count * 2);
            Array.Resize(ref _answerItems, capacity);
            Array.Resize(ref _answerWorkers, capacity);
            Array.Resize(ref _answerLabels, capacity);
        }

        _answerItems[Count] = _items.Intern(item);
        _answerWorkers[Count] = _workers.Intern(worker);
        _answerLabels[Count] = labelId;
        Count++;
    }

    /// <summary>Builds the canonical answer set; the builder can be used again afterwards.</summary>
    public AnswerSet Build()
    {
        var (itemIds, itemMap) = _items.Ordered(numericFirst: false);
        var (workerIds, workerMap) = _workers.Ordered(numericFirst: false);
        var (labelNames, labelMap) = LabelsDeclared ? _labels.AsDeclared() : _labels.Ordered(numericFirst: true);
        var items = Remap(_answerItems, itemMap);
        var workers = Remap(_answerWorkers, workerMap);
        var labels = Remap(_answerLabels, labelMap);
        var canonical = CanonicalAnswers.Sort(items, workers, labels, itemIds.Length, workerIds.Length);
        return AnswerSet.FromCanonical(canonical, itemIds, workerIds, labelNames);
    }

    private int LabelId(ReadOnlySpan<char> label, ReadOnlySpan<char> shown, ReadOnlySpan<char> item, ReadOnlySpan<char> worker)
    {
        if (!LabelsDeclared)
        {
            return _labels.Intern(label);
        }

        var id = _labels.Find(label);
        if (id < 0)
        {
            var context = item.IsEmpty && worker.IsEmpty ? string.Empty : $" (item '{item}', worker '{worker}')";
            throw new ArgumentException(
                $"Label '{shown}'{context} is not one of the declared labels: {string.Join(", ", _labels.Names)}.");
        }

        return id;
    }

    private int[] Remap(int[] ids, int[] map)
    {
        var remapped = new int[Count];
        for (var a = 0; a < remapped.Length; a++)
        {
            remapped[a] = map[ids[a]];
        }

        return remapped;
    }

    /// <summary>Distinct strings numbered in order of first appearance, looked up by span without allocating.</summary>
    private sealed class Interner
    {
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly List<string> _names = [];
        private string _last = string.Empty;
        private int _lastId = -1;

        public Interner() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

        public IReadOnlyList<string> Names => _names;

        public int Find(ReadOnlySpan<char> name) => _lookup.TryGetValue(name, out var id) ? id : -1;

        /// <summary>The id of a name, new or seen; a repeat of the previous name (answers grouped by item) skips the hash lookup.</summary>
        public int Intern(ReadOnlySpan<char> name)
        {
            if (_lastId >= 0 && name.SequenceEqual(_last))
            {
                return _lastId;
            }

            if (!_lookup.TryGetValue(name, out var id))
            {
                var text = name.ToString();
                id = _names.Count;
                _ids.Add(text, id);
                _names.Add(text);
            }

            _last = _names[id];
            _lastId = id;
            return id;
        }

        public (string[] Names, int[] Map) AsDeclared()
        {
            var map = new int[_names.Count];
            for (var i = 0; i < map.Length; i++)
            {
                map[i] = i;
            }

            return (_names.ToArray(), map);
        }

        /// <summary>Names in canonical order and the map from first-appearance id to canonical id.</summary>
        public (string[] Names, int[] Map) Ordered(bool numericFirst)
        {
            var names = _names.ToArray();
            var order = new int[names.Length];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            if (numericFirst && TryParseAll(names, out var numbers))
            {
                Array.Sort(order, (x, y) =>
                {
                    var byValue = numbers[x].CompareTo(numbers[y]);
                    return byValue != 0 ? byValue : string.CompareOrdinal(names[x], names[y]);
                });
            }
            else
            {
                var keys = (string[])names.Clone();
                Array.Sort(keys, order, StringComparer.Ordinal);
            }

            var map = new int[names.Length];
            var sorted = new string[names.Length];
            for (var rank = 0; rank < order.Length; rank++)
            {
                map[order[rank]] = rank;
                sorted[rank] = names[order[rank]];
            }

            return (sorted, map);
        }

        private static bool TryParseAll(string[] names, out decimal[] numbers)
        {
            numbers = new decimal[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                if (!decimal.TryParse(names[i], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                        CultureInfo.InvariantCulture, out numbers[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

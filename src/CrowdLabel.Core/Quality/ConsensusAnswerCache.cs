using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Quality;

/// <summary>
/// The answers of the batches this node ran consensus on, kept between runs so that a run reads only the answers
/// submitted since the last one instead of every answer of the batch (on 180,000 answers the read was most of a run
/// that changed nothing; docs/benchmarks.md). An answer never leaves the answers consensus reads and never changes
/// once submitted (approval and rejection keep it), so what was read stays true. What a batch's entry holds is every
/// answer submitted up to its <see cref="BatchAnswers.Through"/>, a time at least <see cref="QualityOptions.AnswerSettleTime"/>
/// old when it was read; the next run reads the answers after it. A run checks the whole against the items' answer
/// counts and reads everything again when an answer is missing, so the premise that no answer commits later than that
/// settle time after its stamp costs a full read when it fails, not a decision on too few answers.
/// </summary>
/// <remarks>
/// One per node: every node that runs a batch keeps its own. A run takes its batch's entry out and puts it back when
/// it succeeds, so two runs of one batch never share one, and a run that fails leaves none behind. At most
/// <see cref="QualityOptions.AnswerCacheSize"/> answers are kept across batches, the least recently run going first;
/// a batch not run for an hour is forgotten, a completed one at once.
/// </remarks>
public sealed class ConsensusAnswerCache(IOptions<QualityOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan IdleTime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<Guid, BatchAnswers> _batches = new();

    /// <summary>Answers kept, across batches (the entries runs have taken out are not counted).</summary>
    public long Count => _batches.Values.Sum(b => (long)b.Answers.Count);

    /// <summary>The batch's entry, taken out until <see cref="Return"/>; an empty one when none is kept.</summary>
    internal BatchAnswers Take(Guid batchId) => _batches.TryRemove(batchId, out var kept) ? kept : new BatchAnswers();

    /// <summary>Forgets what is kept of the batch (it completed: no run will need it).</summary>
    public void Forget(Guid batchId) => _batches.TryRemove(batchId, out _);

    /// <summary>Keeps the batch's entry for its next run, then forgets the least recently run entries over the size limit.</summary>
    internal void Return(Guid batchId, BatchAnswers answers)
    {
        var limit = options.Value.AnswerCacheSize;
        if (answers.Answers.Count == 0 || answers.Answers.Count > limit)
        {
            return;
        }

        var now = clock.GetUtcNow();
        answers.LastRun = now;
        _batches[batchId] = answers;
        var kept = 0L;
        foreach (var (id, entry) in _batches.OrderByDescending(b => b.Value.LastRun))
        {
            kept += entry.Answers.Count;
            if (kept > limit || now - entry.LastRun > IdleTime)
            {
                _batches.TryRemove(id, out _);
            }
        }
    }
}

/// <summary>One answer as consensus reads it: the item's and the worker's ids as the engine names them, and the label.</summary>
internal readonly record struct BatchAnswer(string Item, string Worker, string Label);

/// <summary>One batch's entry of <see cref="ConsensusAnswerCache"/>: every answer submitted up to <see cref="Through"/>.</summary>
internal sealed class BatchAnswers
{
    private readonly Dictionary<Guid, string> _names = [];
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    /// <summary>Every answer submitted at or before this time is in <see cref="Answers"/>; null before the first read.</summary>
    public DateTime? Through { get; set; }

    /// <summary>The latest submission time among <see cref="Answers"/>.</summary>
    public DateTime? Newest { get; private set; }

    public List<BatchAnswer> Answers { get; } = [];

    public DateTimeOffset LastRun { get; set; }

    /// <summary>The engine's name of an item or a worker: its id in the "N" form, made once per id.</summary>
    public string Name(Guid id)
    {
        if (!_names.TryGetValue(id, out var name))
        {
            name = id.ToString("N");
            _names.Add(id, name);
        }

        return name;
    }

    /// <summary>The answer as the engine names it, with one string per distinct label.</summary>
    public BatchAnswer Of(Guid itemId, Guid workerId, string label)
    {
        if (!_labels.TryGetValue(label, out var kept))
        {
            _labels.Add(label, kept = label);
        }

        return new BatchAnswer(Name(itemId), Name(workerId), kept);
    }

    /// <summary>Keeps an answer submitted at <paramref name="submittedAt"/> (no later than the next <see cref="Through"/>).</summary>
    public void Add(BatchAnswer answer, DateTime submittedAt)
    {
        Answers.Add(answer);
        if (Newest is null || submittedAt > Newest)
        {
            Newest = submittedAt;
        }
    }
}

using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CrowdLabel.Consensus;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using CrowdLabel.Core.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Quality;

/// <summary>What one consensus run over a batch did.</summary>
/// <param name="Answers">Answers the engine saw (paused workers' answers left out).</param>
/// <param name="Excluded">Answers left out because their worker is paused or blocked on the project.</param>
/// <param name="Done">Items that became Done in this run.</param>
/// <param name="Extended">Items whose redundancy target grew (dynamic overlap).</param>
/// <param name="Disputed">Items that became Disputed in this run.</param>
/// <param name="Reopened">Done items whose label fell under the confidence target again (they get one more answer).</param>
/// <param name="Completed">Whether the run closed the batch.</param>
public sealed record ConsensusRun(int Answers, int Excluded, int Done, int Extended, int Disputed, int Reopened, bool Completed);

/// <summary>
/// Consensus in the running site (DESIGN.md, step 7): Dawid-Skene over a batch's answers, with gold and reviewed items as
/// known truth; per item the label, its posterior, and what happens next: Done at the confidence target, one more
/// answer (dynamic overlap) below it, Disputed at max redundancy. The claim query reads the redundancy targets and
/// confidences this writes, so uncertain items get the extra answers. Runs from a job, never from a web request.
/// </summary>
public sealed partial class ConsensusService(
    ICrowdLabelDb db,
    TenantContext tenantContext,
    BatchLifecycleService lifecycle,
    ConsensusAnswerCache answerCache,
    IServiceScopeFactory scopes,
    IOptions<QualityOptions> options,
    TimeProvider clock,
    ILogger<ConsensusService> logger,
    AnswerCounter? answerCounter = null)
{
    /// <summary>Decimals kept of a stored confidence and posterior.</summary>
    private const int StoredDecimals = 6;

    /// <summary>Items a run writes per transaction (25 to 38 ms a chunk on PostgreSQL under the work benchmark's load).</summary>
    private const int WriteChunkSize = 500;

    /// <summary>
    /// Runs consensus on every published or paused batch, in every tenant, with answers newer than its last run or a
    /// review since; each batch in its own scope, with its tenant current. Returns the batches run.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var assignments = db.Assignments.IgnoreQueryFilters(TenantAccess.TenantFilterOnly);
        var due = await db.Batches.IgnoreQueryFilters(TenantAccess.TenantFilterOnly).AsNoTracking()
            .Where(b => (b.Status == BatchStatus.Published || b.Status == BatchStatus.Paused) &&
                        (b.ConsensusRequested || assignments.Any(a =>
                            a.BatchId == b.Id && a.SubmittedAt != null && (b.ConsensusWatermark == null || a.SubmittedAt > b.ConsensusWatermark))))
            .Select(b => new { b.Id, b.TenantId })
            .ToListAsync(cancellationToken);
        foreach (var batch in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Set(batch.TenantId);
            await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batch.Id, cancellationToken);
        }

        return due.Count;
    }

    /// <summary>Runs consensus over one batch of the current tenant and applies it to its items; closes the batch when every item is settled.</summary>
    public async Task<Result<ConsensusRun>> RunBatchAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        _ = tenantContext.TenantId ?? throw new InvalidOperationException("A consensus run needs a current tenant.");
        var batch = await db.Batches.FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
        if (batch is null)
        {
            return Result<ConsensusRun>.NotFound();
        }

        if (batch.Status is not (BatchStatus.Published or BatchStatus.Paused))
        {
            return Result<ConsensusRun>.Invalid("", $"Consensus runs on a published or paused batch; this one is {batch.Status}.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var started = clock.GetTimestamp();
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == batch.ProjectId, cancellationToken);
        var labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == project.Id && l.ProjectVersion == batch.ProjectVersion)
            .OrderBy(l => l.Ordinal).Select(l => l.Name).ToListAsync(cancellationToken);

        // Items first, answers second: an answer that lands in between is in the answers but not yet in the item's
        // counts, never the other way round, so no item is decided on answers the engine did not see. Only answered
        // items, and not their data: the run changes nothing else and learns nothing from the rest (an item's first
        // answer landing in between is seen by the next run). Not tracked: a run writes only the consensus columns of
        // the items Apply changed (ConsensusWriter), never the counts that claims and answers move meanwhile, and
        // tracking every item of a large batch cost more than the rest of a run that changes nothing. Items with a slot
        // taken too: on PostgreSQL an answer's count follows it (AnswerCounter), and one whose count was lost (a node
        // stopped before counting it) must still be decided and counted.
        var items = await db.Items.AsNoTracking()
            .Where(i => i.BatchId == batchId && (i.AnswerCount > 0 || i.Claimed > 0))
            .Select(i => new Item
            {
                Id = i.Id, TenantId = batch.TenantId, BatchId = batchId, RowNumber = i.RowNumber, GoldLabel = i.GoldLabel,
                Status = i.Status, RedundancyTarget = i.RedundancyTarget, AnswerCount = i.AnswerCount,
                ConsensusLabel = i.ConsensusLabel, Confidence = i.Confidence, Posterior = i.Posterior, QaSample = i.QaSample,
                ReviewRequestedAt = i.ReviewRequestedAt,
            })
            .ToListAsync(cancellationToken);
        var standings = await db.ProjectWorkers.Where(w => w.ProjectId == project.Id).ToListAsync(cancellationToken);
        var settled = now - options.Value.AnswerSettleTime;
        var cache = answerCache.Take(batchId);
        var warm = cache.Through is not null;
        var (answers, newest) = await ReadAnswersAsync(batchId, cache, settled, cancellationToken);
        // Workers not in good standing on the project (paused or blocked): consensus leaves their answers out.
        var leftOutWorkers = standings.Where(w => w.Status != ProjectWorkerStatus.Active).Select(w => w.WorkerId).ToList();
        var excludedWorkers = leftOutWorkers.Select(cache.Name).ToHashSet(StringComparer.Ordinal);
        var labelSet = labels.ToHashSet(StringComparer.Ordinal);
        var answered = Count(answers, excludedWorkers, labelSet);
        if (warm && items.Any(i => answered.GetValueOrDefault(cache.Name(i.Id)).All < i.AnswerCount))
        {
            // An answer committed later than the settle time after its stamp, behind the entry's watermark: read them all.
            LogAnswersMissed(logger, batchId);
            cache = new BatchAnswers();
            (answers, newest) = await ReadAnswersAsync(batchId, cache, settled, cancellationToken);
            answered = Count(answers, excludedWorkers, labelSet);
        }

        if (answerCounter is not null)
        {
            // Answers read that the count does not hold yet: a count that was lost, or the counter a round behind.
            foreach (var item in items.Where(i => answered.GetValueOrDefault(cache.Name(i.Id)).All > i.AnswerCount))
            {
                answerCounter.Count(item.Id);
            }
        }

        var builder = new AnswerSetBuilder(labels);
        foreach (var answer in answers)
        {
            if (Usable(answer, excludedWorkers, labelSet))
            {
                builder.Add(answer.Item, answer.Worker, answer.Label);
            }
        }

        var excluded = answers.Count - builder.Count;
        var paidLeftOut = await PaidAnswersLeftOutAsync(batchId, leftOutWorkers, cancellationToken);
        var read = clock.GetTimestamp();
        var run = new RunCounts();
        Fitted? fitted = null;
        if (builder.Count > 0)
        {
            var set = builder.Build();
            // Gold and reviewed items are known truth: their posterior is clamped, and they anchor the workers' confusion matrices.
            var truths = KnownTruths.FromIds(set, items
                .Select(i => (Item: i, Label: i.GoldLabel ?? (i.Status == ItemStatus.Resolved ? i.ConsensusLabel : null)))
                .Where(t => t.Label is not null && labelSet.Contains(t.Label))
                .Select(t => (t.Item.Id.ToString("N"), t.Label!)));
            fitted = Fitted.Of(set, truths, options.Value.AnswerWeight);
            StoreWorkerAccuracies(fitted, standings, batch, project, now);
        }

        var fit = clock.GetTimestamp();
        var changed = new List<(Item Item, ItemStatus ReadStatus)>();
        foreach (var item in items)
        {
            if (answered.TryGetValue(cache.Name(item.Id), out var counts))
            {
                var before = ConsensusColumns.Of(item);
                Apply(item, fitted, counts, batch, project, now, run, paidLeftOut.GetValueOrDefault(item.Id));
                if (ConsensusColumns.Of(item) != before)
                {
                    changed.Add((item, before.Status));
                }
            }
        }

        // The items in short transactions: a claim skips an item a run has written and not yet committed, and an answer
        // to it waits, so one transaction over a run's 5,000 or more items held them for up to a second (docs/benchmarks.md,
        // run 31). Each item is written as a whole, guarded by the status read. The workers' accuracies and
        // the batch's watermark commit last: a run stopped between chunks leaves items as the next run would write them
        // (it decides on the same answers and any newer), and that run reads every answer of this one again. Between two
        // transactions the run pauses (Quality:WritePause), so that its writes do not take a burst of the database from
        // the claims and answers.
        foreach (var (index, chunk) in changed.Chunk(WriteChunkSize).Index())
        {
            if (index > 0 && options.Value.WritePause > TimeSpan.Zero)
            {
                await Task.Delay(options.Value.WritePause, cancellationToken);
            }

            await using var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken);
            await ConsensusWriter.WriteAsync(db, batch.TenantId, batchId, chunk, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        batch.ConsensusWatermark = newest is null ? batch.ConsensusWatermark : newest < settled ? newest : settled;
        batch.ConsensusRequested = false;
        batch.ConsensusRunAt = now;
        await using (var transaction = await SqliteWriteGate.BeginTransactionAsync(db, cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        answerCache.Return(batchId, cache);

        LogRun(logger, batchId, items.Count, answers.Count, clock.GetElapsedTime(started, read).TotalMilliseconds,
            clock.GetElapsedTime(read, fit).TotalMilliseconds, changed.Count, clock.GetElapsedTime(fit).TotalMilliseconds);
        // Asked of the saved state, which holds every item (the run loaded only the answered ones).
        if (batch.QaSampledAt is null && items.All(i => i.GoldLabel is not null || i.Status != ItemStatus.Open) &&
            !await db.Items.AnyAsync(i => i.BatchId == batchId && i.GoldLabel == null && i.Status == ItemStatus.Open, cancellationToken))
        {
            // Every Done item has answers, so all of them are loaded.
            DrawQaSample(batch, items, now);
            // No real item needs answers any more, so gold has nothing left to score against: it stops being handed out.
            await db.Items.Where(i => i.BatchId == batchId && i.GoldLabel != null && i.Status == ItemStatus.Open)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, ItemStatus.Done), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        var completed = await CompleteIfSettledAsync(batch.Id, cancellationToken);
        return Result<ConsensusRun>.Success(new ConsensusRun(builder.Count, excluded, run.Done, run.Extended, run.Disputed, run.Reopened, completed));
    }

    /// <summary>
    /// Closes the batch (unspent escrow back to the balance) once every real item is Done or Resolved, no lease is out and
    /// no answer waits for approval (approval pays out of the escrow, so it comes first); for a batch closed with answers
    /// waiting, returns what its escrow kept for them once none waits. Called after consensus runs and after approvals.
    /// </summary>
    public async Task<bool> CompleteIfSettledAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var status = await db.Batches.Where(b => b.Id == batchId).Select(b => b.Status).SingleAsync(cancellationToken);
        if (status is BatchStatus.Cancelled or BatchStatus.Completed)
        {
            // Closed with answers waiting: once the last of them is settled, what the escrow kept for them goes back.
            await lifecycle.ReleaseHeldAsync(batchId, cancellationToken);
            return false;
        }

        var unsettled = status is not (BatchStatus.Published or BatchStatus.Paused) ||
                        await db.Items.AnyAsync(i => i.BatchId == batchId && i.GoldLabel == null &&
                                                     i.Status != ItemStatus.Done && i.Status != ItemStatus.Resolved, cancellationToken) ||
                        await db.Assignments.AnyAsync(a => a.BatchId == batchId &&
                                                           (a.Status == AssignmentStatus.Leased || a.Status == AssignmentStatus.Submitted), cancellationToken);
        if (unsettled || !(await lifecycle.CompleteLabeledAsync(batchId, cancellationToken)).Succeeded)
        {
            return false;
        }

        // No run will need its answers again.
        answerCache.Forget(batchId);
        return true;
    }

    /// <summary>
    /// Stores the engine's view of one item and moves an open item on: the Dawid-Skene label, and the posterior of the
    /// view less sure of it (<see cref="Fitted"/>), whose value for the label is the confidence. An item is decided only
    /// when every slot of its redundancy target is answered; then it is Done when that confidence reaches the
    /// project's target on at least base-redundancy usable answers, else it gets one more slot (or enough to replace
    /// answers left out), up to the batch's max redundancy, else it is Disputed. Gold and resolved items keep their
    /// labels; disputed items and QA samples wait for their reviewer untouched.
    /// </summary>
    internal static void Apply(Item item, Fitted? fitted, (int All, int Usable) answered, Batch batch, Project project, DateTime now, RunCounts run,
        int paidLeftOut = 0)
    {
        if (item.GoldLabel is not null || item.Status is ItemStatus.Resolved or ItemStatus.Disputed || item.QaSample)
        {
            return;
        }

        // An item whose every answer was left out has no posterior: it only gets slots to replace them.
        var index = fitted?.Answers.IndexOfItem(item.Id.ToString("N")) ?? -1;
        if (fitted is not null && index >= 0)
        {
            var set = fitted.Answers;
            var label = fitted.Label(index);
            var posterior = fitted.Posterior(index);
            // Six decimals, in the confidence as in the posterior: every run re-estimates the workers and moves every
            // item's posterior a little, and storing those last digits rewrote the whole batch each run (and the claim
            // index with it, since Confidence is in it) while answers waited for the rows.
            item.ConsensusLabel = set.Labels[label];
            item.Confidence = Math.Round(posterior[label], StoredDecimals);
            item.Posterior = fitted.PosteriorJson(index, StoredDecimals);
        }

        // Done is provisional until the QA sample is drawn: a later run that knows the workers better and finds the label
        // under the target again opens the item for one more answer (on the dog replay, over 24 crowd orders, this buys
        // 0.1 point of accuracy for 1.7% more answers; docs/benchmarks.md).
        if (item.Status == ItemStatus.Done && batch.QaSampledAt is null && item.Confidence < project.ConfidenceTarget)
        {
            item.Status = ItemStatus.Open;
            run.Reopened++;
        }

        if (item.Status != ItemStatus.Open || answered.All < item.RedundancyTarget)
        {
            return;
        }

        var baseRedundancy = Math.Max(1, project.BaseRedundancy);
        if (answered.Usable >= baseRedundancy && item.Confidence >= project.ConfidenceTarget)
        {
            item.Status = ItemStatus.Done;
            run.Done++;
            return;
        }

        // Answers left out (paused workers) do not count toward the max: the escrow pays only for approved answers. Those
        // approved before their worker was paused do: the escrow (items x max redundancy) has paid for them, and an answer
        // in their place could not be paid.
        var cap = Math.Max(batch.MaxRedundancy, 1) + (answered.All - answered.Usable - paidLeftOut);
        if (item.RedundancyTarget < cap)
        {
            item.RedundancyTarget = Math.Min(cap, item.RedundancyTarget + Math.Max(1, baseRedundancy - answered.Usable));
            run.Extended++;
            return;
        }

        item.Status = ItemStatus.Disputed;
        item.ReviewRequestedAt = now;
        run.Disputed++;
    }

    /// <summary>Keeps each worker's Dawid-Skene accuracy from this run on their standing in the project (shown to the requester).</summary>
    private void StoreWorkerAccuracies(Fitted fitted, List<ProjectWorker> standings, Batch batch, Project project, DateTime now)
    {
        var (set, result, _) = fitted;
        var byWorker = standings.ToDictionary(w => w.WorkerId);
        for (var w = 0; w < set.WorkerCount; w++)
        {
            var workerId = Guid.ParseExact(set.WorkerIds[w], "N");
            if (!byWorker.TryGetValue(workerId, out var standing))
            {
                standing = new ProjectWorker { Id = Guid.CreateVersion7(), TenantId = batch.TenantId, ProjectId = project.Id, WorkerId = workerId };
                db.ProjectWorkers.Add(standing);
            }

            // Written only when it moved: a run that learns nothing new updates no standing.
            var accuracy = Math.Round(result.WorkerAccuracies[w], StoredDecimals);
            if (standing.ConsensusAccuracy != accuracy)
            {
                standing.ConsensusAccuracy = accuracy;
                standing.UpdatedAt = now;
            }
        }
    }

    /// <summary>
    /// Draws the stratified QA sample (DESIGN.md, step 8): of each label's Done items, the configured share (at least
    /// one), at random but the same for the same batch, goes to the reviewers. Their verdicts measure the accuracy of the
    /// labels the crowd was trusted with.
    /// </summary>
    private void DrawQaSample(Batch batch, List<Item> items, DateTime now)
    {
        var random = new Random(BitConverter.ToInt32(batch.Id.ToByteArray(), 0));
        foreach (var stratum in items.Where(i => i.GoldLabel is null && i.Status == ItemStatus.Done && i.ConsensusLabel is not null)
                     .GroupBy(i => i.ConsensusLabel!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = stratum.OrderBy(i => i.RowNumber).ToArray();
            var take = Math.Clamp((int)Math.Ceiling(members.Length * options.Value.QaSampleRate), 1, members.Length);
            random.Shuffle(members);
            foreach (var item in members.Take(take))
            {
                // The run's items are not tracked: attached as they stand, saving writes only the two columns set here.
                db.Items.Attach(item);
                item.QaSample = true;
                item.ReviewRequestedAt = now;
            }
        }

        batch.QaSampledAt = now;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Consensus over batch {BatchId}: {Items} items and {Answers} answers read in {ReadMs:F0} ms, fitted in {FitMs:F0} ms, {Changed} items changed and saved in {SaveMs:F0} ms")]
    private static partial void LogRun(ILogger logger, Guid batchId, int items, int answers, double readMs, double fitMs, int changed, double saveMs);

    /// <summary>
    /// Every answer of the batch that consensus reads: those <paramref name="cache"/> holds and those submitted after it,
    /// read now; the cache then keeps the ones submitted up to <paramref name="settled"/>. Returns them with the latest
    /// submission time among them.
    /// </summary>
    private async Task<(List<BatchAnswer> Answers, DateTime? Newest)> ReadAnswersAsync(Guid batchId, BatchAnswers cache, DateTime settled, CancellationToken cancellationToken)
    {
        var after = cache.Through;
        var recent = await db.Assignments.AsNoTracking()
            .Where(AnsweredAssignments.Filter)
            .Where(a => a.BatchId == batchId && a.Label != null && (after == null || a.SubmittedAt > after))
            .Select(a => new { a.ItemId, a.WorkerId, Label = a.Label!, SubmittedAt = a.SubmittedAt ?? DateTime.MinValue })
            .ToListAsync(cancellationToken);
        var through = after is { } kept && kept > settled ? kept : settled;
        var answers = new List<BatchAnswer>(cache.Answers.Count + recent.Count);
        answers.AddRange(cache.Answers);
        var newest = cache.Newest;
        foreach (var answer in recent)
        {
            var named = cache.Of(answer.ItemId, answer.WorkerId, answer.Label);
            answers.Add(named);
            if (answer.SubmittedAt <= through)
            {
                cache.Add(named, answer.SubmittedAt);
            }

            newest = newest is null || answer.SubmittedAt > newest ? answer.SubmittedAt : newest;
        }

        cache.Through = through;
        return (answers, newest);
    }

    /// <summary>
    /// Per item, the answers of <paramref name="leftOutWorkers"/> (no longer in good standing on the project) that were
    /// approved (paid) before that: left out of consensus like their other answers, but paid for out of the escrow. Read
    /// anew each run, as approvals come after the answers; none when every worker is in good standing.
    /// </summary>
    private async Task<Dictionary<Guid, int>> PaidAnswersLeftOutAsync(Guid batchId, List<Guid> leftOutWorkers, CancellationToken cancellationToken)
    {
        if (leftOutWorkers.Count == 0)
        {
            return [];
        }

        return await db.Assignments.AsNoTracking()
            .Where(a => a.BatchId == batchId && a.Status == AssignmentStatus.Approved && leftOutWorkers.Contains(a.WorkerId))
            .GroupBy(a => a.ItemId)
            .Select(g => new { ItemId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.ItemId, g => g.Count, cancellationToken);
    }

    /// <summary>Per item (by the engine's name), its answers and how many of them consensus may use (<see cref="Usable"/>).</summary>
    private static Dictionary<string, (int All, int Usable)> Count(List<BatchAnswer> answers, HashSet<string> excludedWorkers, HashSet<string> labels)
    {
        var answered = new Dictionary<string, (int All, int Usable)>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            var usable = Usable(answer, excludedWorkers, labels) ? 1 : 0;
            ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(answered, answer.Item, out _);
            counts = (counts.All + 1, counts.Usable + usable);
        }

        return answered;
    }

    /// <summary>Whether consensus may use the answer: not a paused or blocked worker's, and a label of the batch's version.</summary>
    private static bool Usable(BatchAnswer answer, HashSet<string> excludedWorkers, HashSet<string> labels) =>
        !excludedWorkers.Contains(answer.Worker) && labels.Contains(answer.Label);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Consensus over batch {BatchId}: an item had more answers than the answers kept since the last run; all of them were read again")]
    private static partial void LogAnswersMissed(ILogger logger, Guid batchId);

    /// <summary>The columns of an item a run may change (what <see cref="ConsensusWriter"/> writes), to tell which items it changed.</summary>
    private readonly record struct ConsensusColumns(
        string? Label, double? Confidence, string? Posterior, ItemStatus Status, int RedundancyTarget, DateTime? ReviewRequestedAt)
    {
        public static ConsensusColumns Of(Item item) =>
            new(item.ConsensusLabel, item.Confidence, item.Posterior, item.Status, item.RedundancyTarget, item.ReviewRequestedAt);
    }

    /// <summary>
    /// One run's view of a batch, from two fits of its answers. The labels are Dawid-Skene's. An item's posterior is that of
    /// the view less sure of its label: Dawid-Skene's, which knows the workers, or the shared-accuracy view, which trusts
    /// no worker more than the average and counts each answer for <see cref="QualityOptions.AnswerWeight"/> of an
    /// independent one. Dawid-Skene alone is too sure on a few answers per item: after three answers from workers it has
    /// seen a few times each, many labels are over 0.95 that later answers overturn (docs/benchmarks.md).
    /// </summary>
    internal sealed record Fitted(AnswerSet Answers, ConsensusResult Labels, ConsensusResult Shared)
    {
        public static Fitted Of(AnswerSet answers, KnownTruths truths, double answerWeight)
        {
            var labels = DawidSkene.Fit(answers, truths: truths);
            return new Fitted(answers, labels, SharedAccuracy.Fit(answers, labels, answerWeight, truths));
        }

        private readonly ArrayBufferWriter<byte> _json = new();
        private Utf8JsonWriter? _writer;
        private JsonEncodedText[]? _labelNames;

        public int Label(int item) => Labels.ItemLabels[item];

        /// <summary>
        /// The item's <see cref="Posterior"/> as an item stores it, a JSON object of each label's probability in label
        /// order, rounded to <paramref name="decimals"/>: what serializing that dictionary writes, a few times faster
        /// (a run writes it for every answered item of the batch).
        /// </summary>
        public string PosteriorJson(int item, int decimals)
        {
            var posterior = Posterior(item);
            _labelNames ??= [.. Answers.Labels.Select(l => JsonEncodedText.Encode(l))];
            _json.ResetWrittenCount();
            _writer ??= new Utf8JsonWriter(_json);
            _writer.Reset(_json);
            _writer.WriteStartObject();
            for (var k = 0; k < posterior.Length; k++)
            {
                _writer.WriteNumber(_labelNames[k], Math.Round(posterior[k], decimals));
            }

            _writer.WriteEndObject();
            _writer.Flush();
            return Encoding.UTF8.GetString(_json.WrittenSpan);
        }

        /// <summary>The posterior of whichever view gives the item's label the lower probability (Dawid-Skene's on a tie).</summary>
        public ReadOnlySpan<double> Posterior(int item)
        {
            var label = Label(item);
            var shared = Shared.Posterior(item);
            var dawidSkene = Labels.Posterior(item);
            return shared[label] < dawidSkene[label] ? shared : dawidSkene;
        }
    }

    internal sealed class RunCounts
    {
        public int Done { get; set; }

        public int Extended { get; set; }

        public int Disputed { get; set; }

        public int Reopened { get; set; }
    }
}

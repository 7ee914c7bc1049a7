using CrowdLabel.Consensus;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tests.Work;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Quality;

public sealed class QualityLoopTests
{
    private static string Truth(int row) => row % 2 == 0 ? "no" : "yes";

    /// <summary>
    /// Items 1 to 6 the first three workers agree on; on 7 to 12 one of them is alone, each worker twice (once on a "yes"
    /// item, once on a "no" item), so each is right 5 times in 6 on both labels. The confidence takes every worker at the
    /// accuracy the fit expects of an answer (0.79 here) and counts each answer half: a 3-0 item is 0.88 sure, a 2-1 item
    /// 0.66, against a target of 0.85.
    /// </summary>
    private static string FirstAnswer(int worker, int row) => row == 7 + (2 * worker) || row == 8 + (2 * worker) ? Other(Truth(row)) : Truth(row);

    /// <summary>The fourth worker sides with the lonely worker on item 7 and with the majority elsewhere.</summary>
    private static string FourthAnswer(int row) => row == 7 ? Other(Truth(row)) : Truth(row);

    private static string Other(string label) => label == "yes" ? "no" : "yes";

    [Theory, OnSqlite, OnPostgres]
    public async Task Spammer_AnsweringAtRandom_IsPausedByGold_ToldWhy_AndLeftOutOfConsensus(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 20, redundancy: 3, goldItems: 10, workers: 3,
            configure: p => (p.GoldRatio, p.MinWorkerGoldAccuracy, p.MaxRedundancy) = (0.5, 0.5, 3));
        var (honest, spammer) = (world.Workers[0], world.Workers[2]);
        var random = new Random(7);
        var spam = await world.WorkUntilDoneAsync(spammer, _ => random.Next(2) == 0 ? "yes" : "no");
        await world.WorkUntilDoneAsync(honest, row => row > 20 ? WorkScenario.GoldLabel : Truth(row));

        var spammerStanding = await world.StandingAsync(spammer);
        var honestStanding = await world.StandingAsync(honest);
        Assert.Equal(ProjectWorkerStatus.Paused, spammerStanding!.Status);
        Assert.Contains("this project asks for at least 50%", spammerStanding.StatusReason, StringComparison.Ordinal);
        Assert.InRange(spammerStanding.GoldAnswers, 5, 10);
        Assert.Equal(ProjectWorkerStatus.Active, honestStanding!.Status);
        var refused = await world.ClaimAsync(spammer);
        Assert.StartsWith($"Your work on the project \"Project of acme\" is paused: your answers to known-answer (gold) questions were right",
            Assert.Single(refused.Errors[""]), StringComparison.Ordinal);
        var pauses = await world.InTenantAsync(s => s.GetRequiredService<WorkerQualityService>().PausesAsync(spammer));
        Assert.Equal(ProjectWorkerStatus.Paused, Assert.Single(pauses).Status);

        var run = await world.RunConsensusAsync();
        var (_, assignments) = await world.SnapshotAsync();
        Assert.Equal(assignments.Count(a => a.WorkerId == spammer && a.Label != null), run.Excluded);
        Assert.True(spam.Count > 0);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task WorkerQuality_ShowsEachWorkersAnswers_AndTheirMedianAnswerTime(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 4, redundancy: 1, workers: 1);
        foreach (var seconds in new[] { 10, 30, 20, 50 })
        {
            var task = await world.ClaimTaskAsync(world.Workers[0]);
            world.Clock.Advance(TimeSpan.FromSeconds(seconds));
            Assert.True((await world.AnswerAsync(task.AssignmentId, world.Workers[0], "yes")).Succeeded);
        }

        var quality = Assert.Single(await world.InTenantAsync(s => s.GetRequiredService<WorkerQualityService>().ForProjectAsync(world.Tenant.ProjectId)));
        Assert.Equal((world.Workers[0], 4, TimeSpan.FromSeconds(25)), (quality.WorkerId, quality.Answers, quality.MedianAnswerTime));
    }

    [Fact]
    public void GoldRule_IsTheBetaLowerBound_AfterTheMinimumNumberOfGoldAnswers()
    {
        Assert.Null(GoldScore.PauseReason(0, 4, 0.7, 5));
        Assert.NotNull(GoldScore.PauseReason(2, 5, 0.7, 5));
        // Beta(1,1) after 5 of 5: the 5% quantile is 0.05^(1/6) = 0.607, under a 0.7 bar; 10 of 10 gives 0.762.
        Assert.NotNull(GoldScore.PauseReason(5, 5, 0.7, 5));
        Assert.Null(GoldScore.PauseReason(10, 10, 0.7, 5));
        Assert.Null(GoldScore.PauseReason(5, 5, 0.6, 5));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DynamicOverlap_AddsAssignmentsOnlyToUncertainItems_AndDisputesThoseStillUncertainAtMax(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 12, redundancy: 3, workers: 4, configure: Configure);
        for (var w = 0; w < 3; w++)
        {
            var worker = w;
            Assert.Equal(12, (await world.WorkUntilDoneAsync(world.Workers[w], row => FirstAnswer(worker, row))).Count);
        }

        var first = await world.RunConsensusAsync();
        var (items, _) = await world.SnapshotAsync();
        Assert.Equal((6, 6, 0), (first.Done, first.Extended, first.Disputed));
        Assert.All(items.Where(i => i.RowNumber <= 6), i => Assert.Equal((ItemStatus.Done, 3, Truth(i.RowNumber)), (i.Status, i.RedundancyTarget, i.ConsensusLabel)));
        Assert.All(items.Where(i => i.RowNumber > 6), i => Assert.Equal((ItemStatus.Open, 4), (i.Status, i.RedundancyTarget)));

        // The fourth worker is offered the six uncertain items and nothing else.
        var fourth = await world.WorkUntilDoneAsync(world.Workers[3], FourthAnswer);
        Assert.Equal([7, 8, 9, 10, 11, 12], fourth.Order());

        // Every item now has all the answers max redundancy allows: each is decided, none grows further.
        var second = await world.RunConsensusAsync();
        (items, _) = await world.SnapshotAsync();
        Assert.Equal((6, 0), (second.Done + second.Disputed, second.Extended));
        Assert.DoesNotContain(items, i => i.Status == ItemStatus.Open || i.RedundancyTarget > 4);
    }

    /// <summary>
    /// Eight items, three answers each, from six workers who each answer three to five of them (item r by workers r - 1,
    /// r and r + 1, counted round six): every worker is a newcomer. All agree on every item but item 1, where worker 2
    /// stands alone. Dawid-Skene, seeing workers 0 and 1 right every time, is over 0.95 sure of item 1 after three answers.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task ATwoToOneSplit_IsNotDoneAfterThreeAnswersAtTarget095_ThoughItsWorkersWereNeverWrongBefore(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 8, redundancy: 3, workers: 6,
            configure: p => (p.BaseRedundancy, p.MaxRedundancy, p.ConfidenceTarget) = (3, 5, 0.95));
        static bool Answers(int worker, int row) => (row - 1 - worker + 6) % 6 is 0 or 5 or 4;
        for (var w = 0; w < 6; w++)
        {
            var worker = w;
            await world.WorkUntilDoneAsync(world.Workers[w], row => !Answers(worker, row) ? null : row == 1 && worker == 2 ? Other(Truth(row)) : Truth(row));
        }

        var run = await world.RunConsensusAsync();
        var (items, assignments) = await world.SnapshotAsync();

        Assert.All(items, i => Assert.Equal(3, assignments.Count(a => a.ItemId == i.Id && a.Label != null)));
        var split = items.Single(i => i.RowNumber == 1);
        Assert.Equal((ItemStatus.Open, 4, Truth(1)), (split.Status, split.RedundancyTarget, split.ConsensusLabel));
        Assert.InRange(split.Confidence!.Value, 0.5, 0.95);
        Assert.All(items.Where(i => i.RowNumber > 1), i => Assert.Equal((ItemStatus.Done, Truth(i.RowNumber)), (i.Status, i.ConsensusLabel)));
        Assert.Equal((7, 1), (run.Done, run.Extended));
        Assert.True(DawidSkeneConfidence(assignments, split.Id) > 0.95, "Dawid-Skene alone would have called it Done");
    }

    /// <summary>
    /// A run writes its items guarded by the status it read (<see cref="ConsensusWriter"/>: one statement on PostgreSQL,
    /// one per item elsewhere). An item a reviewer settled between the run's read and its write keeps the reviewer's
    /// label; the others take the run's figures, once.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task ConsensusWrite_LeavesAnItemAReviewerSettledMeanwhile_AndWritesTheOthers(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 3, redundancy: 1, workers: 1);
        var written = await world.InTenantAsync(async s =>
        {
            var db = s.GetRequiredService<ICrowdLabelDb>();
            var items = await db.Items.AsNoTracking().OrderBy(i => i.RowNumber).ToListAsync();
            await world.InTenantAsync(other => other.GetRequiredService<ICrowdLabelDb>().Items.Where(i => i.Id == items[0].Id)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, ItemStatus.Resolved).SetProperty(i => i.ConsensusLabel, "no")));
            foreach (var item in items.Take(2))
            {
                (item.ConsensusLabel, item.Confidence, item.Posterior, item.Status) = ("yes", 0.99, """{"no":0.01,"yes":0.99}""", ItemStatus.Done);
            }

            // An item whose every answer was left out gets more slots and no posterior: its nulls are written as nulls.
            items[2].RedundancyTarget = 2;

            await using var transaction = await db.Database.BeginTransactionAsync();
            var count = await ConsensusWriter.WriteAsync(db, world.Tenant.TenantId, world.BatchId, items.Select(i => (i, ItemStatus.Open)).ToList(), default);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return count;
        });

        var (stored, _) = await world.SnapshotAsync();
        Assert.Equal(2, written);
        Assert.Equal((ItemStatus.Resolved, "no", (double?)null), (stored[0].Status, stored[0].ConsensusLabel, stored[0].Confidence));
        Assert.Equal((ItemStatus.Done, "yes", (double?)0.99, """{"no":0.01,"yes":0.99}"""), (stored[1].Status, stored[1].ConsensusLabel, stored[1].Confidence, stored[1].Posterior));
        Assert.Equal((ItemStatus.Open, 2, (string?)null, (double?)null, (string?)null), (stored[2].Status, stored[2].RedundancyTarget, stored[2].ConsensusLabel, stored[2].Confidence, stored[2].Posterior));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task QaSample_WaitsForItemsNobodyAnsweredYet_ThenEveryGoldItemIsRetired_AnsweredOrNot(DatabaseProvider provider)
    {
        // Gold is never served (ratio 0): the gold items end the batch unanswered, which a consensus run does not load.
        await using var world = await WorkWorld.StartAsync(provider, items: 4, redundancy: 1, goldItems: 2, workers: 2,
            configure: p => (p.GoldRatio, p.ConfidenceTarget) = (0, 0.01));
        await world.WorkUntilDoneAsync(world.Workers[0], row => row <= 2 ? Truth(row) : null);

        await world.RunConsensusAsync();
        var halfway = await world.SnapshotAsync();
        var halfwayBatch = await world.BatchAsync();
        await world.WorkUntilDoneAsync(world.Workers[1], Truth);
        await world.RunConsensusAsync();
        var (items, _) = await world.SnapshotAsync();

        Assert.Equal([ItemStatus.Done, ItemStatus.Done, ItemStatus.Open, ItemStatus.Open], halfway.Items.Where(i => i.GoldLabel == null).OrderBy(i => i.RowNumber).Select(i => i.Status));
        Assert.Null(halfwayBatch.QaSampledAt);
        Assert.All(halfway.Items.Where(i => i.GoldLabel != null), i => Assert.Equal(ItemStatus.Open, i.Status));
        Assert.All(items, i => Assert.Equal(ItemStatus.Done, i.Status));
        Assert.NotNull((await world.BatchAsync()).QaSampledAt);
        Assert.Equal(["no", "yes"], items.Where(i => i.QaSample).Select(i => i.ConsensusLabel!).Order(StringComparer.Ordinal));
    }

    private static double DawidSkeneConfidence(List<Assignment> assignments, Guid itemId)
    {
        var builder = new AnswerSetBuilder(["yes", "no"]);
        foreach (var answer in assignments.Where(a => a.Label != null))
        {
            builder.Add(answer.ItemId.ToString("N"), answer.WorkerId.ToString("N"), answer.Label!);
        }

        var set = builder.Build();
        return DawidSkene.Fit(set).Confidences[set.IndexOfItem(itemId.ToString("N"))];
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task QaAccuracy_IsTheShareOfReviewedSamplesWhoseAcceptedLabelTheReviewerKept_WithItsBetaInterval(DatabaseProvider provider)
    {
        await using var world = await DisputedWorldAsync(provider);
        var accuracy = () => world.InTenantAsync(s => s.GetRequiredService<ReviewService>().QaAccuracyAsync(world.BatchId));
        var samples = (await world.SnapshotAsync()).Items.Where(i => i.QaSample).OrderBy(i => i.RowNumber).ToList();
        var unreviewed = await accuracy();

        Assert.True((await world.ResolveAsync(samples[0].Id, samples[0].ConsensusLabel!)).Succeeded);
        var oneKept = await accuracy();
        Assert.True((await world.ResolveAsync(samples[1].Id, samples[1].ConsensusLabel == "yes" ? "no" : "yes")).Succeeded);
        var oneOfTwo = await accuracy();

        Assert.Equal(2, samples.Count);
        Assert.Equal(new QaAccuracy(2, 0, 0, null, null, null), unreviewed);
        // 1 of 1 kept: Beta(2, 1), whose 2.5% and 97.5% points are the square roots of 0.025 and 0.975.
        Assert.Equal((2, 1, 1, 1.0), (oneKept.Sampled, oneKept.Reviewed, oneKept.Agreed, oneKept.Mean));
        Assert.Equal(Math.Sqrt(0.025), oneKept.Lower!.Value, 4);
        Assert.Equal(Math.Sqrt(0.975), oneKept.Upper!.Value, 4);
        // 1 of 2 kept: Beta(2, 2), symmetric about a half (3x^2 - 2x^3 = 0.025 at x = 0.0943).
        Assert.Equal((2, 2, 1, 0.5), (oneOfTwo.Sampled, oneOfTwo.Reviewed, oneOfTwo.Agreed, oneOfTwo.Mean));
        Assert.Equal(0.0943, oneOfTwo.Lower!.Value, 4);
        Assert.Equal(1 - oneOfTwo.Lower.Value, oneOfTwo.Upper!.Value, 6);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DisputedItem_ResolvedByAReviewer_IsKnownTruthInTheNextRun_AndTheDecisionIsRecorded(DatabaseProvider provider)
    {
        await using var world = await DisputedWorldAsync(provider);
        var disputed = (await world.SnapshotAsync()).Items.Single(i => i.RowNumber == 7);
        var queue = await world.InTenantAsync(s => s.GetRequiredService<ReviewService>().QueueAsync(world.BatchId, 50));
        Assert.Equal([7, 8, 9, 10, 11, 12], queue.Where(q => !q.IsQaSample).Select(q => q.RowNumber));
        Assert.Equal(2, queue.Count(q => q.IsQaSample));
        var before = await world.StandingAsync(world.Workers[0]);

        var bad = await world.ResolveAsync(disputed.Id, "maybe");
        Assert.Equal(["\"maybe\" is not one of the labels: yes, no."], bad.Errors[nameof(ResolveInput.Label)]);
        var resolved = await world.ResolveAsync(disputed.Id, Truth(7), "the picture shows it clearly");
        var again = await world.ResolveAsync(disputed.Id, Truth(7));

        Assert.True(resolved.Succeeded);
        Assert.Equal(["This item was already reviewed."], again.Errors[""]);
        Assert.Equal((disputed.ConsensusLabel, ItemStatus.Disputed, world.Tenant.OwnerId, "the picture shows it clearly"),
            (resolved.Value!.PreviousLabel, resolved.Value.PreviousStatus, resolved.Value.ReviewerId, resolved.Value.Note));
        Assert.True((await world.BatchAsync()).ConsensusRequested);

        await world.RunConsensusAsync();
        var item = (await world.SnapshotAsync()).Items.Single(i => i.RowNumber == 7);
        Assert.Equal((ItemStatus.Resolved, Truth(7), 1.0), (item.Status, item.ConsensusLabel, item.Confidence));
        // Worker 1 was alone against the truth on item 7: with the reviewed label as truth their estimated accuracy drops.
        var after = await world.StandingAsync(world.Workers[0]);
        Assert.True(after!.ConsensusAccuracy < before!.ConsensusAccuracy, $"{after.ConsensusAccuracy} < {before.ConsensusAccuracy}");
        Assert.False((await world.BatchAsync()).ConsensusRequested);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Money_AfterAFullBatch_EscrowCommitted_IsPaidToWorkers_PlusFees_PlusReturned_AndTheLedgerHolds(DatabaseProvider provider)
    {
        await using var world = await DisputedWorldAsync(provider);
        var committed = await EscrowCommittedAsync(world);
        var items = (await world.SnapshotAsync()).Items;
        foreach (var item in items.Where(i => i.Status == ItemStatus.Disputed))
        {
            Assert.True((await world.ResolveAsync(item.Id, Truth(item.RowNumber))).Succeeded);
        }

        // Every item is settled, but the answers wait for approval (it pays out of the escrow), so the batch stays open.
        var run = await world.RunConsensusAsync();
        Assert.False(run.Completed);
        var disputed = items.Single(i => i.RowNumber == 7);

        // Worker 1's answer on item 7 disagrees with the review: the requester rejects it, with a reason; the rest is approved by the job.
        var wrong = (await world.SnapshotAsync()).Assignments.Single(a => a.ItemId == disputed.Id && a.WorkerId == world.Workers[0]);
        var noGround = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>().RejectAsync(wrong.Id, new RejectInput { Reason = "no" }));
        Assert.Single(noGround.Errors[nameof(RejectInput.Ground)]);
        var notPaused = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>()
            .RejectAsync(wrong.Id, new RejectInput { Ground = RejectionGround.PausedByGold, Reason = "gold" }));
        Assert.Equal(["This worker is not paused on the project, so the answer cannot be rejected for their gold score."], notPaused.Errors[nameof(RejectInput.Ground)]);
        var rejected = await world.InTenantAsync(s => s.GetRequiredService<ApprovalService>()
            .RejectAsync(wrong.Id, new RejectInput { Ground = RejectionGround.DisagreesWithReview, Reason = "A reviewer labeled this item \"yes\"." }));
        Assert.True(rejected.Succeeded);

        // A run once the answers are older than the settle time keeps them for the next; completing the batch forgets them.
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False((await world.RunConsensusAsync()).Completed);
        var answersKept = world.Services.GetRequiredService<ConsensusAnswerCache>();
        Assert.Equal((await world.SnapshotAsync()).Assignments.Count(a => a.Label != null), answersKept.Count);
        world.Clock.Advance(TimeSpan.FromHours(71));
        await using (var scope = world.Services.CreateAsyncScope())
        {
            Assert.Equal(0, (await scope.ServiceProvider.GetRequiredService<ApprovalService>().ApproveDueAsync()).Approved);
        }

        world.Clock.Advance(TimeSpan.FromHours(2));
        await using (var scope = world.Services.CreateAsyncScope())
        {
            var approved = await scope.ServiceProvider.GetRequiredService<ApprovalService>().ApproveDueAsync();
            Assert.Equal((35, 0), (approved.Approved, approved.Failed));
        }

        var batch = await world.BatchAsync();
        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(0L, answersKept.Count);
        var (_, assignments) = await world.SnapshotAsync();
        var rejections = await world.InTenantAsync(s => s.GetRequiredService<WorkerQualityService>().RejectionsAsync(world.Workers[0], 10));
        Assert.Equal("A reviewer labeled this item \"yes\".", Assert.Single(rejections).Reason);

        await using (var scope = Scenario.TenantScope(world.Services, world.Tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>();
            var balances = await db.Postings.GroupBy(p => p.Account).Select(g => new { g.Key, Sum = g.Sum(p => p.AmountMinor) }).ToDictionaryAsync(g => g.Key, g => g.Sum);
            var paid = world.Workers.Sum(w => balances.GetValueOrDefault(LedgerAccounts.WorkerEarnings(w)));
            var fees = balances.GetValueOrDefault(LedgerAccounts.PlatformRevenue);
            var returned = await db.Postings.Where(p => p.Account == LedgerAccounts.TenantBalance(world.Tenant.TenantId) &&
                                                        db.LedgerTransactions.Any(t => t.Id == p.TransactionId && t.Kind == LedgerKinds.ReleaseEscrow))
                .SumAsync(p => p.AmountMinor);
            Assert.Equal(0, balances.GetValueOrDefault(LedgerAccounts.BatchEscrow(world.BatchId)));
            Assert.Equal(35 * batch.PricePerAssignmentMinor, paid);
            Assert.Equal(35 * batch.FeePerAssignmentMinor, fees);
            Assert.Equal(committed, paid + fees + returned);
        }

        Assert.Equal(36, assignments.Count(a => a.Label != null));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task ConsensusJob_RunsBatchesWithNewAnswersOrReviews_AndLeavesSettledOnesAlone(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 3, redundancy: 1, workers: 1);
        await using (var idle = world.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await idle.ServiceProvider.GetRequiredService<ConsensusService>().RunDueAsync());
        }

        await world.WorkUntilDoneAsync(world.Workers[0], _ => "yes");
        // Answers this recent may still have company on the way: the batch stays due until they are settled.
        Assert.Equal(1, await RunDueAsync(world));
        Assert.Equal(1, await RunDueAsync(world));
        world.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await RunDueAsync(world));
        Assert.Equal(0, await RunDueAsync(world));
        Assert.All((await world.SnapshotAsync()).Items, i => Assert.Equal("yes", i.ConsensusLabel));

        var item = (await world.SnapshotAsync()).Items[0];
        await world.InTenantAsync(async s =>
        {
            var db = s.GetRequiredService<ICrowdLabelDb>();
            await db.Items.Where(i => i.Id == item.Id).ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, ItemStatus.Disputed));
            return 0;
        });
        Assert.True((await world.ResolveAsync(item.Id, "no")).Succeeded);
        Assert.Equal(1, await RunDueAsync(world));
        Assert.Equal(0, await RunDueAsync(world));
    }

    private static async Task<int> RunDueAsync(WorkWorld world)
    {
        await using var scope = world.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunDueAsync();
    }

    [Fact]
    public void Csv_QuotesCommasQuotesLineBreaksAndEdgeSpaces_AndNothingElse() =>
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" edge\",,x",
            ResultsService.CsvLine(["plain", "a,b", "say \"hi\"", "two\nlines", " edge", null, "x"]));

    [Theory, OnSqlite, OnPostgres]
    public async Task Export_StreamsEveryItem_AsCsvAndJsonl_WithLabelConfidenceStatusAndReviewer(DatabaseProvider provider)
    {
        await using var world = await DisputedWorldAsync(provider);
        var disputed = (await world.SnapshotAsync()).Items.Single(i => i.RowNumber == 7);
        Assert.True((await world.ResolveAsync(disputed.Id, Truth(7))).Succeeded);

        var csv = await ExportAsync(world, ExportFormat.Csv);
        var jsonl = await ExportAsync(world, ExportFormat.Jsonl);

        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("row,external_id,text,label,confidence,status,answers,gold,reviewed_by,project_version", lines[0]);
        Assert.Equal(13, lines.Length);
        Assert.Equal($"7,7,item 7,yes,1,Resolved,3,false,{world.Tenant.OwnerEmail},1", lines[7]);
        Assert.Matches(@"^1,1,item 1,yes,0\.8\d*,Done,3,false,,1$", lines[1]);
        var rows = jsonl.TrimEnd('\n').Split('\n').Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(12, rows.Count);
        Assert.Equal(("item 7", "Resolved", world.Tenant.OwnerEmail), (rows[6].GetProperty("fields").GetProperty("text").GetString(),
            rows[6].GetProperty("status").GetString(), rows[6].GetProperty("reviewed_by").GetString()));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task CsvExport_HasAColumnForEveryFieldOfAnyItem_NotOnlyTheFirstItems(DatabaseProvider provider)
    {
        await using var world = await WorkWorld.StartAsync(provider, items: 3);
        // A JSONL upload may give later items fields the first lacks.
        await world.InTenantAsync(s => s.GetRequiredService<ICrowdLabelDb>().Items.Where(i => i.RowNumber == 2)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.Data, """{"text":"item 2","source":"web, mobile"}""")));

        var lines = (await ExportAsync(world, ExportFormat.Csv)).TrimEnd('\n').Split('\n');

        Assert.Equal("row,external_id,text,source,label,confidence,status,answers,gold,reviewed_by,project_version", lines[0]);
        Assert.StartsWith("1,1,item 1,,,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2,2,item 2,\"web, mobile\",,", lines[2], StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
    }

    private static Task<string> ExportAsync(WorkWorld world, ExportFormat format) =>
        world.InTenantAsync(async s =>
        {
            using var stream = new MemoryStream();
            await s.GetRequiredService<ResultsService>().ExportAsync(world.BatchId, format, stream);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        });

    /// <summary>The first round of the dynamic overlap scenario with max redundancy 3: items 7 to 12 (2-1 splits) are disputed at once.</summary>
    private static async Task<WorkWorld> DisputedWorldAsync(DatabaseProvider provider)
    {
        var world = await WorkWorld.StartAsync(provider, items: 12, redundancy: 3, workers: 4, configure: p =>
        {
            Configure(p);
            (p.MaxRedundancy, p.PricePerAssignmentMinor) = (3, 10);
        });
        for (var w = 0; w < 3; w++)
        {
            var worker = w;
            await world.WorkUntilDoneAsync(world.Workers[w], row => FirstAnswer(worker, row));
        }

        var run = await world.RunConsensusAsync();
        Assert.Equal((6, 0, 6), (run.Done, run.Extended, run.Disputed));
        return world;
    }

    private static void Configure(Project project) =>
        (project.BaseRedundancy, project.MaxRedundancy, project.ConfidenceTarget) = (3, 4, 0.85);

    private static Task<long> EscrowCommittedAsync(WorkWorld world) =>
        world.InTenantAsync(s => s.GetRequiredService<CrowdLabelDbContext>().Postings
            .Where(p => p.Account == LedgerAccounts.BatchEscrow(world.BatchId) && p.AmountMinor > 0).SumAsync(p => p.AmountMinor));
}

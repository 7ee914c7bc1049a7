using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Quality;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Quality;

public sealed class QualityApiTests
{
    [Fact]
    public async Task Pages_ShowWorkerQuality_ThePausedWorkerTheirReason_AndTheBatchItsApprovals()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 2, redundancy: 1);
        var worker = (await WorkScenario.CreateWorkersAsync(site.Services, 1))[0];
        var task = await WorkScenario.ClaimTaskAsync(site.Services, batchId, worker);
        Assert.True((await WorkScenario.AnswerAsync(site.Services, task.AssignmentId, worker, "yes")).Succeeded);
        await WorkScenario.SetStandingAsync(site.Services, tenant, worker, w => (w.Status, w.StatusReason, w.GoldAnswers, w.GoldCorrect) =
            (ProjectWorkerStatus.Paused, "your answers to known-answer (gold) questions were right 1 of 5 times", 5, 1));

        var owner = site.Browser();
        await owner.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var workers = await (await owner.GetAsync($"/t/acme/projects/{tenant.ProjectId}/workers")).Content.ReadAsStringAsync();
        var batch = await (await owner.GetAsync($"/t/acme/batches/{batchId}")).Content.ReadAsStringAsync();
        var queue = await owner.GetAsync($"/t/acme/review?batchId={batchId}");
        var self = site.Browser();
        await self.SignInAsync("worker1@crowd.test", Scenario.Password);
        var market = await (await self.GetAsync("/work")).Content.ReadAsStringAsync();

        Assert.Contains("right 1 of 5 times", workers, StringComparison.Ordinal);
        Assert.Contains("29%", workers, StringComparison.Ordinal); // Beta(2,5) posterior mean
        Assert.Contains("<span id=\"awaiting-approval\">1</span>", batch, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        Assert.Contains("right 1 of 5 times", market, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PausedWorker_TheirWaitingAnswersAreRejectedAtOnce_FromTheWorkersPage_AndTheApi_OthersUntouched()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 3, redundancy: 1);
        var (spammer, honest) = ((await WorkScenario.CreateWorkersAsync(site.Services, 2))[0], (await WorkScenario.CreateWorkersAsync(site.Services, 1, "honest"))[0]);
        foreach (var worker in new[] { spammer, spammer, honest })
        {
            var task = await WorkScenario.ClaimTaskAsync(site.Services, batchId, worker);
            Assert.True((await WorkScenario.AnswerAsync(site.Services, task.AssignmentId, worker, "yes")).Succeeded);
        }

        using var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        var path = (Guid worker) => $"/api/v1/projects/{tenant.ProjectId}/workers/{worker}/reject-waiting";
        var notPaused = await api.PostAsJsonAsync(path(honest), new { reason = "spam" });
        await WorkScenario.SetStandingAsync(site.Services, tenant, spammer, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Paused, "gold 1 of 5"));
        var noReason = await api.PostAsJsonAsync(path(spammer), new { reason = " " });
        var owner = site.Browser();
        await owner.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var page = $"/t/acme/projects/{tenant.ProjectId}/workers";
        var form = await (await owner.GetAsync(page)).Content.ReadAsStringAsync();
        var rejected = await (await owner.SubmitAsync(page, new Dictionary<string, string> { ["workerId"] = spammer.ToString(), ["reason"] = "Gold says you guessed." },
            $"{page}?handler=RejectWaiting")).Content.ReadAsStringAsync();
        var again = await api.PostAsJsonAsync(path(spammer), new { reason = "Gold says you guessed." });
        var spammersPage = site.Browser();
        await spammersPage.SignInAsync("worker1@crowd.test", Scenario.Password);
        var told = await (await spammersPage.GetAsync("/work")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, notPaused.StatusCode);
        Assert.Equal("This worker is not paused on the project, so their answers cannot be rejected for their gold score.",
            (await notPaused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("Ground")[0].GetString());
        Assert.Equal("Write the reason the worker will see.",
            (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("Reason")[0].GetString());
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(form, "Reject their answers waiting for approval"));
        Assert.Contains("2 answers of this worker were rejected; they see your reason, and nothing is paid for them.", rejected, StringComparison.Ordinal);
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").GetInt32());
        // The worker sees each rejected answer with the reason, on their own page.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(told[told.IndexOf("id=\"rejections\"", StringComparison.Ordinal)..], "Gold says you guessed.").Count);
        var (_, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.All(assignments.Where(a => a.WorkerId == spammer), a => Assert.Equal((AssignmentStatus.Rejected, "Gold says you guessed."), (a.Status, a.RejectionReason)));
        Assert.Equal(AssignmentStatus.Submitted, assignments.Single(a => a.WorkerId == honest).Status);
    }

    [Fact]
    public async Task Api_RejectsWithoutAGround_ApprovesTheBatch_AndStreamsResultsAsCsvAndJsonl()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 2, redundancy: 1);
        var worker = (await WorkScenario.CreateWorkersAsync(site.Services, 1))[0];
        var task = await WorkScenario.ClaimTaskAsync(site.Services, batchId, worker);
        Assert.True((await WorkScenario.AnswerAsync(site.Services, task.AssignmentId, worker, "yes")).Succeeded);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ConsensusService>().RunBatchAsync(batchId)).Succeeded);
        }

        using var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        var rejected = await api.PostAsJsonAsync(new Uri($"/api/v1/assignments/{task.AssignmentId}/reject", UriKind.Relative),
            new { ground = "PausedByGold", reason = "bad" });
        var approved = await api.PostAsync(new Uri($"/api/v1/batches/{batchId}/approve", UriKind.Relative), null);
        var csv = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results.csv", UriKind.Relative));
        var jsonl = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results.jsonl", UriKind.Relative));
        var xml = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results.xml", UriKind.Relative));
        // The route as DESIGN.md names it: the format as a query parameter, JSONL when none is given.
        var csvByQuery = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results?format=csv", UriKind.Relative));
        var byDefault = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results", UriKind.Relative));
        var xmlByQuery = await api.GetAsync(new Uri($"/api/v1/batches/{batchId}/results?format=xml", UriKind.Relative));
        var missing = await api.GetAsync(new Uri($"/api/v1/batches/{Guid.CreateVersion7()}/results.csv", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("This worker is not paused on the project, so the answer cannot be rejected for their gold score.",
            (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("Ground")[0].GetString());
        Assert.Equal(1, (await approved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("approved").GetInt32());
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("row,external_id,text,label,confidence,status,answers,gold,reviewed_by,project_version", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Equal(2, (await jsonl.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n').Length);
        Assert.Equal(HttpStatusCode.BadRequest, xml.StatusCode);
        Assert.Equal(string.Join('\n', lines) + "\n", await csvByQuery.Content.ReadAsStringAsync());
        Assert.Equal("application/x-ndjson", byDefault.Content.Headers.ContentType!.MediaType);
        Assert.Equal(await jsonl.Content.ReadAsStringAsync(), await byDefault.Content.ReadAsStringAsync());
        Assert.Equal("Unknown export format \"xml\"; use csv or jsonl.",
            (await xmlByQuery.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("format")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await using var check = Scenario.TenantScope(site.Services, tenant.TenantId);
        var stored = await check.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().Assignments.FindAsync(task.AssignmentId);
        Assert.Equal(AssignmentStatus.Approved, stored!.Status);
        await LedgerScenario.AssertInvariantsAsync(site.Services);
    }

    [Fact]
    public async Task QaAccuracy_OnTheBatchPage_AndInTheApisBatchStatus()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 2, redundancy: 1);
        using var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        var status = new Uri($"/api/v1/batches/{batchId}", UriKind.Relative);
        var before = (await api.GetFromJsonAsync<JsonElement>(status)).GetProperty("accuracyEstimate");
        // Both items accepted as "yes" and sampled for QA, as a consensus run leaves a finished batch.
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().Items.Where(i => i.BatchId == batchId)
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, ItemStatus.Done).SetProperty(i => i.ConsensusLabel, "yes")
                    .SetProperty(i => i.Confidence, 0.97).SetProperty(i => i.QaSample, true));
            var first = await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().Items.Where(i => i.BatchId == batchId).OrderBy(i => i.RowNumber).FirstAsync();
            Assert.True((await scope.ServiceProvider.GetRequiredService<ReviewService>().ResolveAsync(first.Id, tenant.OwnerId, new ResolveInput { Label = "yes" })).Succeeded);
        }

        var after = (await api.GetFromJsonAsync<JsonElement>(status)).GetProperty("accuracyEstimate");
        var owner = site.Browser();
        await owner.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var page = await (await owner.GetAsync($"/t/acme/batches/{batchId}")).Content.ReadAsStringAsync();

        Assert.Equal((0, 0, JsonValueKind.Null), (before.GetProperty("sampled").GetInt32(), before.GetProperty("reviewed").GetInt32(), before.GetProperty("mean").ValueKind));
        Assert.Equal((2, 1, 1, 1.0), (after.GetProperty("sampled").GetInt32(), after.GetProperty("reviewed").GetInt32(),
            after.GetProperty("agreed").GetInt32(), after.GetProperty("mean").GetDouble()));
        Assert.Equal(Math.Sqrt(0.025), after.GetProperty("lower").GetDouble(), 4);
        Assert.Contains("Accuracy of accepted labels on the QA sample: <strong>100.0%</strong>", page, StringComparison.Ordinal);
        Assert.Contains("(1 of 1 reviewed confirmed; 95% interval 16% to 99%; 2 sampled)", page, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdLabel.Core;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Work;

public sealed class WorkApiTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Api_ListsClaimsAnswersAndSkips_WithAWorkerToken(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var (tenant, batchId, workerId, api) = await ArrangeAsync(site, items: 3);

        var batches = await api.GetFromJsonAsync<JsonElement>("/api/v1/work/batches");
        var claimed = await ClaimAsync(api, batchId);
        var task = await claimed.Content.ReadFromJsonAsync<JsonElement>();
        var assignmentId = task.GetProperty("assignmentId").GetGuid();
        var wrongLabel = await AnswerAsync(api, assignmentId, "maybe");
        var answered = await AnswerAsync(api, assignmentId, "yes");
        var again = await AnswerAsync(api, assignmentId, "no");
        var toReport = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();
        var reported = await api.PostAsJsonAsync($"/api/v1/work/assignments/{toReport}/skip", new { problem = "The text is cut off." });
        var toSkip = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();
        var skipped = await api.PostAsync(new Uri($"/api/v1/work/assignments/{toSkip}/skip", UriKind.Relative), content: null);
        var nothingLeft = await ClaimAsync(api, batchId);

        var listed = Assert.Single(batches.EnumerateArray());
        Assert.Equal((batchId, "Org acme", 1L, "USD", 3, false, JsonValueKind.Null),
            (listed.GetProperty("batchId").GetGuid(), listed.GetProperty("organization").GetString(), listed.GetProperty("payPerTaskMinor").GetInt64(),
                listed.GetProperty("currency").GetString(), listed.GetProperty("tasksLeft").GetInt32(), listed.GetProperty("moreTasksLeft").GetBoolean(),
                listed.GetProperty("estimatedSecondsPerTask").ValueKind));
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
        Assert.Equal(["assignmentId", "batchId", "instructions", "item", "itemTemplate", "labels", "leaseExpiresAt"],
            task.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.StartsWith("item ", task.GetProperty("item").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(["yes", "no"], task.GetProperty("labels").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, wrongLabel.StatusCode);
        Assert.Equal("\"maybe\" is not one of the labels: yes, no.", (await ProblemAsync(wrongLabel)).GetProperty("errors").GetProperty("Label")[0].GetString());
        var first = await answered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Submitted", "yes"), (first.GetProperty("status").GetString(), first.GetProperty("label").GetString()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.GetRawText(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetRawText());
        var report = await reported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Skipped", "The text is cut off."), (report.GetProperty("status").GetString(), report.GetProperty("problem").GetString()));
        Assert.Equal("Skipped", (await skipped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, nothingLeft.StatusCode);
        var (items, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.Equal((1, 1), (items.Sum(i => i.Claimed), items.Sum(i => i.AnswerCount)));
        Assert.All(assignments, a => Assert.Equal(workerId, a.WorkerId));
    }

    /// <summary>One worker going faster than the limit (here 1 a second, 3 at once) is told to wait; another worker is not held up by it.</summary>
    [Fact]
    public async Task AWorkerCallingTooFast_IsToldHowLongToWait_AndAnotherWorkerIsNotHeldUp()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["RateLimits:WorkApi:RequestsPerSecond"] = "1", ["RateLimits:WorkApi:Burst"] = "3" });
        var (_, _, _, api) = await ArrangeAsync(site, items: 3);
        var other = Api(site, await WorkScenario.CreateTokenAsync(site.Services, (await WorkScenario.CreateWorkersAsync(site.Services, 1, "other"))[0]));

        var responses = new List<HttpResponseMessage>();
        for (var n = 0; n < 10; n++)
        {
            responses.Add(await api.GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative)));
        }

        var otherWorker = await other.GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var refused = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.InRange(responses.Count(r => r.StatusCode == HttpStatusCode.OK), 3, 9);
        Assert.InRange(int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 2);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches(@"^This worker sent more than 1 request a second to the worker API \(up to 3 at once\)\. Wait [12] s, then go on no faster than that\.$",
            problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, otherWorker.StatusCode);
    }

    [Fact]
    public async Task ProblemReported_ThroughTheApi_IsListedOnTheRequestersBatchPage()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, batchId, _, api) = await ArrangeAsync(site, items: 3);
        var requester = site.Browser();
        await requester.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var before = await (await requester.GetAsync($"/t/acme/batches/{batchId}")).Content.ReadAsStringAsync();

        var task = await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>();
        var row = int.Parse(task.GetProperty("item").GetProperty("text").GetString()!["item ".Length..], CultureInfo.InvariantCulture);
        var reported = await api.PostAsJsonAsync($"/api/v1/work/assignments/{task.GetProperty("assignmentId").GetGuid()}/skip",
            new { problem = "The <b>image</b> does not load." });
        var after = await (await requester.GetAsync($"/t/acme/batches/{batchId}")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, reported.StatusCode);
        Assert.Contains("id=\"no-problem-reports\"", before, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"no-problem-reports\"", after, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>{row}</td><td>{row}</td><td>The &lt;b&gt;image&lt;/b&gt; does not load.</td>", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_LateAnswer_IsAConflictWithTheMessage_AndTheTaskGoesBackToThePool()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, batchId, _, api) = await ArrangeAsync(site, items: 1);
        var assignmentId = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();
        var endedAt = new DateTime(2026, 1, 5, 9, 30, 0, DateTimeKind.Utc);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            (await db.Assignments.SingleAsync(a => a.Id == assignmentId)).LeaseExpiresAt = endedAt;
            await db.SaveChangesAsync();
        }

        var late = await AnswerAsync(api, assignmentId, "yes");

        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        var problem = await ProblemAsync(late);
        const string message = "Your lease on this task ended at 09:30 UTC; the task went back to the pool. Take the next task.";
        Assert.Equal(message, problem.GetProperty("errors").GetProperty("lease")[0].GetString());
        Assert.Equal(message, problem.GetProperty("detail").GetString());
        var (items, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.Equal((0, AssignmentStatus.Expired), (Assert.Single(items).Claimed, Assert.Single(assignments).Status));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AnswerAfterTheBatchWasCancelled_IsAConflictOnTheApi_AndTheWorkbenchSaysWhy(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var (tenant, batchId, _, api) = await ArrangeAsync(site, items: 2);
        var viaApi = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();
        var pageWorker = (await WorkScenario.CreateWorkersAsync(site.Services, 1, "page"))[0];
        var onPage = await WorkScenario.ClaimTaskAsync(site.Services, batchId, pageWorker);
        var browser = site.Browser();
        await browser.SignInAsync("page1@crowd.test", Scenario.Password);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().CancelAsync(batchId, tenant.OwnerId)).Succeeded);
        }

        var answered = await AnswerAsync(api, viaApi, "yes");
        // Any of the worker's pages gives the form's antiforgery token: the workbench of a cancelled batch has no form left.
        var posted = await browser.SubmitAsync("/work/tokens",
            new Dictionary<string, string> { ["assignmentId"] = onPage.AssignmentId.ToString(), ["label"] = "yes" }, $"/work/batches/{batchId}?handler=Answer");
        var shown = await (await browser.GetAsync(posted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();

        const string message = "This batch was cancelled by its requester; your answer was not recorded.";
        Assert.Equal(HttpStatusCode.Conflict, answered.StatusCode);
        var problem = await ProblemAsync(answered);
        Assert.Equal(message, problem.GetProperty("detail").GetString());
        Assert.Equal(message, problem.GetProperty("errors").GetProperty("lease")[0].GetString());
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains($"{message} This batch was cancelled; choose another batch.</p>", shown, StringComparison.Ordinal);
        var (items, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.All(assignments, a => Assert.Equal((AssignmentStatus.Expired, null), (a.Status, a.Label)));
        Assert.Equal((0, 0), (items.Sum(i => i.Claimed), items.Sum(i => i.AnswerCount)));
    }

    [Fact]
    public async Task Api_AnotherWorkersAssignment_AndHiddenBatches_AreNotFound_AndRefusalsAreConflicts()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, batchId, _, api) = await ArrangeAsync(site, items: 2);
        var other = (await WorkScenario.CreateWorkersAsync(site.Services, 1, "other"))[0];
        var otherApi = Api(site, await WorkScenario.CreateTokenAsync(site.Services, other));
        var assignmentId = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();

        var answerByOther = await AnswerAsync(otherApi, assignmentId, "yes");
        var skipByOther = await otherApi.PostAsync(new Uri($"/api/v1/work/assignments/{assignmentId}/skip", UriKind.Relative), content: null);
        var unknownBatch = await ClaimAsync(api, Guid.CreateVersion7());
        await WorkScenario.SetStandingAsync(site.Services, tenant, other, w => (w.Status, w.StatusReason) = (ProjectWorkerStatus.Blocked, "Spam answers"));
        var blocked = await ClaimAsync(otherApi, batchId);
        await WorkScenario.UpdateProjectAsync(site.Services, tenant, p => p.Visibility = ProjectVisibility.PrivateWorkforce);
        var hidden = await ClaimAsync(otherApi, batchId);

        Assert.Equal(HttpStatusCode.NotFound, answerByOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, skipByOther.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownBatch.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
        Assert.Equal("You are blocked from the project \"Project of acme\": Spam answers.",
            (await ProblemAsync(blocked)).GetProperty("errors").GetProperty("batch")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        var (_, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.Equal(AssignmentStatus.Leased, Assert.Single(assignments).Status);
    }

    [Fact]
    public async Task Api_RevokedOrUnknownTokens_Answer401_AndTokensAndKeysStayInTheirLane()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, batchId, workerId, api) = await ArrangeAsync(site, items: 1);
        var before = await api.GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var tokens = scope.ServiceProvider.GetRequiredService<Core.Work.WorkerTokenService>();
            var token = Assert.Single(await tokens.ListAsync(workerId));
            Assert.True((await tokens.RevokeAsync(workerId, token.Id)).Succeeded);
        }

        var revoked = await api.GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));
        var unknown = await Api(site, "clw_not-a-token").GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));
        var anonymous = await site.CreateClient().GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));
        var tenantKeyOnWorkRoutes = await ClaimAsync(Api(site, tenant.ApiKey), batchId);
        var workerTokenOnTenantRoutes = await Api(site, await WorkScenario.CreateTokenAsync(site.Services, workerId))
            .GetAsync(new Uri($"/api/v1/batches/{batchId}", UriKind.Relative));
        var tenantKey = await Api(site, tenant.ApiKey).GetAsync(new Uri($"/api/v1/batches/{batchId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, tenantKeyOnWorkRoutes.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, workerTokenOnTenantRoutes.StatusCode);
        Assert.Equal(HttpStatusCode.OK, tenantKey.StatusCode);
    }

    [Fact]
    public async Task TokensPage_CreatesATokenShownOnce_ThatWorksOnTheApi_AndRevokesIt()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 1);
        await WorkScenario.CreateWorkersAsync(site.Services, 1);
        var browser = site.Browser();
        await browser.SignInAsync("worker1@crowd.test", Scenario.Password);

        var created = await browser.SubmitAsync("/work/tokens", new Dictionary<string, string> { ["Input.Name"] = "my script" });
        var html = await created.Content.ReadAsStringAsync();
        var secret = System.Text.RegularExpressions.Regex.Match(html, "id=\"new-token-secret\">(clw_[^<]+)<").Groups[1].Value;
        var listed = await (await browser.GetAsync("/work/tokens")).Content.ReadAsStringAsync();
        var claimed = await ClaimAsync(Api(site, secret), batchId);
        var tokenId = System.Text.RegularExpressions.Regex.Match(listed, "name=\"tokenId\" value=\"([^\"]+)\"").Groups[1].Value;
        var revoke = await browser.SubmitAsync("/work/tokens", new Dictionary<string, string> { ["tokenId"] = tokenId }, "/work/tokens?handler=Revoke");
        var afterRevoke = await ClaimAsync(Api(site, secret), batchId);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.StartsWith("clw_", secret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains(secret[..12], listed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        Assert.Contains("revoked", await (await browser.GetAsync("/work/tokens")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task MarketplacePage_ShowsTasksLeft_AndAThousandPlusPastAThousand()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var large = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 1001, redundancy: 1);
        var small = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 1200, redundancy: 1);
        await WorkScenario.CreateWorkersAsync(site.Services, 1);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            // All but 999 of the second batch's slots taken: it shows its exact count.
            await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Items
                .Where(i => i.BatchId == small && i.RowNumber > 999).ExecuteUpdateAsync(u => u.SetProperty(i => i.Claimed, 1));
        }

        var browser = site.Browser();
        await browser.SignInAsync("worker1@crowd.test", Scenario.Password);
        var html = await (await browser.GetAsync("/work")).Content.ReadAsStringAsync();

        Assert.Matches($"(?s)<td>999</td>\\s*<td>\\s*<a href=\"/work/batches/{small}\">", html);
        Assert.Matches($"(?s)<td>1,000&#x2B;</td>\\s*<td>\\s*<a href=\"/work/batches/{large}\">", html);
    }

    /// <summary>A batch whose last slot is the worker's own live lease: no task is left, and the page leads back to it.</summary>
    [Fact]
    public async Task MarketplacePage_LeadsBackToTheWorkersLease_WhenNoOtherTaskIsLeft()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batch = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 1, redundancy: 1);
        var worker = Assert.Single(await WorkScenario.CreateWorkersAsync(site.Services, 1));
        var lease = await WorkScenario.ClaimTaskAsync(site.Services, batch, worker);
        var browser = site.Browser();
        await browser.SignInAsync("worker1@crowd.test", Scenario.Password);

        var html = await (await browser.GetAsync("/work")).Content.ReadAsStringAsync();
        var again = await WorkScenario.ClaimTaskAsync(site.Services, batch, worker);

        Assert.Matches($"(?s)<td>0</td>\\s*<td>\\s*<a href=\"/work/batches/{batch}\">Back to your task</a>", html);
        Assert.Equal(lease.AssignmentId, again.AssignmentId);
    }

    [Fact]
    public async Task Marketplace_ComesInPages_OnTheApiAndThePage_AndABadPageSaysWhatToGive()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, older, _, api) = await ArrangeAsync(site, items: 1);
        var newer = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 1);
        var browser = site.Browser();
        await browser.SignInAsync("worker1@crowd.test", Scenario.Password);

        var firstPage = await api.GetAsync(new Uri("/api/v1/work/batches?pageSize=1", UriKind.Relative));
        var secondPage = await api.GetAsync(new Uri("/api/v1/work/batches?page=2&pageSize=1", UriKind.Relative));
        var badPage = await api.GetAsync(new Uri("/api/v1/work/batches?page=0&pageSize=500", UriKind.Relative));
        var firstHtml = await (await browser.GetAsync("/work")).Content.ReadAsStringAsync();
        var secondHtml = await (await browser.GetAsync("/work?page=2&pageSize=1")).Content.ReadAsStringAsync();
        var badHtml = await browser.GetAsync("/work?page=first");

        Assert.Equal([newer], (await firstPage.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(b => b.GetProperty("batchId").GetGuid()));
        Assert.Equal("</api/v1/work/batches?page=2&pageSize=1>; rel=\"next\"", firstPage.Headers.GetValues("Link").Single());
        Assert.Equal([older], (await secondPage.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(b => b.GetProperty("batchId").GetGuid()));
        Assert.False(secondPage.Headers.Contains("Link"));
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        var errors = (await badPage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("page is \"0\"; give a whole number from 1 (the first page).", errors.GetProperty("page")[0].GetString());
        Assert.Equal("pageSize is \"500\"; give a whole number from 1 to 100 (default 50).", errors.GetProperty("pageSize")[0].GetString());
        // Both batches fit the page's 50: no page links.
        Assert.Contains($"/work/batches/{older}", firstHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"pages\"", firstHtml, StringComparison.Ordinal);
        Assert.Contains($"/work/batches/{older}", secondHtml, StringComparison.Ordinal);
        Assert.DoesNotContain($"/work/batches/{newer}", secondHtml, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/work?page=1&amp;pageSize=1\" rel=\"prev\">", secondHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", secondHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badHtml.StatusCode);
        Assert.Contains("page is &quot;first&quot;; give a whole number from 1 (the first page).", await badHtml.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A body the API cannot read gets a problem saying what is wrong with it, the same in Production (a bare "Bad
    /// Request" before) and Development (a stack trace before); the lease is untouched and takes a good answer after.
    /// </summary>
    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task AnAnswerBodyTheApiCannotRead_IsToldWhatToFix_AndChangesNothing(string environment)
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, environment: environment);
        var (tenant, batchId, _, api) = await ArrangeAsync(site, items: 1);
        var assignmentId = (await (await ClaimAsync(api, batchId)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assignmentId").GetGuid();
        var route = new Uri($"/api/v1/work/assignments/{assignmentId}/answer", UriKind.Relative);

        async Task<(HttpStatusCode Status, string Detail)> SendAsync(string body, string contentType)
        {
            var response = await api.PostAsync(route, new StringContent(body, System.Text.Encoding.UTF8, contentType));
            var problem = await ProblemAsync(response);
            Assert.Equal(response.StatusCode == HttpStatusCode.UnsupportedMediaType ? "Unsupported Media Type" : "The request could not be read.",
                problem.GetProperty("title").GetString());
            Assert.False(problem.TryGetProperty("exception", out _));
            return (response.StatusCode, problem.GetProperty("detail").GetString()!);
        }

        var empty = await SendAsync("", "application/json");
        var nullBody = await SendAsync("null", "application/json");
        var cutOff = await SendAsync("{\"label\":", "application/json");
        var number = await SendAsync("{\"label\": 5}", "application/json");
        var form = await SendAsync("label=yes", "application/x-www-form-urlencoded");
        var answered = await AnswerAsync(api, assignmentId, "yes");

        const string Documentation = " The API's description is at /openapi/v1.json.";
        Assert.Equal((HttpStatusCode.BadRequest, "This request takes a JSON object as its body, and the body was empty or null." + Documentation), empty);
        Assert.Equal(empty, nullBody);
        Assert.Equal(HttpStatusCode.BadRequest, cutOff.Status);
        Assert.StartsWith("The body is not the JSON this request takes: ", cutOff.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, number.Status);
        Assert.StartsWith("The body is not the JSON this request takes: ", number.Detail, StringComparison.Ordinal);
        Assert.Contains("Path: $.label ", number.Detail, StringComparison.Ordinal);
        Assert.EndsWith(Documentation, number.Detail, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.UnsupportedMediaType,
                "Send the body as JSON with the header Content-Type: application/json (this request had \"application/x-www-form-urlencoded; charset=utf-8\")." + Documentation),
            form);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var (items, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.Equal(1, Assert.Single(items).AnswerCount);
        Assert.Equal("yes", Assert.Single(assignments).Label);
    }

    [Fact]
    public async Task DemoSeed_GivesEachDemoWorkerAWorkingToken()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite, environment: "Development", seedDemo: true);

        foreach (var token in Data.Seeding.DemoSeed.WorkerTokens.Values)
        {
            var response = await Api(site, token).GetAsync(new Uri("/api/v1/work/batches", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>A tenant ("acme") with a published batch, one worker and that worker's API client.</summary>
    [Fact]
    public async Task Workbench_SkipsAndReportsThroughItsForms_ShowsTheLeaseLeft_AndABlankReportIsToldWhatToWrite()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var (tenant, batchId, _, _) = await ArrangeAsync(site, items: 3);
        var browser = site.Browser();
        await browser.SignInAsync("worker1@crowd.test", Scenario.Password);
        var path = $"/work/batches/{batchId}";
        async Task<string> PostAsync(string handler, Dictionary<string, string> fields)
        {
            var posted = await browser.SubmitAsync(path, fields, $"{path}?handler={handler}");
            Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
            return await (await browser.GetAsync(posted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        }

        var first = await (await browser.GetAsync(path)).Content.ReadAsStringAsync();
        var afterSkip = await PostAsync("Skip", new() { ["assignmentId"] = AssignmentOn(first).ToString() });
        var afterBlank = await PostAsync("Report", new() { ["assignmentId"] = AssignmentOn(afterSkip).ToString(), ["problem"] = "  " });
        var afterReport = await PostAsync("Report", new() { ["assignmentId"] = AssignmentOn(afterSkip).ToString(), ["problem"] = "The image is broken." });

        var lease = System.Text.RegularExpressions.Regex.Match(first, "id=\"lease-left\">(\\d+):(\\d\\d)</span>");
        Assert.True(lease.Success && int.Parse(lease.Groups[1].Value, CultureInfo.InvariantCulture) > 0, "the lease time left is shown");
        Assert.NotEqual(AssignmentOn(first), AssignmentOn(afterSkip));
        Assert.Contains("Say what is wrong with this item, like &quot;the image does not load&quot;.", afterBlank, StringComparison.Ordinal);
        Assert.Equal(AssignmentOn(afterSkip), AssignmentOn(afterBlank));
        var (_, assignments) = await WorkScenario.SnapshotAsync(site.Services, tenant.TenantId, batchId);
        Assert.Equal([(AssignmentStatus.Skipped, null), (AssignmentStatus.Skipped, "The image is broken."), (AssignmentStatus.Leased, null)],
            assignments.OrderBy(a => a.LeasedAt).ThenBy(a => a.Id).Select(a => (a.Status, a.ProblemReport)));
        Assert.Equal(AssignmentOn(afterReport), assignments.Single(a => a.Status == AssignmentStatus.Leased).Id);
    }

    private static Guid AssignmentOn(string workbench) =>
        Guid.Parse(System.Text.RegularExpressions.Regex.Match(workbench, "name=\"assignmentId\" value=\"([0-9a-f-]+)\"").Groups[1].Value);

    private static async Task<(TenantFixture Tenant, Guid BatchId, Guid WorkerId, HttpClient Api)> ArrangeAsync(Site site, int items)
    {
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items, redundancy: 1);
        var workerId = (await WorkScenario.CreateWorkersAsync(site.Services, 1))[0];
        return (tenant, batchId, workerId, Api(site, await WorkScenario.CreateTokenAsync(site.Services, workerId)));
    }

    private static HttpClient Api(Site site, string token)
    {
        var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return api;
    }

    private static Task<HttpResponseMessage> ClaimAsync(HttpClient api, Guid batchId) =>
        api.PostAsync(new Uri($"/api/v1/work/batches/{batchId}/claim", UriKind.Relative), content: null);

    private static Task<HttpResponseMessage> AnswerAsync(HttpClient api, Guid assignmentId, string label) =>
        api.PostAsJsonAsync(new Uri($"/api/v1/work/assignments/{assignmentId}/answer", UriKind.Relative), new { label });

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

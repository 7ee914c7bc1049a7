using System.Net;
using CrowdLabel.Core;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Requesters;

/// <summary>Reviewers read a tenant's projects and batches and work its review queue; only owners and requesters change anything.</summary>
public sealed class TenantRoleTests
{
    [Fact]
    public async Task Reviewer_ReadsProjectsAndBatches_WithoutTheirForms_AndEveryChangeIsRefused()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var batchId = await LedgerScenario.CreateDraftBatchAsync(site.Services, tenant, items: 2);
        await LedgerScenario.CreditAsync(site.Services, tenant.TenantId, 100_000);
        await Scenario.AddMemberAsync(site.Services, tenant, "rev@acme.test", TenantRole.Reviewer);
        var reviewer = site.Browser();
        await reviewer.SignInAsync("rev@acme.test", Scenario.Password);
        var projectPath = $"/t/acme/projects/{tenant.ProjectId}";
        var batchPath = $"/t/acme/batches/{batchId}";

        var project = await ReadAsync(reviewer, projectPath);
        var batch = await ReadAsync(reviewer, batchPath);
        var queue = await reviewer.GetAsync("/t/acme/review");

        Assert.DoesNotContain("id=\"upload\"", project, StringComparison.Ordinal);
        Assert.DoesNotContain($"{projectPath}/edit", project, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"publish\"", batch, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        AssertRefused(await reviewer.GetAsync("/t/acme/projects/new"));
        AssertRefused(await reviewer.GetAsync($"{projectPath}/edit"));

        // Every form the tenant pages take, sent with a valid antiforgery token (the sign-out page's).
        var changes = new (string Path, Dictionary<string, string> Fields)[]
        {
            ("/t/acme/projects/new", new() { ["Form.Name"] = "Sneaky", ["Form.LabelsText"] = "a\nb" }),
            ($"{projectPath}/edit", new() { ["Form.Name"] = "Renamed", ["Form.LabelsText"] = "a\nb" }),
            ($"{batchPath}?handler=Publish", []),
            ($"{batchPath}?handler=Approve", []),
            ("/t/acme/members", new() { ["Input.Email"] = "friend@acme.test", ["Input.Role"] = "Requester" }),
            ("/t/acme/settings/api-keys", new() { ["Input.Name"] = "mine" }),
            ("/t/acme/funding", new() { ["Amount"] = "50" }),
            // A reviewer settles labels; rejecting an answer withholds its pay, which is a manager's decision.
            ($"/t/acme/review/items/{Guid.CreateVersion7()}?handler=Reject",
                new() { ["assignmentId"] = Guid.CreateVersion7().ToString(), ["reject.Ground"] = "DisagreesWithReview", ["reject.Reason"] = "wrong" }),
        };
        foreach (var (path, fields) in changes)
        {
            AssertRefused(await reviewer.SubmitAsync("/account/logout", fields, postPath: path));
        }

        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
            Assert.Equal([$"Project of acme"], await db.Projects.Select(p => p.Name).ToListAsync());
            Assert.Equal(BatchStatus.Draft, (await db.Batches.SingleAsync()).Status);
            Assert.Equal(1, await db.ApiKeys.CountAsync());
            Assert.Equal(0, await db.Invitations.CountAsync());
        }

        // The same publish from the owner goes through: the refusals above are the reviewer's role, not a broken form.
        var owner = site.Browser();
        await owner.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var published = await owner.SubmitAsync(batchPath, new Dictionary<string, string>(), postPath: $"{batchPath}?handler=Publish");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Contains("Published: the batch is open to workers.", await published.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            Assert.Equal(BatchStatus.Published, (await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.SingleAsync()).Status);
        }
    }

    private static async Task<string> ReadAsync(SiteClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static void AssertRefused(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }
}

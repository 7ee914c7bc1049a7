using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using CrowdLabel.Core;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Requesters;

public sealed partial class ProjectAndImportPageTests
{
    private static Dictionary<string, string> ProjectForm(string name, string labels) => new()
    {
        ["Form.Name"] = name, ["Form.LabelsText"] = labels, ["Form.Instructions"] = "Pick one.\n\n<script>alert(1)</script>",
        ["Form.ItemTemplate"] = "{{text}}", ["Form.PricePerAssignmentMinor"] = "4", ["Form.BaseRedundancy"] = "3", ["Form.MaxRedundancy"] = "5",
        ["Form.ConfidenceTarget"] = "0.95", ["Form.GoldRatio"] = "0.1", ["Form.MinWorkerGoldAccuracy"] = "0.7", ["Form.Visibility"] = "Public",
        ["Form.LeaseMinutes"] = "10", ["Form.AutoApprovalHours"] = "72",
    };

    private static async Task<HttpResponseMessage> UploadAsync(SiteClient client, string projectPath, string fileName, string content, string batchName = "first")
    {
        var page = await client.GetAsync(projectPath);
        var token = Token().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent(batchName), "BatchName" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "File", fileName);
        return await client.Http.PostAsync(new Uri($"{projectPath}?handler=Upload", UriKind.Relative), form);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Requester_CreatesAProject_UploadsACsv_AndSeesTheItemCount(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var client = site.Browser();
        await client.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        var created = await client.SubmitAsync("/t/acme/projects/new", ProjectForm("Sentiment", "positive | 1\nnegative | 2"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var projectPath = created.Headers.Location!.OriginalString;
        var projectHtml = await (await client.GetAsync(projectPath)).Content.ReadAsStringAsync();
        Assert.Contains("Sentiment", projectHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)</script>", projectHtml, StringComparison.Ordinal);

        var uploaded = await UploadAsync(client, projectPath, "reviews.csv", "text,gold\ngreat,positive\nawful,\n\"so-so, really\",\n");

        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var batchHtml = await (await client.GetAsync(uploaded.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        Assert.Contains("<span id=\"item-count\">3</span>", batchHtml, StringComparison.Ordinal);
        Assert.Contains("Draft", batchHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadUpload_ListsTheRowErrors_AndStoresNothing()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var client = site.Browser();
        await client.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        var response = await UploadAsync(client, $"/t/acme/projects/{tenant.ProjectId}", "bad.csv", "text,gold\nfine,yes\nhmm,perhaps\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("nothing was stored", html, StringComparison.Ordinal);
        Assert.Contains("Row 2, column \"gold\": the gold answer \"perhaps\" is not one of the project's labels: yes, no.", html, StringComparison.Ordinal);
        await using var scope = Scenario.TenantScope(site.Services, tenant.TenantId);
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Batches.CountAsync());
    }

    [Fact]
    public async Task ProjectForm_ShowsEachMessageByItsField()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var client = site.Browser();
        await client.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var form = ProjectForm("", "yes\nYES");
        form["Form.MaxRedundancy"] = "2";

        var response = await client.SubmitAsync("/t/acme/projects/new", form);

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Matches("data-valmsg-for=\"Form.Name\"[^>]*>Give the project a name.", html);
        Assert.Matches("data-valmsg-for=\"Form.LabelsText\"[^>]*>Label names must be unique; repeated: yes.", html);
        Assert.Matches("data-valmsg-for=\"Form.MaxRedundancy\"[^>]*>Max redundancy cannot be below the base redundancy.", html);
    }

    [Fact]
    public async Task ApiKeysPage_ShowsANewKeyOnce_ThatWorks_UntilRevoked()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var client = site.Browser();
        await client.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        var created = await client.SubmitAsync("/t/acme/settings/api-keys", new Dictionary<string, string> { ["Input.Name"] = "exporter" });
        var secret = Regex.Match(await created.Content.ReadAsStringAsync(), "<code id=\"new-key-secret\">(clk_[^<]+)</code>").Groups[1].Value;
        var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var before = await api.GetAsync(new Uri("/api/v1/projects", UriKind.Relative));

        var listing = await (await client.GetAsync("/t/acme/settings/api-keys")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
        var keyId = Regex.Matches(listing, "name=\"keyId\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value).First();
        await client.SubmitAsync("/t/acme/settings/api-keys", new Dictionary<string, string> { ["keyId"] = keyId }, "/t/acme/settings/api-keys?handler=Revoke");
        var after = await api.GetAsync(new Uri("/api/v1/projects", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

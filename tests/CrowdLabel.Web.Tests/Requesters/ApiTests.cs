using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;

namespace CrowdLabel.Web.Tests.Requesters;

public sealed class ApiTests
{
    private static HttpClient Api(Site site, string key)
    {
        var api = site.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return api;
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient api, Guid projectId, string contentType, string body) =>
        api.PostAsync(new Uri($"/api/v1/projects/{projectId}/batches?name=api", UriKind.Relative),
            new StringContent(body, Encoding.UTF8, contentType));

    [Theory, OnSqlite, OnPostgres]
    public async Task Api_CreatesAProject_UploadsEachFormat_AndReportsStatus(DatabaseProvider provider)
    {
        await using var site = await Site.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var api = Api(site, tenant.ApiKey);

        var created = await api.PostAsJsonAsync(new Uri("/api/v1/projects", UriKind.Relative), new
        {
            name = "Relevance", labels = new[] { new { name = "relevant", key = "r" }, new { name = "irrelevant", key = "i" } },
            itemTemplate = "{{query}} {{document}}", pricePerAssignmentMinor = 3,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var csv = await UploadAsync(api, projectId, "text/csv", "query,document,gold\nq1,d1,relevant\nq2,d2,\n");
        var jsonl = await UploadAsync(api, projectId, "application/jsonl", "{\"query\": \"q\", \"document\": \"d\"}\n");
        var labelStudio = await UploadAsync(api, projectId, "application/json", "[{\"data\": {\"query\": \"q\", \"document\": \"d\", \"gold\": \"irrelevant\"}}]");

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], new[] { csv.StatusCode, jsonl.StatusCode, labelStudio.StatusCode });
        var status = await api.GetFromJsonAsync<JsonElement>(csv.Headers.Location!);
        Assert.Equal(2, status.GetProperty("items").GetInt32());
        Assert.Equal(1, status.GetProperty("goldItems").GetInt32());
        Assert.Equal("Draft", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_BadInput_AnswersProblemDetails_WithFieldErrors()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var api = Api(site, tenant.ApiKey);

        var project = await api.PostAsJsonAsync(new Uri("/api/v1/projects", UriKind.Relative), new { name = "", labels = new[] { new { name = "only" } } });
        var upload = await UploadAsync(api, tenant.ProjectId, "text/csv", "text,gold\na,yes\nb,maybe\n");
        var wrongType = await UploadAsync(api, tenant.ProjectId, "application/pdf", "%PDF");

        Assert.Equal(HttpStatusCode.BadRequest, project.StatusCode);
        Assert.Equal("application/problem+json", project.Content.Headers.ContentType!.MediaType);
        var projectErrors = (await project.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(projectErrors.TryGetProperty("Name", out _));
        Assert.True(projectErrors.TryGetProperty("Labels", out _));
        var uploadErrors = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("maybe", uploadErrors.GetProperty("rows[2].gold")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal("application/problem+json", wrongType.Content.Headers.ContentType!.MediaType);
        Assert.Equal("The content type \"application/pdf; charset=utf-8\" is not one CrowdLabel reads: send text/csv, application/jsonl or application/json (Label Studio tasks).",
            (await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Api_AnotherTenantsProjectAndBatch_AreNotFound()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var a = await Scenario.CreateTenantAsync(site.Services, "tenant-a");
        var b = await Scenario.CreateTenantAsync(site.Services, "tenant-b");
        var uploaded = await UploadAsync(Api(site, b.ApiKey), b.ProjectId, "text/csv", "text\nhello\n");
        var apiOfA = Api(site, a.ApiKey);

        var upload = await UploadAsync(apiOfA, b.ProjectId, "text/csv", "text\nhello\n");
        var status = await apiOfA.GetAsync(uploaded.Headers.Location!);

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }
}

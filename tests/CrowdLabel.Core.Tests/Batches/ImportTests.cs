using System.Text;
using System.Text.Json;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Tests.Batches;

public sealed class ImportTests
{
    private static async Task<Result<Batch>> ImportAsync(IServiceProvider services, TenantFixture tenant, ImportFormat format, byte[] content)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var import = scope.ServiceProvider.GetRequiredService<ImportService>();
        return await import.ImportAsync(new ImportRequest(tenant.ProjectId, "upload", format, new MemoryStream(content)));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<(int Batches, List<Item> Items)> StoredAsync(IServiceProvider services, TenantFixture tenant)
    {
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        return (await db.Batches.CountAsync(), await db.Items.OrderBy(i => i.RowNumber).ToListAsync());
    }

    public static TheoryData<DatabaseProvider, ImportFormat> FormatsOnProviders()
    {
        var data = new TheoryData<DatabaseProvider, ImportFormat>();
        var providers = TestDatabase.PostgresServer is null ? [DatabaseProvider.Sqlite] : new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };
        foreach (var provider in providers)
        {
            foreach (var format in Enum.GetValues<ImportFormat>())
            {
                data.Add(provider, format);
            }
        }

        return data;
    }

    private static byte[] ThreeItems(ImportFormat format) => Utf8(format switch
    {
        ImportFormat.Csv => "id,text,gold,url\r\na1,\"Hello, world\",yes,http://x/1.png\na2,\"She said \"\"no\"\"\",,http://x/2.png\na3,\"two\nlines\",NO,\n",
        ImportFormat.Jsonl => """
            {"id": "a1", "text": "Hello, world", "gold": "yes", "url": "http://x/1.png"}

            {"id": "a2", "text": "She said \"no\"", "url": "http://x/2.png"}
            {"id": "a3", "text": "two\nlines", "gold": "NO", "score": 3}
            """,
        _ => """
            [{"id": 1, "data": {"id": "a1", "text": "Hello, world", "gold": "yes", "url": "http://x/1.png"}},
             {"data": {"id": "a2", "text": "She said \"no\"", "url": "http://x/2.png"}},
             {"data": {"id": "a3", "text": "two\nlines", "gold": "NO", "score": 3}}]
            """,
    });

    [Theory]
    [MemberData(nameof(FormatsOnProviders))]
    public async Task Import_StoresEveryItem_WithItsFields_ExternalIdAndGold(DatabaseProvider provider, ImportFormat format)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");

        var result = await ImportAsync(services, tenant, format, ThreeItems(format));

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal((3, 2, BatchStatus.Draft), (result.Value!.ItemCount, result.Value.GoldCount, result.Value.Status));
        var (batches, items) = await StoredAsync(services, tenant);
        Assert.Equal(1, batches);
        Assert.Equal(["a1", "a2", "a3"], items.Select(i => i.ExternalId));
        Assert.Equal(["yes", null, "no"], items.Select(i => i.GoldLabel));
        var fields = items.Select(i => JsonSerializer.Deserialize<Dictionary<string, string>>(i.Data)!).ToList();
        Assert.Equal(["Hello, world", "She said \"no\"", "two\nlines"], fields.Select(f => f["text"]));
        Assert.All(fields, f => Assert.False(f.ContainsKey("gold") || f.ContainsKey("id"), "gold and id are not item fields shown to workers"));
        Assert.Equal("http://x/1.png", fields[0]["url"]);
        Assert.All(items, i => Assert.Equal(ItemStatus.Open, i.Status));
    }

    public static TheoryData<string, ImportFormat, string, string> BadFiles => new()
    {
        { "malformed quoting", ImportFormat.Csv, "text,gold\n\"fine\",yes\nbad \"quote\" here,no\n", "rows[2].text" },
        { "unclosed quote", ImportFormat.Csv, "text\n\"never closed\n", "rows[1].text" },
        { "missing required column", ImportFormat.Csv, "body,gold\nhello,yes\n", "file" },
        { "missing required field", ImportFormat.Jsonl, "{\"text\": \"a\"}\n{\"body\": \"b\"}\n", "rows[2].text" },
        { "gold not among labels", ImportFormat.Csv, "text,gold\na,yes\nb,maybe\n", "rows[2].gold" },
        { "duplicate external id", ImportFormat.Csv, "id,text\nx,a\ny,b\nx,c\n", "rows[3].id" },
        { "wrong field count", ImportFormat.Csv, "text,gold\na,yes,extra\n", "rows[1]" },
        { "empty file", ImportFormat.Csv, "", "file" },
        { "header only", ImportFormat.Csv, "text,gold\n", "file" },
        { "invalid json line", ImportFormat.Jsonl, "{\"text\": \"a\"}\n{\"text\": \n", "rows[2]" },
        { "label studio not an array", ImportFormat.LabelStudio, "{\"data\": {\"text\": \"a\"}}", "file" },
        { "label studio without data", ImportFormat.LabelStudio, "[{\"data\": {\"text\": \"a\"}}, {\"text\": \"b\"}]", "rows[2]" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task BadFile_IsRejectedWhole_WithRowAndColumn_AndStoresNothing(string kind, ImportFormat format, string content, string errorKey)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");

        var result = await ImportAsync(services, tenant, format, Utf8(content));

        Assert.False(result.Succeeded, kind);
        Assert.True(result.Errors.ContainsKey(errorKey), $"{kind}: expected an error at {errorKey}, got {string.Join(" | ", result.Errors.Select(e => $"{e.Key}: {string.Join(";", e.Value)}"))}");
        Assert.Equal((0, 0), (await StoredAsync(services, tenant)) is var (b, i) ? (b, i.Count) : default);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task FileWithAnErrorOnItsLastRow_StoresNothing(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var csv = new StringBuilder("text,gold\n");
        for (var i = 0; i < 5000; i++)
        {
            csv.Append("item ").Append(i).Append(",yes\n");
        }

        csv.Append("last,perhaps\n");

        var result = await ImportAsync(services, tenant, ImportFormat.Csv, Utf8(csv.ToString()));

        Assert.Contains("Row 5001, column \"gold\"", Assert.Single(result.Errors["rows[5001].gold"]), StringComparison.Ordinal);
        var (batches, items) = await StoredAsync(services, tenant);
        Assert.Equal((0, 0), (batches, items.Count));
    }

    [Theory, OnPostgres]
    public async Task LargeUpload_RefreshesThePlannersStatistics_SmallOneLeavesThemToAutovacuum(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var services = await AppServices.CreateAsync(database, configure: s => s.Configure<ImportOptions>(o => o.AnalyzeAfterRows = 50));
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var rows = (int count) => Utf8("text\n" + string.Concat(Enumerable.Range(1, count).Select(i => $"item {i}\n")));

        Assert.True((await ImportAsync(services, tenant, ImportFormat.Csv, rows(49))).Succeeded);
        Assert.Equal(0, await ManualAnalyzesOfItemsAsync());
        Assert.True((await ImportAsync(services, tenant, ImportFormat.Csv, rows(50))).Succeeded);

        // analyze_count counts ANALYZE commands only (autovacuum's are autoanalyze_count); reltuples is what the planner reads.
        Assert.Equal(1, await ManualAnalyzesOfItemsAsync());
        Assert.Equal(99, await Scenario.ScalarAsync<float>(services, """SELECT reltuples FROM pg_class WHERE relname = 'Items'"""));

        Task<long> ManualAnalyzesOfItemsAsync() =>
            Scenario.ScalarAsync<long>(services, """SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'Items'""");
    }

    [Fact]
    public async Task InvalidUtf8_IsRejected_AsAnEncodingProblem()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var latin1 = Encoding.Latin1.GetBytes("text\ncafé crème\n");

        foreach (var format in Enum.GetValues<ImportFormat>())
        {
            var content = format == ImportFormat.Csv ? latin1 : Encoding.Latin1.GetBytes(format == ImportFormat.Jsonl ? "{\"text\": \"café\"}\n" : "[{\"data\": {\"text\": \"café\"}}]");
            var result = await ImportAsync(services, tenant, format, content);

            Assert.Contains("not valid UTF-8", Assert.Single(result.Errors["file"]), StringComparison.Ordinal);
        }

        Assert.Equal(0, (await StoredAsync(services, tenant)).Batches);
    }

    [Fact]
    public async Task FileOverTheLimit_IsRejected()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database, configure: s => s.Configure<ImportOptions>(o => o.MaxFileBytes = 1024 * 1024));
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var csv = "text\n" + string.Concat(Enumerable.Repeat("a fairly long line of text to pass the limit\n", 30_000));

        var result = await ImportAsync(services, tenant, ImportFormat.Csv, Utf8(csv));

        Assert.Contains("larger than the 1 MB limit", Assert.Single(result.Errors["file"]), StringComparison.Ordinal);
        Assert.Equal(0, (await StoredAsync(services, tenant)).Batches);
    }

    [Fact]
    public async Task ManyBadRows_ReportAtMostTheFirst100()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var services = await AppServices.CreateAsync(database);
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        var csv = "text,gold\n" + string.Concat(Enumerable.Range(1, 500).Select(i => $"item {i},wrong\n"));

        var result = await ImportAsync(services, tenant, ImportFormat.Csv, Utf8(csv));

        Assert.Equal(100, result.Errors.Count);
        Assert.True(result.Errors.ContainsKey("rows[1].gold") && result.Errors.ContainsKey("rows[100].gold"));
    }
}

using System.Text;
using System.Text.RegularExpressions;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Core;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Batches;
using CrowdLabel.Core.Batches.Import;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests;

public sealed class WorkerFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>
    /// A published batch: two gold items (the qualification test) and eight real ones. The label "yes" has the key "Y",
    /// "no" none: it gets the first digit free, 1, and "y" typed in lower case answers "yes".
    /// </summary>
    private static async Task<TenantFixture> PublishBatchAsync(IServiceProvider services)
    {
        var tenant = await Scenario.CreateTenantAsync(services, "acme");
        await using var scope = Scenario.TenantScope(services, tenant.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<ICrowdLabelDb>();
        var project = await db.Projects.SingleAsync();
        (project.QualificationItemCount, project.QualificationPassMark, project.GoldRatio, project.PricePerAssignmentMinor) = (2, 1.0, 0, 2);
        (await db.ProjectLabels.SingleAsync(l => l.Name == "yes")).Key = "Y";
        await db.SaveChangesAsync();
        var csv = new StringBuilder("text,gold\ngold one,yes\ngold two,no\n");
        for (var i = 1; i <= 8; i++)
        {
            csv.Append("real item ").Append(i).Append(",\n");
        }

        var batch = await scope.ServiceProvider.GetRequiredService<ImportService>()
            .ImportAsync(new ImportRequest(project.Id, "first", ImportFormat.Csv, new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()))));
        await LedgerScenario.CreditAsync(services, tenant.TenantId, 10_000);
        Assert.True((await scope.ServiceProvider.GetRequiredService<BatchLifecycleService>().PublishAsync(batch.Value!.Id, tenant.OwnerId)).Succeeded);
        return tenant;
    }

    [Fact]
    public async Task Worker_SignsIn_PassesTheQualificationTest_AndAnswersFiveTasksWithTheKeyboardOnly()
    {
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite);
        await using var _ = site;
        var tenant = await PublishBatchAsync(site.Services);
        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
            {
                Email = "wade@crowd.test", DisplayName = "Wade", Password = Scenario.Password, ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
            });
        }

        await using var context = await chromium.NewContextAsync(address);
        var page = await context.NewPageAsync();
        var keyboard = page.Keyboard;

        // Sign in with the keyboard: the email field, Tab to the password, Enter to send.
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FocusAsync();
        await keyboard.TypeAsync("wade@crowd.test");
        await keyboard.PressAsync("Tab");
        await keyboard.TypeAsync(Scenario.Password);
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/account/login"));

        // The marketplace asks for the qualification test first.
        await page.GotoAsync("/work");
        await page.GetByRole(AriaRole.Link, new() { Name = "Take the qualification test" }).FocusAsync();
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/qualification$"));
        Assert.Equal(["gold one", "gold two"], await page.Locator(".qualification-item .item").AllInnerTextsAsync());
        await keyboard.PressAsync("y"); // "yes" for the first item; focus moves on
        await keyboard.PressAsync("1"); // "no" for the second; focus moves to the send button
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#qualification-outcome")).ToContainTextAsync("you passed");

        // Five tasks, keyboard only: each key press answers and the next task appears at once.
        await page.GotoAsync("/work");
        await page.GetByRole(AriaRole.Link, new() { Name = "Start" }).FocusAsync();
        await keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/work/batches/[^/?#]+$"));
        // Each label's button shows its key, readable: the key's text is not the colour of its background (it was white on white).
        var keys = await page.Locator("#answer-form button kbd").EvaluateAllAsync<string[][]>(
            "keys => keys.map(k => [k.textContent.trim(), getComputedStyle(k).color, getComputedStyle(k).backgroundColor])");
        Assert.Equal(["Y", "1"], keys.Select(k => k[0]));
        Assert.All(keys, k => Assert.NotEqual(k[2], k[1]));
        var seen = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var item = await page.Locator("#item").InnerTextAsync();
            Assert.DoesNotContain(item, seen);
            seen.Add(item);
            await keyboard.PressAsync(i % 2 == 0 ? "y" : "1");
            await Assertions.Expect(page.Locator("#item")).Not.ToHaveTextAsync(item);
        }

        await using var check = Scenario.TenantScope(site.Services, tenant.TenantId);
        var answers = await check.ServiceProvider.GetRequiredService<ICrowdLabelDb>().Assignments
            .Where(a => a.Status == AssignmentStatus.Submitted).OrderBy(a => a.SubmittedAt).Select(a => a.Label).ToListAsync();
        Assert.Equal(["yes", "no", "yes", "no", "yes"], answers);
    }
}

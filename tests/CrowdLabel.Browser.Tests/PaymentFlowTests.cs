using System.Text.RegularExpressions;
using CrowdLabel.Browser.Tests.Support;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Payments;
using CrowdLabel.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrowdLabel.Browser.Tests;

public sealed partial class PaymentFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    /// <summary>
    /// A requester adds funds: a wrong amount is refused on the page, a right one goes on to Stripe's Checkout (here
    /// a page the browser is given in its place, as the machine has no internet), and once Stripe's webhook says it
    /// is paid the thank-you page and the funding page show the balance and the payment.
    /// </summary>
    [Fact]
    public async Task Requester_AddsFunds_ThroughCheckout_AndSeesTheBalanceOnceStripeConfirms()
    {
        await using var stripe = await FakeStripe.StartAsync();
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite, settings: stripe.Settings);
        await using var _ = site;
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");

        await using var context = await chromium.NewContextAsync(address);
        var page = await context.NewPageAsync();
        await page.RouteAsync("https://checkout.stripe.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<html><body><h1 id=\"stripe-checkout\">Stripe Checkout</h1></body></html>",
        }));
        await page.SignInAsync(tenant.OwnerEmail, Scenario.Password);

        await page.GotoAsync($"/t/{tenant.Slug}/funding");
        await Assertions.Expect(page.Locator("#balance")).ToHaveTextAsync("0.00 USD");
        await Assertions.Expect(page.Locator("#no-fundings")).ToBeVisibleAsync();
        await page.GetByLabel("Amount in USD").FillAsync("twenty");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await Assertions.Expect(page.Locator("#funding .field-error")).Not.ToBeEmptyAsync();
        Assert.EndsWith($"/t/{tenant.Slug}/funding", page.Url, StringComparison.Ordinal);

        await page.GetByLabel("Amount in USD").FillAsync("25.00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await Assertions.Expect(page.Locator("#stripe-checkout")).ToBeVisibleAsync();
        var session = CheckoutSession().Match(page.Url).Groups[1].Value;
        Assert.NotEmpty(session);

        // The customer paid on Stripe's page: Stripe tells the site, then sends the browser back.
        var payload = stripe.Event("checkout.session.completed", stripe.CompleteCheckout(session));
        using (var http = new HttpClient { BaseAddress = address })
        using (var delivery = FakeStripe.WebhookDelivery(payload))
        {
            var response = await http.SendAsync(delivery);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await page.GotoAsync($"/t/{tenant.Slug}/funding/success?session_id={session}");
        await Assertions.Expect(page.Locator("#balance")).ToHaveTextAsync("25.00 USD");
        await page.GotoAsync($"/t/{tenant.Slug}/funding");
        await Assertions.Expect(page.Locator("#balance")).ToHaveTextAsync("25.00 USD");
        await Assertions.Expect(page.Locator("#fundings tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#fundings tbody tr").First).ToContainTextAsync("Paid");
        await Assertions.Expect(page.Locator("#fundings tbody tr").First).ToContainTextAsync("25.00 USD");
    }

    /// <summary>
    /// A worker with approved earnings connects a Stripe account (Stripe's onboarding page is given to the browser in its
    /// place; the worker finishes it and Stripe sends them back), and after the payout run the page shows the earnings
    /// paid out and the transfer.
    /// </summary>
    [Fact]
    public async Task Worker_ConnectsStripe_AndSeesTheEarningsPaidOut()
    {
        await using var stripe = await FakeStripe.StartAsync();
        var (site, address) = await Site.StartLiveAsync(DatabaseProvider.Sqlite, settings: stripe.Settings);
        await using var _ = site;
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        var worker = (await WorkScenario.CreateWorkersAsync(site.Services, 1))[0];
        var batchId = await WorkScenario.CreatePublishedBatchAsync(site.Services, tenant, items: 10, redundancy: 3, configure: p => p.PricePerAssignmentMinor = 300);
        await using (var scope = Scenario.TenantScope(site.Services, tenant.TenantId))
        {
            var paid = await scope.ServiceProvider.GetRequiredService<LedgerService>().RecordApprovedWorkAsync(batchId, worker, 2, $"browser-test:{batchId}");
            Assert.True(paid.Succeeded, string.Join("; ", paid.Errors.SelectMany(e => e.Value)));
        }

        await using var context = await chromium.NewContextAsync(address);
        var page = await context.NewPageAsync();
        await page.RouteAsync("https://connect.stripe.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = "<html><body><h1 id=\"stripe-onboarding\">Stripe onboarding</h1></body></html>",
        }));
        await page.SignInAsync("worker1@crowd.test", Scenario.Password);

        await page.GotoAsync("/work/payouts");
        await Assertions.Expect(page.Locator("#stripe-missing")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#no-payouts")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#paid")).ToHaveTextAsync("0.00");
        var earned = (await page.Locator("#balance").TextContentAsync())!.Trim();
        Assert.Matches("^[1-9][0-9]*\\.[0-9]{2} USD$", earned);
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect with Stripe" }).ClickAsync();
        await Assertions.Expect(page.Locator("#stripe-onboarding")).ToBeVisibleAsync();
        var account = OnboardingAccount().Match(page.Url).Groups[1].Value;
        Assert.NotEmpty(account);

        // The worker finishes Stripe's onboarding; Stripe sends them back, and the site reads the account again.
        stripe.SetPayoutsEnabled(account, true);
        await page.GotoAsync("/work/payouts/return");
        await Assertions.Expect(page.Locator("#stripe-ready")).ToBeVisibleAsync();
        await using (var scope = site.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PayoutService>().RunAsync();
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#paid")).ToHaveTextAsync(earned);
        await Assertions.Expect(page.Locator("#balance")).ToHaveTextAsync("0.00 USD");
        await Assertions.Expect(page.Locator("#payouts tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#payouts tbody tr").First).ToContainTextAsync(earned);
        var transfer = Assert.Single(stripe.Transfers);
        await Assertions.Expect(page.Locator("#payouts tbody tr").First).ToContainTextAsync(transfer["id"]!.GetValue<string>());
    }

    [GeneratedRegex("^https://connect\\.stripe\\.test/setup/e/([A-Za-z0-9_]+)$")]
    private static partial Regex OnboardingAccount();

    [GeneratedRegex("^https://checkout\\.stripe\\.test/c/pay/([A-Za-z0-9_]+)$")]
    private static partial Regex CheckoutSession();
}

using System.Net;
using CrowdLabel.Core.Domain;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Web.Tests.Payments;

public sealed class PaymentPageTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task Requester_FundsThroughTheFundingPage_AndTheWebhookCreditsTheBalance(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var requester = await world.SignedInAsync(tenant.OwnerEmail);

        var tooSmall = await requester.SubmitAsync("/t/acme/funding", new Dictionary<string, string> { ["Amount"] = "1.00" });
        var posted = await requester.SubmitAsync("/t/acme/funding", new Dictionary<string, string> { ["Amount"] = "40.00" });
        var session = posted.Headers.Location!.Segments[^1];
        await world.DeliverOkAsync(world.Stripe.Event("checkout.session.completed", world.Stripe.CompleteCheckout(session)));
        var success = await (await requester.GetAsync("/t/acme/funding/success?session_id=" + session)).Content.ReadAsStringAsync();

        Assert.Matches("data-valmsg-for=\"Amount\"[^>]*>Enter an amount from 5.00 USD to 10000.00 USD.<", await tooSmall.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("checkout.stripe.test", posted.Headers.Location.Host);
        var created = world.Stripe.Get(session);
        Assert.Equal(("http://localhost/t/acme/funding/success?session_id={CHECKOUT_SESSION_ID}", 4000L),
            (created["success_url"]!.GetValue<string>(), created["amount_total"]!.GetValue<long>()));
        Assert.Contains("<strong id=\"balance\">40.00 USD</strong>", success, StringComparison.Ordinal);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Fact]
    public async Task WithoutASecretKey_FundingAndPayoutPagesSayPaymentsAreNotConfigured_AndManualCreditsStillWork()
    {
        await using var site = await Site.StartAsync(DatabaseProvider.Sqlite);
        var tenant = await Scenario.CreateTenantAsync(site.Services, "acme");
        await WorkScenario.CreateWorkersAsync(site.Services, 1);
        await LedgerScenario.CreditAsync(site.Services, tenant.TenantId, 1500);
        var requester = site.Browser();
        await requester.SignInAsync(tenant.OwnerEmail, Scenario.Password);
        var workerClient = site.Browser();
        await workerClient.SignInAsync("worker1@crowd.test", Scenario.Password);

        var funding = await (await requester.GetAsync("/t/acme/funding")).Content.ReadAsStringAsync();
        var payouts = await (await workerClient.GetAsync("/work/payouts")).Content.ReadAsStringAsync();

        Assert.Contains("id=\"not-configured\">Payments are not configured on this site: set Stripe:SecretKey", funding, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"funding\"", funding, StringComparison.Ordinal);
        Assert.Contains("id=\"not-configured\">Payments are not configured on this site", payouts, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"balance\">15.00 USD</strong>", funding, StringComparison.Ordinal);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Worker_ConnectsStripe_ComesBack_AndSeesEarningsPendingApprovalsAndPayouts(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var worker = (await WorkScenario.CreateWorkersAsync(world.Services, 1))[0];
        var client = await world.SignedInAsync("worker1@crowd.test");

        var before = await (await client.GetAsync("/work/payouts")).Content.ReadAsStringAsync();
        var connect = await client.SubmitAsync("/work/payouts", new Dictionary<string, string>(), "/work/payouts?handler=Connect");
        var account = await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.StripeAccountId!).SingleAsync());
        world.Stripe.SetPayoutsEnabled(account, true);
        var returned = await client.GetAsync("/work/payouts/return");
        var refresh = await client.GetAsync("/work/payouts/refresh");
        await world.EarnAsync(tenant, [worker], assignments: 2);
        await world.RunPayoutsAsync();
        await world.EarnAsync(tenant, [worker], assignments: 1);
        var after = await (await client.GetAsync("/work/payouts")).Content.ReadAsStringAsync();

        Assert.Contains("Connect with Stripe", before, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        Assert.Equal($"https://connect.stripe.test/setup/e/{account}", connect.Headers.Location!.ToString());
        Assert.Equal("/work/payouts", returned.Headers.Location!.OriginalString);
        Assert.Equal($"https://connect.stripe.test/setup/e/{account}", refresh.Headers.Location!.ToString());
        Assert.Single(world.Stripe.Transfers);
        Assert.Contains("id=\"stripe-ready\"", after, StringComparison.Ordinal);
        Assert.Contains("<td id=\"balance\">3.00 USD</td>", after, StringComparison.Ordinal);
        Assert.Contains("<td id=\"paid\">6.00 USD</td>", after, StringComparison.Ordinal);
        Assert.Contains("<td>6.00 USD</td>", after, StringComparison.Ordinal);
        Assert.Contains("<td>Sent</td>", after, StringComparison.Ordinal);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Worker_DoubleClicksConnect_BothClicksGoToTheSameOnboarding(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        await WorkScenario.CreateWorkersAsync(world.Services, 1);
        var client = await world.SignedInAsync("worker1@crowd.test");
        // Stripe answers slowly, so the second click reads "no account yet" before the first has stored one.
        world.Stripe.Delay("/v1/accounts", TimeSpan.FromMilliseconds(500));

        var clicks = await Task.WhenAll(
            client.SubmitAsync("/work/payouts", new Dictionary<string, string>(), "/work/payouts?handler=Connect"),
            client.SubmitAsync("/work/payouts", new Dictionary<string, string>(), "/work/payouts?handler=Connect"));

        var account = await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.StripeAccountId!).SingleAsync());
        Assert.All(clicks, click =>
        {
            Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
            Assert.Equal($"https://connect.stripe.test/setup/e/{account}", click.Headers.Location!.ToString());
        });
        Assert.Equal(1, world.Stripe.Replays);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Admin_RefundsThroughThePayoutsPage_AndIsToldWhatToFixWhenTheBalanceIsShort(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        await world.FundAsync(tenant, 3000);
        var admin = await world.SignedInAdminAsync();
        Dictionary<string, string> Form(string amount) => new() { ["Input.TenantId"] = tenant.TenantId.ToString(), ["Input.Amount"] = amount };

        var tooMuch = await admin.SubmitAsync("/admin/payouts", Form("31.00"), "/admin/payouts?handler=Refund");
        var refunded = await admin.SubmitAsync("/admin/payouts", Form("10.00"), "/admin/payouts?handler=Refund");
        var page = await (await admin.GetAsync(refunded.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();

        Assert.Matches("data-valmsg-for=\"Input.Amount\"[^>]*>The balance is 30.00 USD; a refund can return at most that.<", await tooMuch.Content.ReadAsStringAsync());
        Assert.Contains("Refunded 10.00 USD to Org acme.", page, StringComparison.Ordinal);
        Assert.Contains("<td>Succeeded</td>", page, StringComparison.Ordinal);
        Assert.Single(world.Stripe.Refunds);
        Assert.Equal(new Money(2000, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }
}

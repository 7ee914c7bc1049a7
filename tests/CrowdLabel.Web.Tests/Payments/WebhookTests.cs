using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Payments;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Payments;

public sealed class WebhookTests
{
    [Theory, OnSqlite, OnPostgres]
    public async Task CheckoutCompleted_ThenTheWebhook_CreditsTheBalanceOnce_WhateverIsRedelivered(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");

        var session = await world.StartCheckoutAsync(tenant, 2500);
        var before = await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId);
        var completed = world.Stripe.Event("checkout.session.completed", world.Stripe.CompleteCheckout(session));
        await world.DeliverOkAsync(completed);
        var duplicate = await world.DeliverAsync(completed);
        // The same session reported again under another event id (Stripe's async success event) credits nothing more.
        await world.DeliverOkAsync(world.Stripe.Event("checkout.session.async_payment_succeeded", world.Stripe.Get(session)));

        Assert.Equal(new Money(0, "USD"), before);
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Contains("\"duplicate\":true", await duplicate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(new Money(2500, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        Assert.Equal(-2500, await world.AccountAsync(LedgerAccounts.StripeClearing));
        var funding = await world.DbAsync(db => db.StripeFundings.SingleAsync());
        Assert.Equal((FundingStatus.Paid, world.Stripe.Get(session)["payment_intent"]!.GetValue<string>()), (funding.Status, funding.PaymentIntentId));
        Assert.Equal(StripeEventStatus.Processed, (await world.EventAsync(completed)).Status);
        Assert.Equal(1, (await world.EventAsync(completed)).Attempts);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task CheckoutWebhook_ThatOvertakesThePage_StillCreditsTheTenantNamedByTheSession(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var session = new JsonObject
        {
            ["id"] = "cs_test_unrecorded", ["object"] = "checkout.session", ["mode"] = "payment", ["payment_status"] = "paid", ["status"] = "complete",
            ["amount_total"] = 1200, ["currency"] = "usd", ["client_reference_id"] = tenant.TenantId.ToString(), ["payment_intent"] = "pi_early",
        };

        await world.DeliverOkAsync(world.Stripe.Event("checkout.session.completed", session));

        Assert.Equal(new Money(1200, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        Assert.Equal("pi_early", await world.DbAsync(db => db.StripeFundings.Where(f => f.SessionId == "cs_test_unrecorded").Select(f => f.PaymentIntentId).SingleAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task BadSignatureOrPayload_Answers400_AndStoresNothing(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var payload = world.Stripe.Event("checkout.session.completed", new JsonObject
        {
            ["id"] = "cs_test_forged", ["object"] = "checkout.session", ["mode"] = "payment", ["payment_status"] = "paid",
            ["amount_total"] = 999_999, ["currency"] = "usd", ["client_reference_id"] = tenant.TenantId.ToString(),
        });

        var wrongSecret = await world.DeliverAsync(payload, FakeStripe.Sign(payload, "whsec_someone_else"));
        var tampered = await world.DeliverAsync(payload.Replace("999999", "999998", StringComparison.Ordinal), FakeStripe.Sign(payload));
        var stale = await world.DeliverAsync(payload, FakeStripe.Sign(payload, at: DateTimeOffset.UtcNow.AddHours(-1)));
        var unsigned = await world.DeliverAsync(payload, signature: null);
        var garbage = await world.DeliverAsync("not json at all");

        foreach (var response in new[] { wrongSecret, tampered, stale, unsigned, garbage })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Contains("Stripe-Signature header is missing", await unsigned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await world.DbAsync(db => db.StripeEvents.CountAsync()));
        Assert.Equal(new Money(0, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Onboarding_ThenAccountUpdated_EnablesPayouts_AndAnOlderEventArrivingLateChangesNothing(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var worker = (await WorkScenario.CreateWorkersAsync(world.Services, 1))[0];

        var account = await world.OnboardAsync(worker);
        var enabledBefore = await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync());
        var newer = world.Stripe.Event("account.updated", world.Stripe.SetPayoutsEnabled(account, true));
        var older = world.Stripe.Event("account.updated", world.Stripe.SetPayoutsEnabled(account, false), DateTimeOffset.UtcNow.AddMinutes(-5));
        world.Stripe.SetPayoutsEnabled(account, true);
        await world.DeliverOkAsync(newer);
        await world.DeliverOkAsync(older);

        Assert.StartsWith("acct_", account, StringComparison.Ordinal);
        Assert.False(enabledBefore);
        Assert.True(await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync()));
        Assert.Equal(StripeEventStatus.Processed, (await world.EventAsync(newer)).Status);
        var late = await world.EventAsync(older);
        Assert.Equal(StripeEventStatus.Ignored, late.Status);
        Assert.Contains("newer state", late.LastError, StringComparison.Ordinal);
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AccountReadBack_ThenAnAccountUpdatedOfTheSameSecond_IsTakenIn(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var worker = (await WorkScenario.CreateWorkersAsync(world.Services, 1))[0];
        var account = await world.OnboardAsync(worker);
        world.Stripe.SetPayoutsEnabled(account, true);
        // Just after a second begins, so the read back and the event below fall in the same second.
        await Task.Delay(1010 - DateTime.UtcNow.Millisecond);

        await world.WithAsync(async sp =>
        {
            await sp.GetRequiredService<WorkerPaymentsService>().RefreshAccountAsync(worker);
            return true;
        });
        var readBack = await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync());
        // Stripe turns payouts off in that same second; its event is stamped to the second.
        var disabled = world.Stripe.Event("account.updated", world.Stripe.SetPayoutsEnabled(account, false));
        await world.DeliverOkAsync(disabled);

        Assert.True(readBack);
        Assert.Equal(StripeEventStatus.Processed, (await world.EventAsync(disabled)).Status);
        Assert.False(await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync()));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task AccountUpdated_BeforeTheAccountIsRecorded_WaitsAndIsAppliedByTheRetry(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var worker = (await WorkScenario.CreateWorkersAsync(world.Services, 1))[0];
        var early = world.Stripe.Event("account.updated", new JsonObject { ["id"] = "acct_not_recorded_yet", ["object"] = "account", ["payouts_enabled"] = true });

        await world.DeliverOkAsync(early);
        var waiting = await world.EventAsync(early);
        await world.DbAsync(async db =>
        {
            db.WorkerStripeAccounts.Add(new WorkerStripeAccount { WorkerId = worker, StripeAccountId = "acct_not_recorded_yet", CreatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });
        var retried = await world.WithAsync(sp => sp.GetRequiredService<StripeWebhookService>().ProcessPendingAsync());

        Assert.Equal(StripeEventStatus.Pending, waiting.Status);
        Assert.Contains("No worker has the Stripe account acct_not_recorded_yet (yet).", waiting.LastError, StringComparison.Ordinal);
        Assert.Equal(1, retried);
        Assert.Equal(StripeEventStatus.Processed, (await world.EventAsync(early)).Status);
        Assert.True(await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task EventForAnUnknownAccount_IsStored_RetriedAndThenIgnoredWithItsReason(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider, new Dictionary<string, string?> { ["Stripe:MaxEventAttempts"] = "2" });
        var unknown = world.Stripe.Event("account.updated", new JsonObject { ["id"] = "acct_nobody", ["object"] = "account", ["payouts_enabled"] = true });
        var other = world.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_1", ["object"] = "customer" });

        await world.DeliverOkAsync(unknown);
        await world.DeliverOkAsync(other);
        await world.WithAsync(sp => sp.GetRequiredService<StripeWebhookService>().ProcessPendingAsync());

        var stored = await world.EventAsync(unknown);
        Assert.Equal((StripeEventStatus.Ignored, 2), (stored.Status, stored.Attempts));
        Assert.Equal("No worker has the Stripe account acct_nobody (yet). Given up after 2 attempts.", stored.LastError);
        var ignored = await world.EventAsync(other);
        Assert.Equal((StripeEventStatus.Ignored, "CrowdLabel does not act on customer.created events."), (ignored.Status, ignored.LastError));
        Assert.Equal(0, await world.WithAsync(sp => sp.GetRequiredService<StripeWebhookService>().ProcessPendingAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    /// <summary>
    /// An event given up on waits on the admin's Stripe page; sent back before what it needs is there, it is given up
    /// on again with its reason; sent back after, it is applied; once processed it cannot be sent back.
    /// </summary>
    [Theory, OnSqlite, OnPostgres]
    public async Task GivenUpEvent_SentBackByAnAdmin_IsProcessedOnceWhatItWaitedForIsThere(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider, new Dictionary<string, string?> { ["Stripe:MaxEventAttempts"] = "1" });
        var worker = (await WorkScenario.CreateWorkersAsync(world.Services, 1))[0];
        var payload = world.Stripe.Event("account.updated", new JsonObject { ["id"] = "acct_recorded_late", ["object"] = "account", ["payouts_enabled"] = true });
        await world.DeliverOkAsync(payload);
        var eventId = (await world.EventAsync(payload)).Id;
        var admin = await world.SignedInAdminAsync();
        async Task<string> SendBackAsync()
        {
            var sent = await admin.SubmitAsync("/admin/payouts", new Dictionary<string, string> { ["eventId"] = eventId }, "/admin/payouts?handler=ProcessAgain");
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
            var page = await (await admin.GetAsync(sent.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
            return WebUtility.HtmlDecode(Regex.Match(page, "<p class=\"notice\" id=\"sent-back\">([^<]*)</p>").Groups[1].Value);
        }

        var givenUp = await world.EventAsync(payload);
        var listed = await (await admin.GetAsync("/admin/payouts")).Content.ReadAsStringAsync();
        var tooEarly = await SendBackAsync();
        await world.DbAsync(async db =>
        {
            db.WorkerStripeAccounts.Add(new WorkerStripeAccount { WorkerId = worker, StripeAccountId = "acct_recorded_late", CreatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });
        var applied = await SendBackAsync();
        var again = await SendBackAsync();

        Assert.Equal((StripeEventStatus.Ignored, "No worker has the Stripe account acct_recorded_late (yet). Given up after 1 attempt."), (givenUp.Status, givenUp.LastError));
        Assert.Contains($"value=\"{eventId}\"", listed, StringComparison.Ordinal);
        Assert.Equal($"Event {eventId} (account.updated) is still not processed: No worker has the Stripe account acct_recorded_late (yet). Given up after 1 attempt.", tooEarly);
        Assert.Equal($"Event {eventId} (account.updated) was processed.", applied);
        Assert.Equal($"Event {eventId} was processed already; processing it again would apply it twice.", again);
        Assert.Equal(StripeEventStatus.Processed, (await world.EventAsync(payload)).Status);
        Assert.True(await world.DbAsync(db => db.WorkerStripeAccounts.Select(a => a.PayoutsEnabled).SingleAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task SameEventDeliveredManyTimesAtOnce_IsStoredAndAppliedOnce(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider);
        var tenant = await Scenario.CreateTenantAsync(world.Services, "acme");
        var session = await world.StartCheckoutAsync(tenant, 1000);
        var completed = world.Stripe.Event("checkout.session.completed", world.Stripe.CompleteCheckout(session));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => world.DeliverAsync(completed)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(new Money(1000, "USD"), await LedgerScenario.BalanceAsync(world.Services, tenant.TenantId));
        Assert.Equal(1, await world.DbAsync(db => db.StripeEvents.CountAsync()));
        await LedgerScenario.AssertInvariantsAsync(world.Services);
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task DeliveriesSignedWithAnyConfiguredSecret_AreAccepted_AsFromThePlatformAndTheConnectEndpoint(DatabaseProvider provider)
    {
        await using var world = await PaymentsWorld.StartAsync(provider,
            new Dictionary<string, string?> { ["Stripe:WebhookSecret"] = $"whsec_connect_endpoint, {FakeStripe.WebhookSecret}" });
        var platform = world.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_1", ["object"] = "customer" });
        var connect = world.Stripe.Event("customer.created", new JsonObject { ["id"] = "cus_2", ["object"] = "customer" });

        var first = await world.DeliverAsync(platform);
        var second = await world.DeliverAsync(connect, FakeStripe.Sign(connect, "whsec_connect_endpoint"));
        var neither = await world.DeliverAsync(connect, FakeStripe.Sign(connect, "whsec_unknown"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest), (first.StatusCode, second.StatusCode, neither.StatusCode));
        Assert.Equal(2, await world.DbAsync(db => db.StripeEvents.CountAsync()));
    }

    [Fact]
    public async Task WithoutAWebhookSecret_TheEndpointSaysStripeIsNotConfigured()
    {
        await using var site = await Support.Site.StartAsync(DatabaseProvider.Sqlite);
        using var client = site.CreateClient();

        var response = await client.PostAsync(new Uri("/api/stripe/webhook", UriKind.Relative), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("set Stripe:WebhookSecret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var scope = site.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<CrowdLabelDbContext>().StripeEvents.CountAsync());
    }
}

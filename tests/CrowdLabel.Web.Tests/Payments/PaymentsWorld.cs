using System.Net;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using CrowdLabel.Web.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Web.Tests.Payments;

/// <summary>The site pointed at a <see cref="FakeStripe"/>, with the steps payment tests share.</summary>
public sealed class PaymentsWorld : IAsyncDisposable
{
    private PaymentsWorld(FakeStripe stripe, Site site)
    {
        Stripe = stripe;
        Site = site;
    }

    public FakeStripe Stripe { get; }

    public Site Site { get; }

    public IServiceProvider Services => Site.Services;

    public static async Task<PaymentsWorld> StartAsync(DatabaseProvider provider, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var stripe = await FakeStripe.StartAsync();
        var all = stripe.Settings;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new PaymentsWorld(stripe, await Site.StartAsync(provider, all));
    }

    /// <summary>Delivers a payload to the webhook endpoint as Stripe would, signed with <paramref name="signature"/> (or properly).</summary>
    public async Task<HttpResponseMessage> DeliverAsync(string payload, string? signature = "sign")
    {
        using var client = Site.CreateClient();
        using var request = FakeStripe.WebhookDelivery(payload, signature);
        return await client.SendAsync(request);
    }

    /// <summary>Delivers and expects 200.</summary>
    public async Task DeliverOkAsync(string payload)
    {
        var response = await DeliverAsync(payload);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<T> DbAsync<T>(Func<CrowdLabelDbContext, Task<T>> query) =>
        WithAsync(sp => query(sp.GetRequiredService<CrowdLabelDbContext>()));

    /// <summary>Starts Checkout for the tenant and returns the session id Stripe gave.</summary>
    public async Task<string> StartCheckoutAsync(TenantFixture tenant, long amountMinor)
    {
        var url = await WithAsync(async sp => await sp.GetRequiredService<FundingService>()
            .StartCheckoutAsync(new CheckoutInput(tenant.TenantId, amountMinor, "https://site.test/ok", "https://site.test/cancel", tenant.OwnerId)));
        Assert.True(url.Succeeded, string.Join("; ", url.Errors.SelectMany(e => e.Value)));
        return url.Value!.Split('/')[^1];
    }

    /// <summary>Pays a top-up end to end: Checkout, the customer pays, the webhook arrives.</summary>
    public async Task FundAsync(TenantFixture tenant, long amountMinor)
    {
        var session = await StartCheckoutAsync(tenant, amountMinor);
        await DeliverOkAsync(Stripe.Event("checkout.session.completed", Stripe.CompleteCheckout(session)));
    }

    /// <summary>Onboards the worker to a connected account and returns its id (payouts not enabled yet).</summary>
    public async Task<string> OnboardAsync(Guid workerId)
    {
        var link = await WithAsync(sp => sp.GetRequiredService<WorkerPaymentsService>()
            .StartOnboardingAsync(workerId, "https://site.test/work/payouts/return", "https://site.test/work/payouts/refresh"));
        Assert.True(link.Succeeded, string.Join("; ", link.Errors.SelectMany(e => e.Value)));
        return await DbAsync(db => db.WorkerStripeAccounts.Where(a => a.WorkerId == workerId).Select(a => a.StripeAccountId!).SingleAsync());
    }

    /// <summary>Onboards the worker and lets account.updated enable payouts.</summary>
    public async Task<string> OnboardAndEnableAsync(Guid workerId)
    {
        var account = await OnboardAsync(workerId);
        await DeliverOkAsync(Stripe.Event("account.updated", Stripe.SetPayoutsEnabled(account, true)));
        return account;
    }

    /// <summary>Publishes a batch priced at <paramref name="priceMinor"/> and approves <paramref name="assignments"/> assignments of each worker.</summary>
    public async Task EarnAsync(TenantFixture tenant, IEnumerable<Guid> workers, int assignments, long priceMinor = 300)
    {
        var batchId = await WorkScenario.CreatePublishedBatchAsync(Services, tenant, items: 50, redundancy: 3, configure: p => p.PricePerAssignmentMinor = priceMinor);
        foreach (var worker in workers)
        {
            await using var scope = Scenario.TenantScope(Services, tenant.TenantId);
            var paid = await scope.ServiceProvider.GetRequiredService<LedgerService>().RecordApprovedWorkAsync(batchId, worker, assignments, $"test-approval:{batchId}:{worker}");
            Assert.True(paid.Succeeded, string.Join("; ", paid.Errors.SelectMany(e => e.Value)));
        }
    }

    /// <summary>One worker with payouts enabled who has earned <paramref name="assignments"/> x 3.00 in a new tenant's batch.</summary>
    public async Task<(Guid Worker, string Account)> EarningWorkerAsync(int assignments)
    {
        var tenant = await Scenario.CreateTenantAsync(Services, "acme");
        var worker = (await WorkScenario.CreateWorkersAsync(Services, 1))[0];
        var account = await OnboardAndEnableAsync(worker);
        await EarnAsync(tenant, [worker], assignments);
        return (worker, account);
    }

    public Task<PayoutRunReport> RunPayoutsAsync() => WithAsync(sp => sp.GetRequiredService<PayoutService>().RunAsync());

    /// <summary>The sum of one ledger account in USD.</summary>
    public Task<long> AccountAsync(string account) =>
        DbAsync(db => db.Postings.Where(p => p.Account == account && p.Currency == "USD").SumAsync(p => p.AmountMinor));

    public Task<StripeEvent> EventAsync(string payload)
    {
        var id = System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString();
        return DbAsync(db => db.StripeEvents.AsNoTracking().SingleAsync(e => e.Id == id));
    }

    /// <summary>An admin account made through registration plus the Admin role, signed in.</summary>
    public async Task<SiteClient> SignedInAdminAsync()
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(new RegisterInput
            {
                Email = "admin@crowd.test", DisplayName = "Ada Admin", Password = Scenario.Password, ConfirmPassword = Scenario.Password, Kind = AccountKind.Worker,
            });
            Assert.True(registered.Succeeded);
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().AddToRoleAsync(registered.Value!.User, Roles.Admin)).Succeeded);
        }

        return await SignedInAsync("admin@crowd.test");
    }

    public async Task<SiteClient> SignedInAsync(string email)
    {
        var client = Site.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync(email, Scenario.Password)).StatusCode);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Site.DisposeAsync();
        await Stripe.DisposeAsync();
    }
}

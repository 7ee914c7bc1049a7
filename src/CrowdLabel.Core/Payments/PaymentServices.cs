using CrowdLabel.Core.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CrowdLabel.Core.Payments;

/// <summary>Registers Stripe payments: options, the client, the services, and their two jobs.</summary>
public static class PaymentServices
{
    public static IServiceCollection AddCrowdLabelPayments(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StripeOptions.SectionName);
        services.AddOptions<StripeOptions>()
            .Bind(section)
            .Validate(o => o.MinFundingMinor > 0 && o.MaxFundingMinor >= o.MinFundingMinor,
                $"{StripeOptions.SectionName}:MinFundingMinor must be above zero and MaxFundingMinor at least as large.")
            .Validate(o => o.MinimumPayoutMinor > 0, $"{StripeOptions.SectionName}:MinimumPayoutMinor must be above zero.")
            .Validate(o => IsCron(o.PayoutSchedule),
                $"{StripeOptions.SectionName}:PayoutSchedule must be a Quartz cron expression, such as \"0 0 2 * * ?\" (daily at 02:00).")
            .Validate(o => o.Currency.Length == 3, $"{StripeOptions.SectionName}:Currency must be an ISO 4217 code such as USD.")
            .ValidateOnStart();
        services.AddSingleton<StripeGateway>();
        services.AddSingleton<PayoutCrashPoints>();
        services.AddScoped<StripeWebhookService>();
        services.AddScoped<StripeEventProcessor>();
        services.AddScoped<FundingService>();
        services.AddScoped<PayoutService>();
        services.AddScoped<WorkerPaymentsService>();

        return services;
    }

    /// <summary>The triggers of the payout run (cron, UTC) and of the event retry job (interval), for AddCrowdLabelJobs.</summary>
    public static IEnumerable<ITrigger> PaymentTriggers(IConfiguration configuration)
    {
        var section = configuration.GetSection(StripeOptions.SectionName);
        var defaults = new StripeOptions();
        var schedule = section.GetValue(nameof(StripeOptions.PayoutSchedule), defaults.PayoutSchedule)!;
        var retryEvery = TimeSpan.FromSeconds(Math.Max(1, section.GetValue(nameof(StripeOptions.EventRetrySeconds), defaults.EventRetrySeconds)));
        yield return TriggerBuilder.Create().ForJob(PayoutJob.Key).WithIdentity(PayoutJob.TriggerKey)
            .WithCronSchedule(IsCron(schedule) ? schedule : defaults.PayoutSchedule, cron => cron.InTimeZone(TimeZoneInfo.Utc))
            .Build();
        yield return JobServices.Every(StripeEventRetryJob.Key, StripeEventRetryJob.TriggerKey, retryEvery);
    }

    private static bool IsCron(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

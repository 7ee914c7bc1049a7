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

    /// <summary>Adds the payout run and the event retry job to the scheduler (called from AddCrowdLabelJobs).</summary>
    public static IQuartzBuilder AddPaymentJobs(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var section = configuration.GetSection(StripeOptions.SectionName);
        var defaults = new StripeOptions();
        var schedule = section.GetValue(nameof(StripeOptions.PayoutSchedule), defaults.PayoutSchedule)!;
        var retryEvery = TimeSpan.FromSeconds(Math.Max(1, section.GetValue(nameof(StripeOptions.EventRetrySeconds), defaults.EventRetrySeconds)));
        quartz.AddJob<PayoutJob>(job => job.WithIdentity(PayoutJob.Key).DisallowConcurrentExecution());
        quartz.AddTrigger(trigger => trigger.ForJob(PayoutJob.Key).WithIdentity(PayoutJob.TriggerKey)
            .WithCronSchedule(IsCron(schedule) ? schedule : defaults.PayoutSchedule, cron => cron.InTimeZone(TimeZoneInfo.Utc)));
        quartz.AddJob<StripeEventRetryJob>(job => job.WithIdentity(StripeEventRetryJob.Key).DisallowConcurrentExecution());
        quartz.AddTrigger(trigger => trigger.ForJob(StripeEventRetryJob.Key).WithIdentity(StripeEventRetryJob.TriggerKey)
            .StartAt(DateTimeOffset.UtcNow + retryEvery)
            .WithSimpleSchedule(s => s.WithInterval(retryEvery).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        return quartz;
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

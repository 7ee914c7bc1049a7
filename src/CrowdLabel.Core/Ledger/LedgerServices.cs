using CrowdLabel.Core.Batches;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Core.Ledger;

/// <summary>Registers the ledger and the batch lifecycle that moves money through it.</summary>
public static class LedgerServices
{
    public static IServiceCollection AddCrowdLabelLedger(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.SectionName))
            .Validate(o => o.PlatformFeeBasisPoints is >= 0 and <= LedgerOptions.BasisPointsPerWhole,
                $"{LedgerOptions.SectionName}:{nameof(LedgerOptions.PlatformFeeBasisPoints)} must be between 0 and {LedgerOptions.BasisPointsPerWhole} (2000 is 20%).")
            .ValidateOnStart();
        services.AddScoped<LedgerService>();
        services.AddScoped<BatchLifecycleService>();
        return services;
    }
}

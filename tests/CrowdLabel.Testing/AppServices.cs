using CrowdLabel.Core;
using CrowdLabel.Core.Accounts;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Ledger;
using CrowdLabel.Core.Payments;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Work;
using CrowdLabel.Data;
using CrowdLabel.Data.Seeding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdLabel.Testing;

/// <summary>The application's services over a migrated <see cref="TestDatabase"/>, without the web host.</summary>
public static class AppServices
{
    public static async Task<ServiceProvider> CreateAsync(TestDatabase database, TimeProvider? clock = null, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider.ToString(),
            [$"ConnectionStrings:{DatabaseOptions.ConnectionStringName}"] = database.ConnectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddCrowdLabelCore();
        services.AddCrowdLabelLedger(configuration);
        services.AddCrowdLabelWork();
        services.AddCrowdLabelPayments(configuration);
        services.AddCrowdLabelQuality(configuration);
        services.AddCrowdLabelData(configuration, Path.Combine(Path.GetTempPath(), "crowdlabel-tests"));
        services.AddIdentityCore<AppUser>(IdentitySettings.Apply)
            .AddRoles<AppRole>()
            .AddEntityFrameworkStores<CrowdLabelDbContext>();
        services.AddScoped<DemoSeed>();
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return provider;
    }
}

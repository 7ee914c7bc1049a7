using CrowdLabel.Data;
using Microsoft.Extensions.Configuration;

namespace CrowdLabel.Core.Tests.Data;

public sealed class DatabaseOptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void NoConfiguration_IsSqliteInTheDataFolder_MigratedOnStart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "crowdlabel-tests", Guid.NewGuid().ToString("N"));

        var options = DatabaseOptions.FromConfiguration(Config(), folder);

        Assert.Equal(DatabaseProvider.Sqlite, options.Provider);
        Assert.Equal($"Data Source={Path.Combine(folder, "crowdlabel.db")}", options.ConnectionString);
        Assert.True(options.MigrateOnStart);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public void UnknownProvider_IsRefused_NamingTheValueAndTheChoices()
    {
        var error = Assert.Throws<DatabaseConfigurationException>(() =>
            DatabaseOptions.FromConfiguration(Config(("Database:Provider", "Oracle")), Path.GetTempPath()));

        Assert.Contains("\"Oracle\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sqlite, Postgres or SqlServer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("sqlserver")]
    public void ServerProvider_WithoutConnectionString_IsRefused(string provider)
    {
        var error = Assert.Throws<DatabaseConfigurationException>(() =>
            DatabaseOptions.FromConfiguration(Config(("Database:Provider", provider)), Path.GetTempPath()));

        Assert.Contains("ConnectionStrings:CrowdLabel is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerProvider_DoesNotMigrateOnStart_UnlessAskedTo()
    {
        var plain = DatabaseOptions.FromConfiguration(
            Config(("Database:Provider", "Postgres"), ("ConnectionStrings:CrowdLabel", "Host=x")), Path.GetTempPath());
        var opted = DatabaseOptions.FromConfiguration(
            Config(("Database:Provider", "Postgres"), ("ConnectionStrings:CrowdLabel", "Host=x"), ("Database:MigrateOnStart", "true")), Path.GetTempPath());

        Assert.False(plain.MigrateOnStart);
        Assert.True(opted.MigrateOnStart);
    }

    [Fact]
    public void MigrateOnStart_ThatIsNotABoolean_IsRefused()
    {
        var error = Assert.Throws<DatabaseConfigurationException>(() =>
            DatabaseOptions.FromConfiguration(Config(("Database:MigrateOnStart", "sometimes")), Path.GetTempPath()));

        Assert.Contains("\"sometimes\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackupBeforeMigrate_IsOnUnlessTurnedOff_AndMustBeABoolean()
    {
        Assert.True(DatabaseOptions.FromConfiguration(Config(), Path.GetTempPath()).BackupBeforeMigrate);
        Assert.False(DatabaseOptions.FromConfiguration(Config(("Database:BackupBeforeMigrate", "false")), Path.GetTempPath()).BackupBeforeMigrate);
        var error = Assert.Throws<DatabaseConfigurationException>(() =>
            DatabaseOptions.FromConfiguration(Config(("Database:BackupBeforeMigrate", "yes")), Path.GetTempPath()));

        Assert.Equal("Database:BackupBeforeMigrate is \"yes\"; use true or false.", error.Message);
    }

    [Theory]
    [InlineData("Postgres", "Host=db;Maximum Pol Size=8")]
    [InlineData("Postgres", "Host=db;Pasword=secret")]
    [InlineData("Sqlite", "Data Source=x.db;Cache Size=9")]
    [InlineData("SqlServer", "Server=db;Databse=crowd")]
    public void ConnectionString_WithAKeywordItsProviderDoesNotKnow_IsRefusedAtStart_WithoutItsValues(string provider, string connectionString)
    {
        var error = Assert.Throws<DatabaseConfigurationException>(() => DatabaseOptions.FromConfiguration(
            Config(("Database:Provider", provider), ("ConnectionStrings:CrowdLabel", connectionString)), Path.GetTempPath()));

        Assert.Contains($"ConnectionStrings:CrowdLabel is not a connection string {provider} accepts", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionString_WithTheKeywordsTheDocsName_IsAccepted()
    {
        // docs/scaling.md: behind PgBouncer, pool size, no reset, the generic-plan option.
        var options = DatabaseOptions.FromConfiguration(Config(("Database:Provider", "Postgres"), ("ConnectionStrings:CrowdLabel",
            "Host=db;Username=crowd;Password=x;Max Auto Prepare=0;Maximum Pool Size=8;No Reset On Close=true;Options=-c plan_cache_mode=auto")), Path.GetTempPath());

        Assert.Equal(DatabaseProvider.Postgres, options.Provider);
    }
}

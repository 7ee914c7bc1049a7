using CrowdLabel.Core.Ledger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Tests.Ledger;

public sealed class FeeAndAmountTests
{
    [Theory]
    [InlineData(100, 2000, 20)]
    [InlineData(7, 2000, 2)]
    [InlineData(5, 2000, 1)]
    [InlineData(1, 2000, 1)]
    [InlineData(0, 2000, 0)]
    [InlineData(333, 1250, 42)]
    [InlineData(100, 0, 0)]
    [InlineData(99, 10_000, 99)]
    public void Fee_IsPriceTimesRate_RoundedUpToAWholeMinorUnit(long priceMinor, int basisPoints, long expectedFee)
    {
        var options = new LedgerOptions { PlatformFeeBasisPoints = basisPoints };

        Assert.Equal(expectedFee, options.FeePerAssignment(priceMinor));
    }

    [Fact]
    public void FeeRate_IsTwentyPercentByDefault_AndReadFromConfiguration()
    {
        Assert.Equal(2000, Options(new Dictionary<string, string?>()).Value.PlatformFeeBasisPoints);
        Assert.Equal(1500, Options(new() { ["Ledger:PlatformFeeBasisPoints"] = "1500" }).Value.PlatformFeeBasisPoints);
    }

    [Fact]
    public void FeeRate_OutsideZeroToOneHundredPercent_IsAConfigurationError()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Ledger:PlatformFeeBasisPoints"] = "12000" }).Value);

        Assert.Contains("Ledger:PlatformFeeBasisPoints must be between 0 and 10000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("25.00", "USD", 2500)]
    [InlineData("25", "USD", 2500)]
    [InlineData("25.5", "USD", 2550)]
    [InlineData(" 0.01 ", "USD", 1)]
    [InlineData("007.10", "EUR", 710)]
    [InlineData("1000", "JPY", 1000)]
    [InlineData("1.234", "KWD", 1234)]
    public void Amount_InMajorUnits_IsReadExactlyIntoMinorUnits(string text, string currency, long expectedMinor)
    {
        Assert.True(MoneyText.TryParse(text, currency, out var minor, out var error), error);
        Assert.Equal(expectedMinor, minor);
    }

    [Theory]
    [InlineData("", "USD", "Enter an amount, like 25.00 USD.")]
    [InlineData("abc", "USD", "Enter the amount as digits with an optional decimal point, like 25.00 USD.")]
    [InlineData("-5", "USD", "Enter the amount as digits with an optional decimal point")]
    [InlineData("1,000.00", "USD", "without thousands separators")]
    [InlineData("12.345", "USD", "USD has 2 decimal places; \"12.345\" has 3.")]
    [InlineData("1.5", "JPY", "JPY has no decimal places")]
    [InlineData("1234567890123456", "USD", "That amount is too large.")]
    public void Amount_ThatIsNotExact_IsRefusedWithAMessageSayingWhy(string text, string currency, string expected)
    {
        Assert.False(MoneyText.TryParse(text, currency, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private static IOptions<LedgerOptions> Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddCrowdLabelLedger(configuration).BuildServiceProvider().GetRequiredService<IOptions<LedgerOptions>>();
    }
}

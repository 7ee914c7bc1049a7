using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using CrowdLabel.Core.Domain;

namespace CrowdLabel.Core.Ledger;

/// <summary>Reads an amount typed in major units ("25.00") exactly into minor units, by the currency's decimal places.</summary>
public static partial class MoneyText
{
    /// <summary>More whole digits than this could overflow a long once scaled to minor units.</summary>
    private const int MaxWholeDigits = 15;

    /// <summary>Parses "25", "25.5" or "25.00" (no sign, no separators) into minor units of <paramref name="currency"/>.</summary>
    public static bool TryParse(string? text, string currency, out long minor, [NotNullWhen(false)] out string? error)
    {
        minor = 0;
        var digits = Money.MinorDigits(currency);
        var example = Money.Format(25 * Scale(digits), currency);
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = $"Enter an amount, like {example}.";
            return false;
        }

        var match = Amount().Match(trimmed);
        if (!match.Success)
        {
            error = trimmed.Contains(',', StringComparison.Ordinal)
                ? $"Write the amount without thousands separators, with a point before the decimals, like {example}."
                : $"Enter the amount as digits with an optional decimal point, like {example}.";
            return false;
        }

        var whole = match.Groups["whole"].Value.TrimStart('0');
        var fraction = match.Groups["fraction"].Value;
        if (fraction.Length > digits)
        {
            error = digits == 0
                ? $"{currency} has no decimal places; enter a whole amount, like {example}."
                : $"{currency} has {digits} decimal places; \"{trimmed}\" has {fraction.Length}.";
            return false;
        }

        if (whole.Length > MaxWholeDigits)
        {
            error = "That amount is too large.";
            return false;
        }

        var wholeValue = whole.Length == 0 ? 0 : long.Parse(whole, CultureInfo.InvariantCulture);
        var fractionValue = digits == 0 ? 0 : long.Parse(fraction.PadRight(digits, '0'), CultureInfo.InvariantCulture);
        minor = (wholeValue * Scale(digits)) + fractionValue;
        error = null;
        return true;
    }

    private static long Scale(int digits)
    {
        var scale = 1L;
        for (var i = 0; i < digits; i++)
        {
            scale *= 10;
        }

        return scale;
    }

    [GeneratedRegex(@"^(?<whole>[0-9]+)(?:\.(?<fraction>[0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Amount();
}

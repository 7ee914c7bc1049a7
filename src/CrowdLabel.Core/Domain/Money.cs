using System.Globalization;

namespace CrowdLabel.Core.Domain;

/// <summary>An amount in integer minor units (cents) of one currency. Money is never a floating-point number.</summary>
public readonly record struct Money(long Minor, string Currency)
{
    /// <summary>Digits after the decimal point of a currency (ISO 4217); 2 unless listed.</summary>
    public static int MinorDigits(string currency) => currency.ToUpperInvariant() switch
    {
        "JPY" or "KRW" or "VND" or "CLP" or "ISK" or "UGX" => 0,
        "BHD" or "KWD" or "OMR" or "JOD" or "TND" => 3,
        _ => 2,
    };

    /// <summary>"12.34 USD".</summary>
    public static string Format(long minor, string currency)
    {
        var digits = MinorDigits(currency);
        var scale = (long)Math.Pow(10, digits);
        var sign = minor < 0 ? "-" : "";
        var abs = Math.Abs(minor);
        var whole = (abs / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = digits == 0 ? "" : "." + (abs % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
        return $"{sign}{whole}{fraction} {currency}";
    }

    public override string ToString() => Format(Minor, Currency);
}

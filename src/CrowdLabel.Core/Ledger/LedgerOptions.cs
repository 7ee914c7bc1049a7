namespace CrowdLabel.Core.Ledger;

/// <summary>Ledger settings, bound from the "Ledger" configuration section.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>Basis points in a whole: 10000 basis points are 100%.</summary>
    public const int BasisPointsPerWhole = 10_000;

    /// <summary>The platform fee as a share of the price per assignment, in basis points (2000 = 20%).</summary>
    public int PlatformFeeBasisPoints { get; set; } = 2000;

    /// <summary>
    /// The fee on one assignment: price x rate rounded up to a whole minor unit, so the platform never
    /// charges less than its rate. Integer arithmetic only: ceil(a / b) is (a + b - 1) / b for a >= 0.
    /// </summary>
    public long FeePerAssignment(long priceMinor) =>
        checked((priceMinor * PlatformFeeBasisPoints) + (BasisPointsPerWhole - 1)) / BasisPointsPerWhole;
}

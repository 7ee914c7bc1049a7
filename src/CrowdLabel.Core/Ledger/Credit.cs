using FluentValidation;

namespace CrowdLabel.Core.Ledger;

/// <summary>A credit an admin puts on a tenant's balance by hand: to whom, how much (minor units), and why.</summary>
public sealed record CreditInput
{
    public Guid TenantId { get; init; }

    public long AmountMinor { get; init; }

    public string Reason { get; init; } = "";
}

/// <summary>Shape rules for <see cref="CreditInput"/>; the tenant's existence is the service's check.</summary>
public sealed class CreditInputValidator : AbstractValidator<CreditInput>
{
    /// <summary>The largest single credit: 10,000,000.00 in a currency with cents. A typo should not mint a fortune.</summary>
    public const long MaxAmountMinor = 1_000_000_000;

    public const int MaxReasonLength = 500;

    public CreditInputValidator()
    {
        RuleFor(x => x.TenantId).NotEmpty().WithMessage("Choose the organization to credit.");
        RuleFor(x => x.AmountMinor).GreaterThan(0).WithMessage("Enter an amount greater than zero.")
            .LessThanOrEqualTo(MaxAmountMinor).WithMessage("A single credit is at most 10,000,000.00 (1,000,000,000 minor units); split larger ones.");
        RuleFor(x => x.Reason).Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage("Say why this credit is made; the reason stays on the ledger.")
            .MaximumLength(MaxReasonLength).WithMessage($"Keep the reason to {MaxReasonLength} characters.");
    }
}

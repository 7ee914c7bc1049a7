using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Tenancy;
using FluentValidation;

namespace CrowdLabel.Core.Accounts;

/// <summary>What a person fills in to open an account.</summary>
public sealed record RegisterInput
{
    public string Email { get; init; } = "";

    public string DisplayName { get; init; } = "";

    public string Password { get; init; } = "";

    public string ConfirmPassword { get; init; } = "";

    public AccountKind Kind { get; init; } = AccountKind.Worker;

    /// <summary>Required for requesters: the organization they create.</summary>
    public string? OrganizationName { get; init; }

    /// <summary>Required for requesters: the organization's URL name.</summary>
    public string? OrganizationSlug { get; init; }
}

/// <summary>Shape rules for <see cref="RegisterInput"/>; password strength is Identity's, slug uniqueness the service's.</summary>
public sealed class RegisterInputValidator : AbstractValidator<RegisterInput>
{
    public RegisterInputValidator()
    {
        RuleFor(x => x.Email).NotEmpty().WithMessage("Enter your email address.")
            .EmailAddress().WithMessage("Enter a valid email address, like name@example.com.")
            .MaximumLength(256);
        RuleFor(x => x.DisplayName).NotEmpty().WithMessage("Enter the name other people will see.")
            .MaximumLength(100);
        RuleFor(x => x.Password).NotEmpty().WithMessage("Choose a password.");
        RuleFor(x => x.ConfirmPassword).Equal(x => x.Password).WithMessage("The two passwords do not match.");
        RuleFor(x => x.Kind).IsInEnum().WithMessage("Choose worker or requester.");
        When(x => x.Kind == AccountKind.Requester, () =>
        {
            RuleFor(x => x.OrganizationName).NotEmpty().WithMessage("Enter your organization's name.")
                .MaximumLength(100);
            RuleFor(x => x.OrganizationSlug).ValidSlug();
        });
    }
}

/// <summary>A tenant slug's shape (see <see cref="Slugs"/>), as a rule any validator can use.</summary>
public static class SlugRules
{
    public static IRuleBuilderOptions<T, string?> ValidSlug<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("Enter a short URL name for the organization, like acme-labs.")
            .Must(x => string.IsNullOrEmpty(x) || Slugs.IsValid(x))
            .WithMessage($"Use {Slugs.MinLength} to {Slugs.MaxLength} lower-case letters, digits and single hyphens, starting and ending with a letter or digit (like acme-labs).")
            .Must(x => !Slugs.IsValid(x) || !Slugs.Reserved.Contains(x!))
            .WithMessage("That name is reserved by the site; choose another.");
}

using FluentValidation;

namespace CrowdLabel.Core.Work;

/// <summary>A worker's answer to the task they hold: one of the project's labels.</summary>
public sealed record AnswerInput
{
    public string Label { get; init; } = "";
}

/// <summary>Shape rules for <see cref="AnswerInput"/>; whether the label is one of the project's is the service's check.</summary>
public sealed class AnswerInputValidator : AbstractValidator<AnswerInput>
{
    public AnswerInputValidator() =>
        RuleFor(x => x.Label).NotEmpty().WithMessage("Choose a label.")
            .MaximumLength(100).WithMessage("A label is at most 100 characters.");
}

/// <summary>What is wrong with an item, said by the worker who gives it back instead of answering.</summary>
public sealed record ProblemInput
{
    public string Problem { get; init; } = "";
}

/// <summary>Shape rules for <see cref="ProblemInput"/>.</summary>
public sealed class ProblemInputValidator : AbstractValidator<ProblemInput>
{
    public const int MaxLength = 1000;

    public ProblemInputValidator() =>
        RuleFor(x => x.Problem).Must(p => !string.IsNullOrWhiteSpace(p))
            .WithMessage("Say what is wrong with this item, like \"the image does not load\".")
            .MaximumLength(MaxLength).WithMessage($"Keep the report to {MaxLength} characters.");
}

/// <summary>The name of a new personal API token.</summary>
public sealed record WorkerTokenInput
{
    public string Name { get; init; } = "";
}

/// <summary>Shape rules for <see cref="WorkerTokenInput"/>.</summary>
public sealed class WorkerTokenInputValidator : AbstractValidator<WorkerTokenInput>
{
    public WorkerTokenInputValidator() =>
        RuleFor(x => x.Name).Must(n => !string.IsNullOrWhiteSpace(n))
            .WithMessage("Name the token after the script or tool that uses it, like \"labeling script\".")
            .MaximumLength(100).WithMessage("A token name is at most 100 characters.");
}

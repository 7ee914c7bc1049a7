using FluentValidation.Results;

namespace CrowdLabel.Core;

/// <summary>The outcome of a use case: a value, or field-level errors that say what to fix, or not found.</summary>
public sealed class Result<T>
{
    private Result(T? value, IReadOnlyDictionary<string, string[]> errors, bool notFound)
    {
        Value = value;
        Errors = errors;
        IsNotFound = notFound;
    }

    public T? Value { get; }

    /// <summary>Messages by field name ("" for the form as a whole).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public bool IsNotFound { get; }

    public bool Succeeded => !IsNotFound && Errors.Count == 0;

    public static Result<T> Success(T value) => new(value, Empty, false);

    public static Result<T> NotFound() => new(default, Empty, true);

    public static Result<T> Invalid(string field, string message) =>
        new(default, new Dictionary<string, string[]> { [field] = [message] }, false);

    public static Result<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(default, errors, false);

    public static Result<T> Invalid(ValidationResult validation) =>
        new(default, validation.Errors
            .GroupBy(e => e.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray(), StringComparer.Ordinal), false);

    private static readonly IReadOnlyDictionary<string, string[]> Empty = new Dictionary<string, string[]>();
}

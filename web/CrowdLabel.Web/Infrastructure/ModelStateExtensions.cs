using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace CrowdLabel.Web.Infrastructure;

/// <summary>Puts a service's field errors next to the form fields they are about.</summary>
public static class ModelStateExtensions
{
    public static void AddErrors(this ModelStateDictionary modelState, IReadOnlyDictionary<string, string[]> errors, string prefix = "Input")
    {
        foreach (var (field, messages) in errors)
        {
            var key = field.Length == 0 || prefix.Length == 0 ? field : $"{prefix}.{field}";
            foreach (var message in messages)
            {
                modelState.AddModelError(key, message);
            }
        }
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace CrowdLabel.Core.Tenancy;

/// <summary>Rules for tenant slugs: lower-case letters, digits and single hyphens, 3 to 40 characters.</summary>
public static partial class Slugs
{
    public const int MinLength = 3;
    public const int MaxLength = 40;

    /// <summary>Slugs that would collide with the site's own routes or read as official.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "admin", "api", "account", "work", "review", "health", "openapi", "invitations", "new", "www", "static",
    };

    public static bool IsValid(string? slug) => slug is not null && SlugPattern().IsMatch(slug);

    /// <summary>Suggests a slug from an organization name ("Acme Labs, Inc." gives "acme-labs-inc").</summary>
    public static string Suggest(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length > MaxLength ? slug[..MaxLength].Trim('-') : slug;
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}

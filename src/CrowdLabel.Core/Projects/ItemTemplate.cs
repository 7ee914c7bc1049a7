using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace CrowdLabel.Core.Projects;

/// <summary>
/// A project's item template: text with placeholders {{field}} (escaped text), {{image field}} (an image from
/// the URL in the field) and {{audio field}}. Item values are always HTML-encoded; media URLs are shown by the
/// worker's browser, never fetched by the server, and only http(s) URLs are used.
/// </summary>
public sealed partial class ItemTemplate
{
    private readonly IReadOnlyList<Part> _parts;

    private ItemTemplate(IReadOnlyList<Part> parts, IReadOnlyList<string> fields)
    {
        _parts = parts;
        Fields = fields;
    }

    /// <summary>The item fields the template shows: an import must provide each of them.</summary>
    public IReadOnlyList<string> Fields { get; }

    public static ItemTemplate Parse(string template)
    {
        var parts = new List<Part>();
        var fields = new List<string>();
        var last = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            parts.Add(new Part(PartKind.Literal, template[last..match.Index]));
            var kind = match.Groups["kind"].Value switch { "image" => PartKind.Image, "audio" => PartKind.Audio, _ => PartKind.Text };
            var field = match.Groups["field"].Value;
            parts.Add(new Part(kind, field));
            if (!fields.Contains(field, StringComparer.Ordinal))
            {
                fields.Add(field);
            }

            last = match.Index + match.Length;
        }

        parts.Add(new Part(PartKind.Literal, template[last..]));
        return new ItemTemplate(parts, fields);
    }

    /// <summary>Renders an item as safe HTML: the template's own text and every value are encoded.</summary>
    public string Render(IReadOnlyDictionary<string, string> item)
    {
        var html = new StringBuilder();
        foreach (var part in _parts)
        {
            var value = part.Kind == PartKind.Literal ? part.Value : item.GetValueOrDefault(part.Value) ?? "";
            switch (part.Kind)
            {
                case PartKind.Literal:
                case PartKind.Text:
                    html.Append(HtmlEncoder.Default.Encode(value).Replace("&#xA;", "<br>", StringComparison.Ordinal));
                    break;
                case PartKind.Image when IsWebUrl(value):
                    html.Append("<img class=\"item-media\" alt=\"item image\" src=\"").Append(HtmlEncoder.Default.Encode(value)).Append("\">");
                    break;
                case PartKind.Audio when IsWebUrl(value):
                    html.Append("<audio class=\"item-media\" controls src=\"").Append(HtmlEncoder.Default.Encode(value)).Append("\"></audio>");
                    break;
                default:
                    html.Append("<span class=\"item-missing\">(no valid http(s) URL)</span>");
                    break;
            }
        }

        return html.ToString();
    }

    private static bool IsWebUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex(@"\{\{\s*(?:(?<kind>image|audio)\s+)?(?<field>[A-Za-z0-9_.\-]+)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private enum PartKind
    {
        Literal,
        Text,
        Image,
        Audio,
    }

    private sealed record Part(PartKind Kind, string Value);
}

using System.Text.Json;

namespace CrowdLabel.Core.Quality;

/// <summary>The uploaded fields of an item (its Data holds nothing else: no id, no gold answer).</summary>
public static class ItemFields
{
    public static Dictionary<string, string> Parse(string data)
    {
        using var json = JsonDocument.Parse(data);
        return json.RootElement.EnumerateObject().ToDictionary(
            p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
    }
}

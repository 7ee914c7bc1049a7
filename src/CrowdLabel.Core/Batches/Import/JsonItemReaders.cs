using System.Runtime.CompilerServices;
using System.Text.Json;

namespace CrowdLabel.Core.Batches.Import;

/// <summary>Streams items out of JSON Lines (one object per line) and Label Studio task JSON (an array of {"data": {...}}).</summary>
public static class JsonItemReaders
{
    /// <summary>JSON Lines: every non-blank line is one item, a JSON object of fields.</summary>
    public static async IAsyncEnumerable<ParsedRow> ReadJsonLinesAsync(TextReader text, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var row = 0;
        while (await text.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            row++;
            ParsedRow parsed;
            try
            {
                using var document = JsonDocument.Parse(line);
                parsed = document.RootElement.ValueKind == JsonValueKind.Object
                    ? new ParsedRow { RowNumber = row, Fields = FieldsOf(document.RootElement) }
                    : ParsedRow.Failed(row, $"each line must be a JSON object like {{\"text\": \"...\"}}, not {Describe(document.RootElement.ValueKind)}.");
            }
            catch (JsonException e)
            {
                parsed = ParsedRow.Failed(row, $"this line is not valid JSON ({Short(e)}).");
            }

            yield return parsed;
        }
    }

    /// <summary>Label Studio tasks: a JSON array of objects whose "data" object holds the item's fields; a top-level "id" is the external id unless data has one.</summary>
    public static async IAsyncEnumerable<ParsedRow> ReadLabelStudioAsync(Stream utf8, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var row = 0;
        await using var tasks = JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(utf8, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            ParsedRow parsed;
            try
            {
                if (!await tasks.MoveNextAsync())
                {
                    yield break;
                }

                row++;
                var task = tasks.Current;
                if (task.ValueKind != JsonValueKind.Object || !task.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                {
                    parsed = ParsedRow.Failed(row, "each task must be an object with a \"data\" object holding the item's fields, like {\"data\": {\"text\": \"...\"}}.");
                }
                else
                {
                    var fields = FieldsOf(data);
                    if (!fields.Exists(f => f.Key == "id") && task.TryGetProperty("id", out var id))
                    {
                        fields.Add(new("id", ValueOf(id)));
                    }

                    parsed = new ParsedRow { RowNumber = row, Fields = fields };
                }
            }
            catch (JsonException e)
            {
                parsed = ParsedRow.Failed(row == 0 ? 0 : row + 1,
                    $"the file is not a valid Label Studio task list, a JSON array of {{\"data\": {{...}}}} objects ({Short(e)}).", fatal: true);
            }

            yield return parsed;
            if (parsed.Fatal)
            {
                yield break;
            }
        }
    }

    private static List<KeyValuePair<string, string>> FieldsOf(JsonElement item)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var property in item.EnumerateObject())
        {
            fields.Add(new(property.Name, ValueOf(property.Value)));
        }

        return fields;
    }

    // Strings are taken as they are; numbers, booleans and nested JSON keep their JSON text; null is empty.
    private static string ValueOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => value.GetRawText(),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Short(JsonException e) =>
        e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : e.Message;
}

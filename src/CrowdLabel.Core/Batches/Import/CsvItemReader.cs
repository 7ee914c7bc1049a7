using System.Runtime.CompilerServices;
using System.Text;

namespace CrowdLabel.Core.Batches.Import;

/// <summary>
/// Streams items out of an RFC 4180 CSV file: a header row of field names, then one item per record; fields
/// may be quoted (commas, quotes doubled, line breaks inside quotes). Malformed quoting is reported with the
/// row and column, not guessed around. Blank lines are skipped.
/// </summary>
public static class CsvItemReader
{
    public static async IAsyncEnumerable<ParsedRow> ReadAsync(TextReader text, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = new RecordReader(text);
        string[]? header = null;
        var row = 0;
        var fields = new List<string>();
        while (true)
        {
            var outcome = await reader.ReadRecordAsync(fields, cancellationToken);
            if (outcome.Kind == RecordKind.End)
            {
                yield break;
            }

            if (header is null)
            {
                if (outcome.Kind == RecordKind.Malformed)
                {
                    yield return ParsedRow.Failed(0, $"The header row is malformed: {outcome.Problem}", fatal: true);
                    yield break;
                }

                header = fields.Select(f => f.Trim()).ToArray();
                var problem = HeaderProblem(header);
                if (problem is not null)
                {
                    yield return ParsedRow.Failed(0, problem, fatal: true);
                    yield break;
                }

                continue;
            }

            row++;
            if (outcome.Kind == RecordKind.Malformed)
            {
                var column = outcome.FieldIndex < header.Length ? header[outcome.FieldIndex] : null;
                yield return ParsedRow.Failed(row, outcome.Problem!, column, fatal: true);
                yield break;
            }

            if (fields.Count != header.Length)
            {
                yield return ParsedRow.Failed(row, $"this row has {fields.Count} fields but the header has {header.Length}; quote any field that contains a comma.");
                continue;
            }

            var values = new List<KeyValuePair<string, string>>(header.Length);
            for (var i = 0; i < header.Length; i++)
            {
                values.Add(new(header[i], fields[i]));
            }

            yield return new ParsedRow { RowNumber = row, Fields = values };
        }
    }

    private static string? HeaderProblem(string[] header)
    {
        var blank = Array.FindIndex(header, h => h.Length == 0);
        if (blank >= 0)
        {
            return $"Column {blank + 1} of the header has no name; every column needs one.";
        }

        var repeated = header.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null : $"The header names the column \"{repeated.Key}\" more than once.";
    }

    private enum RecordKind
    {
        Record,
        Malformed,
        End,
    }

    private readonly record struct Outcome(RecordKind Kind, string? Problem = null, int FieldIndex = 0);

    /// <summary>The RFC 4180 state machine over a buffered TextReader.</summary>
    private sealed class RecordReader(TextReader text)
    {
        private readonly char[] _buffer = new char[64 * 1024];
        private readonly StringBuilder _field = new();
        private int _length;
        private int _position;
        private bool _eof;

        public async ValueTask<Outcome> ReadRecordAsync(List<string> fields, CancellationToken cancellationToken)
        {
            fields.Clear();
            while (true)
            {
                // Skip blank lines between records.
                var c = await PeekAsync(cancellationToken);
                if (c == -1)
                {
                    return new Outcome(RecordKind.End);
                }

                if (c is '\r' or '\n')
                {
                    _position++;
                    continue;
                }

                break;
            }

            while (true)
            {
                _field.Clear();
                var c = await PeekAsync(cancellationToken);
                if (c == '"')
                {
                    _position++;
                    var problem = await ReadQuotedAsync(cancellationToken);
                    if (problem is not null)
                    {
                        return new Outcome(RecordKind.Malformed, problem, fields.Count);
                    }

                    fields.Add(_field.ToString());
                    var after = await PeekAsync(cancellationToken);
                    if (after == ',')
                    {
                        _position++;
                        continue;
                    }

                    if (after is -1 or '\r' or '\n')
                    {
                        await EndOfLineAsync(cancellationToken);
                        return new Outcome(RecordKind.Record);
                    }

                    return new Outcome(RecordKind.Malformed,
                        $"text follows the closing quote of a quoted field; put the whole field inside the quotes and double any quote in it (\"\").", fields.Count - 1);
                }

                while (true)
                {
                    c = await PeekAsync(cancellationToken);
                    if (c is -1 or ',' or '\r' or '\n')
                    {
                        break;
                    }

                    if (c == '"')
                    {
                        return new Outcome(RecordKind.Malformed,
                            "a quote appears inside an unquoted field; wrap the field in double quotes and double the quote (\"\").", fields.Count);
                    }

                    _field.Append((char)c);
                    _position++;
                }

                fields.Add(_field.ToString());
                if (c == ',')
                {
                    _position++;
                    continue;
                }

                await EndOfLineAsync(cancellationToken);
                return new Outcome(RecordKind.Record);
            }
        }

        private async ValueTask<string?> ReadQuotedAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var c = await PeekAsync(cancellationToken);
                if (c == -1)
                {
                    return "a quoted field is never closed; add the closing double quote.";
                }

                _position++;
                if (c != '"')
                {
                    _field.Append((char)c);
                    continue;
                }

                if (await PeekAsync(cancellationToken) == '"')
                {
                    _field.Append('"');
                    _position++;
                    continue;
                }

                return null;
            }
        }

        private async ValueTask EndOfLineAsync(CancellationToken cancellationToken)
        {
            var c = await PeekAsync(cancellationToken);
            if (c == '\r')
            {
                _position++;
                c = await PeekAsync(cancellationToken);
            }

            if (c == '\n')
            {
                _position++;
            }
        }

        private ValueTask<int> PeekAsync(CancellationToken cancellationToken) =>
            _position < _length ? new ValueTask<int>(_buffer[_position]) : FillAsync(cancellationToken);

        private async ValueTask<int> FillAsync(CancellationToken cancellationToken)
        {
            if (_eof)
            {
                return -1;
            }

            _length = await text.ReadAsync(_buffer.AsMemory(), cancellationToken);
            _position = 0;
            if (_length == 0)
            {
                _eof = true;
                return -1;
            }

            return _buffer[0];
        }
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CrowdLabel.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace CrowdLabel.Core.Quality;

/// <summary>One item's result: its fields and ids, the label with its confidence and provenance.</summary>
public sealed record ItemResult(
    int RowNumber, string? ExternalId, string Data, bool IsGold, string? Label, double? Confidence, ItemStatus Status, int Answers,
    string? ReviewedBy, int ProjectVersion);

/// <summary>A result export format.</summary>
public enum ExportFormat
{
    Csv = 1,
    Jsonl = 2,
}

/// <summary>
/// Results (DESIGN.md, step 10): a batch's labels with confidence and provenance, read page by page for the results
/// page and streamed row by row for export, so a million-item batch is never held in memory.
/// </summary>
public sealed class ResultsService(ICrowdLabelDb db)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>One page of a batch's results, in upload order; null when the batch is not the current tenant's.</summary>
    public async Task<IReadOnlyList<ItemResult>?> PageAsync(Guid batchId, int skip, int take, CancellationToken cancellationToken = default)
    {
        if (!await db.Batches.AnyAsync(b => b.Id == batchId, cancellationToken))
        {
            return null;
        }

        return await Rows(batchId).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
    }

    /// <summary>Whether the batch exists in the current tenant (checked before an export starts streaming).</summary>
    public Task<bool> ExistsAsync(Guid batchId, CancellationToken cancellationToken = default) =>
        db.Batches.AnyAsync(b => b.Id == batchId, cancellationToken);

    /// <summary>
    /// Writes the batch's results to <paramref name="output"/> as CSV (RFC 4180 quoting; a column for every field any
    /// item has, in the order they first appear, empty where an item lacks it) or JSON Lines (one object per item, fields
    /// nested), streaming from the database.
    /// </summary>
    public async Task ExportAsync(Guid batchId, ExportFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        await using var writer = new StreamWriter(output, Utf8, bufferSize: 64 * 1024, leaveOpen: true) { NewLine = "\n" };
        // A JSONL or Label Studio upload may give items different fields: the CSV's columns are read first, streaming.
        string[] columns = [];
        if (format == ExportFormat.Csv)
        {
            columns = await FieldNamesAsync(batchId, cancellationToken);
            await writer.WriteLineAsync(CsvLine(["row", "external_id", .. columns, "label", "confidence", "status", "answers", "gold", "reviewed_by", "project_version"]));
        }

        var written = 0;
        await foreach (var row in StreamAsync(batchId, cancellationToken))
        {
            var fields = ItemFields.Parse(row.Data);
            if (format == ExportFormat.Jsonl)
            {
                await writer.WriteLineAsync(JsonLine(row, fields));
            }
            else
            {
                await writer.WriteLineAsync(CsvLine([
                    Number(row.RowNumber), row.ExternalId, .. columns.Select(c => fields.GetValueOrDefault(c)), row.Label,
                    row.Confidence?.ToString("0.######", CultureInfo.InvariantCulture), row.Status.ToString(), Number(row.Answers),
                    row.IsGold ? "true" : "false", row.ReviewedBy, Number(row.ProjectVersion)]));
            }

            if (++written % 1000 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Every field name of the batch's items, in upload order of first appearance.</summary>
    private async Task<string[]> FieldNamesAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var data = db.Items.AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.RowNumber).Select(i => i.Data);
        await foreach (var item in data.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            names.AddRange(ItemFields.Parse(item).Keys.Where(seen.Add));
        }

        return [.. names];
    }

    /// <summary>One CSV record: a value with a comma, quote, line break or edge space is quoted, its quotes doubled.</summary>
    public static string CsvLine(IEnumerable<string?> values) => string.Join(',', values.Select(CsvValue));

    private static string CsvValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
        return quote ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string JsonLine(ItemResult row, Dictionary<string, string> fields) => JsonSerializer.Serialize(new
    {
        row = row.RowNumber,
        external_id = row.ExternalId,
        fields,
        label = row.Label,
        confidence = row.Confidence,
        status = row.Status.ToString(),
        answers = row.Answers,
        gold = row.IsGold,
        reviewed_by = row.ReviewedBy,
        project_version = row.ProjectVersion,
    });

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private async IAsyncEnumerable<ItemResult> StreamAsync(Guid batchId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Rows(batchId).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    private IQueryable<ItemResult> Rows(Guid batchId) =>
        from item in db.Items.AsNoTracking()
        join batch in db.Batches on item.BatchId equals batch.Id
        where item.BatchId == batchId
        orderby item.RowNumber
        select new ItemResult(
            item.RowNumber, item.ExternalId, item.Data, item.GoldLabel != null, item.GoldLabel ?? item.ConsensusLabel, item.Confidence, item.Status,
            item.AnswerCount,
            db.ReviewDecisions.Where(d => d.ItemId == item.Id).OrderByDescending(d => d.DecidedAt)
                .Join(db.Users, d => d.ReviewerId, u => u.Id, (d, u) => u.Email).FirstOrDefault(),
            batch.ProjectVersion);
}

using System.Text;
using System.Text.Json;
using CrowdLabel.Core.Domain;
using CrowdLabel.Core.Projects;
using CrowdLabel.Core.Tenancy;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Batches.Import;

/// <summary>Limits of batch uploads (configuration section "Import").</summary>
public sealed class ImportOptions
{
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>At most this many row errors are reported; reading stops there.</summary>
    public int MaxErrors { get; set; } = 100;

    /// <summary>
    /// An upload of at least this many items refreshes the database's statistics of the items after it commits (see
    /// <see cref="IItemBulkWriterFactory.RefreshStatisticsAsync"/>); smaller ones are left to the database's own schedule.
    /// </summary>
    public int AnalyzeAfterRows { get; set; } = 1000;
}

/// <summary>A request to upload one batch.</summary>
public sealed record ImportRequest(Guid ProjectId, string BatchName, ImportFormat Format, Stream Content);

/// <summary>The batch name's rules.</summary>
public sealed class ImportRequestValidator : AbstractValidator<ImportRequest>
{
    public ImportRequestValidator()
    {
        RuleFor(x => x.BatchName).NotEmpty().WithMessage("Give the batch a name.")
            .MaximumLength(200).WithMessage("Keep the batch name under 200 characters.");
        RuleFor(x => x.Format).IsInEnum().WithMessage("Upload CSV, JSON Lines or Label Studio JSON.");
    }
}

/// <summary>
/// Imports a batch all or nothing: the file is streamed once, each item checked and written inside one
/// transaction; any error rolls the whole batch back, so a rejected file stores nothing. Memory stays bounded
/// by the size of one item plus the set of external ids seen.
/// </summary>
public sealed class ImportService(ICrowdLabelDb db, ITenantContext tenantContext, IItemBulkWriterFactory writers, IOptions<ImportOptions> options, TimeProvider clock)
{
    public const string IdField = "id";
    public const string GoldField = "gold";
    public const int MaxExternalIdLength = 200;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);
    private static readonly ImportRequestValidator Validator = new();

    /// <summary>Tells the format from a content type or, failing that, a file name; null when neither says.</summary>
    public static ImportFormat? FormatOf(string? contentType, string? fileName)
    {
        var type = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        return (type, extension) switch
        {
            ("text/csv", _) or (_, ".csv") => ImportFormat.Csv,
            ("application/jsonl" or "application/x-ndjson" or "application/x-jsonlines" or "application/jsonlines", _) or (_, ".jsonl" or ".ndjson") => ImportFormat.Jsonl,
            ("application/json", _) or (_, ".json") => ImportFormat.LabelStudio,
            _ => null,
        };
    }

    public async Task<Result<Batch>> ImportAsync(ImportRequest request, CancellationToken cancellationToken = default)
    {
        var tenantId = tenantContext.TenantId ?? throw new InvalidOperationException("Importing needs a current tenant.");
        var validation = await Validator.ValidateAsync(request, cancellationToken);
        if (!validation.IsValid)
        {
            return Result<Batch>.Invalid(validation);
        }

        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.ProjectId, cancellationToken);
        if (project is null)
        {
            return Result<Batch>.NotFound();
        }

        var labels = await db.ProjectLabels.AsNoTracking()
            .Where(l => l.ProjectId == project.Id && l.ProjectVersion == project.Version)
            .OrderBy(l => l.Ordinal).Select(l => l.Name).ToListAsync(cancellationToken);
        var check = new RowChecker(ItemTemplate.Parse(project.ItemTemplate).Fields, labels, columnsFromHeader: request.Format == ImportFormat.Csv);
        var errors = new List<ImportError>();
        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, ProjectId = project.Id, ProjectVersion = project.Version,
            Name = request.BatchName.Trim(), Currency = project.Currency, CreatedAt = now,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Batches.Add(batch);
        await db.SaveChangesAsync(cancellationToken);
        var rows = 0;
        var gold = 0;
        await using (var writer = await writers.CreateAsync(db, cancellationToken))
        {
            try
            {
                var limited = new LimitedStream(request.Content, options.Value.MaxFileBytes);
                using var text = new StreamReader(limited, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
                await foreach (var parsed in Read(request.Format, limited, text, cancellationToken))
                {
                    rows = parsed.RowNumber;
                    if (parsed.Error is not null)
                    {
                        errors.Add(new ImportError(parsed.RowNumber == 0 ? null : parsed.RowNumber, parsed.ErrorColumn, parsed.Error));
                    }
                    else if (check.Check(parsed, errors) is { } item && errors.Count == 0)
                    {
                        // Once any error is found nothing more is written, but reading goes on to report more errors.
                        gold += item.Gold is null ? 0 : 1;
                        await writer.AddAsync(new Item
                        {
                            Id = Guid.CreateVersion7(), TenantId = tenantId, BatchId = batch.Id, RowNumber = parsed.RowNumber,
                            ExternalId = item.ExternalId, Data = item.Data, GoldLabel = item.Gold, RedundancyTarget = project.BaseRedundancy,
                        }, cancellationToken);
                    }

                    if (errors.Count >= options.Value.MaxErrors || parsed.Fatal || check.StopReading)
                    {
                        break;
                    }
                }

                if (errors.Count == 0)
                {
                    await writer.CompleteAsync(cancellationToken);
                }
            }
            catch (DecoderFallbackException)
            {
                errors.Add(new ImportError(null, null,
                    $"The file is not valid UTF-8 (the problem is at or after row {Math.Max(rows, 1)}). Save it with UTF-8 encoding and upload it again."));
            }
            catch (FileTooLargeException e)
            {
                errors.Add(new ImportError(null, null, $"{e.Message} Split it into several batches."));
            }
        }

        if (errors.Count == 0 && rows == 0)
        {
            errors.Add(new ImportError(null, null, "The file has no items. A CSV file needs a header row and at least one item row."));
        }

        if (errors.Count > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Result<Batch>.Invalid(errors
                .GroupBy(e => e.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(e => e.ToString()).ToArray(), StringComparer.Ordinal));
        }

        batch.ItemCount = rows;
        batch.GoldCount = gold;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (rows >= options.Value.AnalyzeAfterRows)
        {
            await writers.RefreshStatisticsAsync(db);
        }

        return Result<Batch>.Success(batch);
    }

    private static IAsyncEnumerable<ParsedRow> Read(ImportFormat format, Stream bytes, TextReader text, CancellationToken cancellationToken) => format switch
    {
        ImportFormat.Csv => CsvItemReader.ReadAsync(text, cancellationToken),
        ImportFormat.Jsonl => JsonItemReaders.ReadJsonLinesAsync(text, cancellationToken),
        _ => JsonItemReaders.ReadLabelStudioAsync(new Utf8CheckingStream(bytes), cancellationToken),
    };

    /// <summary>An item that passed the checks, ready to store.</summary>
    private sealed record CheckedItem(string? ExternalId, string? Gold, string Data);

    /// <summary>Per-row rules: required fields, gold among the labels, external ids unique in the batch.</summary>
    private sealed class RowChecker(IReadOnlyList<string> requiredFields, IReadOnlyList<string> labels, bool columnsFromHeader)
    {
        private readonly Dictionary<string, int> _externalIds = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _labels = labels.ToDictionary(l => l, l => l, StringComparer.OrdinalIgnoreCase);
        private readonly ArrayBufferWriterPool _buffer = new();

        /// <summary>Set when going on would only repeat the same error on every row.</summary>
        public bool StopReading { get; private set; }

        public CheckedItem? Check(ParsedRow row, List<ImportError> errors)
        {
            var before = errors.Count;
            string? externalId = null;
            string? gold = null;
            foreach (var field in requiredFields)
            {
                if (!row.Fields.Exists(f => string.Equals(f.Key, field, StringComparison.Ordinal)))
                {
                    // A CSV file's rows all have the header's columns: report the header once and stop there.
                    errors.Add(columnsFromHeader
                        ? new ImportError(null, field, $"The header has no column \"{field}\"; the project's item template shows it, so every item needs it.")
                        : new ImportError(row.RowNumber, field, $"the field \"{field}\" is missing; the project's item template shows it."));
                    StopReading |= columnsFromHeader;
                }
            }

            foreach (var (name, value) in row.Fields)
            {
                if (name == IdField && value.Length > 0)
                {
                    if (value.Length > MaxExternalIdLength)
                    {
                        errors.Add(new ImportError(row.RowNumber, IdField, $"the id is longer than {MaxExternalIdLength} characters."));
                    }
                    else if (!_externalIds.TryAdd(value, row.RowNumber))
                    {
                        errors.Add(new ImportError(row.RowNumber, IdField, $"the id \"{value}\" is already used by row {_externalIds[value]}; ids must be unique in a batch."));
                    }

                    externalId = value;
                }
                else if (name == GoldField && value.Trim().Length > 0)
                {
                    if (_labels.TryGetValue(value.Trim(), out var label))
                    {
                        gold = label;
                    }
                    else
                    {
                        errors.Add(new ImportError(row.RowNumber, GoldField, $"the gold answer \"{value}\" is not one of the project's labels: {string.Join(", ", labels)}."));
                    }
                }
            }

            return errors.Count > before ? null : new CheckedItem(externalId, gold, _buffer.Serialize(row.Fields));
        }
    }

    /// <summary>Serializes an item's fields (without id and gold: workers never see the gold answer) to one JSON object.</summary>
    private sealed class ArrayBufferWriterPool
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _json;

        // One writer for the whole file, reset per row: a million rows make a million strings, not a million writers.
        public ArrayBufferWriterPool() => _json = new Utf8JsonWriter(_buffer);

        public string Serialize(List<KeyValuePair<string, string>> fields)
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                if (name is not (IdField or GoldField))
                {
                    _json.WriteString(name, value);
                }
            }

            _json.WriteEndObject();
            _json.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }
    }

    /// <summary>System.Text.Json reports invalid UTF-8 as a JsonException; check it first so the message says "encoding".</summary>
    private sealed class Utf8CheckingStream(Stream inner) : ReadOnlyStream
    {
        private readonly Decoder _decoder = StrictUtf8.GetDecoder();
        private readonly char[] _chars = new char[64 * 1024 + 16];

        public override int Read(byte[] buffer, int offset, int count) => Check(buffer.AsSpan(offset, inner.Read(buffer, offset, Math.Min(count, 64 * 1024))));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var slice = buffer[..Math.Min(buffer.Length, 64 * 1024)];
            var read = await inner.ReadAsync(slice, cancellationToken);
            return Check(slice.Span[..read]);
        }

        private int Check(ReadOnlySpan<byte> bytes)
        {
            // Throws DecoderFallbackException on invalid UTF-8; the decoder keeps partial sequences across reads.
            _decoder.GetChars(bytes, _chars, flush: bytes.Length == 0);
            return bytes.Length;
        }
    }
}

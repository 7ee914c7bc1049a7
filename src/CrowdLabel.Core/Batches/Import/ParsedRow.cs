namespace CrowdLabel.Core.Batches.Import;

/// <summary>The file formats a batch can be uploaded in.</summary>
public enum ImportFormat
{
    Csv,
    Jsonl,
    LabelStudio,
}

/// <summary>One item read from an uploaded file, or the reason it could not be read.</summary>
public sealed class ParsedRow
{
    /// <summary>The item's position in the file, from 1 (a CSV header is not a row).</summary>
    public int RowNumber { get; init; }

    /// <summary>The item's fields in file order; "id" and "gold" included when present.</summary>
    public List<KeyValuePair<string, string>> Fields { get; init; } = [];

    public string? Error { get; init; }

    public string? ErrorColumn { get; init; }

    /// <summary>The reader cannot go on after this error (the file's structure is broken).</summary>
    public bool Fatal { get; init; }

    public static ParsedRow Failed(int row, string message, string? column = null, bool fatal = false) =>
        new() { RowNumber = row, Error = message, ErrorColumn = column, Fatal = fatal };
}

/// <summary>One problem found in an uploaded file: where (row, column) and what to fix.</summary>
public sealed record ImportError(int? Row, string? Column, string Message)
{
    /// <summary>The key of this error in a field-level errors map: "file", "rows[12]" or "rows[12].text".</summary>
    public string Key => Row is null ? "file" : Column is null ? $"rows[{Row}]" : $"rows[{Row}].{Column}";

    public override string ToString() =>
        Row is null ? Message : Column is null ? $"Row {Row}: {Message}" : $"Row {Row}, column \"{Column}\": {Message}";
}

/// <summary>The size limit of an upload was passed while reading it.</summary>
public sealed class FileTooLargeException(long limit) : IOException($"The file is larger than the {limit / (1024 * 1024)} MB limit.")
{
    public long Limit { get; } = limit;
}

/// <summary>The plumbing of a forward-only, read-only stream; subclasses implement reading.</summary>
public abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A read-only stream that refuses to deliver more than a set number of bytes.</summary>
public sealed class LimitedStream(Stream inner, long limit) : ReadOnlyStream
{
    private long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    private int Count(int read)
    {
        _read += read;
        return _read > limit ? throw new FileTooLargeException(limit) : read;
    }
}

namespace CrowdLabel.Cli;

/// <summary>An input file the command cannot use: which file, which line (0 for the file as a whole), and what is wrong.</summary>
public sealed class InputFileException(string path, int line, string problem)
    : Exception(line > 0 ? $"{path}, line {line}: {problem}" : $"{path}: {problem}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>The 1-based line number of the problem, or 0 when it concerns the whole file.</summary>
    public int Line { get; } = line;

    /// <summary>What is wrong, without the file and line.</summary>
    public string Problem { get; } = problem;
}

using System.Diagnostics;

namespace CrowdLabel.Benchmarks;

/// <summary>Runs this benchmark program again as a child process, so a measurement's peak working set is its own.</summary>
internal static class ChildProcess
{
    /// <summary>Runs the program with <paramref name="args"/> (a subcommand and its arguments); returns its exit code, output and wall-clock seconds.</summary>
    public static (int ExitCode, string Output, double Seconds) Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, clock.Elapsed.TotalSeconds);
    }
}

using System.Globalization;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// CPU time as Linux counts it in /proc, for the work benchmark's window: all PostgreSQL server processes together, and
/// the machine's idle time. Zero where /proc is not there. A backend that exits inside the window takes its time with
/// it; the site's pooled connections keep theirs open, so what the load costs the server is counted.
/// </summary>
internal static class MachineCpu
{
    /// <summary>Linux reports process and machine times in clock ticks of 1/100 s (USER_HZ) on every architecture it runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User and system time of every process named postgres so far.</summary>
    public static TimeSpan Postgres()
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }

        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out _))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": utime and stime are fields 14 and 15, the 12th and 13th after the comm.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || stat[(stat.IndexOf('(') + 1)..close] != "postgres")
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended between the listing and the read.
            }
        }

        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>The machine's idle time so far, all cores ("cpu" line of /proc/stat: idle and iowait).</summary>
    public static TimeSpan Idle()
    {
        if (!File.Exists("/proc/stat"))
        {
            return TimeSpan.Zero;
        }

        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(cpu[4], CultureInfo.InvariantCulture) + long.Parse(cpu[5], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}

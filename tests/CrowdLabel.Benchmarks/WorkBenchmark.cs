using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrowdLabel.Data;
using CrowdLabel.Testing;
using Npgsql;

namespace CrowdLabel.Benchmarks;

/// <summary>
/// Workers claiming and answering over HTTP (issue 5): the real site in its own process on 127.0.0.1, backed by
/// PostgreSQL, and N concurrent worker loops in this process, each doing claim then answer (one cycle) with its own
/// personal token. pgbench's simple-update runs with as many clients on the same server, as the yardstick, before the site
/// starts and again after it stops.
/// <code>
/// tests/CrowdLabel.Benchmarks/run.sh work [--workers 64,256] [--warmup 120] [--seconds 20] [--items 100000] [--pace 0.17] [--paced-warmup 30] [--pg-stats] [--redundancy 3] [--sql-log FILE] [--site-log FILE] [--site-env NAME=VALUE ...] [--site-connection KEY=VALUE;...] [--timeline]
/// </code>
/// --sql-log turns on EF Core's command log in the site, writes the site's output to FILE and counts the SQL commands
/// per cycle (run it with one worker for a clean count). --site-log writes the site's output to FILE (at Warning, or what
/// Logging__LogLevel__* variables in this process's environment ask for: the site inherits them). --timeline prints the measured window by quarter second (cycles
/// ended, mean and slowest cycle), to tell a stall from spread. --site-env sets one environment variable of the site's
/// process only (repeat it for more), to measure a runtime setting without changing the load generator.
/// --site-connection adds Npgsql settings to the site's connection string only (e.g. "Maximum Pool Size=16").
/// </summary>
internal static partial class WorkBenchmark
{
    private const string PgbenchDatabase = "cl_pgbench";

    /// <summary>A cycle makes about twenty SQL round trips over loopback: it cannot take under 1 ms, which bounds the cycles a worker can record.</summary>
    private const int MaxCyclesPerWorkerSecond = 1000;

    private static readonly double[] Percentiles = [0.50, 0.95, 0.99];

    public static int Run(string[] args) => RunAsync(Settings.Parse(args)).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(Settings settings)
    {
        if (TestDatabase.PostgresServer is null)
        {
            Console.Error.WriteLine($"{TestDatabase.PostgresEnvironmentVariable} is not set: run tests/CrowdLabel.Benchmarks/run.sh work, which starts a PostgreSQL server.");
            return 2;
        }

        if (settings.PgStats && !await StatementStats.PreloadedAsync(TestDatabase.PostgresServer))
        {
            Console.Error.WriteLine("--pg-stats needs pg_stat_statements preloaded by the server: run it as " +
                                    "PG_EXTRA_OPTIONS=\"-c shared_preload_libraries=pg_stat_statements\" tests/CrowdLabel.Benchmarks/run.sh work --pg-stats");
            return 2;
        }

        var site = FindSite();
        Console.Error.WriteLine($"site: {site}");
        var pgbench = new Pgbench(TestDatabase.PostgresServer);
        await pgbench.InitializeAsync();
        var rows = new List<LoadResult>();
        try
        {
            foreach (var workers in settings.Workers)
            {
                // pgbench on the quiet server first (the paced load needs its figure), and again once the site has stopped,
                // as earlier runs measured it: the server is then still writing out and vacuuming what the load left.
                Console.Error.WriteLine($"pgbench simple-update, {workers} clients, {settings.Measured.TotalSeconds:F0} s, quiet server ...");
                var tps = await pgbench.SimpleUpdateAsync(workers, settings.Measured);
                var load = await RunLoadAsync(site, workers, settings, tps);
                Console.Error.WriteLine($"pgbench simple-update, {workers} clients, {settings.Measured.TotalSeconds:F0} s, after the load ...");
                rows.Add(load with { PgbenchAfterTps = await pgbench.SimpleUpdateAsync(workers, settings.Measured) });
            }
        }
        finally
        {
            await pgbench.DropAsync();
        }

        PrintTable(rows, settings);
        return rows.All(r => r.Errors == 0 && (r.Paced?.Errors ?? 0) == 0) ? 0 : 1;
    }

    /// <summary>
    /// A fresh database set up through the real services, the site started on it, and the worker loops against it: flat
    /// out, then (unless --pace 0) paced so that together they offer the given share of pgbench's transactions per second.
    /// </summary>
    private static async Task<LoadResult> RunLoadAsync(string siteDll, int workers, Settings settings, double pgbenchTps)
    {
        var clock = Stopwatch.StartNew();
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var services = await AppServices.CreateAsync(database, configure: WorkScenario.CheapPasswordHashes);
        var tenant = await Scenario.CreateTenantAsync(services, "bench");
        // Every worker must find work to the end: a worker's cycles are bounded by the items (never the same item twice),
        // all cycles together by items x redundancy. The same batch size at every N keeps the runs comparable.
        var items = settings.Items;
        var batchId = await WorkScenario.CreatePublishedBatchAsync(services, tenant, items, settings.Redundancy);
        var workerIds = await WorkScenario.CreateWorkersAsync(services, workers);
        var tokens = new string[workers];
        for (var w = 0; w < workers; w++)
        {
            tokens[w] = await WorkScenario.CreateTokenAsync(services, workerIds[w]);
        }

        Console.Error.WriteLine($"{workers} workers: a batch of {items:N0} items at redundancy {settings.Redundancy}, workers and tokens made in {clock.Elapsed.TotalSeconds:F1} s");
        await using var site = await Site.StartAsync(siteDll,
            settings.SiteConnectionOptions is { } extra ? $"{database.ConnectionString};{extra}" : database.ConnectionString, settings.SqlLog, settings.SiteLog, settings.SiteEnvironment);
        Console.Error.WriteLine($"{workers} workers: site up on {site.Address}; {settings.WarmUp.TotalSeconds:F0} s warm-up, {settings.Measured.TotalSeconds:F0} s measured ...");
        var statements = settings.PgStats ? await StatementStats.StartAsync(database.ConnectionString) : null;
        var result = await LoadAsync(site, batchId, tokens, settings.WarmUp, settings, pace: null) with { PgbenchTps = pgbenchTps };
        if (statements is not null)
        {
            await statements.PrintAsync(result.AllCycles);
        }

        if (settings.PaceShare > 0)
        {
            var rate = settings.PaceShare * pgbenchTps;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{workers} workers paced at {rate:F0} cycles/s together ({settings.PaceShare:P0} of pgbench's {pgbenchTps:F0} tps): {settings.PacedWarmUp.TotalSeconds:F0} s warm-up, {settings.Measured.TotalSeconds:F0} s measured ..."));
            result = result with { Paced = await LoadAsync(site, batchId, tokens, settings.PacedWarmUp, settings, pace: rate) with { PgbenchTps = pgbenchTps } };
        }

        if (settings.SqlLog is not null)
        {
            await site.DisposeAsync();
            var commands = File.ReadLines(settings.SqlLog).Count(l => l.Contains("Executed DbCommand", StringComparison.Ordinal));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SQL commands logged by the site: {commands:N0} over {result.AllCycles:N0} cycles (warm-up included) = {(double)commands / Math.Max(1, result.AllCycles):F1} per cycle"));
        }

        return result;
    }

    /// <summary>
    /// The worker loops against the site for <paramref name="warmUp"/> and then the measured window. With
    /// <paramref name="pace"/> (cycles a second, all workers together) each worker starts its cycles on a fixed schedule
    /// instead of one after the other.
    /// </summary>
    private static async Task<LoadResult> LoadAsync(Site site, Guid batchId, string[] tokens, TimeSpan warmUp, Settings settings, double? pace)
    {
        var address = site.Address;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = tokens.Length * 2,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var state = new LoadState(Stopwatch.GetTimestamp(), warmUp, settings.Measured);
        var capacity = (int)Math.Ceiling(settings.Measured.TotalSeconds * MaxCyclesPerWorkerSecond);
        // Paced: each worker starts a cycle every N / pace seconds, the workers' schedules spread evenly over one interval.
        var interval = pace is { } rate ? (long)(tokens.Length / rate * Stopwatch.Frequency) : 0;
        var loops = tokens.Select((token, w) => Task.Run(() => WorkerLoopAsync(
            http, batchId, token, state, new Timing[capacity], interval, state.Start + (interval * w / tokens.Length)))).ToArray();
        var siteCpu = MeasureWindowAsync(state, () => site.ProcessorTime);
        var ownCpu = MeasureWindowAsync(state, () => Environment.CpuUsage.TotalTime);
        var postgresCpu = MeasureWindowAsync(state, MachineCpu.Postgres);
        var idleCpu = MeasureWindowAsync(state, MachineCpu.Idle);
        var latencies = await Task.WhenAll(loops);

        var timings = latencies.SelectMany(l => l).ToArray();
        if (settings.Timeline)
        {
            // Where the slow cycles are: spread over the window (each request's own share of the CPU) or bunched (a stall).
            Console.Error.WriteLine("measured window by quarter second: cycles ended, mean and slowest cycle ms");
            foreach (var slot in timings.GroupBy(t => (int)(t.EndedAt / 250)).OrderBy(g => g.Key))
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{slot.Key * 0.25,6:F2} s {slot.Count(),5} {slot.Average(t => t.Cycle),6:F0} {slot.Max(t => t.Cycle),6:F0}"));
            }
        }

        var seconds = settings.Measured.TotalSeconds;
        var perCycle = Math.Max(1, timings.Length);
        return new LoadResult(
            tokens.Length, timings.Length, timings.Length / seconds, PercentilesOf(t => t.Cycle),
            PercentilesOf(t => t.Claim), PercentilesOf(t => t.Answer),
            state.Errors, state.FirstError, state.NothingLeft, state.AllCycles, PgbenchTps: 0,
            SiteCpuPerCycle: await siteCpu / perCycle, LoadCpuPerCycle: await ownCpu / perCycle, PostgresCpuPerCycle: await postgresCpu / perCycle,
            IdleShare: (await idleCpu).TotalSeconds / (seconds * Environment.ProcessorCount), Pace: pace, Late: timings.Count(t => t.Late), Paced: null);

        double[] PercentilesOf(Func<Timing, double> of)
        {
            var sorted = timings.Select(of).ToArray();
            Array.Sort(sorted);
            return [.. Percentiles.Select(p => Percentile(sorted, p))];
        }
    }

    /// <summary>How much CPU a process used in the measured window (sampled at its two edges).</summary>
    private static async Task<TimeSpan> MeasureWindowAsync(LoadState state, Func<TimeSpan> processorTime)
    {
        await Task.Delay(Until(state.MeasureStart));
        var before = processorTime();
        await Task.Delay(Until(state.End));
        return processorTime() - before;

        static TimeSpan Until(long timestamp) => TimeSpan.FromTicks(Math.Max(0, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp).Ticks));
    }

    /// <summary>
    /// One worker: claim, answer with the task's first label, again, until the run ends. A cycle is recorded when it ends
    /// inside the measured window (so cycles under way at either edge balance out); its latency is claim plus answer,
    /// and each request's own latency is kept beside it.
    /// <para>
    /// With an <paramref name="interval"/> the worker is paced: its k-th cycle is due at <paramref name="firstDue"/> + k
    /// intervals, and it waits for that moment unless it is behind. A paced cycle's latency runs from the moment it was
    /// due, not from when it could start, so a worker held up by a slow cycle counts that wait in its next ones too (no
    /// "coordinated omission": a stall cannot hide the cycles it delayed).
    /// </para>
    /// </summary>
    private static async Task<ArraySegment<Timing>> WorkerLoopAsync(
        HttpClient http, Guid batchId, string token, LoadState state, Timing[] latencies, long interval, long firstDue)
    {
        var recorded = 0;
        var authorization = new AuthenticationHeaderValue("Bearer", token);
        var claimPath = $"/api/v1/work/batches/{batchId}/claim";
        var due = firstDue;
        while (Stopwatch.GetTimestamp() < state.End)
        {
            var late = false;
            if (interval > 0)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                late = Stopwatch.GetTimestamp() - due > interval;
            }

            var started = interval > 0 ? due : Stopwatch.GetTimestamp();
            due += interval;
            var claimed = started;
            try
            {
                using var claim = await SendAsync(http, claimPath, authorization, body: null);
                if (claim.StatusCode == HttpStatusCode.NoContent)
                {
                    Interlocked.Increment(ref state.NothingLeft);
                    break;
                }

                if (!claim.IsSuccessStatusCode)
                {
                    state.Fail($"claim: {(int)claim.StatusCode} {await claim.Content.ReadAsStringAsync()}");
                    await WaitIfRefused(claim);
                    continue;
                }

                var (assignmentId, label) = ReadTask(await claim.Content.ReadAsStreamAsync());
                claimed = Stopwatch.GetTimestamp();
                using var answer = await SendAsync(http, $"/api/v1/work/assignments/{assignmentId}/answer", authorization, JsonSerializer.Serialize(new { label }));
                if (!answer.IsSuccessStatusCode)
                {
                    state.Fail($"answer: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
                    await WaitIfRefused(answer);
                    continue;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                state.Fail($"{e.GetType().Name}: {e.Message}");
                continue;
            }

            var ended = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref state.AllCycles);
            if (ended >= state.MeasureStart && ended < state.End && recorded < latencies.Length)
            {
                latencies[recorded++] = new Timing(
                    Milliseconds(started, ended), Milliseconds(started, claimed), Milliseconds(claimed, ended), Milliseconds(state.MeasureStart, ended), late);
            }
        }

        return new ArraySegment<Timing>(latencies, 0, recorded);

        static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, AuthenticationHeaderValue authorization, string? body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = authorization;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>
    /// A worker the site's rate limit refused (429) waits as long as its Retry-After says, as a well-behaved script
    /// would, instead of sending again at once: a loop of refusals would take CPU from the cycles being measured.
    /// </summary>
    private static Task WaitIfRefused(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests
            ? Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1))
            : Task.CompletedTask;

    /// <summary>The assignment id and the first label of a claimed task ({assignmentId, item, labels: [{name, ...}], ...}).</summary>
    private static (Guid AssignmentId, string Label) ReadTask(Stream json)
    {
        using var task = JsonDocument.Parse(json);
        var root = task.RootElement;
        return (root.GetProperty("assignmentId").GetGuid(), root.GetProperty("labels")[0].GetProperty("name").GetString()!);
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of the values at or under it.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void PrintTable(List<LoadResult> rows, Settings settings)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"claim + answer cycles over HTTP, {settings.WarmUp.TotalSeconds:F0} s warm-up, {settings.Measured.TotalSeconds:F0} s measured, a batch of {settings.Items} items at redundancy {settings.Redundancy}; pgbench -b simple-update -j 2 -T {settings.Measured.TotalSeconds:F0}"));
        Console.WriteLine("| workers | cycles | cycles/s | p50 ms | p95 ms | p99 ms | claim p50/p95/p99 ms | answer p50/p95/p99 ms | errors | site CPU ms/cycle | load CPU ms/cycle | PostgreSQL CPU ms/cycle | machine idle | pgbench tps: quiet, after | cycles/s as % of pgbench tps: quiet, after |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Workers} | {r.Cycles:N0} | {r.CyclesPerSecond:F0} | {r.Latency[0]:F1} | {r.Latency[1]:F1} | {r.Latency[2]:F1} | {Slashed(r.ClaimLatency)} | {Slashed(r.AnswerLatency)} | {r.Errors} | {r.SiteCpuPerCycle.TotalMilliseconds:F2} | {r.LoadCpuPerCycle.TotalMilliseconds:F2} | {r.PostgresCpuPerCycle.TotalMilliseconds:F2} | {r.IdleShare:P1} | {r.PgbenchTps:F0}, {r.PgbenchAfterTps:F0} | {100 * r.CyclesPerSecond / r.PgbenchTps:F1} %, {100 * r.CyclesPerSecond / r.PgbenchAfterTps:F1} % |"));
        }

        var paced = rows.Where(r => r.Paced is not null).Select(r => r.Paced!).ToList();
        if (paced.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"the same workers paced, {settings.PacedWarmUp.TotalSeconds:F0} s warm-up, {settings.Measured.TotalSeconds:F0} s measured: each starts a cycle on a fixed schedule, together {settings.PaceShare:P0} of pgbench's tps; a cycle's latency runs from when it was due"));
            Console.WriteLine("| workers | offered cycles/s | cycles | cycles/s | as % of pgbench tps | p50 ms | p95 ms | p99 ms | claim p50/p95/p99 ms | answer p50/p95/p99 ms | late cycles | errors | site CPU ms/cycle |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in paced)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Workers} | {r.Pace:F0} | {r.Cycles:N0} | {r.CyclesPerSecond:F0} | {100 * r.CyclesPerSecond / r.PgbenchTps:F1} % | {r.Latency[0]:F1} | {r.Latency[1]:F1} | {r.Latency[2]:F1} | {Slashed(r.ClaimLatency)} | {Slashed(r.AnswerLatency)} | {r.Late} | {r.Errors} | {r.SiteCpuPerCycle.TotalMilliseconds:F2} |"));
            }
        }

        foreach (var r in rows.Concat(paced).Where(r => r.FirstError is not null || r.NothingLeft > 0))
        {
            var idle = r.NothingLeft > 0 ? " (idle workers make the figures low: run again with more --items)" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Workers} workers: {r.Errors} errors, first: {r.FirstError}; {r.NothingLeft} workers ran out of tasks{idle}"));
        }

        static string Slashed(double[] latencies) => string.Join(" / ", latencies.Select(l => l.ToString("F1", CultureInfo.InvariantCulture)));
    }

    /// <summary>The site's Release build, which run.sh builds (web/CrowdLabel.Web/bin/Release/net10.0/CrowdLabel.Web.dll).</summary>
    private static string FindSite()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var dll = Path.Combine(folder.FullName, "web", "CrowdLabel.Web", "bin", "Release", "net10.0", "CrowdLabel.Web.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("The site's Release build was not found: dotnet build web/CrowdLabel.Web -c Release (run.sh work does it).");
    }

    [GeneratedRegex(@"^tps = (?<tps>[0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex TpsLine();

    /// <summary>The command line. PaceShare: the paced load's rate as a share of pgbench's tps (--pace, default 0: no paced load).</summary>
    private sealed record Settings(
        int[] Workers, TimeSpan WarmUp, TimeSpan Measured, int Items, int Redundancy, string? SqlLog, string? SiteLog, bool Timeline, double PaceShare, TimeSpan PacedWarmUp, bool PgStats,
        IReadOnlyList<KeyValuePair<string, string>> SiteEnvironment, string? SiteConnectionOptions)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            double Seconds(string name, double fallback) => Value(name) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;
            var workers = (Value("--workers") ?? "64,256").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
            int Count(string name, int fallback) => Value(name) is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : fallback;
            return new Settings(
                workers, TimeSpan.FromSeconds(Seconds("--warmup", 120)), TimeSpan.FromSeconds(Seconds("--seconds", 20)),
                Count("--items", 100_000), Count("--redundancy", 3), Value("--sql-log"), Value("--site-log"), args.Contains("--timeline"),
                Seconds("--pace", 0), TimeSpan.FromSeconds(Seconds("--paced-warmup", 30)), args.Contains("--pg-stats"),
                [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--site-env").Select(p => Setting(args.ElementAtOrDefault(p.i + 1)))],
                ConnectionSettings(Value("--site-connection")));
        }

        /// <summary>The --site-connection settings, refused before anything runs when Npgsql does not take them.</summary>
        private static string? ConnectionSettings(string? settings)
        {
            try
            {
                return settings is null ? null : new NpgsqlConnectionStringBuilder(settings).ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--site-connection takes Npgsql settings (KEY=VALUE;...), not '{settings}': {e.Message}", e);
            }
        }

        /// <summary>One --site-env value, NAME=VALUE, refused before anything runs when it is not one.</summary>
        private static KeyValuePair<string, string> Setting(string? setting)
        {
            var equals = setting?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            return equals > 0
                ? new(setting![..equals], setting[(equals + 1)..])
                : throw new ArgumentException($"--site-env takes NAME=VALUE, not '{setting}'.");
        }
    }

    /// <summary>
    /// One load's figures. Pace: the cycles a second the workers offered together, or null when they went flat out; Late:
    /// paced only, cycles that started more than one interval after they were due; Paced: the paced load that followed
    /// this flat-out one, if any.
    /// </summary>
    private sealed record LoadResult(
        int Workers, int Cycles, double CyclesPerSecond, double[] Latency, double[] ClaimLatency, double[] AnswerLatency, int Errors, string? FirstError, int NothingLeft, int AllCycles, double PgbenchTps,
        TimeSpan SiteCpuPerCycle, TimeSpan LoadCpuPerCycle, TimeSpan PostgresCpuPerCycle, double IdleShare, double? Pace, int Late, LoadResult? Paced, double PgbenchAfterTps = 0);

    /// <summary>One measured cycle's latency, and its two requests' (milliseconds); Late (paced only): it started more than one interval after it was due.</summary>
    private readonly record struct Timing(double Cycle, double Claim, double Answer, double EndedAt, bool Late);

    /// <summary>What the worker loops share: the clock's marks and the counters.</summary>
    private sealed class LoadState(long start, TimeSpan warmUp, TimeSpan measured)
    {
        public int Errors;
        public int NothingLeft;
        public int AllCycles;

        private string? _firstError;

        public long Start { get; } = start;

        public long MeasureStart { get; } = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);

        public long End { get; } = start + (long)((warmUp + measured).TotalSeconds * Stopwatch.Frequency);

        public string? FirstError => _firstError;

        public void Fail(string error)
        {
            Interlocked.Increment(ref Errors);
            Interlocked.CompareExchange(ref _firstError, error, null);
        }
    }

    /// <summary>The site in its own process (Production, PostgreSQL, no migration or seed), stopped on dispose.</summary>
    private sealed class Site : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly TextWriter _output;
        private readonly TextWriter _log;
        private bool _stopped;

        private Site(Process process, TextWriter output, Uri address)
        {
            _process = process;
            _output = output;
            _log = TextWriter.Synchronized(output);
            Address = address;
        }

        public Uri Address { get; }

        /// <summary>CPU time the site's process has used so far (user and kernel).</summary>
        public TimeSpan ProcessorTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        public static async Task<Site> StartAsync(string dll, string connectionString, string? sqlLog, string? siteLog, IReadOnlyList<KeyValuePair<string, string>> environment)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort()}");
            var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
            var start = new ProcessStartInfo(host)
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)!,
            };
            start.ArgumentList.Add(dll);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(address.ToString().TrimEnd('/'));
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Database__Provider"] = "Postgres";
            start.Environment["ConnectionStrings__CrowdLabel"] = connectionString;
            start.Environment["Database__MigrateOnStart"] = "false";
            start.Environment["Database__SeedDemo"] = "false";
            start.Environment["DataFolder"] = Path.Combine(Path.GetTempPath(), "crowdlabel-work-benchmark");
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            if (sqlLog is not null)
            {
                start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information";
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            // The site's output is kept (in the SQL log or the site log when asked, else in memory) and shown if it fails to start.
            TextWriter output = (sqlLog ?? siteLog) is { } file ? new StreamWriter(file) : new StringWriter();
            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {host} {dll}");
            var site = new Site(process, output, address);
            process.OutputDataReceived += site.Write;
            process.ErrorDataReceived += site.Write;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await site.WaitHealthyAsync();
            }
            catch
            {
                await site.DisposeAsync();
                throw;
            }

            return site;
        }

        public async ValueTask DisposeAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            await _log.FlushAsync();
            _log.Dispose();
        }

        private void Write(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is not null)
            {
                _log.WriteLine(line.Data);
            }
        }

        private async Task WaitHealthyAsync()
        {
            using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                if (_process.HasExited)
                {
                    break;
                }

                try
                {
                    using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
                    if (health.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(250);
            }

            await _log.FlushAsync();
            throw new InvalidOperationException($"The site did not become healthy on {Address} (its output: {(_output is StringWriter text ? text.ToString() : "see the SQL log")})");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    /// <summary>Runs one SQL text on its own connection.</summary>
    private static async Task ExecuteOnAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// --pg-stats: PostgreSQL's own account of the flat-out load (warm-up included), from pg_stat_statements, which the
    /// server must preload (PG_EXTRA_OPTIONS="-c shared_preload_libraries=pg_stat_statements" run.sh work --pg-stats).
    /// </summary>
    private sealed class StatementStats(string connectionString)
    {
        /// <summary>Whether the server loaded pg_stat_statements at start, which it must for the extension to count.</summary>
        public static async Task<bool> PreloadedAsync(string connectionString)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries')", connection);
            var libraries = (string?)await command.ExecuteScalarAsync() ?? "";
            return libraries.Split(',', StringSplitOptions.TrimEntries).Contains("pg_stat_statements");
        }

        public static async Task<StatementStats> StartAsync(string connectionString)
        {
            var stats = new StatementStats(connectionString);
            await stats.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();");
            return stats;
        }

        /// <summary>The statements that took the most time, per cycle of the load and per call.</summary>
        public async Task PrintAsync(int cycles)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT calls, total_exec_time, shared_blks_hit + shared_blks_read, wal_records, wal_fpi, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
                FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                ORDER BY total_exec_time DESC LIMIT 12
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pg_stat_statements over {cycles:N0} cycles: calls per cycle, ms per call, ms per cycle, buffers, WAL records and full pages per call"));
            while (await reader.ReadAsync())
            {
                var calls = Math.Max(1, reader.GetInt64(0));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(double)calls / cycles,6:F2} {reader.GetDouble(1) / calls,8:F3} {reader.GetDouble(1) / cycles,8:F3} {(double)reader.GetInt64(2) / calls,7:F1} {reader.GetDecimal(3) / calls,6:F1} {reader.GetDecimal(4) / calls,6:F2}  {reader.GetString(5)}"));
            }

            await reader.CloseAsync();
            // The work tables since the database was made (its set-up included): how many updates were HOT (no index
            // entry written) and how often autovacuum came by, which sets how many dead entries a claim steps over.
            await using var tables = new NpgsqlCommand("""
                SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, autovacuum_count, n_dead_tup
                FROM pg_stat_user_tables WHERE relname IN ('Items', 'Assignments') ORDER BY relname
                """, connection);
            await using var rows = await tables.ExecuteReaderAsync();
            Console.Error.WriteLine("tables: inserts, updates, HOT share of updates, autovacuums, dead rows at the end");
            while (await rows.ReadAsync())
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {rows.GetString(0),-12} {rows.GetInt64(1),10:N0} {rows.GetInt64(2),10:N0} {(double)rows.GetInt64(3) / Math.Max(1, rows.GetInt64(2)),7:P1} {rows.GetInt64(4),4} {rows.GetInt64(5),10:N0}"));
            }
        }

        private Task ExecuteAsync(string sql) => ExecuteOnAsync(connectionString, sql);
    }

    /// <summary>pgbench (Debian's postgresql packages) on its own database of the same server, at scale 10.</summary>
    private sealed class Pgbench(string server)
    {
        private readonly NpgsqlConnectionStringBuilder _server = new(server);

        public async Task InitializeAsync()
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {PgbenchDatabase} WITH (FORCE)");
            await ExecuteAsync($"CREATE DATABASE {PgbenchDatabase}");
            Console.Error.WriteLine($"pgbench -i -s 10 ({Binary()}) ...");
            await RunAsync("-i", "-s", "10", "-q");
        }

        public async Task<double> SimpleUpdateAsync(int clients, TimeSpan duration)
        {
            var output = await RunAsync(
                "-b", "simple-update", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2",
                "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-n");
            var tps = TpsLine().Match(output);
            return tps.Success
                ? double.Parse(tps.Groups["tps"].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"No \"tps = \" line in pgbench's output:{Environment.NewLine}{output}");
        }

        public Task DropAsync() => ExecuteAsync($"DROP DATABASE IF EXISTS {PgbenchDatabase} WITH (FORCE)");

        private Task ExecuteAsync(string sql) => ExecuteOnAsync(_server.ConnectionString, sql);

        private async Task<string> RunAsync(params string[] args)
        {
            var start = new ProcessStartInfo(Binary()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args.Concat(["-h", _server.Host!, "-p", _server.Port.ToString(CultureInfo.InvariantCulture), "-U", _server.Username!, PgbenchDatabase]))
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start pgbench");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0
                ? await output
                : throw new InvalidOperationException($"pgbench {string.Join(' ', args)} exited with {process.ExitCode}:{Environment.NewLine}{await output}{await errors}");
        }

        /// <summary>The newest /usr/lib/postgresql/*/bin/pgbench, else pgbench on the PATH.</summary>
        private static string Binary() =>
            (Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin", "pgbench")).Where(File.Exists)
                    .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), CultureInfo.InvariantCulture, out var v) ? v : 0)
                    .FirstOrDefault()
                : null) ?? "pgbench";
    }
}

using System.Diagnostics;
using CrowdLabel.Data;
using CrowdLabel.Core.Quality;
using CrowdLabel.Core.Tests.Work;
using CrowdLabel.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrowdLabel.Core.Tests.Quality;

public sealed class ConsensusWriteTests
{
    /// <summary>
    /// A run that changes more items than one write transaction holds (500) writes them in chunks and waits
    /// Quality:WritePause between two chunks, and every item is written all the same. Only a lower bound on the time is
    /// asserted: a delay never ends early, however busy the machine.
    /// </summary>
    [Theory, OnSqlite]
    public async Task ConsensusRun_OverMoreItemsThanAChunk_PausesBetweenItsWrites_AndWritesEveryItem(DatabaseProvider provider)
    {
        const int Items = 501;
        var pause = TimeSpan.FromSeconds(2);
        await using var world = await WorkWorld.StartAsync(provider, items: Items, redundancy: 1, workers: 1);
        await world.WorkUntilDoneAsync(world.Workers[0], _ => "yes");
        world.Services.GetRequiredService<IOptions<QualityOptions>>().Value.WritePause = pause;

        var clock = Stopwatch.StartNew();
        await world.RunConsensusAsync();
        var took = clock.Elapsed;

        Assert.True(took >= pause, $"The run took {took.TotalMilliseconds:F0} ms: it did not pause {pause.TotalMilliseconds:F0} ms between its two write transactions.");
        var (items, _) = await world.SnapshotAsync();
        Assert.Equal(Items, items.Count(i => i.ConsensusLabel == "yes"));
    }
}

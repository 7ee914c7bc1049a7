using System.Runtime.CompilerServices;

namespace CrowdLabel.Consensus;

/// <summary>Sums over all answers in item order into one table (per-worker counts), split over fixed item ranges that run in parallel.</summary>
/// <remarks>Reading the answers in item order keeps the posteriors a sequential read; the table (workers x cells) is small
/// enough to stay in cache. Each range fills its own table and the tables are added in range order, so the total is
/// the same to the last bit whatever the number of threads. The number of ranges depends on the input alone: enough to
/// share the work, few enough that the extra tables cost little next to the answers.</remarks>
internal sealed class PartitionedSums
{
    private const int MaxRanges = 16;

    private readonly int[] _rangeStarts;
    private readonly double[][] _tables;

    public PartitionedSums(AnswerSet answers, int length)
    {
        var ranges = Math.Clamp(answers.Count / Math.Max(4 * length, 1), 1, MaxRanges);
        _rangeStarts = new int[ranges + 1];
        var offsets = answers.ItemOffsetArray;
        for (var r = 1; r < ranges; r++)
        {
            var target = (int)((long)answers.Count * r / ranges);
            var at = Array.BinarySearch(offsets, target);
            _rangeStarts[r] = Math.Max(at >= 0 ? at : ~at, _rangeStarts[r - 1]);
        }

        _rangeStarts[ranges] = answers.ItemCount;
        _tables = new double[ranges][];
        for (var r = 0; r < ranges; r++)
        {
            _tables[r] = new double[length];
        }
    }

    /// <summary>Adds what the answers of items [startItem, endItem) contribute into table.</summary>
    public delegate void Accumulate(int startItem, int endItem, double[] table);

    /// <summary>Clears the tables, lets every range accumulate, and returns the total (owned by this object, overwritten by the next call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Sum(ParallelOptions? scheduling, Accumulate accumulate)
    {
        void Range(int r)
        {
            Array.Clear(_tables[r]);
            accumulate(_rangeStarts[r], _rangeStarts[r + 1], _tables[r]);
        }

        if (scheduling is null || _tables.Length == 1)
        {
            for (var r = 0; r < _tables.Length; r++)
            {
                Range(r);
            }
        }
        else
        {
            Parallel.For(0, _tables.Length, scheduling, Range);
        }

        var total = _tables[0];
        for (var r = 1; r < _tables.Length; r++)
        {
            var table = _tables[r];
            for (var c = 0; c < total.Length; c++)
            {
                total[c] += table[c];
            }
        }

        return total;
    }
}

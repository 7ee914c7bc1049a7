using CrowdLabel.Core.Domain;
using Microsoft.Extensions.Caching.Memory;

namespace CrowdLabel.Core.Work;

/// <summary>Active worker tokens recently presented, by hash, so a worker's API calls do not each look their token up.</summary>
public sealed class ActiveTokenCache : IDisposable
{
    /// <summary>How long a token found active is trusted without looking again; bounds how late a revocation reaches other instances.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public WorkerToken? Find(string tokenHash) => _cache.TryGetValue(tokenHash, out WorkerToken? token) ? token : null;

    public void Remember(WorkerToken token) =>
        _cache.Set(token.TokenHash, token, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    public void Forget(string tokenHash) => _cache.Remove(tokenHash);

    public void Dispose() => _cache.Dispose();
}

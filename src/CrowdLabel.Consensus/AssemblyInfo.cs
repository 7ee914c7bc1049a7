using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("CrowdLabel.Consensus.Tests")]

using NeuralFlow.Backends;
using Xunit.Sdk;

namespace NeuralFlow.Tests;

/// <summary>The guard bytes of <see cref="Sentinels"/> do catch a write past an output.</summary>
public class SentinelsTests
{
    [Fact]
    public void A_write_one_byte_past_the_end_fails_the_check()
    {
        var backend = BackendRegistry.Managed;
        using var guards = new Sentinels(backend);
        nint p = guards.Output(new float[4], "out");
        backend.Upload(new byte[16], p, 0);
        guards.Check("a write inside");
        backend.Upload(new byte[1], p, 16);
        var e = Assert.Throws<TrueException>(() => guards.Check("a write past"));
        Assert.Contains("past the end of out (16 bytes): guard byte 0", e.Message);
    }
}

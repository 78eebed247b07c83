namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// Floats equal within <paramref name="tolerance"/>, relative for values above 1 and absolute below: the
/// Migrate* tests compare training results with torch's and with other runs, which agree to rounding only.
/// </summary>
internal sealed class CloseFloats(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1f, Math.Abs(b));
    public int GetHashCode(float obj) => 0;
}

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>Floats equal within an absolute tolerance, for comparing a run's numbers with a reference script's.</summary>
internal sealed class Near(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => MathF.Abs(a - b) <= tolerance * MathF.Max(1f, MathF.Abs(b));
    public int GetHashCode(float value) => 0;
}

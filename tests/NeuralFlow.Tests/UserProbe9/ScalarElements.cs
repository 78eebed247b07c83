namespace NeuralFlow.Tests.UserProbe9;

/// <summary>Reading a pass of int64 scalar elements (Dataset.Range's) as numbers, for comparing orders.</summary>
internal static class ScalarElements
{
    public static long[] Longs(IEnumerable<Tensor> elements) => elements.Select(t => t.ToArray<long>()[0]).ToArray();
}

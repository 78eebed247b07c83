using NeuralFlow.Backends;

namespace NeuralFlow;

// Issue 16's scan and sort kernels: the calls into IBackend.Scan and IBackend.Sort.
internal static partial class Engine
{
    /// <summary>Cumulative sum or product of <paramref name="x"/> along <paramref name="axis"/> into the fresh, contiguous <paramref name="result"/>.</summary>
    public static void Scan(ScanOp op, Tensor x, int axis, bool exclusive, bool reverse, Tensor result)
    {
        if (Float16Compute.Involves(x, result))
        {
            using var f = new Float16Compute();
            Scan(op, f.In(x), axis, exclusive, reverse, f.Out(result));
            return;
        }
        using var held = new Operands(x);
        x.Backend.Scan(op, x.DType, held.A, x.Layout, axis, exclusive, reverse, result.Data);
    }

    /// <summary>Stable sort of <paramref name="x"/> along <paramref name="axis"/> into the fresh, contiguous values and/or indices (Int32 or Int64).</summary>
    public static void Sort(Tensor x, int axis, bool descending, Tensor? values, Tensor? indices)
    {
        if (Float16Compute.Involves(x, values))
        {
            using var f = new Float16Compute();
            Sort(f.In(x), axis, descending, f.Out(values), indices);
            return;
        }
        using var held = new Operands(x);
        x.Backend.Sort(x.DType, held.A, x.Layout, axis, descending, values?.Data ?? 0, indices?.DType ?? DType.Int32, indices?.Data ?? 0);
    }
}

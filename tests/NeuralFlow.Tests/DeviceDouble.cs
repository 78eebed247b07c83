using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// A stand-in GPU for machines without one: the managed engine's arithmetic, but it calls itself
/// gpu:N and says its memory is not host memory, so the API must reach its buffers only through
/// Upload/Download, exactly as with the CUDA backend. The placement code paths (To, Fit moving
/// batches, device errors) run through it everywhere.
/// </summary>
internal sealed class DeviceDouble(int index) : IBackend
{
    private readonly IBackend _engine = BackendRegistry.Managed;

    public string Name => $"device-double:{index}";
    public string Description => $"test double of gpu:{index} over the managed engine";
    public Device Device => Device.Gpu(index);
    public bool IsHostMemory => false;
    public int Uploads { get; private set; }
    public int Downloads { get; private set; }
    public int Allocations { get; private set; }
    public int Fills { get; private set; }
    /// <summary>Cross-entropy calls that asked for the gradient too (a non-zero gradOut).</summary>
    public int GradientRequests { get; private set; }

    public DeviceBuffer Allocate(long bytes) { Allocations++; return _engine.Allocate(bytes); }
    public MemoryStats GetMemoryStats() => _engine.GetMemoryStats();
    public void Upload(ReadOnlySpan<byte> source, nint destination, long byteOffset) { Uploads++; _engine.Upload(source, destination, byteOffset); }
    public void Download(nint source, long byteOffset, Span<byte> destination) { Downloads++; _engine.Download(source, byteOffset, destination); }
    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout) => _engine.Binary(op, dtype, a, aLayout, b, bLayout, output, outLayout);
    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout) => _engine.Unary(op, dtype, x, xLayout, output, outLayout);
    public void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype) => _engine.Reduce(op, dtype, x, xLayout, axesMask, output, outDtype);
    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output) => _engine.Softmax(log, dtype, x, xLayout, axis, output);
    public void MatMul(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout) => _engine.MatMul(dtype, a, aLayout, b, bLayout, output, outLayout);
    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output) => _engine.Cast(source, x, xLayout, destination, output);
    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout) => _engine.Copy(dtype, x, xLayout, output, outLayout);
    public void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output) => _engine.Gather(dtype, x, xLayout, axis, indexDtype, indices, indexCount, output);
    public void Lu(DType dtype, nint a, in Layout aLayout, nint luOut, nint pivotsOut, nint permOut, nint infoOut, bool check) => _engine.Lu(dtype, a, aLayout, luOut, pivotsOut, permOut, infoOut, check);
    public void TriangularSolve(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, bool lower, bool unitDiagonal, nint output) => _engine.TriangularSolve(dtype, a, aLayout, b, bLayout, lower, unitDiagonal, output);
    public void Cholesky(DType dtype, nint a, in Layout aLayout, nint lOut, nint infoOut, bool check) => _engine.Cholesky(dtype, a, aLayout, lOut, infoOut, check);
    public void ScatterAdd(DType dtype, nint src, in Layout srcLayout, int axis, DType indexDtype, nint indices, long rows, nint output) => _engine.ScatterAdd(dtype, src, srcLayout, axis, indexDtype, indices, rows, output);
    public void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output) => _engine.OneHot(indexDtype, indices, indicesLayout, depth, onValue, offValue, outDtype, output);
    public void Fill(DType dtype, nint output, long count, double value) { Fills++; _engine.Fill(dtype, output, count, value); }
    public void Range(DType dtype, nint output, long count, double start, double delta) => _engine.Range(dtype, output, count, start, delta);
    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high) => _engine.RandomUniform(dtype, output, count, seed, offset, low, high);
    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev) => _engine.RandomNormal(dtype, output, count, seed, offset, mean, stddev);
    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, nint slot2, long count, in OptimizerParams p) => _engine.OptimizerUpdate(kind, dtype, param, grad, slot0, slot1, slot2, count, p);
    public void OptimizerUpdateMulti(OptimizerKind kind, DType dtype, ReadOnlySpan<OptimizerTensor> tensors, in OptimizerParams p) => _engine.OptimizerUpdateMulti(kind, dtype, tensors, p);
    public void Where(DType dtype, nint cond, in Layout condLayout, nint x, in Layout xLayout, nint y, in Layout yLayout, nint output, in Layout outLayout) => _engine.Where(dtype, cond, condLayout, x, xLayout, y, yLayout, output, outLayout);
    public void Scan(ScanOp op, DType dtype, nint x, in Layout xLayout, int axis, bool exclusive, bool reverse, nint output) => _engine.Scan(op, dtype, x, xLayout, axis, exclusive, reverse, output);
    public void Sort(DType dtype, nint x, in Layout xLayout, int axis, bool descending, nint valuesOut, DType indexDtype, nint indicesOut) => _engine.Sort(dtype, x, xLayout, axis, descending, valuesOut, indexDtype, indicesOut);
    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        if (gradOut != 0) GradientRequests++;
        _engine.SoftmaxCrossEntropy(dtype, logits, logitsLayout, labelDtype, labels, sparse, lossOut, gradOut);
    }
}

using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

/// <summary>
/// The kernel half of a native backend, written once for every engine with the C ABI's kernel
/// signatures: layouts become <see cref="NfLayout"/>s on the stack, statuses become exceptions.
/// <see cref="Enter"/> runs before each call (the CUDA backend selects its device there).
/// </summary>
internal abstract unsafe class NativeKernelBackend<TApi> where TApi : struct, INativeApi
{
    /// <summary>Prepares the calling thread for a kernel call (nothing on the CPU).</summary>
    protected virtual void Enter() { }

    private static NfLayout ToNative(in Layout layout)
    {
        NfLayout n = default;
        n.Rank = layout.Rank;
        n.Offset = layout.Offset;
        var dims = layout.Shape.Dims;
        var strides = layout.Strides;
        for (int i = 0; i < dims.Length; i++)
        {
            n.Shape[i] = dims[i];
            n.Strides[i] = strides[i];
        }
        return n;
    }

    /// <inheritdoc cref="IBackend.Binary"/>
    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Binary((int)op, (int)dtype, a, &la, b, &lb, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Unary"/>
    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Unary((int)op, (int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Reduce"/>
    public void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Reduce((int)op, (int)dtype, x, &lx, axesMask, output, (int)outDtype));
    }

    /// <inheritdoc cref="IBackend.Softmax"/>
    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Softmax(log ? 1 : 0, (int)dtype, x, &lx, axis, output));
    }

    /// <inheritdoc cref="IBackend.MatMul"/>
    public void MatMul(DType dtype, nint a, in Layout aLayout, bool transposeA, nint b, in Layout bLayout, bool transposeB, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.MatMul((int)dtype, a, &la, transposeA ? 1 : 0, b, &lb, transposeB ? 1 : 0, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Cast"/>
    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Cast((int)source, x, &lx, (int)destination, output));
    }

    /// <inheritdoc cref="IBackend.Copy"/>
    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Copy((int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Gather"/>
    public void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.Gather((int)dtype, x, &lx, axis, (int)indexDtype, indices, indexCount, output));
    }

    /// <inheritdoc cref="IBackend.OneHot"/>
    public void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output)
    {
        NfLayout li = ToNative(indicesLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.OneHot((int)indexDtype, indices, &li, depth, onValue, offValue, (int)outDtype, output));
    }

    /// <inheritdoc cref="IBackend.Fill"/>
    public void Fill(DType dtype, nint output, long count, double value)
    {
        Enter();
        TApi.ThrowIfFailed(TApi.Fill((int)dtype, output, count, value));
    }

    /// <inheritdoc cref="IBackend.Range"/>
    public void Range(DType dtype, nint output, long count, double start, double delta)
    {
        Enter();
        TApi.ThrowIfFailed(TApi.Range((int)dtype, output, count, start, delta));
    }

    /// <inheritdoc cref="IBackend.RandomUniform"/>
    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high)
    {
        Enter();
        TApi.ThrowIfFailed(TApi.RandomUniform((int)dtype, output, count, seed, offset, low, high));
    }

    /// <inheritdoc cref="IBackend.RandomNormal"/>
    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev)
    {
        Enter();
        TApi.ThrowIfFailed(TApi.RandomNormal((int)dtype, output, count, seed, offset, mean, stddev));
    }

    /// <inheritdoc cref="IBackend.OptimizerUpdate"/>
    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, long count, in OptimizerParams p)
    {
        var np = new NfOptimizerParams
        {
            LearningRate = p.LearningRate, Momentum = p.Momentum, Beta1 = p.Beta1, Beta2 = p.Beta2,
            Epsilon = p.Epsilon, Rho = p.Rho, Nesterov = p.Nesterov ? 1 : 0, Step = p.Step,
        };
        Enter();
        TApi.ThrowIfFailed(TApi.OptimizerUpdate((int)kind, (int)dtype, param, grad, slot0, slot1, count, &np));
    }

    /// <inheritdoc cref="IBackend.SoftmaxCrossEntropy"/>
    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        NfLayout lx = ToNative(logitsLayout);
        Enter();
        TApi.ThrowIfFailed(TApi.SoftmaxCrossEntropy((int)dtype, logits, &lx, (int)labelDtype, labels, sparse ? 1 : 0, lossOut, gradOut));
    }
}

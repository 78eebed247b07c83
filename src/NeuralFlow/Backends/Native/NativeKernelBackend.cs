using System.Runtime.CompilerServices;
using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

/// <summary>
/// The kernel half of a native backend, written once for every engine over its
/// <see cref="NativeKernelTable"/> (the CPU engine's <c>nf_*</c> or the CUDA engine's
/// <c>nf_cuda_*</c> exports): layouts become <see cref="NfLayout"/>s on the stack, statuses
/// become exceptions with that engine's message. <see cref="Enter"/> runs before each call (the
/// CUDA backend selects its device there).
/// </summary>
[SkipLocalsInit]
internal abstract unsafe partial class NativeKernelBackend(in NativeKernelTable kernels)
{
    // Held by value: a call is one load of the function pointer from this object and an
    // unmanaged indirect call, as cheap as the LibraryImport stubs it replaces.
    private protected readonly NativeKernelTable Api = kernels;

    /// <summary>Prepares the calling thread for a kernel call (nothing on the CPU).</summary>
    protected virtual void Enter() { }

    // Fills the fields the C ABI reads (entries past the rank are ignored): the class skips the
    // zeroing of locals, which for three 144-byte layouts per call cost more than the copies.
    [MethodImpl(Hot)]
    private protected static NfLayout ToNative(in Layout layout)
    {
        Unsafe.SkipInit(out NfLayout n);
        n.Rank = layout.Rank;
        n.Reserved = 0;
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
    [MethodImpl(Hot)]
    public void Binary(BinaryOp op, DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        Enter();
        Api.ThrowIfFailed(Api.binary((int)op, (int)dtype, a, &la, b, &lb, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Unary"/>
    [MethodImpl(Hot)]
    public void Unary(UnaryOp op, DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        Enter();
        Api.ThrowIfFailed(Api.unary((int)op, (int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Reduce"/>
    [MethodImpl(Hot)]
    public void Reduce(ReduceOp op, DType dtype, nint x, in Layout xLayout, uint axesMask, nint output, DType outDtype)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.reduce((int)op, (int)dtype, x, &lx, axesMask, output, (int)outDtype));
    }

    /// <inheritdoc cref="IBackend.Softmax"/>
    [MethodImpl(Hot)]
    public void Softmax(bool log, DType dtype, nint x, in Layout xLayout, int axis, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.softmax(log ? 1 : 0, (int)dtype, x, &lx, axis, output));
    }

    /// <inheritdoc cref="IBackend.MatMul"/>
    [MethodImpl(Hot)]
    public void MatMul(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, nint output, in Layout outLayout)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout), lo = ToNative(outLayout);
        Enter();
        Api.ThrowIfFailed(Api.matmul((int)dtype, a, &la, b, &lb, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Cast"/>
    [MethodImpl(Hot)]
    public void Cast(DType source, nint x, in Layout xLayout, DType destination, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.cast((int)source, x, &lx, (int)destination, output));
    }

    /// <inheritdoc cref="IBackend.Copy"/>
    [MethodImpl(Hot)]
    public void Copy(DType dtype, nint x, in Layout xLayout, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        Enter();
        Api.ThrowIfFailed(Api.copy((int)dtype, x, &lx, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Gather"/>
    [MethodImpl(Hot)]
    public void Gather(DType dtype, nint x, in Layout xLayout, int axis, DType indexDtype, nint indices, long indexCount, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.gather((int)dtype, x, &lx, axis, (int)indexDtype, indices, indexCount, output));
    }

    /// <inheritdoc cref="IBackend.ScatterAdd"/>
    [MethodImpl(Hot)]
    public void ScatterAdd(DType dtype, nint src, in Layout srcLayout, int axis, DType indexDtype, nint indices, long rows, nint output)
    {
        NfLayout ls = ToNative(srcLayout);
        Enter();
        Api.ThrowIfFailed(Api.scatter_add((int)dtype, src, &ls, axis, (int)indexDtype, indices, rows, output));
    }

    /// <inheritdoc cref="IBackend.OneHot"/>
    public void OneHot(DType indexDtype, nint indices, in Layout indicesLayout, long depth, double onValue, double offValue, DType outDtype, nint output)
    {
        NfLayout li = ToNative(indicesLayout);
        Enter();
        Api.ThrowIfFailed(Api.one_hot((int)indexDtype, indices, &li, depth, onValue, offValue, (int)outDtype, output));
    }

    private static NfWindow2D ToNative(in Window2D w) => new()
    {
        KernelH = w.KernelH, KernelW = w.KernelW, StrideH = w.StrideH, StrideW = w.StrideW,
        DilationH = w.DilationH, DilationW = w.DilationW, PadTop = w.PadTop, PadLeft = w.PadLeft,
    };

    /// <inheritdoc cref="IBackend.Im2Col"/>
    [MethodImpl(Hot)]
    public void Im2Col(DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        NfWindow2D w = ToNative(window);
        Enter();
        Api.ThrowIfFailed(Api.im2col((int)dtype, x, &lx, &w, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Col2Im"/>
    [MethodImpl(Hot)]
    public void Col2Im(DType dtype, nint cols, in Layout colsLayout, in Window2D window, nint output, in Layout outLayout)
    {
        NfLayout lc = ToNative(colsLayout), lo = ToNative(outLayout);
        NfWindow2D w = ToNative(window);
        Enter();
        Api.ThrowIfFailed(Api.col2im((int)dtype, cols, &lc, &w, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Pool2D"/>
    [MethodImpl(Hot)]
    public void Pool2D(PoolOp op, DType dtype, nint x, in Layout xLayout, in Window2D window, nint output, in Layout outLayout)
    {
        NfLayout lx = ToNative(xLayout), lo = ToNative(outLayout);
        NfWindow2D w = ToNative(window);
        Enter();
        Api.ThrowIfFailed(Api.pool2d((int)op, (int)dtype, x, &lx, &w, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Pool2DBackward"/>
    [MethodImpl(Hot)]
    public void Pool2DBackward(PoolOp op, DType dtype, nint x, in Layout xLayout, nint dy, in Layout dyLayout, in Window2D window, nint dx, in Layout dxLayout)
    {
        NfLayout lx = ToNative(xLayout), ly = ToNative(dyLayout), ld = ToNative(dxLayout);
        NfWindow2D w = ToNative(window);
        Enter();
        Api.ThrowIfFailed(Api.pool2d_backward((int)op, (int)dtype, x, &lx, dy, &ly, &w, dx, &ld));
    }

    /// <inheritdoc cref="IBackend.BatchNorm"/>
    [MethodImpl(Hot)]
    public void BatchNorm(DType dtype, nint x, long outer, long features, long inner, nint gamma, nint beta, nint mean, nint variance,
                          double epsilon, nint output, nint batchMean, nint batchVariance)
    {
        Enter();
        Api.ThrowIfFailed(Api.batch_norm((int)dtype, x, outer, features, inner, gamma, beta, mean, variance, epsilon, output, batchMean, batchVariance));
    }

    /// <inheritdoc cref="IBackend.BatchNormBackward"/>
    [MethodImpl(Hot)]
    public void BatchNormBackward(DType dtype, nint x, long outer, long features, long inner, nint dy, nint gamma, nint mean, nint variance,
                                  double epsilon, bool training, nint dx, nint dgamma, nint dbeta)
    {
        Enter();
        Api.ThrowIfFailed(Api.batch_norm_backward((int)dtype, x, outer, features, inner, dy, gamma, mean, variance, epsilon, training ? 1 : 0, dx, dgamma, dbeta));
    }

    /// <inheritdoc cref="IBackend.LayerNorm"/>
    [MethodImpl(Hot)]
    public void LayerNorm(DType dtype, nint x, long rows, long cols, nint gamma, nint beta, double epsilon, nint output)
    {
        Enter();
        Api.ThrowIfFailed(Api.layer_norm((int)dtype, x, rows, cols, gamma, beta, epsilon, output));
    }

    /// <inheritdoc cref="IBackend.LayerNormBackward"/>
    [MethodImpl(Hot)]
    public void LayerNormBackward(DType dtype, nint x, long rows, long cols, nint dy, nint gamma, double epsilon, nint dx, nint dgamma, nint dbeta)
    {
        Enter();
        Api.ThrowIfFailed(Api.layer_norm_backward((int)dtype, x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta));
    }

    /// <inheritdoc cref="IBackend.Fill"/>
    [MethodImpl(Hot)]
    public void Fill(DType dtype, nint output, long count, double value)
    {
        Enter();
        Api.ThrowIfFailed(Api.fill((int)dtype, output, count, value));
    }

    /// <inheritdoc cref="IBackend.Range"/>
    public void Range(DType dtype, nint output, long count, double start, double delta)
    {
        Enter();
        Api.ThrowIfFailed(Api.range((int)dtype, output, count, start, delta));
    }

    /// <inheritdoc cref="IBackend.RandomUniform"/>
    public void RandomUniform(DType dtype, nint output, long count, ulong seed, ulong offset, double low, double high)
    {
        Enter();
        Api.ThrowIfFailed(Api.random_uniform((int)dtype, output, count, seed, offset, low, high));
    }

    /// <inheritdoc cref="IBackend.RandomNormal"/>
    public void RandomNormal(DType dtype, nint output, long count, ulong seed, ulong offset, double mean, double stddev)
    {
        Enter();
        Api.ThrowIfFailed(Api.random_normal((int)dtype, output, count, seed, offset, mean, stddev));
    }

    /// <inheritdoc cref="IBackend.OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/>
    [MethodImpl(Hot)]
    public void OptimizerUpdate(OptimizerKind kind, DType dtype, nint param, nint grad, nint slot0, nint slot1, nint slot2, long count, in OptimizerParams p)
    {
        var np = ToNative(p);
        Enter();
        if (!p.HasOptions && slot2 == 0)
        {
            Api.ThrowIfFailed(Api.optimizer_update((int)kind, (int)dtype, param, grad, slot0, slot1, count, &np));
            return;
        }
        var no = OptionsToNative(p);
        Api.ThrowIfFailed(Api.optimizer_update_ex((int)kind, (int)dtype, param, grad, slot0, slot1, slot2, count, &np, &no));
    }

    /// <inheritdoc cref="IBackend.OptimizerUpdateMulti"/>
    [MethodImpl(Hot)]
    public void OptimizerUpdateMulti(OptimizerKind kind, DType dtype, ReadOnlySpan<OptimizerTensor> tensors, in OptimizerParams p)
    {
        var np = ToNative(p);
        var no = OptionsToNative(p);
        // The C array of nf_optimizer_tensor; on the stack for any usual model.
        Span<NfOptimizerTensor> table = tensors.Length <= 128 ? stackalloc NfOptimizerTensor[tensors.Length] : new NfOptimizerTensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            table[i] = new NfOptimizerTensor { Param = t.Param, Grad = t.Grad, Slot0 = t.Slot0, Slot1 = t.Slot1, Slot2 = t.Slot2, Count = t.Count };
        }
        Enter();
        fixed (NfOptimizerTensor* pt = table)
            Api.ThrowIfFailed(Api.optimizer_update_multi((int)kind, (int)dtype, pt, table.Length, &np, &no));
    }

    /// <summary><paramref name="p"/> as nf_optimizer_params (the CUDA graph's optimizer slots take the same).</summary>
    internal static NfOptimizerParams ToNative(in OptimizerParams p) => new()
    {
        LearningRate = p.LearningRate, Momentum = p.Momentum, Beta1 = p.Beta1, Beta2 = p.Beta2,
        Epsilon = p.Epsilon, Rho = p.Rho, Nesterov = p.Nesterov ? 1 : 0, Step = p.Step,
    };

    /// <summary>The options of <paramref name="p"/> as nf_optimizer_options (all zeros: a plain step).</summary>
    internal static NfOptimizerOptions OptionsToNative(in OptimizerParams p) => new()
    {
        WeightDecay = p.WeightDecay, GradMul = p.GradMul, GradDiv = p.GradDiv, ClipValue = p.ClipValue,
        Amsgrad = p.Amsgrad ? 1 : 0, Centered = p.Centered ? 1 : 0,
        LrPower = p.LrPower, L1 = p.L1, L2 = p.L2, L2Shrinkage = p.L2Shrinkage, Beta = p.Beta,
    };

    /// <inheritdoc cref="IBackend.SoftmaxCrossEntropy"/>
    [MethodImpl(Hot)]
    public void SoftmaxCrossEntropy(DType dtype, nint logits, in Layout logitsLayout, DType labelDtype, nint labels, bool sparse, nint lossOut, nint gradOut)
    {
        NfLayout lx = ToNative(logitsLayout);
        Enter();
        Api.ThrowIfFailed(Api.softmax_cross_entropy((int)dtype, logits, &lx, (int)labelDtype, labels, sparse ? 1 : 0, lossOut, gradOut));
    }
}

using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

// Issue 16's select, scan and sort kernels (nf_where, ...) over either engine's table.
internal abstract unsafe partial class NativeKernelBackend
{
    /// <inheritdoc cref="IBackend.Where"/>
    [MethodImpl(Hot)]
    public void Where(DType dtype, nint cond, in Layout condLayout, nint x, in Layout xLayout, nint y, in Layout yLayout, nint output, in Layout outLayout)
    {
        NfLayout lc = ToNative(condLayout), lx = ToNative(xLayout), ly = ToNative(yLayout), lo = ToNative(outLayout);
        Enter();
        Api.ThrowIfFailed(Api.where((int)dtype, cond, &lc, x, &lx, y, &ly, output, &lo));
    }

    /// <inheritdoc cref="IBackend.Scan"/>
    public void Scan(ScanOp op, DType dtype, nint x, in Layout xLayout, int axis, bool exclusive, bool reverse, nint output)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.scan((int)op, (int)dtype, x, &lx, axis, exclusive ? 1 : 0, reverse ? 1 : 0, output));
    }

    /// <inheritdoc cref="IBackend.Sort"/>
    public void Sort(DType dtype, nint x, in Layout xLayout, int axis, bool descending, nint valuesOut, DType indexDtype, nint indicesOut)
    {
        NfLayout lx = ToNative(xLayout);
        Enter();
        Api.ThrowIfFailed(Api.sort((int)dtype, x, &lx, axis, descending ? 1 : 0, valuesOut, (int)indexDtype, indicesOut));
    }
}

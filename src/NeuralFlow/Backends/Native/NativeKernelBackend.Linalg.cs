using NeuralFlow.Native;

namespace NeuralFlow.Backends.Native;

// The linalg kernels (nf_lu, nf_triangular_solve, nf_cholesky) over either engine's table.
internal abstract unsafe partial class NativeKernelBackend
{
    /// <inheritdoc cref="IBackend.Lu"/>
    public void Lu(DType dtype, nint a, in Layout aLayout, nint luOut, nint pivotsOut, nint permOut, nint infoOut, bool check)
    {
        NfLayout la = ToNative(aLayout);
        Enter();
        Api.ThrowIfFailed(Api.lu((int)dtype, a, &la, luOut, pivotsOut, permOut, infoOut, check ? 1 : 0));
    }

    /// <inheritdoc cref="IBackend.TriangularSolve"/>
    public void TriangularSolve(DType dtype, nint a, in Layout aLayout, nint b, in Layout bLayout, bool lower, bool unitDiagonal, nint output)
    {
        NfLayout la = ToNative(aLayout), lb = ToNative(bLayout);
        Enter();
        Api.ThrowIfFailed(Api.triangular_solve((int)dtype, a, &la, b, &lb, lower ? 1 : 0, unitDiagonal ? 1 : 0, output));
    }

    /// <inheritdoc cref="IBackend.Cholesky"/>
    public void Cholesky(DType dtype, nint a, in Layout aLayout, nint lOut, nint infoOut, bool check)
    {
        NfLayout la = ToNative(aLayout);
        Enter();
        Api.ThrowIfFailed(Api.cholesky((int)dtype, a, &la, lOut, infoOut, check ? 1 : 0));
    }
}

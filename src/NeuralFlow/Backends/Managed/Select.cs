using System.Runtime.InteropServices;

namespace NeuralFlow.Backends.Managed;

// nf_where's contract in C#: out = cond ? x : y over one shape (broadcasts are stride 0). A select,
// never arithmetic, so an inf or NaN in the operand not chosen cannot reach out.
public sealed partial class ManagedBackend
{
    /// <inheritdoc/>
    public unsafe void Where(DType dtype, nint cond, in Layout condLayout, nint x, in Layout xLayout, nint y, in Layout yLayout, nint output, in Layout outLayout)
    {
        const string M = nameof(Where);
        CheckDType(M, nameof(dtype), dtype);
        long n = CheckLayout(M, nameof(outLayout), outLayout);
        CheckLayout(M, nameof(condLayout), condLayout);
        CheckLayout(M, nameof(xLayout), xLayout);
        CheckLayout(M, nameof(yLayout), yLayout);
        CheckSameShape(M, nameof(condLayout), condLayout, nameof(outLayout), outLayout);
        CheckSameShape(M, nameof(xLayout), xLayout, nameof(outLayout), outLayout);
        CheckSameShape(M, nameof(yLayout), yLayout, nameof(outLayout), outLayout);
        CheckPointer(M, nameof(cond), cond, n);
        CheckPointer(M, nameof(x), x, n);
        CheckPointer(M, nameof(y), y, n);
        CheckPointer(M, nameof(output), output, n);
        if (n == 0) return;
        // The shared plan walks at most three operands (out, x, y); cond is read by linear index,
        // so a cond that is not row-major (a broadcast, a view) is packed first, n bytes.
        byte* packed = null;
        try
        {
            byte* c;
            if (condLayout.IsContiguous) c = (byte*)cond + condLayout.Offset;
            else
            {
                packed = (byte*)NativeMemory.Alloc((nuint)n);
                Copy(DType.Bool, cond, condLayout, (nint)packed, Layout.Contiguous(condLayout.Shape));
                c = packed;
            }
            var plan = StridedPlan.Create(outLayout, xLayout, yLayout);
            switch (dtype.SizeInBytes())
            {
                case 8: Run<long>(plan, c, output, x, y); break;
                case 4: Run<int>(plan, c, output, x, y); break;
                default: Run<byte>(plan, c, output, x, y); break;
            }
        }
        finally
        {
            if (packed != null) NativeMemory.Free(packed);
        }
    }

    // A select moves bits, so one kernel per element size serves every dtype (-0 and NaN payloads kept).
    private static unsafe void Run<T>(in StridedPlan plan, byte* cond, nint output, nint x, nint y) where T : unmanaged
    {
        var k = new WhereRun<T> { Cond = cond, Out = (T*)output, X = (T*)x, Y = (T*)y, S0 = plan.Inner0, S1 = plan.Inner1, S2 = plan.Inner2 };
        plan.ExecuteInOrder(k, plan.Count);
    }

    /// <summary>Runs arrive in row-major order, so Next is the linear index of cond's next byte.</summary>
    private unsafe struct WhereRun<T> : IOrderedRunKernel where T : unmanaged
    {
        public byte* Cond;
        public T* Out, X, Y;
        public long S0, S1, S2;
        public long Next { get; set; }

        [MethodImpl(ManagedKernel)]
        public void Run(long o0, long o1, long o2, long n)
        {
            byte* c = Cond + Next;
            T* o = Out + o0, a = X + o1, b = Y + o2;
            if (S0 == 1 && S1 == 1 && S2 == 1)
                for (long i = 0; i < n; i++) o[i] = c[i] != 0 ? a[i] : b[i];
            else
                for (long i = 0; i < n; i++) o[i * S0] = c[i] != 0 ? a[i * S1] : b[i * S2];
            Next += n;
        }
    }
}

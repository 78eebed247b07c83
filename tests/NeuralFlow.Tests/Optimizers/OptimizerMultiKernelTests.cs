using System.Numerics;
using System.Runtime.InteropServices;
using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17's multi-tensor optimizer step (<see cref="IBackend.OptimizerUpdateMulti"/>,
/// nf_optimizer_update_multi) on each backend's kernel directly: for every kind (the original
/// four, with and without options, and issue 16's) and both float dtypes, one call over tensors of
/// 7, 0, 1, 4097, 100000 and 3 elements gives, over two steps, the bits of one
/// <see cref="IBackend.OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/>
/// call per tensor, with guard bytes after every output; bad calls throw naming the tensor and
/// write nothing.
/// </summary>
public abstract class OptimizerMultiKernelTests(string backend) : BackendTest(backend)
{
    private IBackend B => BackendRegistry.Get(BackendName);

    private static readonly int[] Sizes = [7, 0, 1, 4097, 100_000, 3];

    // Every kind: the plain configurations of the fused-kernel tests and issue 16's with options.
    private static readonly (string Name, OptimizerKind Kind, OptimizerParams P)[] Configs =
        [.. Fused.Configs.Select(c => (c.Name, c.Kind, c.P)), .. NewSteps.Configs.Select(c => (c.Name, c.Kind, c.P))];

    public static IEnumerable<object[]> Cases() =>
        from c in Configs from dt in new[] { DType.Float32, DType.Float64 } select new object[] { c.Name, dt };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void One_call_gives_the_bits_of_one_call_per_variable(string config, DType dtype)
    {
        RequireBackend();
        var c = Configs.Single(x => x.Name == config);
        if (dtype == DType.Float32) Check<float>(c.Name, c.Kind, c.P);
        else Check<double>(c.Name, c.Kind, c.P);
    }

    private sealed class Tensors<T>(Sentinels guards, string name, T[][] w, T[][][] slots) where T : unmanaged
    {
        public readonly nint[] W = w.Select((x, k) => guards.Output(x, $"{name} param {k}")).ToArray();
        public readonly nint[][] S = slots.Select((s, k) => s.Select((x, j) => guards.Output(x, $"{name} slot{j} {k}")).ToArray()).ToArray();
    }

    private void Check<T>(string name, OptimizerKind kind, OptimizerParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dtype = typeof(T) == typeof(float) ? DType.Float32 : DType.Float64;
        using var guards = new Sentinels(B);
        // Slots start positive: valid state for every kind (second moments, accumulators).
        var w0 = Sizes.Select((n, k) => Fused.OptimizerData<T>(n, 1, 50 + k).W).ToArray();
        var s0 = Sizes.Select((n, k) => Enumerable.Range(0, 3).Select(j => Fused.OptimizerData<T>(n, 1, 90 + 7 * k + j).W.Select(T.Abs).ToArray()).ToArray()).ToArray();
        var one = new Tensors<T>(guards, "per-variable", w0, s0);
        var multi = new Tensors<T>(guards, "multi", w0, s0);
        var grads = new List<DeviceBuffer>();
        try
        {
            for (int step = 1; step <= 2; step++)
            {
                var q = p with { Step = step };
                var table = new OptimizerTensor[Sizes.Length];
                for (int k = 0; k < Sizes.Length; k++)
                {
                    var g = Fused.OptimizerData<T>(Sizes[k], 1, 1000 * step + k).W;
                    var buffer = B.Allocate(Math.Max(1, g.Length) * (long)dtype.SizeInBytes());
                    grads.Add(buffer);
                    B.Upload(MemoryMarshal.AsBytes(g.AsSpan()), buffer.Pointer, 0);
                    B.OptimizerUpdate(kind, dtype, one.W[k], buffer.Pointer, one.S[k][0], one.S[k][1], one.S[k][2], Sizes[k], q);
                    table[k] = new(multi.W[k], buffer.Pointer, multi.S[k][0], multi.S[k][1], multi.S[k][2], Sizes[k]);
                }
                B.OptimizerUpdateMulti(kind, dtype, table, q);
                guards.Check($"{name} step {step}");
            }
        }
        finally
        {
            foreach (var g in grads) g.Dispose();
        }
        for (int k = 0; k < Sizes.Length; k++)
        {
            string what = $"{BackendName} {name} {typeof(T).Name} tensor {k} ({Sizes[k]} elements)";
            Assert.True(guards.Read<T>(one.W[k], Sizes[k]).AsSpan().SequenceEqual(guards.Read<T>(multi.W[k], Sizes[k])), what + ": param differs");
            for (int j = 0; j < 3; j++)
                Assert.True(guards.Read<T>(one.S[k][j], Sizes[k]).AsSpan().SequenceEqual(guards.Read<T>(multi.S[k][j], Sizes[k])), $"{what}: slot{j} differs");
        }
        // The steps changed the parameters (equal no-ops would prove nothing).
        Assert.False(w0[4].AsSpan().SequenceEqual(guards.Read<T>(multi.W[4], Sizes[4])), $"{name}: the step left the parameters unchanged");
    }

    [SkippableFact]
    public void Bad_calls_throw_naming_the_tensor_and_write_nothing()
    {
        RequireBackend();
        using var guards = new Sentinels(B);
        var ones = Enumerable.Repeat(1f, 8).ToArray();
        nint w = guards.Output(ones, "w"), g = guards.Output(ones, "g"), m = guards.Output(ones, "m"), v = guards.Output(ones, "v");
        nint w2 = guards.Output(ones, "w2"), g2 = guards.Output(ones, "g2"), m2 = guards.Output(ones, "m2"), v2 = guards.Output(ones, "v2");
        var p = new OptimizerParams(0.1);
        OptimizerTensor a = new(w, g, m, v, 0, 8), b = new(w2, g2, m2, v2, 0, 8);
        void Refused(string words, OptimizerTensor[] tensors, OptimizerKind kind = OptimizerKind.Adam, DType dtype = DType.Float32)
        {
            var e = Assert.ThrowsAny<Exception>(() => B.OptimizerUpdateMulti(kind, dtype, tensors, p));
            Assert.True(e is ArgumentException or NotSupportedException, e.ToString());
            Assert.Contains(words, e.Message);
            guards.Check("a refused call (" + words + ")");
            Assert.Equal(ones, guards.Read<float>(w, 8));
            Assert.Equal(ones, guards.Read<float>(w2, 8));
        }
        Refused("tensors[1]: slot1", [a, b with { Slot1 = 0 }]);
        Refused("tensors[1]: count = -2", [a, b with { Count = -2 }]);
        Refused("tensors[0].param overlaps tensors[0].grad", [a with { Grad = w + 8 }, b]);
        Refused("tensors[0].param overlaps tensors[1].param", [a, b with { Param = w }]);
        Refused("tensors[0].slot1 overlaps tensors[1].slot0", [a, b with { Slot0 = v + 4 }]);
        Refused("int32", [a, b], dtype: DType.Int32);
        Refused("kind", [a, b], kind: (OptimizerKind)42);
        // A gradient read by two variables is fine, and so is a call without tensors.
        B.OptimizerUpdateMulti(OptimizerKind.Adam, DType.Float32, [a, b with { Grad = g }], p);
        B.OptimizerUpdateMulti(OptimizerKind.Adam, DType.Float32, [], p);
        Assert.Equal(guards.Read<float>(w, 8), guards.Read<float>(w2, 8));
        Assert.NotEqual(ones, guards.Read<float>(w, 8));
    }
}

public sealed class ManagedOptimizerMultiKernelTests() : OptimizerMultiKernelTests("managed");

public sealed class NativeCpuOptimizerMultiKernelTests() : OptimizerMultiKernelTests("cpu");

public sealed class CudaOptimizerMultiKernelTests() : OptimizerMultiKernelTests("cuda");

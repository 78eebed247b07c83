using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Non-contiguous inputs, as a user makes them without thinking (x.T, x[1:5, 2:], a broadcast row,
/// a channel slice of an image batch, a permuted NCHW/NHWC view), fed to every op family: the
/// result must be bit for bit the one of the same values packed contiguously.
/// </summary>
public abstract class ViewInputTests(string backend) : BackendTest(backend)
{
    private static Tensor Packed(Tensor t) => t.DType switch
    {
        DType.Float32 => NF.Constant(t.ToArray<float>(), t.Shape),
        DType.Float64 => NF.Constant(t.ToArray<double>(), t.Shape),
        DType.Int32 => NF.Constant(t.ToArray<int>(), t.Shape),
        DType.Int64 => NF.Constant(t.ToArray<long>(), t.Shape),
        DType.Bool => NF.Constant(t.ToArray<bool>(), t.Shape),
        _ => NF.Constant(t.ToArray<byte>(), t.Shape),
    };

    private static Tensor Grad(Tensor x, Func<Tensor, Tensor> f)
    {
        using var tape = new GradientTape();
        tape.Watch(x);
        return tape.Gradient(f(x), x);
    }

    private static Tensor Labels(Tensor x) => NF.Constant(Enumerable.Range(0, x.Shape[0]).Select(i => i % x.Shape[1]).ToArray());

    private static Tensor Kernel(int inChannels, int outChannels) =>
        NF.Reshape(NF.Range(0f, 9f * inChannels * outChannels, 1f) / 50f, [3, 3, inChannels, outChannels]);

    private static readonly (string, Func<Tensor, Tensor>)[] MatrixOps =
    [
        ("exp", NF.Exp), ("add self", x => x + x), ("add row", x => x + NF.Range(0f, x.Shape[1], 1f)),
        ("sum0", x => NF.ReduceSum(x, 0)), ("sum1", x => NF.ReduceSum(x, 1)), ("sum", x => NF.ReduceSum(x)),
        ("mean -1 keep", x => NF.ReduceMean(x, -1, keepDims: true)), ("max0", x => NF.ReduceMax(x, 0)), ("min1", x => NF.ReduceMin(x, 1)),
        ("prod1", x => NF.ReduceProd(x, 1)), ("argmax1", x => NF.ArgMax(x, 1)), ("argmin0", x => NF.ArgMin(x, 0)),
        ("logsumexp", x => NF.ReduceLogSumExp(x, 1)), ("softmax", x => NF.Softmax(x)), ("softmax0", x => NF.Softmax(x, 0)), ("log_softmax", x => NF.LogSoftmax(x)),
        ("x^T x", x => NF.MatMul(NF.Transpose(x), x)), ("x w", x => NF.MatMul(x, NF.Ones(new Shape(x.Shape[1], 3)))), ("transposeA", x => NF.MatMul(x, x, transposeA: true)),
        ("gather0", x => NF.Gather(x, NF.Constant(new[] { 1, 0, 1 }))), ("gather1", x => NF.Gather(x, NF.Constant(new[] { 2, 0 }), 1)),
        ("concat0", x => NF.Concat([x, x], 0)), ("concat1", x => NF.Concat([x, x], 1)), ("stack", x => NF.Stack([x, x], 1)),
        ("cumsum", x => NF.CumSum(x, 1)), ("cumprod reverse", x => NF.CumProd(x, 0, reverse: true)), ("sort", x => NF.Sort(x)), ("argsort0", x => NF.ArgSort(x, 0)),
        ("topk", x => NF.TopK(x, 2).Values), ("topk indices", x => NF.TopK(x, 2).Indices), ("where", x => NF.Where(NF.Greater(x, 0f), x, -x)),
        ("cast", x => NF.Cast(x * 10, DType.Int32)), ("pow", x => NF.Pow(NF.Abs(x), x)), ("floormod", x => NF.FloorMod(x, 0.3f)), ("floordiv", x => NF.FloorDiv(x, 0.25f)),
        ("clip", x => NF.Clip(x, -0.5f, 0.5f)), ("tile", x => NF.Tile(x, 2, 1)), ("pad", x => NF.Pad(x, new[,] { { 1, 0 }, { 0, 2 } })),
        ("pad reflect", x => NF.Pad(x, new[,] { { 1, 1 }, { 1, 1 } }, "reflect")), ("reshape", x => NF.Reshape(x, [-1])), ("transpose", x => NF.Transpose(x)),
        ("square", NF.Square), ("sigmoid", NF.Sigmoid), ("tanh", NF.Tanh), ("relu", NF.Relu), ("round", x => NF.Round(x * 3)), ("sign", NF.Sign),
        ("log1p", x => NF.Log1p(NF.Abs(x))), ("erf", NF.Erf), ("gelu", x => NF.Gelu(x)), ("split", x => NF.Split(x, [1, x.Shape[1] - 1], 1)[1]),
        ("layer norm", x => NF.LayerNormalization(x)), ("batch norm", x => NF.BatchNormalizationTraining(x, null, null).Output),
        ("einsum", x => NF.Einsum("ij,ij->i", x, x)), ("one hot", x => NF.OneHot(NF.Cast(NF.Abs(x) * 2, DType.Int32), 4)),
        ("any", x => NF.Cast(NF.ReduceAny(NF.Greater(x, 1f), 1), DType.Float32)), ("count nonzero", x => NF.CountNonzero(NF.Greater(x, 0f), 0)),
        ("sparse ce", x => new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(Labels(x), x)),
        ("ce", x => new Losses.CategoricalCrossentropy(fromLogits: true).Call(NF.Softmax(x * 2), x)),
        ("bce", x => new Losses.BinaryCrossentropy(fromLogits: true).Call(NF.Sigmoid(x * 2), x)),
        ("mse", x => new Losses.MeanSquaredError().Call(x * 0.5f, x)),
        ("dense", x => new Layers.Dense(3, kernelInitializer: Initializer.Get("ones")).Call(x)),
        ("d sum", x => Grad(x, t => NF.ReduceSum(NF.Square(t) * NF.Range(0f, t.Shape[1], 1f)))),
        ("d matmul", x => Grad(x, t => NF.ReduceSum(NF.MatMul(t, NF.Transpose(t))))),
        ("d sparse ce", x => Grad(x, t => new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(Labels(t), t))),
    ];

    private static readonly (string, Func<Tensor, Tensor>)[] ImageOps =
    [
        ("conv", x => NF.Conv2D(x, Kernel(x.Shape[3], 2))),
        ("conv same stride 2", x => NF.Conv2D(x, Kernel(x.Shape[3], 2), strides: [2, 2], padding: "same")),
        ("conv channels_first", x => NF.Conv2D(x, Kernel(x.Shape[1], 2), dataFormat: "channels_first")),
        ("depthwise", x => NF.DepthwiseConv2D(x, Kernel(x.Shape[3], 1))),
        ("conv transpose", x => NF.Conv2DTranspose(x, NF.Reshape(NF.Range(0f, 18f * x.Shape[3], 1f) / 50f, [3, 3, 2, x.Shape[3]]), strides: [2, 2])),
        ("max pool", x => NF.MaxPool2D(x, [2, 2])), ("avg pool same", x => NF.AvgPool2D(x, [3, 3], [2, 2], "same")),
        ("batch norm", x => NF.BatchNormalizationTraining(x, null, null).Output), ("mean 1 2", x => NF.ReduceMean(x, [1, 2])),
        ("sum 0 3 keep", x => NF.ReduceSum(x, [0, 3], keepDims: true)), ("global average", x => new Layers.GlobalAveragePooling2D().Call(x)),
        ("flatten", x => new Layers.Flatten().Call(x)), ("upsampling", x => new Layers.UpSampling2D().Call(x)), ("softmax axis 2", x => NF.Softmax(x, 2)),
        ("matmul", x => NF.MatMul(x, NF.Ones(new Shape(x.Shape[3], 2)))), ("batched matmul", x => NF.MatMul(x, NF.Transpose(x, [0, 1, 3, 2]))),
        ("d conv", x => Grad(x, t => NF.ReduceSum(NF.Square(NF.Conv2D(t, Kernel(t.Shape[3], 2)))))),
        ("d max pool", x => Grad(x, t => NF.ReduceSum(NF.Square(NF.MaxPool2D(t, [2, 2]))))),
    ];

    public static TheoryData<string> MatrixViews() => new("x.T", "x[1, 1:5, 2:]", "x[2, 1:, :5].T", "row broadcast");

    public static TheoryData<string> ImageViews() => new("permuted", "sliced", "channel slice");

    private static Tensor MatrixView(string name)
    {
        NF.Random.SetSeed(11);
        var b = NF.Random.Normal(new Shape(5, 6, 7));
        return name switch
        {
            "x.T" => NF.Transpose(b[0]),
            "x[1, 1:5, 2:]" => b[1, 1..5, 2..],
            "x[2, 1:, :5].T" => NF.Transpose(b[2, 1.., ..5]),
            _ => NF.BroadcastTo(b[0, 0..1, ..], new Shape(6, 7)),
        };
    }

    private static Tensor ImageView(string name)
    {
        NF.Random.SetSeed(12);
        var b = NF.Random.Normal(new Shape(3, 8, 9, 4));
        return name switch
        {
            "permuted" => NF.Transpose(b, [0, 2, 1, 3]),
            "sliced" => b[.., 1..7, 2.., ..3],
            _ => b[.., .., .., 1..],
        };
    }

    // cuBLAS picks its kernel, and with it the order of a product's sums, by the operands' layout
    // (a transposed view is passed as transposed, not packed), so on CUDA a GEMM of a view may differ
    // from its packed copy's in the last bit, as in PyTorch (seen on an H200: 1 ulp). Everything
    // else, and every GEMM on the CPU engines, must give the same bits.
    private static readonly HashSet<string> Gemms = ["x^T x", "x w", "transposeA", "dense", "d matmul", "einsum", "matmul", "batched matmul"];

    private bool Same(string op, double a, double b) =>
        a.Equals(b) || BackendName == "cuda" && Gemms.Contains(op) && Math.Abs(a - b) <= 1e-6 * Math.Max(1, Math.Abs(b));

    private void Check(Tensor view, (string, Func<Tensor, Tensor>)[] ops, string viewName)
    {
        var packed = Packed(view);
        var failures = new List<string>();
        foreach (var (name, op) in ops)
        {
            var a = SweepFixtures.Doubles(op(view));
            var b = SweepFixtures.Doubles(op(packed));
            if (a.Length != b.Length) failures.Add($"{name}: {a.Length} values vs {b.Length}");
            else if (Enumerable.Range(0, a.Length).FirstOrDefault(i => !Same(name, a[i], b[i]), -1) is var i and >= 0)
                failures.Add($"{name} [{i}]: {a[i]:R} on the view, {b[i]:R} packed");
        }
        Assert.True(failures.Count == 0, $"{viewName}: " + string.Join("; ", failures));
    }

    [SkippableTheory]
    [MemberData(nameof(MatrixViews))]
    public void Matrix_views_give_the_bits_of_their_packed_copy(string view)
    {
        RequireBackend();
        Check(MatrixView(view), MatrixOps, view);
    }

    [SkippableTheory]
    [MemberData(nameof(ImageViews))]
    public void Image_views_give_the_bits_of_their_packed_copy(string view)
    {
        RequireBackend();
        Check(ImageView(view), ImageOps, view);
    }
}

public sealed class ManagedViewInputTests() : ViewInputTests("managed");

public sealed class NativeCpuViewInputTests() : ViewInputTests("cpu");

public sealed class CudaViewInputTests() : ViewInputTests("cuda");

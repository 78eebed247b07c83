namespace NeuralFlow.Tests;

/// <summary>
/// Second derivatives across the op catalogue: for each op h, f(x) = x * sum(h(x)) (the input's
/// shape, so the check's weights broadcast) and the gradient of its gradient must equal the
/// finite difference of the first gradient (float64), or the op must refuse with
/// NotSupportedException, never answer wrongly. A user's gradient penalty (WGAN-GP), a
/// Hessian-vector product or a meta-learning step go through these.
/// </summary>
public abstract class OpSecondOrderSweepTests(string backend) : BackendTest(backend)
{
    private static Tensor C(double[] v, params int[] shape) => NF.Constant(v, shape);
    private static Tensor Plus1(Tensor x) => x * x + 1;

    // Every op on x of shape [3, 4], float64 values in (-1, 1).
    internal static readonly Dictionary<string, Func<Tensor, Tensor>> Ops = new()
    {
        ["Exp"] = NF.Exp, ["Sin"] = NF.Sin, ["Cos"] = NF.Cos, ["Tanh"] = NF.Tanh, ["Sigmoid"] = NF.Sigmoid,
        ["Softplus"] = NF.Softplus, ["Elu"] = x => NF.Elu(x), ["Selu"] = NF.Selu, ["Gelu"] = x => NF.Gelu(x),
        ["GeluTanh"] = x => NF.Gelu(x, approximate: true), ["Swish"] = NF.Swish, ["Mish"] = NF.Mish,
        ["Celu"] = x => NF.Celu(x), ["LogSigmoid"] = NF.LogSigmoid, ["Softsign"] = NF.Softsign, ["Atan"] = NF.Atan,
        ["Asinh"] = NF.Asinh, ["Erf"] = NF.Erf, ["Erfc"] = NF.Erfc, ["Sinh"] = NF.Sinh, ["Cosh"] = NF.Cosh, ["Expm1"] = NF.Expm1,
        ["Tan"] = NF.Tan, ["Asin"] = x => NF.Asin(x * 0.5), ["Acos"] = x => NF.Acos(x * 0.5), ["Atanh"] = x => NF.Atanh(x * 0.5),
        ["Sqrt"] = x => NF.Sqrt(Plus1(x)), ["Rsqrt"] = x => NF.Rsqrt(Plus1(x)), ["Log"] = x => NF.Log(Plus1(x)),
        ["Log1p"] = x => NF.Log1p(x * x), ["Acosh"] = x => NF.Acosh(Plus1(x) + 1), ["Square"] = NF.Square,
        ["PowTensor"] = x => NF.Pow(Plus1(x), x), ["Divide"] = x => NF.Divide(x, Plus1(x)),
        ["Atan2"] = x => NF.Atan2(x, Plus1(x)), ["Hypot"] = x => NF.Hypot(x, x + 2), ["Xlogy"] = x => NF.Xlogy(x, Plus1(x)),
        ["Squareplus"] = x => NF.Squareplus(x), ["Sinc"] = x => NF.Sinc(x + 0.1), ["Maximum"] = x => NF.Maximum(x, x * x * 0.5),
        ["Minimum"] = x => NF.Minimum(x, x * x * 0.5), ["Abs"] = x => NF.Abs(x) * x,
        ["Where"] = x => NF.Where(NF.Greater(x, 0.0), x * x, NF.Sin(x)),
        ["Softmax"] = x => NF.Softmax(x), ["LogSoftmax"] = x => NF.LogSoftmax(x),
        ["ReduceLogSumExp"] = x => NF.ReduceLogSumExp(x, 1), ["ReduceMaxSquare"] = x => NF.ReduceMax(x * x * x, 1),
        ["ReduceMean"] = x => NF.Square(NF.ReduceMean(x, 0)), ["ReduceStd"] = x => NF.ReduceStd(x, 1),
        ["ReduceVariance"] = x => NF.Square(NF.ReduceVariance(x, 0)), ["ReduceProd"] = x => NF.ReduceProd(x, 1),
        ["Norm"] = x => NF.Norm(x, axis: 1), ["L2Normalize"] = x => NF.L2Normalize(x, 1) * x,
        ["CumSum"] = x => NF.Square(NF.CumSum(x, 1)), ["CumProd"] = x => NF.CumProd(x, 1),
        ["MatMul"] = x => NF.MatMul(x, x, transposeB: true), ["MatMulT"] = x => NF.MatMul(x, NF.Transpose(x)),
        ["Einsum"] = x => NF.Einsum("ij,kj->ik", x, x), ["Outer"] = x => NF.Outer(NF.Reshape(x, [-1]), NF.Sin(NF.Reshape(x, [-1]))),
        ["Reshape"] = x => NF.Square(NF.Reshape(x, [4, 3])), ["BroadcastTo"] = x => NF.Square(NF.BroadcastTo(x, [2, 3, 4])),
        ["Tile"] = x => NF.Square(NF.Tile(x, 2, 1)), ["Gather"] = x => NF.Square(NF.Gather(x, NF.Constant(new[] { 2, 0, 2 }))),
        ["Roll"] = x => x * NF.Roll(x, 1, 1), ["Reverse"] = x => x * NF.Reverse(x, 1), ["Repeat"] = x => NF.Square(NF.Repeat(x, 2, 1)),
        ["Rot90"] = x => NF.Square(NF.Rot90(x)), ["Diff"] = x => NF.Square(NF.Diff(x)), ["Tril"] = x => NF.Square(NF.Tril(x)),
        ["Trace"] = x => NF.Square(NF.Trace(NF.MatMul(x, x, transposeA: true))), ["Sort"] = x => NF.Sort(x) * NF.Constant(new[] { 1.0, 1.5, 2.0, 3.0 }) * x,
        ["Quantile"] = x => NF.Square(NF.Quantile(x, 0.3, 1)), ["Clip"] = x => NF.Clip(x, NF.Constant(-0.3), NF.Constant(0.3)) * x,
        ["SoftmaxCrossEntropy"] = x => NF.SoftmaxCrossEntropyWithLogits(NF.Softmax(NF.Reverse(x, 1)), x),
        ["SparseSoftmaxCrossEntropy"] = x => NF.SparseSoftmaxCrossEntropyWithLogits(NF.Constant(new[] { 1, 0, 3 }), x),
        ["SigmoidCrossEntropy"] = x => NF.SigmoidCrossEntropyWithLogits(NF.Sigmoid(NF.Reverse(x, 1)), x),
        ["UnsortedSegmentSum"] = x => NF.Square(NF.UnsortedSegmentSum(x, NF.Constant(new[] { 1, 0, 1 }), 2)),
        ["SegmentSum"] = x => NF.Square(NF.SegmentSum(x, NF.Constant(new[] { 0, 0, 1 }))),
        ["TensorScatterAdd"] = x => NF.Square(NF.TensorScatterAdd(x, NF.Constant(new[,] { { 1 }, { 1 } }), NF.Square(x[..2]))),
        ["LayerNormalization"] = x => NF.LayerNormalization(x) * x,
        ["GroupNormalization"] = x => NF.GroupNormalization(x, 2) * x,
        ["Conv2D"] = x => NF.Square(NF.Conv2D(NF.Reshape(x, [1, 3, 4, 1]), NF.Sin(NF.Reshape(x[..2, ..2], [2, 2, 1, 1])))),
        ["Conv1D"] = x => NF.Square(NF.Conv1D(NF.Reshape(x, [1, 12, 1]), NF.Reshape(x[0, ..3], [3, 1, 1]))),
        ["DepthwiseConv2D"] = x => NF.Square(NF.DepthwiseConv2D(NF.Reshape(x, [1, 3, 2, 2]), NF.Reshape(x[0, ..], [1, 2, 2, 1]))),
        ["Conv2DTranspose"] = x => NF.Square(NF.Conv2DTranspose(NF.Reshape(x, [1, 3, 4, 1]), NF.Reshape(x[1, ..], [2, 2, 1, 1]))),
        ["AvgPool2D"] = x => NF.Square(NF.AvgPool2D(NF.Reshape(x, [1, 3, 4, 1]), [2, 2], [1, 1])),
        ["MatrixInverse"] = x => NF.MatrixInverse(NF.MatMul(x, x, transposeB: true) + NF.Eye(3, dtype: DType.Float64)),
        ["Det"] = x => NF.Det(NF.MatMul(x, x, transposeB: true) + NF.Eye(3, dtype: DType.Float64)),
        ["Cholesky"] = x => NF.Cholesky(NF.MatMul(x, x, transposeB: true) + NF.Eye(3, dtype: DType.Float64)),
        ["Solve"] = x => NF.Solve(NF.MatMul(x, x, transposeB: true) + NF.Eye(3, dtype: DType.Float64), x),
    };

    // Those whose fused backward refuses under an outer tape (named in the exception): none since pooling's is recorded.
    private static readonly HashSet<string> Refused = [];

    public static TheoryData<string> Names() => new(Ops.Keys);

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void Second_derivative_is_right_or_refused(string op)
    {
        RequireBackend();
        var h = Ops[op];
        try
        {
            SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(h(x)), [3, 4]);
        }
        catch (NotSupportedException e) when (!Refused.Contains(op))
        {
            Assert.Fail($"{op} refused a second derivative it is expected to give: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            Assert.Contains("gradient of its gradient", e.Message);
        }
    }

    // Dense labels get -log_softmax(logits) per unit of loss, as TensorFlow's v2 op and torch:
    // /usr/bin/python3 -c "import torch; lg=torch.tensor([[1.,2.,.5],[.1,-1.,3.]],dtype=torch.float64,requires_grad=True);
    // lb=torch.tensor([[.2,.5,.3],[0.,.1,.9]],dtype=torch.float64,requires_grad=True);
    // l=torch.nn.functional.cross_entropy(lg,lb,reduction='none'); (l*torch.tensor([1.,2.],dtype=torch.float64)).sum().backward();
    // print(l.tolist(), lb.grad.tolist(), lg.grad.tolist())". Before, the labels got no gradient at all.
    [SkippableFact]
    public void Softmax_cross_entropy_differentiates_soft_labels_like_torch()
    {
        RequireBackend();
        var logits = NF.Constant(new[,] { { 1.0, 2.0, 0.5 }, { 0.1, -1.0, 3.0 } });
        var labels = NF.Constant(new[,] { { 0.2, 0.5, 0.3 }, { 0.0, 0.1, 0.9 } });
        using var tape = new GradientTape();
        tape.Watch(logits);
        tape.Watch(labels);
        var loss = NF.SoftmaxCrossEntropyWithLogits(labels, logits);
        var grads = tape.Gradient(NF.ReduceSum(loss * NF.Constant(new[] { 1.0, 2.0 })), [labels, logits]);
        Close([1.114368784107945, 0.4707742189604914], loss.ToArray<double>());
        Close([1.464368784107945, 0.4643687841079449, 1.964368784107945, 5.941548437920982, 8.141548437920983, 0.14154843792098265], grads[0].ToArray<double>());
        Close([0.031223897622149027, 0.12853171921176243, -0.1597556168339115, 0.10252721141668736, -0.16587165602718518, 0.06334444461049782], grads[1].ToArray<double>());
    }

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"element {i}: torch {expected[i]}, got {actual[i]}");
    }
}

public sealed class ManagedOpSecondOrderSweepTests() : OpSecondOrderSweepTests("managed");
public sealed class NativeCpuOpSecondOrderSweepTests() : OpSecondOrderSweepTests("cpu");
public sealed class CudaOpSecondOrderSweepTests() : OpSecondOrderSweepTests("cuda");

using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.TrustSweep;

/// <summary>
/// User programs with edge inputs for Keras 3's newer activations (NF.ActivationsKeras3.cs):
/// masked logits (-inf) in Sparsemax, integer inputs, NaN. References: Keras' formulas
/// (keras/src/backend/numpy/nn.py) in NumPy and PyTorch 1.13, printed by trust_sweep_references.py.
/// </summary>
public abstract class ActivationEdgeTests(string backend) : BackendTest(backend)
{
    private static Tensor F(params float[] v) => NF.Constant(v);
    private static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    // Before: [NaN, NaN, NaN] (-inf times the 0 of a 0/1 support mask is NaN), so a masked
    // position (an attention mask's -inf) poisoned the whole row and its gradient.
    [SkippableFact]
    public void Sparsemax_gives_masked_logits_zero()
    {
        RequireBackend();
        float ninf = float.NegativeInfinity;
        AssertClose([0, 0, 1], D(NF.Sparsemax(F(ninf, 0, 1))));
        // Keras' formula in NumPy: the support {0.5, 0.6}, tau 0.05: [0, 0.45, 0.55].
        AssertClose([0, 0.45, 0.55], D(NF.Sparsemax(F(ninf, 0.5f, 0.6f))), 1e-6);
        var x = new Variable(F(ninf, 0.5f, 0.6f));
        Tensor grad;
        using (var tape = new GradientTape()) grad = tape.Gradient(NF.ReduceSum(NF.Sparsemax(x) * F(1, 2, 3)), [x])[0];
        // d/dx of sum(w * sparsemax(x)) on the support {1, 2}: w - mean(w over the support) = [0, -0.5, 0.5].
        AssertClose([0, -0.5, 0.5], D(grad), 1e-6);
        // A masked column of a batch (ReLU-style masking of a whole row stays NaN as softmax's does).
        AssertClose([0, 0, 1, 0.5, 0.5, 0], D(NF.Sparsemax(NF.Constant(new float[,] { { ninf, 0, 1 }, { 1, 1, ninf } }))), 1e-6);
    }

    // Before: glu, tanh_shrink, squareplus threw "Multiply/Subtract/Add: dtypes must match" from
    // inside, sparsemax refused int32, celu, sparse_plus and log_sigmoid likewise; Keras' backends
    // take integer x as float (x - tanh(x) of int32 is float32).
    [SkippableFact]
    public void Integer_inputs_give_float32_as_keras()
    {
        RequireBackend();
        var x = NF.Constant(new[] { -2, 0, 1, 2 });
        // torch.celu / tanhshrink / logsigmoid / glu of [-2, 0, 1, 2.] and (x + sqrt(x² + 4)) / 2.
        AssertClose([-0.8646647334098816, 0, 1, 2], D(NF.Celu(x)), 1e-6);
        AssertClose([-1.0359723567962646, 0, 0.23840582370758057, 1.0359723567962646], D(NF.TanhShrink(x)), 1e-6);
        AssertClose([-2.1269280910491943, -0.6931471824645996, -0.3132616877555847, -0.12692801654338837], D(NF.LogSigmoid(x)), 1e-6);
        AssertClose([0.41421353816986084, 1, 1.6180340051651, 2.4142136573791504], D(NF.Squareplus(x)), 1e-6);
        AssertClose([-1.4621171951293945, 0], D(NF.Glu(x)), 1e-6);
        // sparse_plus: 0 at or below -1, (x + 1)² / 4 between, x from 1.
        AssertClose([0, 0.25, 1, 2], D(NF.SparsePlus(x)));
        AssertClose([0, 0, 0, 1], D(NF.Sparsemax(x)));
        foreach (var y in new[] { NF.Celu(x), NF.TanhShrink(x), NF.LogSigmoid(x), NF.Squareplus(x), NF.Glu(x), NF.SparsePlus(x), NF.Sparsemax(x) })
            Assert.Equal(DType.Float32, y.DType);
        // By Keras name through a layer's activation too.
        Assert.Equal(DType.Float32, Keras.ActivationFunction.Get("tanh_shrink").Apply(x).DType);
    }

    // Pinned: NaN goes where Keras' where-formulas send it (the comparisons are false).
    [SkippableFact]
    public void Nan_follows_kerass_formulas()
    {
        RequireBackend();
        float nan = float.NaN;
        // np.where(abs(x) > 0.5, x, 0) and soft_shrink's nested where: NaN -> 0; threshold -> the default.
        AssertClose([0, 0, 1], D(NF.HardShrink(F(nan, 0.2f, 1))));
        AssertClose([0, 0, -0.5], D(NF.SoftShrink(F(nan, 0.2f, -1))));
        AssertClose([-7, -7, 1], D(NF.Threshold(F(nan, 0.2f, 1), 0.5, -7)));
        // Clips and sparse_sigmoid keep NaN; a NaN logit stays NaN in its place and leaves the others
        // as Keras' sparsemax formula does in NumPy ([nan, 0, 1]; before, the 0/1 mask spread it to the row).
        AssertClose([double.NaN, 1], D(NF.HardTanh(F(nan, 3))));
        AssertClose([double.NaN, 1], D(NF.SparseSigmoid(F(nan, 3))));
        AssertClose([double.NaN, 0, 1], D(NF.Sparsemax(F(nan, 0, 1))));
    }
}

public sealed class ManagedActivationEdgeTests() : ActivationEdgeTests("managed");

public sealed class NativeCpuActivationEdgeTests() : ActivationEdgeTests("cpu");

public sealed class CudaActivationEdgeTests() : ActivationEdgeTests("cuda");

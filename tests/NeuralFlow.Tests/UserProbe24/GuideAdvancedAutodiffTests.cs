using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's "Advanced automatic differentiation" guide (guide/advanced_autodiff.ipynb) in C#, cell by cell:
/// stop_recording, reset, stop_gradient, a custom gradient clipping by norm, two tapes at once, nested tapes for a
/// second derivative and an input-gradient penalty, Jacobians (scalar source, a layer's kernel), the Hessian of a
/// two-layer net and a Newton step with it, and batch Jacobians (with and without BatchNormalization). The guide's
/// random inputs and weights are fixed here so that the numbers are PyTorch's (advanced_autodiff_references.py).
/// </summary>
public abstract class GuideAdvancedAutodiffTests(string backend) : BackendTest(backend)
{
    private static Tensor Input() => NF.Constant(Enumerable.Range(0, 35).Select(k => MathF.Sin(0.53f * k + 0.2f)).ToArray(), new Shape(7, 5));

    // advanced_autodiff_references.py's weight(): value k of weight v is 0.3 sin(0.37 k + 1.1 v) (0.05 for a bias).
    private static void SetWeights(Layer layer, int firstV)
    {
        int v = firstV;
        layer.SetWeights([.. layer.Variables.Select(w =>
        {
            double scale = w.Rank == 1 ? 0.05 : 0.3;
            int index = v++;
            return NF.Constant(Enumerable.Range(0, (int)w.Count).Select(k => (float)(scale * Math.Sin(0.37 * k + 1.1 * index))).ToArray(), w.Shape);
        })]);
    }

    private static Layers.Dense Dense(int units, string activation, int inputs, int firstV)
    {
        var layer = new Layers.Dense(units, activation: activation);
        layer.Call(NF.Zeros([7, inputs]));   // builds it
        SetWeights(layer, firstV);
        return layer;
    }

    [SkippableFact]
    public void Controlling_what_the_tape_records()
    {
        RequireBackend();
        var x = new Variable(2.0f);
        var y = new Variable(3.0f);
        Tensor z;
        // stop_recording
        using (var t = new GradientTape())
        {
            var xSq = x * x;
            Tensor ySq;
            using (t.StopRecording()) ySq = y * y;
            z = xSq + ySq;
            var grad = t.Gradient(z, [x, y]);
            Assert.Equal(4f, grad[0].Item<float>());
            Assert.Null(grad[1]);
        }
        // reset
        using (var t = new GradientTape())
        {
            var ySq = y * y;
            t.Reset();   // throw out all the tape recorded so far
            z = x * x + ySq;
            var grad = t.Gradient(z, [x, y]);
            Assert.Equal(4f, grad[0].Item<float>());
            Assert.Null(grad[1]);
        }
        // stop_gradient
        using (var t = new GradientTape())
        {
            var ySq = NF.Pow(y, 2f);
            z = NF.Pow(x, 2f) + NF.StopGradient(ySq);
            var grad = t.Gradient(z, [x, y]);
            Assert.Equal(4f, grad[0].Item<float>());
            Assert.Null(grad[1]);
        }
        // A custom gradient: an identity whose upstream gradient is clipped to norm 0.5, so d(v*v)/dv = 4 becomes 2.
        var clipGradients = NF.CustomGradient((Tensor v) => (NF.Identity(v), dy => NF.ClipByNorm(dy, 0.5)));
        var w = new Variable(2.0f);
        using (var t = new GradientTape())
        {
            var output = clipGradients(w * w);
            Assert.Equal(2.0f, t.Gradient(output, w).Item<float>());
        }
    }

    [SkippableFact]
    public void Two_tapes_at_once_and_nested_tapes()
    {
        RequireBackend();
        var x0 = NF.Constant(0.0f);
        var x1 = NF.Constant(0.0f);
        using (var tape0 = new GradientTape())
        using (var tape1 = new GradientTape())
        {
            tape0.Watch(x0);
            tape1.Watch(x1);
            var y = NF.Sin(x0) + NF.Sigmoid(x1);
            var ys = NF.ReduceSum(y);
            Assert.Equal(1.0f, tape0.Gradient(ys, x0).Item<float>());    // cos(x) => 1.0
            Assert.Equal(0.25f, tape1.Gradient(ys, x1).Item<float>());   // sigmoid(x1)*(1-sigmoid(x1)) => 0.25
        }

        var x = new Variable(1.0f);
        Tensor dyDx, d2yDx2;
        using (var t2 = new GradientTape())
        {
            using (var t1 = new GradientTape())
            {
                var y = x * x * x;
                // Computed inside the outer tape, so the gradient is differentiable as well.
                dyDx = t1.Gradient(y, x);
            }
            d2yDx2 = t2.Gradient(dyDx, x);
        }
        Assert.Equal(3.0f, dyDx.Item<float>());
        Assert.Equal(6.0f, d2yDx2.Item<float>());
    }

    [SkippableFact]
    public void An_input_gradient_penalty_differentiated_with_respect_to_the_model()
    {
        RequireBackend();
        var x = Input();
        var layer = Dense(10, "relu", 5, 0);
        Tensor g1Mag;
        Tensor[] dg1Mag;
        using (var t2 = new GradientTape())
        {
            Tensor g1;
            // The inner tape only takes the gradient with respect to the input, not the variables.
            using (var t1 = new GradientTape(watchAccessedVariables: false))
            {
                t1.Watch(x);
                var y = layer.Call(x);
                var outSum = NF.ReduceSum(NF.Square(layer.Call(x)));
                Assert.Empty(t1.WatchedVariables());
                g1 = t1.Gradient(outSum, x);
            }
            g1Mag = NF.Norm(g1);
            dg1Mag = t2.Gradient(g1Mag, layer.TrainableVariables);
        }
        // advanced_autodiff_references.py
        Assert.Equal(1.5902029f, g1Mag.Item<float>(), 1e-5f);
        Assert.Equal(new[] { new Shape(5, 10), new Shape(10) }, dg1Mag.Select(g => g.Shape));
        Assert.Equal(-1.9260410f, NF.ReduceSum(dg1Mag[0]).Item<float>(), 1e-4f);
        Assert.Equal(9.2867889f, NF.ReduceSum(dg1Mag[1]).Item<float>(), 1e-4f);
        Assert.Equal(19.2527828f, NF.ReduceSum(NF.Abs(dg1Mag[0])).Item<float>(), 1e-4f);
    }

    [SkippableFact]
    public void Jacobians_of_a_scalar_source_and_of_a_layer_kernel()
    {
        RequireBackend();
        var x = NF.Linspace(-10.0f, 10.0f, 200 + 1);
        var delta = new Variable(0.0f);
        Tensor y, dyDx;
        using (var tape = new GradientTape())
        {
            y = NF.Sigmoid(x + delta);
            dyDx = tape.Jacobian(y, delta);
        }
        Assert.Equal(new Shape(201), y.Shape);
        Assert.Equal(new Shape(201), dyDx.Shape);
        var expected = y * (1f - y);
        Assert.True(NF.ReduceMax(NF.Abs(dyDx - expected)).Item<float>() < 1e-6f);

        var input = Input();
        var layer = Dense(10, "relu", 5, 0);
        using (var tape = new GradientTape(persistent: true))
        {
            y = layer.Call(input);
            Assert.Equal(new Shape(7, 10), y.Shape);
            Assert.Equal(new Shape(5, 10), layer.Kernel!.Shape);
            var j = tape.Jacobian(y, layer.Kernel);
            Assert.Equal(new Shape(7, 10, 5, 10), j.Shape);
            var g = tape.Gradient(y, layer.Kernel);
            Assert.Equal(new Shape(5, 10), g.Shape);
            var jSum = NF.ReduceSum(j, [0, 1]);
            Assert.True(NF.ReduceMax(NF.Abs(g - jSum)).Item<float>() < 1e-5f);
        }
        Assert.Equal(4.5414352f, NF.ReduceSum(y).Item<float>(), 1e-5f);   // advanced_autodiff_references.py
    }

    [SkippableFact]
    public void The_hessian_of_a_two_layer_net_and_a_newton_step()
    {
        RequireBackend();
        var x = Input();
        var layer1 = Dense(8, "relu", 5, 0);
        var layer2 = Dense(6, "relu", 8, 4);
        Tensor g, h;
        using (var t2 = new GradientTape())
        {
            using (var t1 = new GradientTape())
            {
                var hidden = layer2.Call(layer1.Call(x));
                var loss = NF.ReduceMean(NF.Square(hidden));
                g = t1.Gradient(loss, layer1.Kernel!);
            }
            h = t2.Jacobian(g, layer1.Kernel!);
        }
        Assert.Equal(new Shape(5, 8), layer1.Kernel!.Shape);
        Assert.Equal(new Shape(5, 8, 5, 8), h.Shape);
        // advanced_autodiff_references.py
        Assert.Equal(0.0012100f, NF.ReduceSum(g).Item<float>(), 1e-5f);
        Assert.Equal(0.2853460f, NF.ReduceSum(h).Item<float>(), 1e-4f);
        Assert.Equal(8.7169428f, NF.ReduceSum(NF.Abs(h)).Item<float>(), 1e-4f);

        int nParams = (int)layer1.Kernel.Count;
        var gVec = NF.Reshape(g, [nParams, 1]);
        var hMat = NF.Reshape(h, [nParams, nParams]);
        var eyeEps = NF.Eye(nParams) * 1e-3f;
        // X(k+1) = X(k) - (∇²f(X(k)))^-1 @ ∇f(X(k))
        var update = NF.Solve(hMat + eyeEps, gVec);
        layer1.Kernel.AssignSub(NF.Reshape(update, layer1.Kernel.Shape));
        Assert.Equal(1.134107f, NF.ReduceSum(layer1.Kernel).Item<float>(), 1e-3f);
        Assert.Equal(7.746875f, NF.ReduceSum(NF.Abs(layer1.Kernel)).Item<float>(), 1e-3f);
        Assert.Equal(0.0002684f, NF.ReduceMean(NF.Square(layer2.Call(layer1.Call(x)))).Item<float>(), 1e-6f);
    }

    [SkippableFact]
    public void Batch_jacobians_and_why_batch_normalization_breaks_them()
    {
        RequireBackend();
        var x = Input();
        var layer1 = Dense(8, "elu", 5, 0);
        var layer2 = Dense(6, "elu", 8, 4);
        using (var tape = new GradientTape(persistent: true, watchAccessedVariables: false))
        {
            tape.Watch(x);
            var y = layer2.Call(layer1.Call(x));
            Assert.Equal(new Shape(7, 6), y.Shape);
            var j = tape.Jacobian(y, x);
            Assert.Equal(new Shape(7, 6, 7, 5), j.Shape);
            // All (batch, batch) slices off the diagonal are zero: summing over the source batch selects the diagonal.
            var jSum = NF.ReduceSum(j, axis: 2);
            Assert.Equal(new Shape(7, 6, 5), jSum.Shape);
            var jSelect = NF.Einsum("bxby->bxy", j);
            Assert.Equal(new Shape(7, 6, 5), jSelect.Shape);
            var jb = tape.BatchJacobian(y, x);
            Assert.Equal(new Shape(7, 6, 5), jb.Shape);
            Assert.True(NF.ReduceMax(NF.Abs(jb - jSum)).Item<float>() < 1e-6f);
            Assert.True(NF.ReduceMax(NF.Abs(jb - jSelect)).Item<float>() < 1e-6f);
            // advanced_autodiff_references.py
            Assert.Equal(1.4702158f, NF.ReduceSum(jb).Item<float>(), 1e-5f);
            Assert.Equal(7.8797932f, NF.ReduceSum(NF.Abs(jb)).Item<float>(), 1e-5f);
        }

        // With BatchNormalization in training, each output depends on every example: the off-diagonal slices are not zero,
        // and batch_jacobian (which takes only the diagonal) is not the whole story.
        var bn = new Layers.BatchNormalization();
        using (var tape = new GradientTape(persistent: true, watchAccessedVariables: false))
        {
            tape.Watch(x);
            var y = layer2.Call(bn.Call(layer1.Call(x), training: true));
            var j = tape.Jacobian(y, x);
            Assert.Equal(new Shape(7, 6, 7, 5), j.Shape);
            var offDiagonal = NF.ReduceSum(NF.Abs(j)) - NF.ReduceSum(NF.Abs(NF.Einsum("bxby->bxy", j)));
            Assert.True(offDiagonal.Item<float>() > 1e-2f);
            Assert.Equal(new Shape(7, 6, 5), tape.BatchJacobian(y, x).Shape);
        }
    }
}

/// <summary>The advanced autodiff guide, on the managed backend.</summary>
public sealed class ManagedGuideAdvancedAutodiffTests() : GuideAdvancedAutodiffTests("managed");

/// <summary>The advanced autodiff guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideAdvancedAutodiffTests() : GuideAdvancedAutodiffTests("cpu");

/// <summary>The advanced autodiff guide, on the CUDA backend.</summary>
public sealed class CudaGuideAdvancedAutodiffTests() : GuideAdvancedAutodiffTests("cuda");

using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe15;

namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// TensorFlow's "Advanced automatic differentiation" guide (guide/advanced_autodiff.ipynb) cell by
/// cell in C#, with the values its comments state (dz/dx = 4, clipped gradient 2, cos(0) = 1,
/// sigmoid'(0) = 0.25, 3 and 6 for x^3 at 1) and the shapes it prints.
/// </summary>
public abstract class GuidesAutodiffTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Stop_recording_reset_and_stop_gradient_leave_y_unconnected()
    {
        RequireBackend();
        var x = new Variable(2f);
        var y = new Variable(3f);
        Dictionary<string, Tensor> grad;
        using (var t = new GradientTape())
        {
            var xSq = x * x;
            Tensor ySq;
            using (t.StopRecording()) ySq = y * y;
            var z = xSq + ySq;
            grad = t.Gradient(z, new Dictionary<string, Variable> { ["x"] = x, ["y"] = y });
        }
        Assert.Equal(4f, grad["x"].Item<float>());
        Assert.Null(grad["y"]);

        using (var t = new GradientTape())
        {
            var ySq = y * y;
            t.Reset();
            var z = x * x + ySq;
            grad = t.Gradient(z, new Dictionary<string, Variable> { ["x"] = x, ["y"] = y });
        }
        Assert.Equal(4f, grad["x"].Item<float>());
        Assert.Null(grad["y"]);

        using (var t = new GradientTape())
        {
            var ySq = NF.Pow(y, 2);
            var z = NF.Pow(x, 2) + NF.StopGradient(ySq);
            grad = t.Gradient(z, new Dictionary<string, Variable> { ["x"] = x, ["y"] = y });
        }
        Assert.Equal(4f, grad["x"].Item<float>());
        Assert.Null(grad["y"]);
    }

    [SkippableFact]
    public void A_custom_gradient_clips_in_the_backward_pass()
    {
        RequireBackend();
        var clipGradients = NF.CustomGradient((Tensor y) => (NF.Identity(y), dy => NF.ClipByNorm(dy, 0.5)));
        var v = new Variable(2f);
        using var t = new GradientTape();
        var output = clipGradients(v * v);
        // backward clips the upstream 1 to 0.5, times d(v*v)/dv = 4: 2.
        Assert.Equal(2f, t.Gradient(output, v).Item<float>(), 6);
    }

    [SkippableFact]
    public void Two_tapes_each_answer_for_their_own_source()
    {
        RequireBackend();
        var x0 = NF.Constant(0f);
        var x1 = NF.Constant(0f);
        using var tape0 = new GradientTape();
        using var tape1 = new GradientTape();
        tape0.Watch(x0);
        tape1.Watch(x1);
        var y0 = NF.Sin(x0);
        var y1 = NF.Sigmoid(x1);
        var y = y0 + y1;
        var ys = NF.ReduceSum(y);
        Assert.Equal(1f, tape0.Gradient(ys, x0).Item<float>(), 6);
        Assert.Equal(0.25f, tape1.Gradient(ys, x1).Item<float>(), 6);
    }

    [SkippableFact]
    public void Higher_order_gradients_and_an_input_gradient_penalty()
    {
        RequireBackend();
        var x = new Variable(1f);
        Tensor dyDx, d2yDx2;
        using (var t2 = new GradientTape())
        {
            using (var t1 = new GradientTape())
            {
                var y = x * x * x;
                dyDx = t1.Gradient(y, x);
            }
            d2yDx2 = t2.Gradient(dyDx, x);
        }
        Assert.Equal(3f, dyDx.Item<float>(), 6);
        Assert.Equal(6f, d2yDx2.Item<float>(), 6);

        NF.Random.SetSeed(3);
        var input = NF.Random.Normal([7, 5]);
        var layer = new Layers.Dense(10, activation: "relu");
        Tensor[] dg1Mag;
        using (var t2 = new GradientTape())
        {
            Tensor g1;
            using (var t1 = new GradientTape(watchAccessedVariables: false))
            {
                t1.Watch(input);
                var y = layer.Call(input);
                var @out = NF.ReduceSum(NF.Pow(layer.Call(input), 2));
                g1 = t1.Gradient(@out, input);
            }
            var g1Mag = NF.Norm(g1);
            dg1Mag = t2.Gradient(g1Mag, layer.TrainableVariables);
        }
        Assert.Equal(new[] { new Shape(5, 10), new Shape(10) }, dg1Mag.Select(g => g.Shape));
        Assert.All(dg1Mag, Assert.NotNull);
    }

    [SkippableFact]
    public void Jacobians_of_a_scalar_source_and_of_a_layers_kernel()
    {
        RequireBackend();
        var x = NF.Linspace(-10.0, 10.0, 200 + 1);
        var delta = new Variable(0f);
        Tensor y, dyDx;
        using (var tape = new GradientTape())
        {
            y = NF.Sigmoid(x + delta);
            dyDx = tape.Jacobian(y, delta);
        }
        Assert.Equal(new Shape(201), y.Shape);
        Assert.Equal(new Shape(201), dyDx.Shape);
        GuideAssert.Close(y * (1f - y), dyDx, 1e-6);

        NF.Random.SetSeed(4);
        var input = NF.Random.Normal([7, 5]);
        var layer = new Layers.Dense(10, activation: "relu");
        using (var tape = new GradientTape(persistent: true))
        {
            var yk = layer.Call(input);
            Assert.Equal(new Shape(7, 10), yk.Shape);
            var kernel = layer.Kernel!;
            Assert.Equal(new Shape(5, 10), kernel.Shape);
            var j = tape.Jacobian(yk, kernel);
            Assert.Equal(new Shape(7, 10, 5, 10), j.Shape);
            var g = tape.Gradient(yk, kernel);
            Assert.Equal(new Shape(5, 10), g.Shape);
            var jSum = NF.ReduceSum(j, [0, 1]);
            Assert.True(NF.ReduceMax(NF.Abs(g - jSum)).Item<float>() < 1e-3);
        }
    }

    [SkippableFact]
    public void A_hessian_by_nested_tapes_takes_a_newton_step()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([7, 5]);
        var layer1 = new Layers.Dense(8, activation: "relu");
        var layer2 = new Layers.Dense(6, activation: "relu");
        Tensor g, h;
        using (var t2 = new GradientTape())
        {
            using (var t1 = new GradientTape())
            {
                var hidden = layer2.Call(layer1.Call(x));
                var loss = NF.ReduceMean(NF.Pow(hidden, 2));
                g = t1.Gradient(loss, layer1.Kernel!);
            }
            h = t2.Jacobian(g, layer1.Kernel!);
        }
        Assert.Equal(new Shape(5, 8), layer1.Kernel!.Shape);
        Assert.Equal(new Shape(5, 8, 5, 8), h.Shape);
        int nParams = (int)layer1.Kernel.Shape.Count;
        var gVec = NF.Reshape(g, [nParams, 1]);
        var hMat = NF.Reshape(h, [nParams, nParams]);
        // The Hessian of a sum of squares is symmetric.
        GuideAssert.Close(hMat, NF.Transpose(hMat), 1e-4);
        var eyeEps = NF.Eye(hMat.Shape[0]) * 1e-3f;
        var update = NF.Solve(hMat + eyeEps, gVec);
        GuideAssert.Close(gVec, NF.MatMul(hMat + eyeEps, update), 1e-3);
        var before = layer1.Kernel.ToArray<float>();
        layer1.Kernel.AssignSub(NF.Reshape(update, layer1.Kernel.Shape.ToArray()));
        Assert.NotEqual(before, layer1.Kernel.ToArray<float>());
    }

    [SkippableFact]
    public void Batch_jacobian_equals_the_summed_full_jacobian()
    {
        RequireBackend();
        NF.Random.SetSeed(6);
        var x = NF.Random.Normal([7, 5]);
        var layer1 = new Layers.Dense(8, activation: "elu");
        var layer2 = new Layers.Dense(6, activation: "elu");
        using var tape = new GradientTape(persistent: true, watchAccessedVariables: false);
        tape.Watch(x);
        var y = layer2.Call(layer1.Call(x));
        Assert.Equal(new Shape(7, 6), y.Shape);
        var j = tape.Jacobian(y, x);
        Assert.Equal(new Shape(7, 6, 7, 5), j.Shape);
        var jSum = NF.ReduceSum(j, axis: 2);
        Assert.Equal(new Shape(7, 6, 5), jSum.Shape);
        var jSelect = NF.Einsum("bxby->bxy", j);
        Assert.Equal(new Shape(7, 6, 5), jSelect.Shape);
        GuideAssert.Close(jSum, jSelect, 1e-6);
        var jb = tape.BatchJacobian(y, x);
        Assert.Equal(new Shape(7, 6, 5), jb.Shape);
        Assert.True(NF.ReduceMax(NF.Abs(jb - jSum)).Item<float>() < 1e-3);
        // The guide's plot: transpose, pad between the patches, reshape to one image.
        var patches = NF.Transpose(j, [1, 0, 3, 2]);
        var lim = NF.ReduceMax(NF.Abs(patches));
        var padded = NF.Pad(patches, new[,] { { 0, 0 }, { 1, 1 }, { 0, 0 }, { 1, 1 } }, constantValues: -lim.Item<float>());
        Assert.Equal(new Shape(6, 9, 5, 9), padded.Shape);
    }

    [SkippableFact]
    public void Batch_jacobian_through_batch_normalization_has_the_guides_shapes()
    {
        RequireBackend();
        NF.Random.SetSeed(7);
        var x = NF.Random.Normal([7, 5]);
        var layer1 = new Layers.Dense(8, activation: "elu");
        var bn = new Layers.BatchNormalization();
        var layer2 = new Layers.Dense(6, activation: "elu");
        using var tape = new GradientTape(persistent: true, watchAccessedVariables: false);
        tape.Watch(x);
        var y = layer2.Call(bn.Call(layer1.Call(x), training: true));
        var j = tape.Jacobian(y, x);
        Assert.Equal(new Shape(7, 6, 7, 5), j.Shape);
        var jb = tape.BatchJacobian(y, x);
        Assert.Equal(new Shape(7, 6, 5), jb.Shape);
        // Batch statistics mix the examples: the off-diagonal blocks are not zero.
        var offDiagonal = NF.ReduceMax(NF.Abs(j[0, .., 1, ..])).Item<float>();
        Assert.True(offDiagonal > 1e-6, $"off-diagonal block {offDiagonal}");
    }

    [SkippableFact]
    public void Odd_requests_fail_by_name_or_give_none()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, 2f });
        // A custom gradient whose backward returns the wrong shape: TensorFlow refuses it too.
        var wrong = NF.CustomGradient((Tensor t) => (t * 2f, dy => NF.ReduceSum(dy)));
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = wrong(x);
            var e = Assert.ThrowsAny<Exception>(() => tape.Gradient(y, x));
            Assert.Contains("shape", e.Message);
        }
        // A non-persistent tape answers once.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = NF.ReduceSum(x * x);
            tape.Gradient(y, x);
            Assert.Throws<InvalidOperationException>(() => tape.Gradient(y, x));
        }
        // Output gradients of the wrong shape are named.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = x * x;
            var e = Assert.ThrowsAny<ArgumentException>(() => tape.Gradient(y, [x], outputGradients: NF.Ones([3])));
            Assert.Contains("outputGradients", e.Message);
        }
        // An integer source: None, as TensorFlow's.
        var n = NF.Constant(new[] { 1, 2 });
        using (var tape = new GradientTape())
        {
            tape.Watch(n);
            var y = NF.Cast(n, DType.Float32) * 2f;
            Assert.Null(tape.Gradient(y, [n])[0]);
        }
        // A constant the tape does not watch, and a variable a tape made with watchAccessedVariables: false
        // did not watch: None, as TensorFlow's.
        var v = new Variable(3f);
        using (var tape = new GradientTape(watchAccessedVariables: false))
        {
            var c = NF.Constant(2f);
            var y = c * v;
            var g = tape.Gradient(y, [c, v]);
            Assert.Null(g[0]);
            Assert.Null(g[1]);
        }
        // The Jacobian of a scalar is the gradient's shape.
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var y = NF.ReduceSum(x * x);
            Assert.Equal(new[] { 2f, 4f }, tape.Jacobian(y, x).ToArray<float>());
        }
    }

    [SkippableFact]
    public void Output_gradients_and_a_list_of_vector_targets()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, 2.0, 3.0 });
        using var tape = new GradientTape(persistent: true);
        tape.Watch(x);
        var y0 = x * x;
        var y1 = NF.Sin(x);
        var weights = NF.Constant(new[] { 1.0, 0.5, -2.0 });
        var vjp = tape.Gradient(y0, [x], outputGradients: weights)[0];
        Assert.Equal(new[] { 2.0, 2.0, -12.0 }, vjp.ToArray<double>());
        var both = tape.Gradient([y0, y1], [x])[0];
        GuideAssert.Close(2.0 * x + NF.Cos(x), both, 1e-12);
    }
}

/// <summary>The advanced autodiff guide, on the managed backend.</summary>
public sealed class ManagedGuidesAutodiffTests() : GuidesAutodiffTests("managed");

/// <summary>The advanced autodiff guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesAutodiffTests() : GuidesAutodiffTests("cpu");

/// <summary>The advanced autodiff guide, on the CUDA backend.</summary>
public sealed class CudaGuidesAutodiffTests() : GuidesAutodiffTests("cuda");

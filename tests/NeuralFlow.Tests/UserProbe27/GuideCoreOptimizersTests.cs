using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's Core APIs optimizers guide (guide/core/optimizers_core.ipynb) in C#, cell by cell: gradient descent,
/// momentum and Adam written by hand as modules that update variables with AssignSub, and the guide's convergence test
/// on 2x^4 + 3x^3 + 2 from x = 2 for learning rates 1e-3, 1e-2 and 1e-1 (stop when an update leaves x unchanged, or the
/// gradient is NaN). The iteration counts, first steps and final values are those of the same loops in float32 numpy
/// with TensorFlow's arithmetic and in PyTorch (guidecore_optimizers_references.py; both agree). The plots are left out;
/// their data (the loss and gradient curves, the log-loss grid of viz_paths) are checked instead.
/// </summary>
public abstract class GuideCoreOptimizersTests(string backend) : BackendTest(backend)
{
    private interface IOptimizer
    {
        string Title { get; }
        void ApplyGradients(IReadOnlyList<Tensor> grads, IReadOnlyList<Variable> vars);
    }

    /// <summary>The guide's GradientDescent(tf.Module).</summary>
    private sealed class GradientDescent(double learningRate = 1e-3) : Module, IOptimizer
    {
        public string Title { get; } = $"Gradient descent optimizer: learning rate={learningRate}";

        public void ApplyGradients(IReadOnlyList<Tensor> grads, IReadOnlyList<Variable> vars)
        {
            foreach (var (grad, var) in grads.Zip(vars)) var.AssignSub(learningRate * grad);
        }
    }

    /// <summary>The guide's Momentum(tf.Module): the last change starts as the Python float 0. and becomes a tensor.</summary>
    private sealed class Momentum(double learningRate = 1e-3, double momentum = 0.7) : Module, IOptimizer
    {
        private Tensor _change = 0.0;

        public string Title { get; } = $"Gradient descent optimizer: learning rate={learningRate}";

        public void ApplyGradients(IReadOnlyList<Tensor> grads, IReadOnlyList<Variable> vars)
        {
            foreach (var (grad, var) in grads.Zip(vars))
            {
                var currChange = learningRate * grad + momentum * _change;
                var.AssignSub(currChange);
                _change = currChange;
            }
        }
    }

    /// <summary>The guide's Adam(tf.Module): moment and RMSprop slots made on the first call, one per variable.</summary>
    private sealed class Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double ep = 1e-7) : Module, IOptimizer
    {
        private double _t = 1.0;
        private readonly List<Tensor> _vDvar = [], _sDvar = [];
        private bool _built;

        public string Title { get; } = $"Adam: learning rate={learningRate}";

        public void ApplyGradients(IReadOnlyList<Tensor> grads, IReadOnlyList<Variable> vars)
        {
            if (!_built)
            {
                foreach (var var in vars)
                {
                    _vDvar.Add(new Variable(NF.Zeros(var.Shape)));
                    _sDvar.Add(new Variable(NF.Zeros(var.Shape)));
                }
                _built = true;
            }
            for (int i = 0; i < vars.Count; i++)
            {
                var dVar = grads[i];
                _vDvar[i] = beta1 * _vDvar[i] + (1 - beta1) * dVar;
                _sDvar[i] = beta2 * _sDvar[i] + (1 - beta2) * NF.Square(dVar);
                var vDvarBc = _vDvar[i] / (1 - Math.Pow(beta1, _t));
                var sDvarBc = _sDvar[i] / (1 - Math.Pow(beta2, _t));
                vars[i].AssignSub(learningRate * (vDvarBc / (NF.Sqrt(sDvarBc) + ep)));
            }
            _t += 1.0;
        }
    }

    private static Tensor Loss(Tensor x) => 2 * NF.Pow(x, 4) + 3 * NF.Pow(x, 3) + 2;

    private static Tensor Grad(Func<Tensor, Tensor> f, Tensor x)
    {
        using var tape = new GradientTape();
        tape.Watch(x);
        var result = f(x);
        return tape.Gradient(result, x);
    }

    /// <summary>The guide's convergence_test: its printed lines and the parameter path (empty when the gradient exploded).</summary>
    private static (List<string> Printed, List<float> Path) ConvergenceTest(IOptimizer optimizer, Func<Tensor, Tensor> lossFn, float initVal = 2f, int maxIters = 2000)
    {
        var printed = new List<string> { optimizer.Title, "-------------------------------" };
        var xStar = new Variable(initVal);
        var paramPath = new List<float>();
        bool converged = false;
        for (int iter = 1; iter <= maxIters; iter++)
        {
            var xGrad = Grad(lossFn, xStar);
            if (NF.IsNan(xGrad).Item<bool>())
            {
                printed.Add($"Gradient exploded at iteration {iter}");
                return (printed, []);
            }
            float xOld = xStar.Item<float>();
            optimizer.ApplyGradients([xGrad], [xStar]);
            paramPath.Add(xStar.Item<float>());
            // Python's `x_star == x_old` compares values; C#'s == on tensors would compare references.
            if (NF.Equal(xStar, xOld).Item<bool>())
            {
                printed.Add($"Converged in {iter} iterations");
                converged = true;
                break;
            }
        }
        if (!converged) printed.Add($"Exceeded maximum of {maxIters} iterations. Test terminated.");
        return (printed, paramPath);
    }

    private static void AssertPath(List<float> path, int length, float[] first3, float last)
    {
        Assert.Equal(length, path.Count);
        Assert.Equal(first3, path.Take(3), new Near(1e-6f));
        Assert.Equal(last, path[^1], Math.Abs(last) * 1e-5f);
    }

    [SkippableFact]
    public void The_sample_loss_and_its_gradient_have_the_minimum_at_minus_nine_eighths()
    {
        RequireBackend();
        var xVals = NF.Cast(NF.Linspace(-2, 2, 201), DType.Float32);
        Assert.Equal(new Shape(201), xVals.Shape);
        var losses = Loss(xVals);
        var grads = Grad(Loss, xVals);
        // Loss 2x^4 + 3x^3 + 2, gradient 8x^3 + 9x^2: at x = -2 they are 10 and -28, at 0 (the inflection point) 2 and 0.
        Assert.Equal([10f, 2f], [losses[0].Item<float>(), losses[100].Item<float>()]);
        Assert.Equal([-28f, 0f], [grads[0].Item<float>(), grads[100].Item<float>()]);
        Assert.Equal(2f, Loss(NF.Constant(0f)).Item<float>());
        // The global minimum: loss(-9/8) = 2 - 2187/2048.
        Assert.Equal(2f - 2187f / 2048f, Loss(NF.Constant(-9f / 8)).Item<float>(), 1e-6f);
        Assert.Equal(0f, Grad(Loss, NF.Constant(-9f / 8)).Item<float>(), 1e-5f);

        // viz_paths' background: log(loss) over the (iteration, x) grid.
        var tVals = NF.Range(1.0, 2000 + 100.0);
        var grid = NF.Meshgrid(tVals, xVals);
        Assert.Equal(new Shape(201, 2099), grid[0].Shape);
        var lossGrid = NF.Log(Loss(grid[1]));
        Assert.Equal(new Shape(201, 2099), lossGrid.Shape);
        Assert.Equal(MathF.Log(10f), lossGrid[0, 5].Item<float>(), 1e-6f);
    }

    [SkippableFact]
    public void Gradient_descent_creeps_at_small_rates_and_explodes_at_a_large_one()
    {
        RequireBackend();
        var paramMapGd = new Dictionary<double, (List<string> Printed, List<float> Path)>();
        foreach (var learningRate in new[] { 1e-3, 1e-2, 1e-1 })
            paramMapGd[learningRate] = ConvergenceTest(new GradientDescent(learningRate), Loss);

        Assert.Equal(["Gradient descent optimizer: learning rate=0.001", "-------------------------------",
                      "Exceeded maximum of 2000 iterations. Test terminated."], paramMapGd[1e-3].Printed);
        AssertPath(paramMapGd[1e-3].Path, 2000, [1.9f, 1.8126379f, 1.7354214f], 0.047644116f);
        Assert.Equal("Exceeded maximum of 2000 iterations. Test terminated.", paramMapGd[1e-2].Printed[^1]);
        AssertPath(paramMapGd[1e-2].Path, 2000, [1.0f, 0.83f, 0.722256f], 0.005390835f);
        Assert.Equal("Gradient exploded at iteration 6", paramMapGd[1e-1].Printed[^1]);
        Assert.Empty(paramMapGd[1e-1].Path);
    }

    [SkippableFact]
    public void Momentum_converges_at_the_middle_rate()
    {
        RequireBackend();
        var (printed, path) = ConvergenceTest(new Momentum(1e-3), Loss);
        Assert.Equal("Exceeded maximum of 2000 iterations. Test terminated.", printed[^1]);
        AssertPath(path, 2000, [1.9f, 1.742638f, 1.5628173f], 0.015380343f);

        (printed, path) = ConvergenceTest(new Momentum(1e-2), Loss);
        Assert.Equal(["Gradient descent optimizer: learning rate=0.01", "-------------------------------", "Converged in 80 iterations"], printed);
        AssertPath(path, 80, [1.0f, 0.13f, -0.48069674f], -1.1249987f);

        (printed, _) = ConvergenceTest(new Momentum(1e-1), Loss);
        Assert.Equal("Gradient exploded at iteration 6", printed[^1]);
    }

    [SkippableFact]
    public void Adam_converges_at_the_large_rate()
    {
        RequireBackend();
        var (printed, path) = ConvergenceTest(new Adam(1e-3), Loss);
        Assert.Equal(["Adam: learning rate=0.001", "-------------------------------", "Exceeded maximum of 2000 iterations. Test terminated."], printed);
        AssertPath(path, 2000, [1.999f, 1.998f, 1.9970001f], 0.8223549f);

        (_, path) = ConvergenceTest(new Adam(1e-2), Loss);
        AssertPath(path, 2000, [1.99f, 1.9800037f, 1.9700135f], 0.06739828f);

        (printed, path) = ConvergenceTest(new Adam(1e-1), Loss);
        Assert.Equal("Converged in 1156 iterations", printed[^1]);
        AssertPath(path, 1156, [1.9f, 1.8005775f, 1.7021496f], -1.124997f);
    }
}

/// <summary>The optimizers guide on the managed backend.</summary>
public sealed class ManagedGuideCoreOptimizersTests() : GuideCoreOptimizersTests("managed");

/// <summary>The optimizers guide on the native CPU backend.</summary>
public sealed class NativeCpuGuideCoreOptimizersTests() : GuideCoreOptimizersTests("cpu");

/// <summary>The optimizers guide on CUDA.</summary>
public sealed class CudaGuideCoreOptimizersTests() : GuideCoreOptimizersTests("cuda");

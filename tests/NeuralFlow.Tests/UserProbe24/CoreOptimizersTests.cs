namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's "Optimizers with Core APIs" guide (guide/core/optimizers_core.ipynb) in C#: gradient descent, momentum
/// and Adam written by hand as the guide's tf.Module classes (AssignSub on a Variable, slots as tensors), run by its
/// convergence_test on 2x⁴ + 3x³ + 2 from x = 2, stopping where an update leaves x exactly unchanged or the gradient
/// is NaN. The iteration counts and end points are PyTorch's float32 run of the same code (core_optimizers_references.py):
/// the exact-equality stop makes the counts sensitive to the last bit of every update, so they check Pow, its gradient
/// and the update arithmetic closely.
/// </summary>
public abstract class CoreOptimizersTests(string backend) : BackendTest(backend)
{
    private interface IOptimizer
    {
        void ApplyGradients(Tensor[] grads, Variable[] vars);
    }

    private sealed class GradientDescent(double learningRate = 1e-3) : IOptimizer
    {
        public void ApplyGradients(Tensor[] grads, Variable[] vars)
        {
            foreach (var (grad, v) in grads.Zip(vars)) v.AssignSub(learningRate * grad);
        }
    }

    private sealed class Momentum(double learningRate = 1e-3, double momentum = 0.7) : IOptimizer
    {
        private Tensor _change = NF.Constant(0f);

        public void ApplyGradients(Tensor[] grads, Variable[] vars)
        {
            foreach (var (grad, v) in grads.Zip(vars))
            {
                var currChange = learningRate * grad + momentum * _change;
                v.AssignSub(currChange);
                _change = currChange;
            }
        }
    }

    private sealed class Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double ep = 1e-7) : IOptimizer
    {
        private double _t = 1;
        private readonly List<Tensor> _v = [], _s = [];

        public void ApplyGradients(Tensor[] grads, Variable[] vars)
        {
            if (_v.Count == 0)
                foreach (var v in vars)
                {
                    _v.Add(new Variable(NF.Zeros(v.Shape)));
                    _s.Add(new Variable(NF.Zeros(v.Shape)));
                }
            for (int i = 0; i < vars.Length; i++)
            {
                _v[i] = beta1 * _v[i] + (1 - beta1) * grads[i];
                _s[i] = beta2 * _s[i] + (1 - beta2) * NF.Square(grads[i]);
                var vBc = _v[i] / (1 - Math.Pow(beta1, _t));
                var sBc = _s[i] / (1 - Math.Pow(beta2, _t));
                vars[i].AssignSub(learningRate * (vBc / (NF.Sqrt(sBc) + ep)));
            }
            _t += 1;
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

    // The guide's convergence_test: ("converged" | "exploded" | "exceeded", iteration, final x).
    private static (string Outcome, int Iterations, float X) ConvergenceTest(IOptimizer optimizer, float initVal = 2f, int maxIters = 2000)
    {
        var xStar = new Variable(initVal);
        for (int iter = 1; iter <= maxIters; iter++)
        {
            var xGrad = Grad(Loss, xStar);
            if (NF.IsNan(xGrad).Item<bool>()) return ("exploded", iter, float.NaN);
            float xOld = xStar.Item<float>();
            optimizer.ApplyGradients([xGrad], [xStar]);
            if (xStar.Item<float>() == xOld) return ("converged", iter, xOld);
        }
        return ("exceeded", maxIters, xStar.Item<float>());
    }

    [SkippableFact]
    public void Gradient_descent_momentum_and_adam_converge_as_in_pytorch()
    {
        RequireBackend();
        // core_optimizers_references.py
        Same(("exceeded", 2000, 0.04764411598443985f), ConvergenceTest(new GradientDescent(1e-3)));
        Same(("exceeded", 2000, 0.005390834994614124f), ConvergenceTest(new GradientDescent(1e-2)));
        Same(("exploded", 6, float.NaN), ConvergenceTest(new GradientDescent(1e-1)));
        Same(("exceeded", 2000, 0.015380343422293663f), ConvergenceTest(new Momentum(1e-3)));
        Same(("converged", 80, -1.124998688697815f), ConvergenceTest(new Momentum(1e-2)));
        Same(("exceeded", 2000, 0.8223549723625183f), ConvergenceTest(new Adam(1e-3)));
        Same(("converged", 1156, -1.1249970197677612f), ConvergenceTest(new Adam(1e-1)));
    }

    // Outcome and iteration count exactly; the end point to 1e-6 relative: PyTorch computes x**4 and its gradient by
    // repeated products where NeuralFlow (and TensorFlow) call pow, a last-bit difference that 2000 updates carry.
    private static void Same((string Outcome, int Iterations, float X) want, (string Outcome, int Iterations, float X) got)
    {
        Assert.Equal((want.Outcome, want.Iterations), (got.Outcome, got.Iterations));
        if (float.IsNaN(want.X)) Assert.True(float.IsNaN(got.X));
        else Assert.True(Math.Abs(got.X - want.X) <= 1e-6 * Math.Abs(want.X), $"x*: {got.X:R}, want {want.X:R}");
    }
}

/// <summary>The core optimizers guide on the managed backend.</summary>
public sealed class ManagedCoreOptimizersTests() : CoreOptimizersTests("managed");

/// <summary>The core optimizers guide on the native CPU backend.</summary>
public sealed class NativeCpuCoreOptimizersTests() : CoreOptimizersTests("cpu");

/// <summary>The core optimizers guide on CUDA.</summary>
public sealed class CudaCoreOptimizersTests() : CoreOptimizersTests("cuda");

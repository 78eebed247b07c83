using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe7;

/// <summary>
/// Keras optimizers stepping float64 variables: two variables of different shapes, three steps of
/// fixed gradients, against Keras 3's update rules written out in float64 NumPy
/// (optimizer_float64_references.py beside this file). A float64 variable must stay float64 and
/// be updated in float64 (agreement to 1e-12), including Nadam's momentum-schedule product (once
/// per step, not per variable), AMSGrad, centered RMSprop with momentum, Adadelta, weight decay
/// and gradient clipping (Adagrad and RMSprop with epsilon inside the root, as Keras 3). Also:
/// gradients of another float dtype, and null gradients.
/// </summary>
public abstract class OptimizerFloat64Tests(string backend) : BackendTest(backend)
{
    private static readonly (double[] G1, double[,] G2)[] Steps =
    [
        ([0.1, -0.2, 0.3], new double[,] { { 1.0, -0.5 }, { 0.0, 2.0 } }),
        ([-0.4, 0.05, 0.3], new double[,] { { 0.5, 0.5 }, { -1.0, 0.25 } }),
        ([0.2, 0.2, -0.6], new double[,] { { -2.0, 1.0 }, { 3.0, -0.5 } }),
    ];

    private static void Check(Optimizers.Optimizer optimizer, double[] w1Expected, double[] w2Expected)
    {
        var w1 = new Variable(NF.Constant(new[] { 0.5, -1.25, 2.0 }), name: "w1");
        var w2 = new Variable(NF.Constant(new double[,] { { 1.0, -2.0 }, { 0.25, 3.0 } }), name: "w2");
        foreach (var (g1, g2) in Steps)
            optimizer.ApplyGradients([NF.Constant(g1), NF.Constant(g2)], [w1, w2]);
        Assert.Equal(DType.Float64, w1.DType);
        Assert.Equal(DType.Float64, w2.DType);
        Assert.Equal(3, optimizer.Iterations);
        string who = optimizer.GetType().Name;
        AssertClose(w1Expected, w1.ToArray<double>(), 1e-12, 1e-13, who + " w1");
        AssertClose(w2Expected, w2.ToArray<double>(), 1e-12, 1e-13, who + " w2");
    }

    [SkippableFact]
    public void Sgd_nesterov_and_adam_amsgrad_update_float64_variables_in_float64()
    {
        RequireBackend();
        Check(new Optimizers.SGD(0.1, momentum: 0.9, nesterov: true),
            [0.53601, -1.2327700000000001, 1.9295300000000002], [0.9006000000000001, -2.15355, -0.0490000000000001, 2.33945]);
        Check(new Optimizers.Adam(0.1, amsgrad: true),
            [0.4669703727889277, -1.1215242402062169, 1.807566700131668], [0.8274182903444286, -1.95978331609593, 0.28198914273458975, 2.7828648974559647]);
    }

    [SkippableFact]
    public void Nadam_advances_its_momentum_product_once_per_step_for_all_variables()
    {
        RequireBackend();
        Check(new Optimizers.Nadam(0.1),
            [0.4502395404350851, -1.2320757799334832, 1.8969792154487886], [0.9296145009839826, -2.048503597988259, 0.2535014412929999, 2.891167565970272]);
    }

    [SkippableFact]
    public void Rmsprop_adagrad_and_adadelta_update_float64_variables_in_float64()
    {
        RequireBackend();
        Check(new Optimizers.RMSprop(0.1, momentum: 0.5, centered: true),
            [0.2474114447378266, -1.0228449713784666, 1.2991813648321195], [0.4572488956835489, -2.0363003036847798, 0.441539889289733, 2.4369984598269103]);
        // Adagrad and uncentered RMSprop divide by sqrt(acc + epsilon) as Keras 3 (PyTorch's
        // sqrt(acc) + epsilon differs from the fifth digit on here: the script prints both).
        Check(new Optimizers.Adagrad(0.1),
            [0.5109078462720303, -1.2566095356827949, 1.94948063126388], [0.9480881381373034, -2.0590912426921055, 0.2509487387288202, 2.9127762423284516]);
        Check(new Optimizers.RMSprop(0.1, momentum: 0.5),
            [0.2638665548895905, -1.0489595125495854, 1.367156034389878], [0.5072967501882775, -2.055400064754262, 0.422830082504691, 2.468599540343236]);
        Check(new Optimizers.Adadelta(1.0),
            [0.4992931808003131, -1.250536543096563, 1.9991703776949488], [0.9995921684533668, -2.0020348172506193, 0.24951208541554773, 2.9988342601274063]);
    }

    [SkippableFact]
    public void Adamax_and_lion_update_float64_variables_in_float64()
    {
        RequireBackend();
        Check(new Optimizers.Adamax(0.1),
            [0.448084679657365, -1.1310689415323238, 1.8053506192804207], [0.8398951847370761, -1.9438240585948694, 0.2768013162426366, 2.8211334354605055]);
        // Lion steps by the sign: a zero gradient (w2[1, 0] at step 1) leaves the weight.
        Check(new Optimizers.Lion(0.1),
            [0.4, -1.35, 1.9], [0.9, -2.1, 0.24999999999999997, 2.9]);
    }

    [SkippableFact]
    public void Weight_decay_with_clipping_follows_keras_order_in_float64()
    {
        RequireBackend();
        Check(new Optimizers.AdamW(0.1, weightDecay: 0.1, globalClipNorm: 1.0),
            [0.48834289076088827, -1.0925242591189723, 1.714078589769008], [0.7606045009148862, -1.9265458163469702, 0.3094507964864394, 2.679810046337871]);
        Check(new Optimizers.SGD(0.1, weightDecay: 0.05, clipNorm: 0.5),
            [0.5071641004414694, -1.2315689710001827, 1.9559738415588963], [0.9700614054632121, -1.992493015231606, 0.2463327480380487, 2.908689053429148]);
    }

    [SkippableFact]
    public void A_schedule_is_read_at_the_step_count_before_each_update()
    {
        RequireBackend();
        // Keras evaluates the schedule at iterations 0, 1, 2: rates 1, 1 (step <= boundary 1), 0.5.
        var w = new Variable(NF.Constant(new[] { 0.0 }));
        var sgd = new Optimizers.SGD(new PiecewiseConstantDecay([1], [1.0, 0.5]));
        for (int i = 0; i < 3; i++) sgd.ApplyGradients([NF.Constant(new[] { 1.0 })], [w]);
        Assert.Equal([-2.5], w.ToArray<double>());
        Assert.Equal(0.5, sgd.CurrentLearningRate);
    }

    [SkippableFact]
    public void Gradients_of_another_float_dtype_are_cast_to_the_variable_and_null_gradients_skip()
    {
        RequireBackend();
        // Keras casts the gradient to the variable's dtype: a float32 gradient steps a float64 variable.
        var w64 = new Variable(NF.Constant(new[] { 1.0, 2.0 }));
        var w32 = new Variable(NF.Constant(new[] { 1f, 2f }));
        var untouched = new Variable(NF.Constant(new[] { 5.0 }));
        var sgd = new Optimizers.SGD(0.5);
        sgd.ApplyGradients([NF.Constant(new[] { 0.25f, -1f }), NF.Constant(new[] { 0.25, -1.0 }), null], [w64, w32, untouched]);
        Assert.Equal(DType.Float64, w64.DType);
        Assert.Equal(DType.Float32, w32.DType);
        Assert.Equal([0.875, 2.5], w64.ToArray<double>());
        Assert.Equal([0.875f, 2.5f], w32.ToArray<float>());
        Assert.Equal([5.0], untouched.ToArray<double>());
        // The same variable twice in one step (two losses' gradients applied together): both
        // steps land, w - lr (g1 + g2), as Keras' per-pair update_step.
        var shared = new Variable(NF.Constant(new[] { 1.0, -1.0, 0.5 }));
        new Optimizers.SGD(0.5).ApplyGradients([NF.Constant(new[] { 1.0, 2.0, 0.0 }), NF.Constant(new[] { 0.5, -4.0, 1.0 })], [shared, shared]);
        Assert.Equal([0.25, 0.0, 0.0], shared.ToArray<double>());
    }
}

public sealed class ManagedOptimizerFloat64Tests() : OptimizerFloat64Tests("managed");

public sealed class NativeCpuOptimizerFloat64Tests() : OptimizerFloat64Tests("cpu");

public sealed class CudaOptimizerFloat64Tests() : OptimizerFloat64Tests("cuda");

using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// Optimizer slot variables carry Keras 3's names (base_optimizer.add_variable_from_reference: the optimizer's name,
/// the model variable's path with '/' as '_', the slot's name), so checkpoints, messages and variable lists show them
/// instead of an unnamed variable ('?'). Named explicitly: a second default Adam is "adam_1" (UserProbe30's OptimizerNamesTests).
/// </summary>
public abstract class FunctionLiftSlotNameTests(string backend) : BackendTest(backend)
{
    private static string?[] SlotNames(Optimizers.Optimizer optimizer)
    {
        var dense = new Layers.Dense(2, name: "dense");
        dense.Call(NF.Ones([1, 3]));
        var kernel = dense.Variables[0];
        optimizer.ApplyGradients([NF.OnesLike(kernel)], [kernel]);
        return optimizer.SlotsOf(kernel)!.Select(s => s.Name).ToArray();
    }

    [SkippableFact]
    public void Slots_are_named_after_the_optimizer_the_variable_and_the_slot_as_keras_names_them()
    {
        RequireBackend();
        Assert.Equal(["adam/dense_kernel_momentum", "adam/dense_kernel_velocity"], SlotNames(new Optimizers.Adam(name: "adam")));
        Assert.Equal(["adam/dense_kernel_momentum", "adam/dense_kernel_velocity", "adam/dense_kernel_velocity_hat"], SlotNames(new Optimizers.Adam(amsgrad: true, name: "adam")));
        Assert.Equal(["sgd/dense_kernel_momentum"], SlotNames(new Optimizers.SGD(momentum: 0.9, name: "sgd")));
        Assert.Equal(["rm_sprop/dense_kernel_velocity", "rm_sprop/dense_kernel_momentum", "rm_sprop/dense_kernel_average_gradient"],
                     SlotNames(new Optimizers.RMSprop(momentum: 0.5, centered: true, name: "rm_sprop")));
        Assert.Equal(["adagrad/dense_kernel_accumulator"], SlotNames(new Optimizers.Adagrad(name: "adagrad")));
        Assert.Equal(["lion/dense_kernel_momentum"], SlotNames(new Optimizers.Lion(name: "lion")));
        Assert.Equal(["lamb/dense_kernel_momentum", "lamb/dense_kernel_velocity"], SlotNames(new Optimizers.Lamb(name: "lamb")));
    }
}

public sealed class ManagedFunctionLiftSlotNameTests() : FunctionLiftSlotNameTests("managed");

public sealed class NativeCpuFunctionLiftSlotNameTests() : FunctionLiftSlotNameTests("cpu");

public sealed class CudaFunctionLiftSlotNameTests() : FunctionLiftSlotNameTests("cuda");

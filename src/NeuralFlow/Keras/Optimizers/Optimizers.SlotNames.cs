using System.Text.RegularExpressions;
using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Keras 3's names for optimizer state (base_optimizer.add_variable_from_reference): the optimizer's name, then
    // the model variable's path with '/' as '_', then the slot's name: "adam/dense_kernel_momentum". Checkpoints,
    // messages and variable lists show them.
    public abstract partial class Optimizer
    {
        /// <summary>
        /// The optimizer's name in its state variables' names: Keras' default, the class name in snake case
        /// (<c>to_snake_case</c>: "adam", "sgd", "rm_sprop", "adam_w").
        /// </summary>
        internal string StateName => Regex.Replace(Regex.Replace(GetType().Name, "(.)([A-Z][a-z]+)", "$1_$2"), "([a-z])([A-Z])", "$1_$2").ToLowerInvariant();

        /// <summary>Keras' name of slot <paramref name="index"/> (the fused kernels' slot order is Keras' variable order).</summary>
        protected virtual string SlotName(int index) => (Kind, index) switch
        {
            (OptimizerKind.Sgd, 0) => "momentum",
            (OptimizerKind.Adam or OptimizerKind.Nadam, 0) => "momentum",
            (OptimizerKind.Adam or OptimizerKind.Nadam, 1) => "velocity",
            (OptimizerKind.Adam, 2) => "velocity_hat",
            (OptimizerKind.Adamax, 0) => "momentum",
            (OptimizerKind.Adamax, 1) => "norm",
            (OptimizerKind.RMSprop, 0) => "velocity",
            (OptimizerKind.RMSprop, 1) => "momentum",
            (OptimizerKind.RMSprop, 2) => "average_gradient",
            (OptimizerKind.Adagrad, 0) => "accumulator",
            (OptimizerKind.Adadelta, 0) => "accumulated_grad",
            (OptimizerKind.Adadelta, 1) => "accumulated_delta_var",
            (OptimizerKind.Ftrl, 0) => "accumulator",
            (OptimizerKind.Ftrl, 1) => "linear",
            _ => $"slot{index}",
        };

        // Every place that makes a variable's state goes through here, so each slot is named once.
        private protected Variable[] NewSlots(Variable variable)
        {
            var slots = CreateSlots(variable);
            string reference = (variable.Name ?? "variable").Replace('/', '_').Replace(':', '_');
            for (int i = 0; i < slots.Length; i++) slots[i].Rename($"{StateName}/{reference}_{SlotName(i)}");
            return slots;
        }
    }
}

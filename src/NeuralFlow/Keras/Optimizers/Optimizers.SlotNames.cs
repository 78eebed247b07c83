using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Keras 3's names for an optimizer and its state (base_optimizer.py: auto_name, add_variable_from_reference and
    // add_optimizer_variables under name_scope(self.name)): the optimizer's name, then the model variable's path with
    // '/' as '_', then the slot's name: "adam/dense_kernel_momentum"; "adam/iteration", "adam/learning_rate" for its
    // step scalars. Messages and variable lists show them; files key the state by position (Keras 3's
    // optimizer/vars/0..) or by the user's names (a checkpoint's), never by these, so a renumbered optimizer still loads.
    public abstract partial class Optimizer
    {
        /// <summary>
        /// The optimizer's name (Keras' <c>optimizer.name</c>), the first part of its state variables' names. As in
        /// Keras 3, a name given to the constructor is kept as given; without one, the class name in snake case
        /// (<c>to_snake_case</c>: "adam", "sgd", "rm_sprop", "adam_w") numbered per process with the layers' counter
        /// (<c>naming.auto_name</c>): the first Adam is "adam", the next "adam_1".
        /// </summary>
        public string Name { get; }

        private string DefaultOrGiven(string? name) => name switch
        {
            null => Layer.AutoName(GetType().Name),
            _ when string.IsNullOrWhiteSpace(name) => throw new ArgumentException(
                $"{GetType().Name}: name must hold a character other than white space (or be null for Keras' default name); got '{name}'.", nameof(name)),
            _ => name,
        };

        /// <summary>
        /// The name of slot <paramref name="index"/>, Keras 3's for its optimizers (each <c>build</c>'s names, in NeuralFlow's
        /// slot order, which is the fused kernels' and Keras' variable order); "slot{index}" for an optimizer of your own
        /// unless it overrides this.
        /// </summary>
        protected virtual string SlotName(int index) => (this, Kind, index) switch
        {
            (_, OptimizerKind.Sgd, 0) => "momentum",
            (_, OptimizerKind.Adam or OptimizerKind.Nadam, 0) => "momentum",
            (_, OptimizerKind.Adam or OptimizerKind.Nadam, 1) => "velocity",
            (_, OptimizerKind.Adam, 2) => "velocity_hat",
            (_, OptimizerKind.Adamax, 0) => "momentum",
            (_, OptimizerKind.Adamax, 1) => "norm",
            (_, OptimizerKind.RMSprop, 0) => "velocity",
            (_, OptimizerKind.RMSprop, 1) => "momentum",
            (_, OptimizerKind.RMSprop, 2) => "average_gradient",
            (_, OptimizerKind.Adagrad, 0) => "accumulator",
            (_, OptimizerKind.Adadelta, 0) => "accumulated_grad",
            (_, OptimizerKind.Adadelta, 1) => "accumulated_delta_var",
            (_, OptimizerKind.Ftrl, 0) => "accumulator",
            (_, OptimizerKind.Ftrl, 1) => "linear",
            (Lion or Lamb or Muon, _, 0) => "momentum",
            (Lamb or Muon, _, 1) => "velocity",    // Muon: the variables it steps with AdamW alone have one
            (Adafactor, _, 2) => "velocity",        // r and c: see SlotVariableName
            // Not in Keras: PyTorch's schedule-free AdamW calls them z and exp_avg_sq (Keras' "velocity").
            (ScheduleFreeAdamW, _, 0) => "z",
            (ScheduleFreeAdamW, _, 1) => "velocity",
            _ => $"slot{index}",
        };

        // The full name of slot index of the variable named path. Adafactor's factored moments r and c are Keras'
        // add_variable(name=var.name) (the variable's own name, not a reference's): "adafactor/kernel", both of them.
        private string SlotVariableName(string path, int index)
        {
            if (this is Adafactor && index < 2) return $"{Name}/{path[(path.LastIndexOf('/') + 1)..]}";
            return $"{Name}/{Reference(path)}_{SlotName(index)}";
        }

        private static string Reference(string path) => path.Replace('/', '_').Replace(':', '_');

        // Every place that makes a variable's state goes through here, so each slot is named once.
        private protected Variable[] NewSlots(Variable variable)
        {
            var slots = CreateSlots(variable);
            string path = variable.Name ?? "variable";
            for (int i = 0; i < slots.Length; i++) slots[i].Rename(SlotVariableName(path, i));
            return slots;
        }

        // The moving average of variable with use_ema (Keras' add_optimizer_variables(variables, "average")), made
        // as a copy of it: "adam/dense_kernel_average".
        private Variable NewAverage(Variable variable) =>
            new(variable, trainable: false, name: $"{Name}/{Reference(variable.Name ?? "variable")}_average");

        // Keras' own variables of the optimizer, "iteration" and "learning_rate", as a composed step's scalars.
        private string OwnVariableName(string name) => $"{Name}/{name}";
    }
}

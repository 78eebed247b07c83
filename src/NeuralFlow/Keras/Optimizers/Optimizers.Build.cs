namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    public abstract partial class Optimizer
    {
        /// <summary>
        /// Creates the per-variable state (slots, and the moving average with <c>useEma</c>) of each of
        /// <paramref name="variables"/> that has none yet (Keras 3's <c>optimizer.build(var_list)</c>);
        /// <c>ApplyGradients</c> otherwise creates it at a variable's first update. Building up front lets the
        /// first call of an <c>NF.Function</c> train step trace: a call that creates variables runs eagerly
        /// (the function traces on its next call), as the state must exist before a plan can refer to it.
        /// Values already there are kept, so building again, or after a checkpoint restored them, changes nothing.
        /// </summary>
        /// <exception cref="ArgumentException">A variable is null.</exception>
        public void Build(IReadOnlyList<Variable> variables)
        {
            ArgumentNullException.ThrowIfNull(variables);
            for (int i = 0; i < variables.Count; i++)
                if (variables[i] is null) throw new ArgumentException($"{GetType().Name}.Build: variable {i} is null.", nameof(variables));
            // A wrapper (LossScaleOptimizer) keeps its state in the optimizer it wraps.
            var holder = StateHolder;
            foreach (var v in variables)
                if (v.DType.IsFloating()) holder.ShapeStateLike(v, slots: true, average: holder.UseEma);
        }
    }
}

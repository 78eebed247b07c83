using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// One weight's constraint as Keras names it in a config (kernel_constraint, bias_constraint,
    /// depthwise_constraint): the key, the weight (null until built), the constraint set, and how to
    /// set it. One list per layer serves the weights' <see cref="Variable.Constraint"/>, the config a
    /// model file holds and loading it back, so no layer can save a constraint it does not apply.
    /// </summary>
    private protected sealed record ConstraintSlot(string Key, Variable? Weight, Constraints.Constraint? Constraint,
                                                   Action<Constraints.Constraint?> Set);

    /// <summary>
    /// This layer's weight constraints (Dense, the convolutions, Embedding, the recurrent cells, the
    /// normalizations, PReLU, EinsumDense, the attention projections).
    /// </summary>
    private protected virtual IEnumerable<ConstraintSlot> ConstraintSlots => [];

    /// <summary>
    /// Hands each slot's constraint to its weight, which the optimizer reads after a step: called
    /// once the weights are built and whenever a constraint property changes (each one's setter:
    /// <c>{ get; set { field = value; SyncConstraints(); } }</c>).
    /// </summary>
    private protected void SyncConstraints()
    {
        foreach (var slot in ConstraintSlots)
            if (slot.Weight is { } w) w.Constraint = slot.Constraint;
    }

    /// <summary>Adds the constraints that are set to a config (Keras' keys), leaving unset ones out as the regularizers are.</summary>
    private void AddConstraintConfig(JsonObject c)
    {
        foreach (var slot in ConstraintSlots)
            if (slot.Constraint is not null) c[slot.Key] = slot.Constraint.GetConfig();
    }

    /// <summary>Sets the constraints a saved config names (what <see cref="AddConstraintConfig"/> wrote, or Keras did; null is none).</summary>
    internal void ApplyConstraintConfig(JsonObject c)
    {
        foreach (var slot in ConstraintSlots)
            if (c[slot.Key] is { } entry) slot.Set(Constraints.FromConfig(entry));
    }
}

using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// One step of a gated recurrent unit (<c>keras.layers.GRUCell</c>), Keras' equations, gate blocks
    /// z, r, h (in that order): z = σ(x_z + h_{t-1} @ R_z), r = σ(x_r + h_{t-1} @ R_r),
    /// h̃ = activation(x_h + r * (h_{t-1} @ R_h + b_rh)) with <c>resetAfter</c> (Keras 3's default,
    /// cuDNN's and PyTorch's form, bias [2, 3 * units]: row 0 for the input projection, row 1 for the
    /// recurrent one) or activation(x_h + (r * h_{t-1}) @ R_h) without (bias [3 * units]);
    /// h_t = z * h_{t-1} + (1 - z) * h̃. The arguments, weights and defaults of <see cref="GRU"/>, which runs this cell.
    /// </summary>
    public sealed class GRUCell(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool useBias = true,
                                Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
                                double dropout = 0, double recurrentDropout = 0, bool resetAfter = true, string? name = null,
                                Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? recurrentRegularizer = null, Regularizers.Regularizer? biasRegularizer = null)
        : RecurrentCell(units, 3, activation, useBias, kernelInitializer, recurrentInitializer, biasInitializer, dropout, recurrentDropout, name,
                        kernelRegularizer, recurrentRegularizer, biasRegularizer)
    {
        /// <summary>The activation of the gates z and r (Keras' default sigmoid; null means sigmoid).</summary>
        public ActivationFunction RecurrentActivation { get; } = recurrentActivation ?? "sigmoid";

        /// <summary>Whether the reset gate multiplies h_{t-1} @ R_h (true, Keras 3's default) or h_{t-1} before it.</summary>
        public bool ResetAfter { get; } = resetAfter;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["recurrent_activation"] = ConfigName(RecurrentActivation);
            c["reset_after"] = ResetAfter;
            return c;
        }

        private protected override Shape BiasShape => ResetAfter ? [2, 3 * Units] : [3 * Units];

        private protected override Tensor? InputBias(Variable? bias) => bias is not null && ResetAfter ? bias[0] : bias;

        // Once per call, not per step: reset_after's recurrent bias row; otherwise the recurrent kernel as [R_z R_r] and R_h.
        private sealed record Parts(Tensor? RecurrentBias, Tensor? GatesKernel, Tensor? CandidateKernel);

        private protected override object? BeginSteps()
        {
            if (ResetAfter) return new Parts(Bias?[1], null, null);
            var kernels = NF.Split(RecurrentKernel!, [2 * Units, Units], 1);
            return new Parts(null, kernels[0], kernels[1]);
        }

        private protected override Tensor[] Step(Tensor projected, Tensor hForRecurrent, Tensor[] states, object? perCall)
        {
            var parts = (Parts)perCall!;
            var h = states[0];
            var x = NF.Split(projected, 3, 1);
            Tensor z, r, candidate;
            if (ResetAfter)
            {
                var inner = NF.MatMul(hForRecurrent, RecurrentKernel!);
                if (parts.RecurrentBias is not null) inner = inner + parts.RecurrentBias;
                var rec = NF.Split(inner, 3, 1);
                z = RecurrentActivation.Apply(x[0] + rec[0]);
                r = RecurrentActivation.Apply(x[1] + rec[1]);
                candidate = Activation.Apply(x[2] + r * rec[2]);
            }
            else
            {
                var rec = NF.Split(NF.MatMul(hForRecurrent, parts.GatesKernel!), 2, 1);
                z = RecurrentActivation.Apply(x[0] + rec[0]);
                r = RecurrentActivation.Apply(x[1] + rec[1]);
                candidate = Activation.Apply(x[2] + NF.MatMul(r * hForRecurrent, parts.CandidateKernel!));
            }
            return [z * h + (1 - z) * candidate];
        }
    }
}

namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The running mean of a C# function of <c>(yTrue, yPred)</c> (Keras' <c>MeanMetricWrapper(fn)</c>,
    /// what <c>compile(metrics=[my_function])</c> makes): the function gives one value per example
    /// (or per element), averaged over the epoch with the sample weights. <c>Compile</c> takes the
    /// function itself in its metrics list; the log key is the method's name, or <paramref name="name"/>.
    /// </summary>
    /// <param name="fn">(yTrue, yPred) to the values to average.</param>
    /// <param name="name">The log key; by default the method's name (Keras: the function's <c>__name__</c>).</param>
    public sealed class MeanFunctionMetric(Func<Tensor, Tensor, Tensor> fn, string? name = null)
        : MeanMetricWrapper(name ?? FunctionNames.Of(fn ?? throw new ArgumentNullException(nameof(fn)), "metric_function"))
    {
        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) =>
            fn(yTrue, yPred) ?? throw new InvalidOperationException($"the metric function {Name} returned null.");
    }
}

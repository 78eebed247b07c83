namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The mean over all classes of the intersection over union (<c>keras.metrics.MeanIoU</c>):
    /// <see cref="IoU"/> with every class a target; classes seen in neither targets nor
    /// predictions are left out of the mean.
    /// </summary>
    public class MeanIoU(int numClasses, string name = "mean_io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true, int axis = -1)
        : IoU(numClasses, AllClasses(numClasses), name, ignoreClass, sparseYTrue, sparseYPred, axis)
    {
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Without(base.GetConfig(), "target_class_ids");
    }

    /// <summary>
    /// The IoU of a binary task's classes 0 and/or 1 (<c>keras.metrics.BinaryIoU</c>): a
    /// prediction at or above <c>threshold</c> is class 1, below it class 0; targets are 0 or 1.
    /// </summary>
    public sealed class BinaryIoU(int[]? targetClassIds = null, double threshold = 0.5, string name = "binary_io_u")
        : IoU(2, targetClassIds ?? [0, 1], name)
    {
        /// <summary>Predictions at or above it are class 1.</summary>
        public double Threshold { get; } = double.IsNaN(threshold)
            ? throw new ArgumentException($"{name}: threshold must be a number, got NaN.", nameof(threshold)) : threshold;

        // Compared in the predictions' own dtype (the threshold is a weak scalar), as Keras compares.
        private protected override Tensor PredictedIds(Tensor yPred) => NF.GreaterEqual(yPred, Threshold);

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["target_class_ids"] = TargetClassIds.ToArray(), ["threshold"] = Threshold };
    }

    /// <summary>
    /// <see cref="IoU"/> for one-hot targets (<c>keras.metrics.OneHotIoU</c>): the arg-max of
    /// targets along <c>axis</c> is taken, and of predictions unless <c>sparseYPred</c>.
    /// </summary>
    public sealed class OneHotIoU(int numClasses, int[] targetClassIds, string name = "one_hot_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : IoU(numClasses, targetClassIds, name, ignoreClass, sparseYTrue: false, sparseYPred, axis)
    {
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Without(base.GetConfig(), "sparse_y_true");
    }

    /// <summary>
    /// <see cref="MeanIoU"/> for one-hot targets (<c>keras.metrics.OneHotMeanIoU</c>): the
    /// arg-max of targets along <c>axis</c> is taken, and of predictions unless <c>sparseYPred</c>.
    /// </summary>
    public sealed class OneHotMeanIoU(int numClasses, string name = "one_hot_mean_io_u", int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
        : MeanIoU(numClasses, name, ignoreClass, sparseYTrue: false, sparseYPred, axis)
    {
        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Without(base.GetConfig(), "sparse_y_true");
    }

    // Every class id; none for a bad count, so that IoU's check names numClasses.
    private static int[] AllClasses(int numClasses) => numClasses > 0 ? [.. Enumerable.Range(0, numClasses)] : [];

    private static Dictionary<string, object?> Without(Dictionary<string, object?> config, string key)
    {
        config.Remove(key);
        return config;
    }
}

namespace NeuralFlow.Keras;

public static partial class Metrics
{
    /// <summary>
    /// The mean over classes of the intersection over union TP / (TP + FP + FN)
    /// (<c>tf.keras.metrics.MeanIoU</c>), for semantic segmentation. A (weighted) confusion
    /// matrix stays on the device; classes that never occur in targets or predictions are left
    /// out of the mean. Targets and predictions are class ids (<c>sparseYTrue</c>,
    /// <c>sparseYPred</c>), or scores whose arg-max along the last axis is taken; pixels whose
    /// target is <c>ignoreClass</c> are left out.
    /// </summary>
    public sealed class MeanIoU : PredictionMetric
    {
        private readonly MetricVariable _matrix;

        /// <summary>A mean IoU over <paramref name="numClasses"/> classes.</summary>
        public MeanIoU(int numClasses, string name = "mean_io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true) : base(name)
        {
            NumClasses = numClasses > 0 ? numClasses : throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "MeanIoU: numClasses must be positive.");
            IgnoreClass = ignoreClass;
            SparseYTrue = sparseYTrue;
            SparseYPred = sparseYPred;
            _matrix = AddState("total_confusion_matrix", new Shape([numClasses, numClasses]));
        }

        /// <summary>The number of classes.</summary>
        public int NumClasses { get; }
        /// <summary>A target class left out, or null.</summary>
        public int? IgnoreClass { get; }
        /// <summary>Whether targets are class ids (else scores whose arg-max is taken).</summary>
        public bool SparseYTrue { get; }
        /// <summary>Whether predictions are class ids (else scores whose arg-max is taken).</summary>
        public bool SparseYPred { get; }

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            using var scope = TensorScope.Begin();
            var t = Ids(yTrue, SparseYTrue);
            var p = Ids(yPred, SparseYPred);
            if (t.Count != p.Count)
                throw new ArgumentException($"{Name}: yTrue of shape {yTrue.Shape} and yPred of shape {yPred.Shape} hold different numbers of class ids ({t.Count} and {p.Count}).");
            var w = sampleWeight is null ? NF.OnesLike(NF.Cast(t, DType.Float64)) : Weights(sampleWeight, t.Count);
            if (IgnoreClass is int ignore)
            {
                var valid = NF.Cast(NF.NotEqual(t, (long)ignore), DType.Float64);
                w = w * valid;
                t = t * NF.Cast(valid, DType.Int64); // ignored pixels count for nothing; their id only has to be in range
            }
            Targets.CheckLabelRange($"{Name} (yTrue)", t, NumClasses);
            Targets.CheckLabelRange($"{Name} (yPred)", p, NumClasses);
            // cm[i, j] = summed weights of pixels of class i predicted as j.
            var trueRows = NF.OneHot(t, NumClasses, dtype: DType.Float64) * NF.ExpandDims(w, -1);
            _matrix.Add(NF.MatMul(trueRows, NF.OneHot(p, NumClasses, dtype: DType.Float64), transposeA: true));
        }

        private Tensor Ids(Tensor y, bool sparse)
        {
            var ids = sparse ? y : NF.ArgMax(y, -1);
            if (ids.DType.IsFloating()) ids = NF.Cast(ids, DType.Int64);
            return NF.Reshape(NF.Cast(ids, DType.Int64), [-1]);
        }

        private Tensor Weights(Tensor sampleWeight, long count)
        {
            var w = NF.Reshape(NF.Cast(sampleWeight, DType.Float64), [-1]);
            if (w.Count == 1) return NF.BroadcastTo(w, new Shape([(int)count]));
            if (w.Count != count)
                throw new ArgumentException($"{Name}: sampleWeight has shape {sampleWeight.Shape}, but there are {count} class ids; give a scalar or one weight per id.", nameof(sampleWeight));
            return w;
        }

        /// <inheritdoc/>
        public override float Result()
        {
            var cm = _matrix.Read();
            int c = NumClasses;
            double sum = 0;
            int valid = 0;
            for (int i = 0; i < c; i++)
            {
                double tp = cm[i * c + i], row = 0, column = 0;
                for (int j = 0; j < c; j++) { row += cm[i * c + j]; column += cm[j * c + i]; }
                double denominator = row + column - tp;
                if (denominator == 0) continue;
                valid++;
                sum += tp / denominator;
            }
            return (float)DivideNoNan(sum, valid);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(),
            ("num_classes", NumClasses), ("ignore_class", IgnoreClass), ("sparse_y_true", SparseYTrue), ("sparse_y_pred", SparseYPred));
    }
}

namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The intersection over union TP / (TP + FP + FN) of chosen classes, averaged over them
    /// (<c>keras.metrics.IoU</c>), for semantic segmentation; the base of the IoU family
    /// (<see cref="MeanIoU"/>, <see cref="BinaryIoU"/>, <see cref="OneHotIoU"/>,
    /// <see cref="OneHotMeanIoU"/>), as Keras' <c>_IoUBase</c>/<c>IoU</c>. A (weighted) confusion
    /// matrix stays on the device; a target class that never occurs in targets or predictions
    /// is left out of the mean. Targets and predictions are class ids (<c>sparseYTrue</c>,
    /// <c>sparseYPred</c>), or scores whose arg-max along <c>axis</c> is taken; pixels whose
    /// target is <c>ignoreClass</c> are left out.
    /// </summary>
    public class IoU : PredictionMetric
    {
        private readonly MetricVariable _matrix;
        private readonly int[] _targets;

        /// <summary>The IoU of <paramref name="targetClassIds"/> (their mean when several) among <paramref name="numClasses"/> classes.</summary>
        public IoU(int numClasses, int[] targetClassIds, string name = "io_u", int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true, int axis = -1)
            : base(name)
        {
            NumClasses = numClasses > 0 ? numClasses : throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{name}: numClasses must be positive.");
            ArgumentNullException.ThrowIfNull(targetClassIds);
            if (targetClassIds.Length == 0) throw new ArgumentException($"{name}: give at least one target class id.", nameof(targetClassIds));
            foreach (int id in targetClassIds)
                if (id < 0 || id >= numClasses)
                    throw new ArgumentException($"{name}: target class id {id} is out of range, which is [0, {numClasses}).", nameof(targetClassIds));
            _targets = [.. targetClassIds];
            IgnoreClass = ignoreClass;
            SparseYTrue = sparseYTrue;
            SparseYPred = sparseYPred;
            Axis = axis;
            _matrix = AddState("total_confusion_matrix", new Shape([numClasses, numClasses]));
        }

        /// <summary>The number of classes.</summary>
        public int NumClasses { get; }
        /// <summary>The classes whose IoUs are averaged.</summary>
        public IReadOnlyList<int> TargetClassIds => _targets;
        /// <summary>A target class left out, or null.</summary>
        public int? IgnoreClass { get; }
        /// <summary>Whether targets are class ids (else scores whose arg-max is taken).</summary>
        public bool SparseYTrue { get; }
        /// <summary>Whether predictions are class ids (else scores whose arg-max is taken).</summary>
        public bool SparseYPred { get; }
        /// <summary>The class axis of scores whose arg-max is taken.</summary>
        public int Axis { get; }

        /// <summary>The predicted class ids before they are flattened: scores' arg-max, or the ids themselves.</summary>
        private protected virtual Tensor PredictedIds(Tensor yPred) => SparseYPred ? yPred : NF.ArgMax(yPred, Axis);

        /// <inheritdoc/>
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(yTrue);
            ArgumentNullException.ThrowIfNull(yPred);
            using var scope = TensorScope.Begin();
            var t = Flat(SparseYTrue ? yTrue : NF.ArgMax(yTrue, Axis));
            var p = Flat(PredictedIds(yPred));
            if (t.Count != p.Count)
                throw new ArgumentException($"{Name}: yTrue of shape {yTrue.Shape} and yPred of shape {yPred.Shape} hold different numbers of class ids ({t.Count} and {p.Count}).");
            var w = sampleWeight is null ? NF.OnesLike(NF.Cast(t, DType.Float64)) : Weights(sampleWeight, t.Count);
            if (IgnoreClass is int ignore)
            {
                // Ignored pixels weigh nothing; their ids (both) become 0, as in Keras, so only the others have to be in range.
                var valid = NF.NotEqual(t, (long)ignore);
                w = w * NF.Cast(valid, DType.Float64);
                t = t * NF.Cast(valid, DType.Int64);
                p = p * NF.Cast(valid, DType.Int64);
            }
            Targets.CheckLabelRange($"{Name} (yTrue)", t, NumClasses);
            Targets.CheckLabelRange($"{Name} (yPred)", p, NumClasses);
            // cm[i, j] = summed weights of pixels of class i predicted as j.
            var trueRows = NF.OneHot(t, NumClasses, dtype: DType.Float64) * NF.ExpandDims(w, -1);
            _matrix.Add(NF.MatMul(trueRows, NF.OneHot(p, NumClasses, dtype: DType.Float64), transposeA: true));
        }

        // Class ids as one int64 vector; float ids are truncated, as Keras' confusion matrix does.
        private static Tensor Flat(Tensor ids) => NF.Reshape(NF.Cast(ids, DType.Int64), [-1]);

        private Tensor Weights(Tensor sampleWeight, long count)
        {
            var w = NF.Reshape(NF.Cast(sampleWeight, DType.Float64), [-1]);
            if (w.Count == 1) return NF.BroadcastTo(w, new Shape([(int)count]));
            if (w.Count != count)
                throw new ArgumentException($"{Name}: sampleWeight has shape {sampleWeight.Shape}, but there are {count} class ids; give a scalar or one weight per id.", nameof(sampleWeight));
            return w;
        }

        /// <summary>The IoU of each class, TP / (row + column - TP), NaN for a class seen in neither targets nor predictions.</summary>
        public double[] ClassIoUs()
        {
            var cm = _matrix.Read();
            int c = NumClasses;
            var iou = new double[c];
            for (int i = 0; i < c; i++)
            {
                double tp = cm[i * c + i], row = 0, column = 0;
                for (int j = 0; j < c; j++) { row += cm[i * c + j]; column += cm[j * c + i]; }
                double denominator = row + column - tp;
                iou[i] = denominator == 0 ? double.NaN : tp / denominator;
            }
            return iou;
        }

        /// <summary>The mean IoU of the target classes seen so far (0 when none was).</summary>
        public override float Result()
        {
            var iou = ClassIoUs();
            var seen = _targets.Select(i => iou[i]).Where(v => !double.IsNaN(v)).ToArray();
            return (float)DivideNoNan(seen.Sum(), seen.Length);
        }

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig() => Losses.With(base.GetConfig(),
            ("num_classes", NumClasses), ("target_class_ids", _targets.ToArray()), ("ignore_class", IgnoreClass),
            ("sparse_y_true", SparseYTrue), ("sparse_y_pred", SparseYPred), ("axis", Axis));
    }
}

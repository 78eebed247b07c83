using System.Reflection;
using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    // Optimizers composed of tensor ops (Lion, Adafactor, a user's subclass: Keras 3's
    // update_step(gradient, variable, learning_rate)). As in Keras, where the learning rate and the
    // iteration count are variables read inside the graph, the step's learning rate and step
    // number reach Update as scalar tensors: variables this optimizer owns (one pair per dtype
    // and device) and writes before each step. An NF.Function replay writes them again from the
    // C# schedule and iteration count (FunctionTrace.RecordHostWrite), so a replayed step sees
    // this step's values, where C# numbers would stay those of the trace.
    public abstract partial class Optimizer
    {
        // A class, compared by reference: a record would compare its variables with Tensor.Equals.
        private sealed class StepScalars(Variable learningRate, Variable step)
        {
            public readonly Variable LearningRate = learningRate;
            public readonly Variable Step = step;
        }

        private readonly Dictionary<(DType, IBackend), StepScalars> _stepScalars = [];

        /// <summary>The step scalars made so far (Keras' "learning_rate" and "iteration" variables), for their names.</summary>
        internal IEnumerable<Variable> StepScalarVariables => _stepScalars.Values.SelectMany(s => new[] { s.LearningRate, s.Step });
        private bool? _composesTensors;

        private static readonly Type[] TensorUpdateSignature = [typeof(Variable), typeof(Tensor), typeof(Variable[]), typeof(Tensor), typeof(Tensor)];

        // Whether this type overrides the tensor Update (the replayable one). Read once per
        // instance: a subclass that overrides only the double one keeps the eager path.
        private bool ComposesTensors => _composesTensors ??=
            GetType().GetMethod(nameof(Update), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, TensorUpdateSignature, null)!
                .DeclaringType != typeof(Optimizer);

        /// <summary>
        /// Updates one variable in place with tensor ops (Keras 3's <c>update_step</c>): the
        /// overload to override for a custom optimizer. <paramref name="learningRate"/> is this
        /// step's rate (the schedule's value at <see cref="Iterations"/>) and <paramref name="step"/>
        /// the step number counting from 1, both scalars of the variable's dtype on its device, as
        /// Keras casts them. Because they are tensors, <c>Fit</c> and <c>NF.Function</c> replay the
        /// step with each step's values; the gradient arrives clipped, and weight decay was applied.
        /// </summary>
        protected virtual void Update(Variable variable, Tensor gradient, Variable[] slots, Tensor learningRate, Tensor step) =>
            throw new NotSupportedException($"{GetType().Name} must override Update or name a fused kernel with Kind.");

        // One step of a composed optimizer: clipping, weight decay and Update by tensor ops, with the
        // learning rate and step read from the step scalars (written here, and by every replay).
        [MethodImpl(Hot)]
        private void ApplyComposed(IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs, double lr, long step, FunctionTrace? trace)
        {
            var used = new List<StepScalars>();
            foreach (var (g, v) in pairs)
            {
                if (g is null) continue;
                var scalars = StepScalarsOf(v);
                if (!used.Contains(scalars)) used.Add(scalars);
            }
            WriteStepScalars(used, lr, step, trace);
            if (trace is not null)
            {
                var written = used.SelectMany(s => new[] { s.LearningRate, s.Step }).ToArray();
                trace.RecordHostWrite(() => WriteStepScalars(used, CurrentLearningRate, Iterations + 1, null), written);
            }
            using var scope = TensorScope.Begin();
            var globalScale = GlobalClipNorm is { } clip ? GlobalClipScaleOnDevice(pairs, clip) : null;
            foreach (var (g, v) in pairs)
            {
                if (g is null) continue;  // shapes and dtypes were checked by ValidGradients
                if (!_slots.TryGetValue(v, out var slots))
                    _slots[v] = slots = NewSlots(v);
                using var temporaries = TensorScope.Begin();  // one variable's at a time, not the whole model's
                var scalars = _stepScalars[(v.DType, FunctionTrace.Unwrap(v.Backend))];
                var clipped = ClippedOnDevice(g, globalScale);
                if (WeightDecayFor(v) is { } wd && wd != 0 && Decays(v)) v.AssignSub(v * wd * scalars.LearningRate);
                Update(v, clipped, slots, scalars.LearningRate, scalars.Step);
            }
        }

        // The step scalars of v's dtype and device, made on first use.
        private StepScalars StepScalarsOf(Variable v)
        {
            var key = (v.DType, FunctionTrace.Unwrap(v.Backend));
            if (!_stepScalars.TryGetValue(key, out var scalars))
                _stepScalars[key] = scalars = new StepScalars(Scalar(v, OwnVariableName("learning_rate")), Scalar(v, OwnVariableName("iteration")));
            return scalars;
        }

        private static Variable Scalar(Variable like, string name)
        {
            using var zero = NF.Fill(new Shape([]), 0, like.DType, FunctionTrace.Unwrap(like.Backend));
            return new Variable(zero, trainable: false, name: name);
        }

        // The rate and step written straight into the scalars' buffers: eagerly (trace null, or
        // the trace's own run, which must not record a constant upload) and at each replay.
        private static void WriteStepScalars(List<StepScalars> scalars, double lr, long step, FunctionTrace? trace)
        {
            foreach (var s in scalars)
            {
                Write(s.LearningRate, lr, trace);
                Write(s.Step, step, trace);
            }
        }

        private static void Write(Variable v, double value, FunctionTrace? trace)
        {
            // Eagerly a tape may still hold the old value (Update read it under a persistent tape):
            // the variable then moves, as any assignment does. A trace cannot follow that move.
            if (v.Storage.SavedByTape)
            {
                if (trace is null) v.BeginWrite(keepContents: false);
                else trace.Fail($"the optimizer's {v.Name} is saved by a recording gradient tape");
            }
            var storage = v.Storage;
            FunctionTrace.Unwrap(storage.Backend).Fill(v.DType, storage.Pointer, 1, value);
            storage.BumpVersion();
        }

        // Keras' clip_by_value, clip_by_norm and clip_by_global_norm as tensor ops, so that the
        // norms are computed on the device each step (the fused kernels' options read them on the
        // host, which stops a trace). Norms are summed in float64, as the host path does.
        private Tensor ClippedOnDevice(Tensor g, object? globalScale)
        {
            if (ClipValue is { } cv) return NF.Minimum(NF.Maximum(g, -cv), cv);
            if (globalScale is Tensor scale) return g * NF.Cast(scale, g.DType);
            if (globalScale is double hostScale) return g * hostScale;
            if (ClipNorm is { } clip) return g * clip / NF.Cast(NF.Maximum(NF.Sqrt(SquaredNormTensor(g)), clip), g.DType);
            return g;
        }

        // clip * min(1/norm, 1/clip) + (norm - norm): a NaN or infinite norm poisons every
        // gradient, as in Keras, rather than a silent step. Gradients on several devices are
        // summed on the host instead (a read that stops a trace, as the fused kernels' does): the
        // scale is then a double, else a float64 scalar tensor.
        private static object? GlobalClipScaleOnDevice(IReadOnlyList<(Tensor? Gradient, Variable Variable)> pairs, double clip)
        {
            Tensor? sum = null;
            IBackend? backend = null;
            foreach (var (g, _) in pairs)
            {
                if (g is null) continue;
                var b = FunctionTrace.Unwrap(g.Backend);
                if (backend is not null && !ReferenceEquals(b, backend)) return GlobalClipScale(pairs, clip);
                backend = b;
                var squared = SquaredNormTensor(g);
                sum = sum is null ? squared : sum + squared;
            }
            if (sum is null) return null;  // no gradient at all (an empty step): nothing to scale
            var norm = NF.Sqrt(sum);
            return NF.Minimum(1.0 / norm, 1.0 / clip) * clip + (norm - norm);
        }

        private static Tensor SquaredNormTensor(Tensor g) => NF.ReduceSum(NF.Square(g.DType == DType.Float64 ? g : NF.Cast(g, DType.Float64)));
    }
}

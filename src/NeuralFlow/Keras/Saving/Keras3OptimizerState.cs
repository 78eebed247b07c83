using System.Buffers.Binary;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// The optimizer state of a Keras 3 <c>.keras</c> archive: the datasets <c>optimizer/vars/0</c>,
/// <c>1</c>, ... of model.weights.h5, which are the optimizer's variables in the order Keras made
/// them (keras/src/optimizers/base_optimizer.py): <c>iteration</c>, then <c>learning_rate</c> when it
/// is a constant (a schedule has no variable), then the slots <c>build</c> adds for the model's
/// trainable variables (in Keras' layer order): <c>add_optimizer_variables(vars, ["momentum", "velocity"])</c> interleaves
/// the names per variable (m0, v0, m1, v1, ...), and a later call (Adam's amsgrad
/// <c>velocity_hat</c>, RMSprop's <c>momentum</c> and <c>average_gradient</c>) follows as its own run;
/// Nadam's <c>_u_product</c>, a scalar variable made after its slots, comes last. Restored for the
/// optimizers whose Keras slots are NeuralFlow's (keras/src/optimizers/*.py build and update_step:
/// Adam, AdamW, SGD, RMSprop, Adagrad, Adamax, Nadam, Adadelta, Ftrl, Lion, Lamb); for the others
/// (Adafactor, Muon, ...), or when the counts differ, training resumes with fresh slots after a
/// warning, as Keras' load_own_variables skips a mismatched optimizer.
/// </summary>
internal static class Keras3OptimizerState
{
    public static void Restore(Optimizers.Optimizer optimizer, Model model, string weightsFile, string file)
    {
        using var h5 = Hdf5File.Open(weightsFile);
        var vars = h5.Root.Group("optimizer")?.Group("vars");
        int count = vars?.Names.Count ?? 0;
        if (vars is null || count == 0) return;   // no optimizer state in the file
        Hdf5Dataset At(int i) => vars.Get(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) as Hdf5Dataset
            ?? throw new InvalidDataException($"'{file}': model.weights.h5 has no dataset optimizer/vars/{i}.");
        Restore(optimizer, model, Enumerable.Range(0, count).Select(At).ToList(), file, SavedBy.Keras3);
    }

    /// <summary>Which Keras made an optimizer's variable list: their orders differ.</summary>
    internal enum SavedBy
    {
        /// <summary>Keras 3 (a .keras archive, or its legacy .h5): iteration, a constant rate, the slots, Nadam's u_product.</summary>
        Keras3,
        /// <summary>tf.keras 2.11 to 2.15 (keras.optimizers.Optimizer): iteration, then the slots as Keras 3 makes them.</summary>
        TfKeras,
        /// <summary>tf.keras up to 2.10, or its keras.optimizers.legacy (OptimizerV2): iter, then one run per slot name.</summary>
        TfKerasLegacy,
    }

    /// <summary>
    /// Restores <paramref name="optimizer"/> from its variables <paramref name="vars"/> in the order
    /// <paramref name="savedBy"/>'s Keras made them; warns and leaves the slots fresh when that
    /// order is not mapped here or the count does not fit the model.
    /// </summary>
    internal static void Restore(Optimizers.Optimizer optimizer, Model model, IReadOnlyList<Hdf5Dataset> vars, string file, SavedBy savedBy)
    {
        int count = vars.Count;
        if (count == 0) return;
        var trainable = KerasH5Weights.TrainableInKerasOrder(model).ToList();
        bool rateVariable = savedBy == SavedBy.Keras3 && optimizer.LearningRate.Constant is not null;
        int head = 1 + (rateVariable ? 1 : 0);   // iteration, learning_rate
        var layout = Layout(optimizer, savedBy);
        int perWeight = layout?.Runs.Sum(r => r.Length) ?? 0;
        // Keras 3 builds each weight's gradient_accumulator before the slots (after its average, with use_ema, whose
        // order is not mapped here: such a file's count does not fit, and its state is skipped with the warning).
        int accumulators = savedBy == SavedBy.Keras3 && optimizer.GradientAccumulationSteps is not null ? trainable.Count : 0;
        int expected = head + accumulators + perWeight * trainable.Count + (layout?.UProduct == true ? 1 : 0);
        // An optimizer saved before its first step (compiled, never trained) has made no slots yet.
        bool slotsSaved = count != head;
        if (slotsSaved && (layout is null || count != expected))
        {
            NF.Warn(layout is null
                ? $"Load: the {optimizer.GetType().Name} state in '{file}' is not restored (its Keras slot order is not mapped here); training resumes with fresh slots."
                : $"Load: skipping the optimizer state in '{file}': it has {count} variables, and a {optimizer.GetType().Name} over this model's {trainable.Count} trainable weights has {expected}.");
            return;
        }
        Hdf5Dataset At(int i) => vars[i];
        long iterations = Integer(At(0), file);
        if (rateVariable)
        {
            double value = Scalar(At(1), file);
            if (!double.IsFinite(value) || value < 0)
                throw new InvalidDataException($"'{file}': the optimizer's learning_rate in model.weights.h5 is {value}.");
            optimizer.LearningRate = value;
        }
        if (!slotsSaved)
        {
            optimizer.Restore(iterations, []);
            return;
        }
        int next = head;
        var slots = trainable.Select(_ => new Tensor[layout!.Slots]).ToArray();
        var accumulated = new List<(Variable, Tensor)>();
        try
        {
            for (int v = 0; v < accumulators; v++)
                accumulated.Add((trainable[v], Value(At(next++), trainable[v].Shape, file, trainable[v].Name)));
            foreach (var run in layout!.Runs)
                for (int v = 0; v < trainable.Count; v++)
                    foreach (int slot in run)
                        slots[v][slot] = Value(At(next++), trainable[v].Shape, file, trainable[v].Name);
            // NeuralFlow's slots Keras does not make (centered RMSprop without momentum keeps an unused one) start at zero.
            for (int v = 0; v < trainable.Count; v++)
                for (int slot = 0; slot < layout.Slots; slot++)
                    slots[v][slot] ??= NF.Zeros(trainable[v].Shape, trainable[v].DType);
            // Nadam's product of momentum factors: NeuralFlow recomputes it from the iteration count.
            if (layout.UProduct) Scalar(At(next), file, "Nadam's u_product");
            optimizer.Restore(iterations, trainable.Select((v, i) => (v, (IReadOnlyList<Tensor>)slots[i])).ToList());
            optimizer.RestoreAccumulators(accumulated);
        }
        finally
        {
            foreach (var t in slots.SelectMany(s => s)) t?.Dispose();
            foreach (var (_, t) in accumulated) t.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="optimizer"/>'s variables as Keras 3 does, under <c>optimizer/vars</c> of
    /// <paramref name="root"/>: the iteration (int64), a constant learning rate (float32, Keras' variable),
    /// and the slots in
    /// Keras' order once the optimizer has made them, for the optimizers whose Keras slots are
    /// NeuralFlow's; for the others the iteration and rate alone (Keras then skips the optimizer state
    /// with a warning and trains on with fresh slots). Returns true when this is the optimizer's whole
    /// state but for the rate's float64 digits (no other optimizer, no moving averages, slots exactly
    /// for the trainable weights), so that <see cref="Restore"/> gives it back as it was.
    /// </summary>
    public static bool Write(Hdf5Writer.GroupNode root, Optimizers.Optimizer optimizer, Model model)
    {
        var vars = root.Group("optimizer/vars");
        int next = 0;
        string Next() => (next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        vars.Dataset(Next(), Hdf5Element.Int64, [], s => s.Write(BitConverter.GetBytes(optimizer.RawIterations)));
        if (optimizer.LearningRate.Constant is { } rate)
            vars.Dataset(Next(), Hdf5Element.Float32, [], s => s.Write(BitConverter.GetBytes((float)rate)));
        var trainable = KerasH5Weights.TrainableInKerasOrder(model).ToList();
        bool averages = model.Variables.Any(v => optimizer.AverageOf(v) is not null);
        if (Layout(optimizer, SavedBy.Keras3) is not { } layout) return false;
        if (!SlotsOf(optimizer, model, trainable, layout, out var slots)) return false;
        if (slots.Count == 0) return !averages && optimizer.GradientAccumulationSteps is null;
        // Keras builds each weight's gradient_accumulator before the slots (with use_ema, after its average, which
        // NeuralFlow's own file keeps instead).
        if (optimizer.GradientAccumulationSteps is not null)
        {
            if (averages || trainable.Any(v => optimizer.AccumulatorOf(v) is null)) return false;
            foreach (var v in trainable) vars.Dataset(Next(), optimizer.AccumulatorOf(v)!);
        }
        foreach (var run in layout.Runs)
            for (int v = 0; v < trainable.Count; v++)
                foreach (int slot in run)
                    vars.Dataset(Next(), slots[v][slot]);
        if (layout.UProduct)
            vars.Dataset(Next(), Hdf5Element.Float32, [], s => s.Write(BitConverter.GetBytes((float)NadamMomentumProduct(((Optimizers.Nadam)optimizer).Beta1, optimizer.Iterations))));
        return !averages;
    }

    /// <summary>
    /// The count and bytes of Keras 3's <c>optimizer.variables</c>, for model.summary's "Optimizer params"
    /// line; null while the optimizer is not built (Keras builds it on the first step: here, no step
    /// taken and no slots made). Keras' variables: the iteration (int64), a constant learning rate
    /// (float32), the slots of each trainable weight in its dtype (the optimizers whose Keras slots are
    /// NeuralFlow's; for the others, the slots NeuralFlow keeps), Nadam's u_product, and EMA's averages.
    /// </summary>
    internal static (long Count, double Bytes)? SummaryParams(Optimizers.Optimizer optimizer, Model model)
    {
        var holder = optimizer.StateHolder;
        var variables = model.Variables;
        if (holder.Iterations == 0 && !variables.Any(v => holder.SlotsOf(v) is not null)) return null;
        long count = 1;
        double bytes = sizeof(long);
        void Add(Tensor t, long times = 1)
        {
            count += times * t.Count;
            bytes += times * (double)t.Count * t.DType.SizeInBytes();
        }
        if (holder.LearningRate.Constant is not null) (count, bytes) = (count + 1, bytes + sizeof(float));
        var trainable = KerasH5Weights.TrainableInKerasOrder(model).ToList();
        if (Layout(holder, SavedBy.Keras3) is { } layout && SlotsOf(holder, model, trainable, layout, out _))
        {
            int perWeight = layout.Runs.Sum(run => run.Length);
            foreach (var v in trainable) Add(v, perWeight);
            if (layout.UProduct) (count, bytes) = (count + 1, bytes + sizeof(float));
        }
        else
            foreach (var v in variables)
                foreach (var slot in holder.SlotsOf(v) ?? []) Add(slot);
        foreach (var v in variables)
        {
            if (holder.AverageOf(v) is { } average) Add(average);
            if (holder.AccumulatorOf(v) is { } accumulator) Add(accumulator);
        }
        return (count, bytes);
    }

    /// <summary>
    /// The slots of <paramref name="trainable"/> (Keras' order), when they are the optimizer's whole
    /// per-weight state in <paramref name="layout"/>: none yet (an empty list, before the first step), or
    /// exactly one set of the layout's size per trainable weight. False for any other state (some
    /// weights without slots, slots of weights that are not trainable), which Keras' order cannot hold.
    /// </summary>
    internal static bool SlotsOf(Optimizers.Optimizer optimizer, Model model, List<Variable> trainable, KerasLayout layout, out List<Variable[]> slots)
    {
        slots = [];
        if (!model.Variables.Any(v => optimizer.SlotsOf(v) is not null)) return true;
        foreach (var v in trainable)
        {
            if (optimizer.SlotsOf(v) is not { } own || own.Length != layout.Slots) return false;
            slots.Add(own);
        }
        return model.Variables.Count(v => optimizer.SlotsOf(v) is not null) == trainable.Count;
    }

    /// <summary>
    /// Where an optimizer's Keras 3 variables come from: <paramref name="Runs"/>, its runs of per-variable
    /// slots in Keras' creation order as NeuralFlow slot indices; <paramref name="Slots"/>, how many slots
    /// NeuralFlow keeps per variable; <paramref name="UProduct"/>, whether Nadam's scalar comes last.
    /// </summary>
    internal sealed record KerasLayout(int[][] Runs, int Slots, bool UProduct = false);

    // NeuralFlow's slot indices: the native kernels' (nf_optimizer in neuralflow.h), Lion's and Lamb's own.
    // tf.keras 2.11+ makes the slots as Keras 3 (tf_keras/optimizers/*.py build) but keeps Nadam's
    // u_product out of its variables; its OptimizerV2 (tf_keras/optimizers/legacy) makes one run per
    // slot name (all m, then all v), except Adadelta's and Ftrl's, which it makes per variable.
    internal static KerasLayout? Layout(Optimizers.Optimizer optimizer, SavedBy savedBy)
    {
        if (Keras3Layout(optimizer) is not { } keras3) return null;
        switch (savedBy)
        {
            case SavedBy.Keras3:
                return keras3;
            case SavedBy.TfKeras:
                return optimizer is Optimizers.Lamb ? null : keras3 with { UProduct = false };
            default:
                if (optimizer is Optimizers.Lamb or Optimizers.Lion) return null;
                if (optimizer is Optimizers.Adadelta or Optimizers.Ftrl) return keras3;
                return keras3 with { Runs = keras3.Runs.SelectMany(run => run.Select(slot => new[] { slot })).ToArray(), UProduct = false };
        }
    }

    private static KerasLayout? Keras3Layout(Optimizers.Optimizer optimizer) => optimizer switch
    {
        Optimizers.Adam { Amsgrad: true } => new([[0, 1], [2]], 3),
        Optimizers.Adam => new([[0, 1]], 2),
        Optimizers.SGD { Momentum: 0 } => new([], 0),
        Optimizers.SGD => new([[0]], 1),
        Optimizers.RMSprop r => RMSpropLayout(r),
        Optimizers.Adagrad => new([[0]], 1),
        Optimizers.Adamax or Optimizers.Adadelta or Optimizers.Ftrl or Optimizers.Lamb => new([[0, 1]], 2),
        Optimizers.Nadam => new([[0, 1]], 2, UProduct: true),
        Optimizers.Lion => new([[0]], 1),
        _ => null,
    };

    // velocity; then momentum when momentum > 0; then average_gradient when centered (NeuralFlow's
    // slot 2, after slot 1, which it keeps even without momentum).
    private static KerasLayout RMSpropLayout(Optimizers.RMSprop r)
    {
        var runs = new List<int[]> { new[] { 0 } };
        if (r.Momentum > 0) runs.Add([1]);
        if (r.Centered) runs.Add([2]);
        return new([.. runs], r.Centered ? 3 : r.Momentum > 0 ? 2 : 1);
    }

    // Keras' Nadam._u_product after `iterations` steps: the product of beta1 (1 - 0.5 * 0.96^t), t = 1..iterations.
    private static double NadamMomentumProduct(double beta1, long iterations)
    {
        double product = 1;
        for (long t = 1; t <= iterations; t++) product *= beta1 * (1 - 0.5 * Math.Pow(0.96, t));
        return product;
    }

    private static long Integer(Hdf5Dataset d, string file)
    {
        var bytes = d.ReadBytes();
        if (d.Type.Class != Hdf5Class.Integer || bytes.Length != d.Type.Size || d.Type.Size is not (4 or 8))
            throw new InvalidDataException($"'{file}': the optimizer's iteration count '{d.Path}' is not one integer.");
        return d.Type.Size == 8 ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    private static Tensor Value(Hdf5Dataset d, Shape shape, string file, string? of = null)
    {
        if (d.Type.Class != Hdf5Class.Float || !d.Shape.Select(x => (int)x).SequenceEqual(shape.ToArray()))
            throw new InvalidDataException(
                $"'{file}': optimizer variable '{d.Path}' in model.weights.h5 is {d.Type.Name} ({string.Join(", ", d.Shape)}), not a float of shape {shape}{(of is null ? "" : $" for {of}")}.");
        return KerasH5Weights.ToTensor(d, shape);
    }

    private static double Scalar(Hdf5Dataset d, string file, string what = "learning_rate")
    {
        var bytes = d.ReadBytes();
        if (d.Type.Class != Hdf5Class.Float || bytes.Length != d.Type.Size)
            throw new InvalidDataException($"'{file}': the optimizer's {what} '{d.Path}' is not one float.");
        return d.Type.Size switch
        {
            2 => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes),
            4 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
            _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        };
    }
}

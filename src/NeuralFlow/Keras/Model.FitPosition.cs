using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Where a Fit is, in the terms a resumed Fit needs to go on exactly from there
/// (BackupAndRestore's checkpoint): the epoch and the batches of it done, which pass over the
/// data those batches came from and how far into it, the position of NF.Random when that pass
/// opened (a pass of in-memory examples draws its shuffle from it) and, mid-epoch, the state of
/// the running loss and metrics, so that the resumed epoch's logs cover all of its batches.
/// tf.keras 2's BackupAndRestore(save_freq=N) resumes at the batch too; Keras 3's restarts the
/// epoch with the weights of mid-epoch.
/// </summary>
internal sealed class FitPosition
{
    /// <summary>The epoch running; at an epoch's end, the next one (with <see cref="Step"/> 0).</summary>
    public int Epoch;

    /// <summary>Batches of <see cref="Epoch"/> done.</summary>
    public int Step;

    /// <summary>The pass the batches come from, counted from the Fit's first (0); -1 before any opened.</summary>
    public int Pass = -1;

    /// <summary>Batches of that pass read.</summary>
    public int SeenInPass;

    /// <summary>NF.Random's position when that pass opened.</summary>
    public (ulong Seed, long Offset) PassRandom;

    /// <summary>Each step metric's variables (shape and values; null where none yet), mid-epoch only.</summary>
    public List<(Shape Shape, double[] Values)?[]>? Metrics;

    public FitPosition Copy() => (FitPosition)MemberwiseClone();

    /// <summary>
    /// Writes a position of NF.Random under "<paramref name="prefix"/>seed" (a string: a ulong
    /// does not survive JSON's doubles) and "<paramref name="prefix"/>offset".
    /// </summary>
    public static void WriteRandom(JsonObject json, string prefix, (ulong Seed, long Offset) random)
    {
        json[prefix + "seed"] = random.Seed.ToString(CultureInfo.InvariantCulture);
        json[prefix + "offset"] = random.Offset;
    }

    /// <summary>Reads <see cref="WriteRandom"/>; damage surfaces as the JSON readers' exceptions.</summary>
    public static (ulong Seed, long Offset) ReadRandom(JsonObject json, string prefix) =>
        (ulong.Parse(json[prefix + "seed"]!.GetValue<string>(), CultureInfo.InvariantCulture), json[prefix + "offset"]!.GetValue<long>());

    /// <summary>Writes NF.Random's op-seed streams (<see cref="NF.Random.OpSeedState"/>) under "<paramref name="prefix"/>op_seeds".</summary>
    public static void WriteOpSeeds(JsonObject json, string prefix, (int GlobalSeed, (int OpSeed, long Position)[] Streams) state) =>
        json[prefix + "op_seeds"] = new JsonObject
        {
            ["global_seed"] = state.GlobalSeed,
            ["streams"] = new JsonArray(state.Streams.Select(s => (JsonNode)new JsonArray(s.OpSeed, s.Position)).ToArray()),
        };

    /// <summary>Reads <see cref="WriteOpSeeds"/>, or null for a checkpoint of an earlier version, which did not save them.</summary>
    public static (int GlobalSeed, (int OpSeed, long Position)[] Streams)? ReadOpSeeds(JsonObject json, string prefix) =>
        json[prefix + "op_seeds"] is JsonObject o
            ? (o["global_seed"]!.GetValue<int>(), o["streams"]!.AsArray().Select(s => (s![0]!.GetValue<int>(), s[1]!.GetValue<long>())).ToArray())
            : null;

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["epoch"] = Epoch,
            ["step"] = Step,
            ["pass"] = Pass,
            ["seen_in_pass"] = SeenInPass,
        };
        WriteRandom(json, "pass_random_", PassRandom);
        if (Metrics is not null)
        {
            // Values as the bytes of the doubles: exact, and a NaN loss is no JSON number.
            var metrics = new JsonArray();
            foreach (var states in Metrics)
                metrics.Add(new JsonArray(states.Select(s => s is not { } v ? null : (JsonNode)new JsonObject
                {
                    ["shape"] = new JsonArray(v.Shape.ToArray().Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                    ["values"] = Convert.ToBase64String(MemoryMarshal.AsBytes(v.Values.AsSpan())),
                }).ToArray()));
            json["metrics"] = metrics;
        }
        return json;
    }

    /// <summary>Reads <see cref="ToJson"/>; damage surfaces as the JSON readers' exceptions, which the caller names the file for.</summary>
    public static FitPosition FromJson(JsonObject json)
    {
        var position = new FitPosition
        {
            Epoch = json["epoch"]!.GetValue<int>(),
            Step = json["step"]!.GetValue<int>(),
            Pass = json["pass"]!.GetValue<int>(),
            SeenInPass = json["seen_in_pass"]!.GetValue<int>(),
            PassRandom = ReadRandom(json, "pass_random_"),
        };
        // At most one pass opens per epoch (a used-up pass ends its epoch), so a pass number past
        // the epoch's is damage, which a resume would otherwise spend that many passes skipping.
        if (position.Epoch < 0 || position.Step < 0 || position.Pass < -1 || position.Pass > position.Epoch || position.SeenInPass < 0
            || (position.Pass == -1 && (position.SeenInPass > 0 || position.Step > 0)))
            throw new FormatException($"the position epoch {position.Epoch}, step {position.Step}, pass {position.Pass}, batch {position.SeenInPass} of the pass is impossible.");
        if (json["metrics"] is JsonArray metrics)
            position.Metrics = metrics.Select(m => m!.AsArray().Select(s => s is null ? ((Shape, double[])?)null : ReadState(s.AsObject())).ToArray()).ToList();
        return position;
    }

    private static (Shape, double[]) ReadState(JsonObject state)
    {
        var shape = new Shape(state["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
        var bytes = Convert.FromBase64String(state["values"]!.GetValue<string>());
        if (bytes.Length % sizeof(double) != 0) throw new FormatException($"a metric's saved values are {bytes.Length} bytes, not a whole number of doubles.");
        return (shape, MemoryMarshal.Cast<byte, double>(bytes).ToArray());
    }
}

public partial class Model
{
    // Where the running Fit is (null outside Fit), kept up to date by FitLoop before each batch
    // end and epoch end; _fitMetrics reads the step's metrics for a snapshot. Under a strategy,
    // _fitMetricsOfAllRanks holds them summed over the ranks during the batch-end hooks of a
    // step whose global logs the ranks read together (MetricStatesOfAllRanks); null otherwise.
    private FitPosition? _fitPosition;
    private Func<List<(Shape, double[])?[]>>? _fitMetrics;
    private List<(Shape, double[])?[]>? _fitMetricsOfAllRanks;

    /// <summary>
    /// A snapshot of where the running Fit is, with the running metrics when mid-epoch; null
    /// outside Fit. Under DataParallel the metrics are those of every rank's examples when the
    /// ranks summed them after this step (BackupAndRestore asks for that), so that a checkpoint
    /// of the chief resumes the epoch with its global running loss and metrics.
    /// </summary>
    internal FitPosition? FitPositionNow()
    {
        if (_fitPosition is null) return null;
        var now = _fitPosition.Copy();
        now.Metrics = now.Step > 0 ? _fitMetricsOfAllRanks ?? _fitMetrics?.Invoke() : null;
        return now;
    }

    // The step's metric states summed over the ranks (a collective, on every rank alike), for a
    // snapshot of the Fit that holds the whole epoch's running metrics.
    private List<(Shape, double[])?[]>? MetricStatesOfAllRanks(CachedStep step) =>
        Distributed.DataParallel.Current is { WorldSize: > 1 } s ? s.WithStatesSummed(StepMetrics(step), () => SaveStepMetrics(step)) : null;

    // The latest position a callback restored (BackupAndRestore) at or after the epoch the
    // caller asked to start at; an earlier one is ignored, as Keras takes the larger epoch.
    private static FitPosition? ResumeFrom(IEnumerable<Callbacks.Callback> hooks, int initialEpoch) =>
        hooks.Select(c => c.ResumePosition).OfType<FitPosition>().Where(p => p.Epoch >= initialEpoch)
             .MaxBy(p => ((long)p.Epoch << 32) + p.Step);

    private List<(Shape, double[])?[]> SaveStepMetrics(CachedStep step) => StepMetrics(step).Select(m => m.SaveState()).ToList();

    // A mid-epoch checkpoint's running metrics. Under DataParallel they are every rank's
    // (FitPositionNow), so the chief alone takes them and the others start from their reset
    // states: the ranks' sums are then the epoch's, not the chief's counted once per rank.
    private void RestoreStepMetrics(CachedStep step, List<(Shape Shape, double[] Values)?[]> saved)
    {
        if (Distributed.DataParallel.Current is { IsChief: false }) return;
        var metrics = StepMetrics(step);
        if (metrics.Count != saved.Count)
            throw new InvalidDataException($"the checkpoint holds the state of {saved.Count} metrics, but this model's Fit keeps {metrics.Count} (was it compiled with other metrics?).");
        for (int i = 0; i < metrics.Count; i++) metrics[i].RestoreState(saved[i]);
    }

    // A resumed Fit first opens the passes the killed run opened before the one it continues, so
    // that a pipeline that counts its passes (a seeded Dataset.Shuffle reshuffles by pass number)
    // gives the resumed epochs the orders the uninterrupted run gave them, not its first ones
    // again. NF.Random, which the checkpoint restored, is put back after: a pass of in-memory
    // arrays draws its shuffle from it.
    private static void OpenPasses(Func<IEnumerable<FitBatch>> epochBatches, int count)
    {
        if (count <= 0) return;
        var random = NF.Random.State;
        for (int i = 0; i < count; i++)
        {
            using var scope = TensorScope.Begin();
            using var pass = epochBatches().GetEnumerator();
            pass.MoveNext();
        }
        NF.Random.State = random;
    }

    /// <summary>
    /// Puts a Fit where <paramref name="at"/> says the killed run was: its earlier passes opened,
    /// and, when the next batch comes from a pass already under way, that pass opened again from
    /// the random position it opened at (the same shuffle) and read up to where the run was.
    /// Returns that pass (null when the loop is to open a new one) and how far it is read.
    /// </summary>
    private static (IEnumerator<FitBatch>? Batches, int SeenInPass) Reposition(Func<IEnumerable<FitBatch>> epochBatches, FitPosition at, bool recreateEachEpoch, int? passLength,
                                                                                int? stepsPerEpoch)
    {
        // A pass read further than the epochs so far could take is damage; on a Repeat()ed dataset
        // the skip would otherwise read that many batches.
        if (stepsPerEpoch is { } steps && at.SeenInPass > (long)(at.Epoch + 1) * steps)
            throw new InvalidDataException($"BackupAndRestore: the checkpoint says {at.SeenInPass} batches of a pass were read by epoch {at.Epoch}, more than {at.Epoch + 1} epochs of {steps} steps hold: it is damaged.");
        // At an epoch's start a new pass opens when each epoch is a pass or the last one is used up.
        bool opensNew = at.Pass < 0 || (at.Step == 0 && (recreateEachEpoch || at.SeenInPass >= passLength));
        if (opensNew)
        {
            OpenPasses(epochBatches, at.Pass + 1);
            return (null, 0);
        }
        OpenPasses(epochBatches, at.Pass);
        var random = NF.Random.State;
        NF.Random.State = at.PassRandom;
        var batches = epochBatches().GetEnumerator();
        for (int i = 0; i < at.SeenInPass; i++)
        {
            using var scope = TensorScope.Begin();
            if (!batches.MoveNext())
            {
                batches.Dispose();
                throw new InvalidDataException($"BackupAndRestore: the checkpoint was taken after batch {at.SeenInPass} of a pass over the data, but this Fit's data has {i} batches in a pass: is it the same data, batch size and steps?");
            }
        }
        NF.Random.State = random;
        return (batches, at.SeenInPass);
    }
}

// Distributed steps compiled with NF.Function (or traced by Fit), as scenarios of the worker
// (Program.cs dispatches to them; Distributed/DistFunctionTests.cs reads what they print). Each
// runs the same training twice in one process, eagerly and replayed, from the same seeds, and
// prints a hash of each run's weight bits, so the test compares them bit for bit, with each
// function's statistics (replays, traces, why it ran eagerly).
using System.Globalization;
using NeuralFlow;
using NeuralFlow.Distributed;
using NeuralFlow.Keras;

// bits: a hash of every bit of a model's weights (Program.cs's Hash).
internal sealed class Replays(DataParallel strategy, Action<string, object> say, Func<int, int, (Tensor X, Tensor Y)> blobs, Func<Model, string> bits)
{
    private static string Reason(TracedFunction? f) => f?.EagerReason ?? "none";

    /// <summary>
    /// Fit (the default step, then an overridden TrainStep) run eagerly and traced, then Evaluate:
    /// 104 examples in global batches of 5, so that rank 0's part is 2 examples in every batch
    /// while its share of the batch is 2/5, then 2/4 in the last one (a replay must weigh by
    /// its own batch's share, not the trace's); rank 1's parts are 3, then 2 (a second trace).
    /// </summary>
    public void Fit()
    {
        var (x, y) = blobs(104, 3);
        foreach (var custom in new[] { false, true })
        {
            string kind = custom ? "custom" : "default";
            foreach (var eager in new[] { true, false })
            {
                NF.Random.SetSeed(5);
                Model model = custom ? new Tutorials.StepModel() : Tutorials.Mlp();  // StepModel's optimizer sums the ranks' gradients
                model.Compile(optimizer: new Optimizers.Adam(learningRate: 0.01f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"],
                              runEagerly: eager);
                NF.Random.SetSeed(6);  // the shuffles
                var history = model.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0);
                var evaluation = model.Evaluate(x, y, batchSize: 8);
                string mode = eager ? "eager" : "traced";
                say($"{kind}_{mode}_weights", bits(model));
                say($"{kind}_{mode}_loss", history["loss"][^1].ToString("R", CultureInfo.InvariantCulture));
                say($"{kind}_{mode}_eval", evaluation["loss"].ToString("R", CultureInfo.InvariantCulture));
                if (eager) continue;
                say($"{kind}_fit_replays", model.TrainFunction?.ReplayCount ?? -1);
                say($"{kind}_fit_reason", Reason(model.TrainFunction));
                say($"{kind}_eval_replays", model.TestFunction?.ReplayCount ?? -1);
                say($"{kind}_eval_reason", Reason(model.TestFunction));
            }
        }
    }

    /// <summary>
    /// The custom loop of "Custom training with tf.distribute.Strategy" (a loss over the global
    /// batch, summed gradients, an optimizer step), as C# and as an NF.Function; then a function
    /// that reads a metric across the ranks (GlobalResult, a host read) and one that sums C#
    /// numbers (AllReduce): both run eagerly, saying why.
    /// </summary>
    public void Loop()
    {
        const int global = 16;
        var (x, y) = blobs(96, 3);
        foreach (var compiled in new[] { false, true })
        {
            NF.Random.SetSeed(5);
            var model = Tutorials.Mlp();
            model.Call(x[..1]);
            strategy.Broadcast(model.Variables);
            var step = Tutorials.GlobalBatchStep(strategy, model, new Optimizers.SGD(learningRate: 0.1f, momentum: 0.9f), global);
            if (compiled) step = NF.Function(step);
            for (int epoch = 0; epoch < 3; epoch++)
                for (int start = 0; start < x.Shape[0]; start += global)
                {
                    int from = start + global * strategy.Rank / strategy.WorldSize, to = start + global * (strategy.Rank + 1) / strategy.WorldSize;
                    step(x[from..to], y[from..to]);
                }
            string mode = compiled ? "compiled" : "eager";
            say($"{mode}_weights", bits(model));
            if (!compiled) continue;
            var f = TracedFunction.Of(step);
            say("replays", f.ReplayCount);
            say("traces", f.TraceCount);
            say("reason", Reason(f));
        }
        var accuracy = new Metrics.SparseCategoricalAccuracy();
        var read = NF.Function((Tensor ys, Tensor predictions) =>
        {
            accuracy.UpdateState(ys, predictions);
            return NF.Constant(strategy.GlobalResult(accuracy));
        });
        var probabilities = NF.Softmax(NF.Random.Normal([8, 10]));
        for (int i = 0; i < 3; i++) read(y[..8], probabilities);
        say("global_result_reason", Reason(TracedFunction.Of(read)));
        var sum = NF.Function((Tensor t) =>
        {
            var values = new[] { 1.0 };
            strategy.AllReduce(values);
            return t * (float)values[0];
        });
        for (int i = 0; i < 3; i++) sum(NF.Constant([1f, 2f]));
        say("allreduce_reason", Reason(TracedFunction.Of(sum)));
    }

    /// <summary>
    /// A compiled step whose ranks pass different gradients: at the trace (rank 1 leaves a
    /// variable out), and after two replays (rank 1 switches to another function that leaves it
    /// out, while rank 0 replays): every rank gets the same ArgumentException, then the ranks
    /// still agree on a sum.
    /// </summary>
    public void Mismatch()
    {
        var (x, y) = blobs(64, 3);
        NF.Random.SetSeed(5);
        var model = Tutorials.Mlp();
        model.Call(x[..1]);
        var optimizer = new Optimizers.SGD(learningRate: 0.1f);
        var loss = new Losses.SparseCategoricalCrossentropy();
        Func<Tensor, Tensor, Tensor> Step(bool all) => NF.Function((Tensor xs, Tensor ys) =>
        {
            var vars = model.TrainableVariables;
            var used = all ? vars : vars.Take(vars.Count - 1).ToList();
            Tensor value;
            Tensor?[] grads;
            using (var tape = new GradientTape())
            {
                value = loss.Call(ys, model.Call(xs, training: true));
                grads = [.. tape.Gradient(value, used)];
            }
            optimizer.ApplyGradients(strategy.AllReduceGradients(grads), used);
            return value;
        });
        bool odd = strategy.Rank == 1;
        var (xs, ys) = (x[..8], y[..8]);
        Try("trace_error", () => Step(!odd)(xs, ys));
        var same = Step(all: true);
        for (int i = 0; i < 4; i++) same(xs, ys);
        say("replays_before", TracedFunction.Of(same).ReplayCount);
        var other = odd ? Step(all: false) : same;
        Try("replay_error", () => other(xs, ys));
        say("last_call_replayed", TracedFunction.Of(other).LastCallReplayed);
        var sum = new[] { strategy.Rank + 1.0 };
        strategy.AllReduce(sum);
        say("sum_after", sum[0]);

        void Try(string key, Action action)
        {
            try
            {
                action();
                say(key, "none");
            }
            catch (ArgumentException e)
            {
                say(key, $"{e.GetType().Name}: {e.Message}");
            }
        }
    }
}

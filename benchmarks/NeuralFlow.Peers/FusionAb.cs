using System.Diagnostics;
using NeuralFlow;
using NeuralFlow.Keras;

/// <summary>
/// Issue 17: elementwise fusion on and off in one process, so that both sides meet the same
/// machine load. Two identical models each get a compiled step; the second is traced with
/// NEURALFLOW_FUSION=0 (read when its plan is made). Rounds alternate which side runs first and
/// print each side's samples/s, then the range over rounds.
///   ... -- fusion_ab [rounds] [steps per round] [mlp_sigmoid|mlp_relu|workshop]
/// </summary>
static class FusionAb
{
    public static void Run(int rounds, int steps, string which)
    {
        NF.Random.SetSeed(3);
        var x = NF.Random.Uniform([8192, 784]);
        var y = NF.Random.Uniform([8192], 0, 10, DType.Int32);
        var fused = Step(which);
        var saved = Environment.GetEnvironmentVariable("NEURALFLOW_FUSION");
        Environment.SetEnvironmentVariable("NEURALFLOW_FUSION", "0");
        var unfused = Step(which);
        for (int s = 0; s < 3; s++) unfused(x[..256], y[..256]).Dispose();  // traced and planned without fusion
        Environment.SetEnvironmentVariable("NEURALFLOW_FUSION", saved);
        for (int s = 0; s < 3; s++) fused(x[..256], y[..256]).Dispose();
        var rates = new List<double>[] { [], [] };
        for (int r = 0; r < rounds; r++)
        {
            foreach (int side in r % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var step = side == 0 ? fused : unfused;
                var clock = Stopwatch.StartNew();
                for (int s = 0; s < steps; s++)
                {
                    int i = s * 256 % (8192 - 256);
                    step(x[i..(i + 256)], y[i..(i + 256)]).Dispose();
                }
                rates[side].Add(steps * 256 / clock.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"round {r}: fused {rates[0][^1]:0} unfused {rates[1][^1]:0} samples/s");
        }
        string Range(List<double> v) => $"{v.Min():0}-{v.Max():0}";
        Console.WriteLine($"fusion_ab {which} fused {Range(rates[0])} ops {TracedFunction.Of(fused).OpCount} unfused {Range(rates[1])} ops {TracedFunction.Of(unfused).OpCount} samples/s backend=neuralflow-{NF.Backend.Name}");
    }

    private static Func<Tensor, Tensor, Tensor> Step(string which)
    {
        NF.Random.SetSeed(0);
        var model = which switch
        {
            "workshop" => new Sequential(new Layers.Dense(50, activation: "relu"), new Layers.Dense(10)),
            "mlp_relu" => new Sequential(new Layers.Dense(512, activation: "relu"), new Layers.Dense(512, activation: "relu"), new Layers.Dense(10)),
            _ => new Sequential(new Layers.Dense(512, activation: "sigmoid"), new Layers.Dense(512, activation: "sigmoid"), new Layers.Dense(10)),
        };
        return Bars.TrainStep(model, new Optimizers.SGD(learningRate: 0.01f));  // logits, sparse cross-entropy, update
    }
}

using NeuralFlow.Keras;
using Opt = NeuralFlow.Keras.Optimizers;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras 3's model.summary() once the optimizer is built (after a training step, or a compiled model
/// loaded with its state): the optimizer's variables (iteration int64, a constant learning rate
/// float32, the slots of each trainable weight, Nadam's u_product) on an "Optimizer params" line and
/// in the total, as keras.io's printed summaries after fit show ("Optimizer params: 2 (12.00 B)" for
/// plain SGD). Before, NeuralFlow's summary counted the weights only.
/// </summary>
public sealed class OptimizerParamsSummaryTests
{
    private static (Sequential Model, string Before, string After) Trained(Func<Opt.Optimizer> optimizer)
    {
        NF.Random.SetSeed(2);
        var model = new Sequential(Layers.Input([4]), new Layers.Dense(3, name: "dense"));
        model.Compile(optimizer(), "mse");
        string before = model.SummaryText();
        model.Fit(NF.Random.Uniform([8, 4]), NF.Random.Uniform([8, 3]), batchSize: 4, epochs: 1, verbose: 0);
        return (model, before, model.SummaryText());
    }

    private static string Totals(string summary) => string.Join("\n", summary.Split('\n').Where(l => l.Contains(" params: ")).Select(l => l.TrimEnd()));

    [Fact]
    public void Adam_adds_its_iteration_rate_and_two_slots_per_weight()
    {
        var (_, before, after) = Trained(() => new Opt.Adam(0.01));
        // Compiled but not built: Keras prints no optimizer line.
        Assert.Equal(" Total params: 15 (60.00 B)\n Trainable params: 15 (60.00 B)\n Non-trainable params: 0 (0.00 B)", Totals(before));
        // 1 + 1 + 2 * 15 = 32 variables: 8 + 4 + 120 bytes.
        Assert.Equal(" Total params: 47 (192.00 B)\n Trainable params: 15 (60.00 B)\n Non-trainable params: 0 (0.00 B)\n Optimizer params: 32 (132.00 B)", Totals(after));
    }

    [Fact]
    public void Plain_SGD_has_its_iteration_and_rate_Nadam_its_u_product_a_schedule_no_rate()
    {
        Assert.EndsWith(" Optimizer params: 2 (12.00 B)", Totals(Trained(() => new Opt.SGD(0.1)).After));
        Assert.EndsWith(" Optimizer params: 33 (136.00 B)", Totals(Trained(() => new Opt.Nadam()).After));
        var schedule = new ExponentialDecay(0.1, 10, 0.9);
        Assert.EndsWith(" Optimizer params: 16 (68.00 B)", Totals(Trained(() => new Opt.SGD(schedule, momentum: 0.9)).After));
    }

    [Fact]
    public void A_loaded_compiled_model_prints_the_line_as_the_saved_one()
    {
        var (model, _, after) = Trained(() => new Opt.Adam(0.01));
        string path = Path.Combine(Path.GetTempPath(), $"nf-optimizer-summary-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            Assert.Equal(Totals(after), Totals(Model.Load(path).SummaryText()));
        }
        finally { File.Delete(path); }
    }
}

using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Every RegNet (X002 ... Y320) and NASNetLarge built at its default size: Keras' parameter counts
/// (applications6_references.py's arithmetic over regnet.py's config table; NASNetLarge's published 88,949,818). Some
/// 1.1 billion weights are made, so the big builds run on the managed engine only (the builder is backend-independent;
/// the smallest variants are counted on all three engines by Applications6RegNetTests).
/// </summary>
public sealed class ManagedApplications6CountsTests() : BackendTest("managed")
{
    [SkippableFact]
    public void Every_regnet_and_nasnet_large_has_kerass_parameter_count()
    {
        RequireBackend();
        foreach (var (make, name, parameters, trainable, noTop) in Applications6RegNetTests.Variants)
        {
            long count, trained, headless;
            {
                var model = make(true);
                (count, trained) = (model.CountParams(), model.TrainableVariables.Sum(v => (long)v.Shape.Count));
                Assert.Equal(name, model.Name);
                headless = count - model.Layers[^1].CountParams();   // the '1head_dense' classifier
            }
            Assert.Equal((name, parameters, trainable, noTop), (name, count, trained, headless));
            GC.Collect();
        }
        var large = Applications.NASNetLarge(weights: null);
        Assert.Equal(("nasnet_large", 88_949_818L, 88_753_150L), (large.Name, large.CountParams(), large.TrainableVariables.Sum(v => (long)v.Shape.Count)));
        Assert.Equal(new int?[] { null, 331, 331, 3 }, large.Input.Shape);
        Assert.Equal(new int?[] { null, 11, 11, 4032 }, large.GetLayer("normal_concat_18").Output.Shape);
    }
}

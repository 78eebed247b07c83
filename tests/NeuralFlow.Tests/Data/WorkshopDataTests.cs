using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>Sections 4 and 6 of the workshop, written as the spec writes them (the model parts come later).</summary>
public class WorkshopDataTests
{
    [Fact]
    public void Section4_and_6_input_pipeline_as_written()
    {
        // Section 4's LoadData() has the same signature; offline here, so the sample stands in.
        Func<((Tensor, Tensor), (Tensor, Tensor))> spec = () => Datasets.Mnist.LoadData();
        Assert.NotNull(spec);
        var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();

        var train = Dataset.FromTensorSlices(xTrain, yTrain)
            .Map((img, label) => (NF.Cast(NF.Reshape(img, [28 * 28]), DType.Float32) / 255f, label))
            .Shuffle(bufferSize: 5000)
            .Batch(256)
            .Prefetch(Dataset.Autotune);

        for (int epoch = 0; epoch < 2; epoch++)
        {
            int batches = 0, seen = 0;
            foreach (var (xb, yb) in train)
            {
                Assert.Equal(DType.Float32, xb.DType);
                Assert.Equal(28 * 28, xb.Shape[1]);
                Assert.Equal(DType.UInt8, yb.DType);
                seen += yb.Shape[0];
                batches++;
            }
            Assert.Equal(32, batches); // 8000 / 256 = 31.25
            Assert.Equal(8000, seen);
        }
        Assert.Equal(32, train.Cardinality);
        Assert.Equal(new Shape(2000), yTest.Shape);
        Assert.Equal(new Shape(2000, 28, 28), xTest.Shape);
    }
}

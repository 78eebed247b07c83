using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// The time-series tutorial's WindowGenerator in C#: windows of <c>inputWidth</c> steps and, <c>shift</c>
/// steps on, <c>labelWidth</c> label steps, over tables [time, features] whose columns are named;
/// SplitWindow and MakeDataset as the tutorial writes them (timeseries_dataset_from_array, shuffled,
/// batches of 32, mapped by split_window).
/// </summary>
internal sealed class TutorialWindowGenerator
{
    public TutorialWindowGenerator(int inputWidth, int labelWidth, int shift, Tensor trainDf, Tensor valDf, Tensor testDf,
                                   IReadOnlyList<string> columns, IReadOnlyList<string>? labelColumns = null)
    {
        (TrainDf, ValDf, TestDf, LabelColumns) = (trainDf, valDf, testDf, labelColumns);
        ColumnIndices = columns.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        (InputWidth, LabelWidth, Shift) = (inputWidth, labelWidth, shift);
        TotalWindowSize = inputWidth + shift;
        LabelStart = TotalWindowSize - labelWidth;
        InputIndices = Enumerable.Range(0, inputWidth).ToArray();
        LabelIndices = Enumerable.Range(LabelStart, labelWidth).ToArray();
    }

    public Tensor TrainDf { get; }
    public Tensor ValDf { get; }
    public Tensor TestDf { get; }
    public IReadOnlyList<string>? LabelColumns { get; }
    public IReadOnlyDictionary<string, int> ColumnIndices { get; }
    public int InputWidth { get; }
    public int LabelWidth { get; }
    public int Shift { get; }
    public int TotalWindowSize { get; }
    public int LabelStart { get; }
    public int[] InputIndices { get; }
    public int[] LabelIndices { get; }

    /// <summary>The tutorial's __repr__.</summary>
    public override string ToString() => string.Join("\n",
        $"Total window size: {TotalWindowSize}",
        $"Input indices: [{string.Join(" ", InputIndices)}]",
        $"Label indices: [{string.Join(" ", LabelIndices)}]",
        $"Label column name(s): {(LabelColumns is null ? "None" : "['" + string.Join("', '", LabelColumns) + "']")}");

    /// <summary>features[:, input_slice, :] and features[:, labels_slice, :], the label columns stacked on the last axis.</summary>
    public (Tensor Inputs, Tensor Labels) SplitWindow(Tensor features)
    {
        var inputs = features[.., ..InputWidth, ..];
        var labels = features[.., LabelStart.., ..];
        if (LabelColumns is not null)
            labels = NF.Stack(LabelColumns.Select(name => labels[.., .., ColumnIndices[name]]).ToArray(), axis: -1);
        return (inputs, labels);
    }

    public Dataset<(Tensor, Tensor)> MakeDataset(Tensor data) =>
        Utils.TimeseriesDatasetFromArray(data, sequenceLength: TotalWindowSize, sequenceStride: 1, shuffle: true, batchSize: 32)
            .Map(w => SplitWindow(w));

    public Dataset<(Tensor, Tensor)> Train => MakeDataset(TrainDf);
    public Dataset<(Tensor, Tensor)> Val => MakeDataset(ValDf);
    public Dataset<(Tensor, Tensor)> Test => MakeDataset(TestDf);

    private (Tensor, Tensor)? _example;

    /// <summary>A batch of the training set, kept for the next call (the tutorial's example property).</summary>
    public (Tensor Inputs, Tensor Labels) Example => _example ??= Train.First();
}

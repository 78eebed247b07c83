using NeuralFlow.Keras;
using ScottPlot;

namespace NeuralFlow.Plotting;

/// <summary>
/// Plots for the workshop's chapters, written as PNG files with ScottPlot (matplotlib's role in
/// the Python workshop): training curves from a <see cref="History"/>, a scatter with a fitted
/// line, and a grid of digit images with predicted and true labels.
/// </summary>
public static class Plots
{
    /// <summary>Default width in pixels of a training-curve panel and of the regression plot.</summary>
    public const int PanelWidth = 600;

    /// <summary>Default height in pixels of the training curves and of the regression plot.</summary>
    public const int PanelHeight = 450;

    /// <summary>
    /// Plots the loss and each metric of a <see cref="History"/> (Keras: <c>history.history</c>)
    /// against the epoch, one panel per quantity side by side, with the training values and, when
    /// present, the validation values (<c>val_</c> keys), and saves the figure as a PNG.
    /// </summary>
    /// <param name="history">What <c>Model.Fit</c> returned.</param>
    /// <param name="path">The PNG file to write (its folder is created when missing).</param>
    /// <param name="panelWidth">Width of each panel in pixels; the image is this times the number of panels.</param>
    /// <param name="height">Height of the image in pixels.</param>
    /// <returns>The full path of the file written.</returns>
    /// <exception cref="ArgumentException">The history holds no values.</exception>
    public static string Plot(this History history, string path, int panelWidth = PanelWidth, int height = PanelHeight)
    {
        ArgumentNullException.ThrowIfNull(history);
        var names = CurveNames(history);
        if (names.Count == 0) throw new ArgumentException("The history holds no values: was Fit called with epochs >= 1?", nameof(history));
        var multiplot = new Multiplot();
        multiplot.AddPlots(names.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        for (int i = 0; i < names.Count; i++)
        {
            var plot = multiplot.GetPlot(i);
            string name = names[i];
            AddCurve(plot, history[name], "train", Colors.C0, MarkerShape.FilledCircle);
            if (history.Keys.Contains("val_" + name))
                AddCurve(plot, history["val_" + name], "validation", Colors.C1, MarkerShape.FilledSquare);
            plot.Title(Titled(name));
            plot.XLabel("epoch");
            plot.YLabel(name);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.ShowLegend(Edge.Bottom);                             // below the axes: never over a curve
        }
        return Save(path, full => multiplot.SavePng(full, panelWidth * names.Count, height));
    }

    /// <summary>
    /// The quantities <see cref="Plot(History, string, int, int)"/> draws, one panel each: the
    /// history's keys without the <c>val_</c> ones (a <c>val_</c> key with no training twin gets its own panel).
    /// </summary>
    /// <param name="history">A training history.</param>
    /// <returns>The keys, loss first.</returns>
    public static IReadOnlyList<string> CurveNames(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var keys = history.Keys.Where(k => history[k].Count > 0).ToList();
        return keys.Where(k => !k.StartsWith("val_", StringComparison.Ordinal) || !keys.Contains(k[4..]))
                   .OrderBy(k => k == "loss" ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A scatter of the points (<paramref name="x"/>, <paramref name="y"/>) with the line
    /// y = <paramref name="slope"/> x + <paramref name="intercept"/> across their x range: the
    /// linear-regression chapter's picture. Saved as a PNG.
    /// </summary>
    /// <param name="x">The inputs (any shape; read as float32 values in order).</param>
    /// <param name="y">The targets, as many as <paramref name="x"/>.</param>
    /// <param name="slope">The fitted slope (the workshop's <c>m</c>).</param>
    /// <param name="intercept">The fitted intercept (the workshop's <c>b</c>).</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <returns>The full path of the file written.</returns>
    public static string ScatterWithLine(Tensor x, Tensor y, float slope, float intercept, string path,
                                         int width = PanelWidth, int height = PanelHeight) =>
        ScatterWithLine(Values(x), Values(y), slope, intercept, path, width, height);

    /// <summary>
    /// A scatter of the points (<paramref name="x"/>, <paramref name="y"/>) with the line
    /// y = <paramref name="slope"/> x + <paramref name="intercept"/>, saved as a PNG.
    /// </summary>
    /// <param name="x">The inputs.</param>
    /// <param name="y">The targets, as many as <paramref name="x"/>.</param>
    /// <param name="slope">The fitted slope.</param>
    /// <param name="intercept">The fitted intercept.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <returns>The full path of the file written.</returns>
    /// <exception cref="ArgumentException">The two arrays differ in length or are empty.</exception>
    public static string ScatterWithLine(IReadOnlyList<double> x, IReadOnlyList<double> y, double slope, double intercept, string path,
                                         int width = PanelWidth, int height = PanelHeight)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count == 0)
            throw new ArgumentException($"x and y need the same non-zero length; got {x.Count} and {y.Count}.");
        var plot = new ScottPlot.Plot();
        var points = plot.Add.ScatterPoints(x.ToArray(), y.ToArray(), Colors.C0);
        points.LegendText = "data";
        points.MarkerSize = 6;
        double x0 = x.Min(), x1 = x.Max();
        var line = plot.Add.Line(x0, slope * x0 + intercept, x1, slope * x1 + intercept);
        line.Color = Colors.C3;
        line.LineWidth = 2;
        line.LegendText = $"y = {slope:0.###} x {(intercept < 0 ? "-" : "+")} {Math.Abs(intercept):0.###}";
        plot.Title("Linear regression");
        plot.XLabel("x");
        plot.YLabel("y");
        plot.Legend.Alignment = slope >= 0 ? Alignment.UpperLeft : Alignment.UpperRight;
        plot.ShowLegend();
        return Save(path, full => plot.SavePng(full, width, height));
    }

    /// <summary>
    /// A grid of digit images, each titled with its predicted and true label; wrong predictions
    /// have red titles, right ones dark green. Saved as a PNG.
    /// </summary>
    /// <param name="images">Images of shape (n, 28, 28) or (n, 784) (any square size), uint8 0-255 or float 0-1.</param>
    /// <param name="predicted">The predicted class of each image, shape (n) (any integer or float dtype).</param>
    /// <param name="actual">The true class of each image, shape (n).</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="columns">Images per row.</param>
    /// <param name="cellSize">Width and height in pixels of one image (its title adds a strip above it).</param>
    /// <returns>The full path of the file written.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit together or an image is not square.</exception>
    public static string DigitGrid(Tensor images, Tensor predicted, Tensor actual, string path, int columns = 8, int cellSize = 120)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int n = images.Shape.Rank == 0 ? 0 : (int)images.Shape[0];
        var pred = Labels(predicted);
        var truth = Labels(actual);
        if (n == 0 || pred.Length != n || truth.Length != n)
            throw new ArgumentException($"DigitGrid needs n > 0 images and n labels each; got images {images.Shape}, predicted {predicted.Shape}, actual {actual.Shape}.");
        var pixels = Values(images).ToArray();
        int side = (int)Math.Round(Math.Sqrt(pixels.Length / n));
        if (side * side * n != pixels.Length)
            throw new ArgumentException($"DigitGrid needs square images; got shape {images.Shape}.", nameof(images));
        double scale = pixels.Max() > 1.5 ? 255.0 : 1.0;

        int rows = (n + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(n);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        for (int k = 0; k < n; k++)
        {
            var plot = multiplot.GetPlot(k);
            var data = new double[side, side];
            for (int r = 0; r < side; r++)
                for (int c = 0; c < side; c++)
                    data[r, c] = pixels[(long)k * side * side + r * side + c] / scale;
            var heatmap = plot.Add.Heatmap(data);
            heatmap.Colormap = new ScottPlot.Colormaps.GrayscaleReversed();
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            plot.Axes.Frameless();
            plot.HideGrid();
            plot.Axes.SetLimits(0, side, 0, side);
            bool right = pred[k] == truth[k];
            plot.Title(right ? $"{pred[k]}" : $"{pred[k]} (true {truth[k]})", size: 13);
            plot.Axes.Title.Label.ForeColor = right ? Colors.DarkGreen : Colors.Red;
            plot.Axes.Title.Label.Bold = !right;
        }
        return Save(path, full => multiplot.SavePng(full, columns * cellSize, rows * (cellSize + TitleHeight)));
    }

    /// <summary>Pixels above each digit for its title, so that the image itself stays square.</summary>
    const int TitleHeight = 26;

    static void AddCurve(ScottPlot.Plot plot, IReadOnlyList<float> values, string label, Color color, MarkerShape marker)
    {
        var xs = Enumerable.Range(1, values.Count).Select(e => (double)e).ToArray();
        var scatter = plot.Add.Scatter(xs, values.Select(v => (double)v).ToArray(), color);
        scatter.LegendText = label;
        scatter.MarkerShape = marker;
        scatter.MarkerSize = 7;
        scatter.LineWidth = 2;
    }

    static string Titled(string key) => key.Length == 0 ? key : char.ToUpperInvariant(key[0]) + key[1..].Replace('_', ' ');

    static double[] Values(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();

    static long[] Labels(Tensor t) => NF.Cast(NF.Reshape(t, [-1]), DType.Int64).ToArray<long>();

    static string Save(string path, Action<string> save)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        save(full);
        return full;
    }
}

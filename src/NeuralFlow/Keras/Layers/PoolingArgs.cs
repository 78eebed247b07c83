using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>The argument rules the convolution and pooling layers share.</summary>
internal static class PoolingArgs
{
    /// <summary>(height, width) from one value (both) or two; each at least 1.</summary>
    public static int[] Pair(string layer, string arg, int[] values) => PerAxis(layer, arg, values, ImageAxes);

    /// <summary>(depth, height, width) from one value (all three) or three; each at least 1.</summary>
    public static int[] Triple(string layer, string arg, int[] values) => PerAxis(layer, arg, values, VolumeAxes);

    public static readonly string[] ImageAxes = ["height", "width"], VolumeAxes = ["depth", "height", "width"];

    private static int[] PerAxis(string layer, string arg, int[] values, string[] axes)
    {
        ArgumentNullException.ThrowIfNull(values, arg);
        if ((values.Length != 1 && values.Length != axes.Length) || values.Any(v => v < 1))
            throw new ArgumentException(
                $"{layer}: {arg} must be one or {Count(axes)} positive integers ({string.Join(", ", axes)}), got [{string.Join(", ", values)}].", arg);
        return values.Length == 1 ? Enumerable.Repeat(values[0], axes.Length).ToArray() : [.. values];
    }

    private static string Count(string[] axes) => axes.Length == 2 ? "two" : "three";

    /// <summary>
    /// Keras' output_padding of a transposed convolution: null (Keras' default size), one value
    /// (every axis) or one per axis, each at least 0 and, Keras' rule, smaller than its axis'
    /// stride (or the extra rows would be a whole output step).
    /// </summary>
    public static int[]? OutputPadding(string layer, int[]? values, int[] strides, string[] axes)
    {
        if (values is null) return null;
        if ((values.Length != 1 && values.Length != axes.Length) || values.Any(p => p < 0))
            throw new ArgumentException(
                $"{layer}: outputPadding must be one or {Count(axes)} non-negative integers ({string.Join(", ", axes)}), got [{string.Join(", ", values)}].", "outputPadding");
        int[] pads = values.Length == 1 ? Enumerable.Repeat(values[0], axes.Length).ToArray() : [.. values];
        if (pads.Where((p, i) => p >= strides[i]).Any())
            throw new ArgumentException(
                $"{layer}: outputPadding [{string.Join(", ", pads)}] must be smaller than the strides [{string.Join(", ", strides)}].", "outputPadding");
        return pads;
    }

    /// <summary>A one-axis window argument (Conv1D, the 1-D pools) as Keras stores it: a list of one value, at least 1.</summary>
    public static int[] Single(string layer, string arg, int value) => value >= 1 ? [value]
        : throw new ArgumentException($"{layer}: {arg} must be a positive integer, got {value}.", arg);

    /// <summary>
    /// Keras' tuple form of a one-axis argument (<c>kernel_size=(3,)</c>): its single value, or
    /// <paramref name="fallback"/> when null; the int form's checks then apply to it.
    /// </summary>
    public static int OneOf(string layer, string arg, int[]? values, int fallback = 1) => values switch
    {
        null => fallback,
        [var value] => value,
        _ => throw new ArgumentException($"{layer}: {arg} must be one positive integer, got [{string.Join(", ", values)}].", arg),
    };

    /// <summary>"valid" or "same" (and "causal" where <paramref name="causal"/>: Conv1D's), lower case.</summary>
    public static string Padding(string layer, string padding, bool causal = false) => padding?.ToLowerInvariant() switch
    {
        "valid" => "valid",
        "same" => "same",
        "causal" when causal => "causal",
        _ => throw new ArgumentException(
            $"{layer}: padding must be \"valid\"{(causal ? ", \"same\" or \"causal\"" : " or \"same\"")}, got \"{padding}\".", nameof(padding)),
    };

    /// <summary>The inputs a layer of <paramref name="spatialRank"/> spatial axes takes, for its errors.</summary>
    public static string Layout(int spatialRank, bool channelsFirst) => (spatialRank, channelsFirst) switch
    {
        (1, false) => "sequences [batch, steps, channels]",
        (1, true) => "channels_first sequences [batch, channels, steps]",
        (3, false) => "NDHWC volumes [N, D, H, W, C]",
        (3, true) => "NCDHW volumes [N, C, D, H, W]",
        (_, false) => "NHWC inputs [N, H, W, C]",
        (_, true) => "NCHW inputs [N, C, H, W]",
    };

    /// <summary>A convolution's filters and groups: both positive, the filters divisible into the groups.</summary>
    public static (int Filters, int Groups) FiltersAndGroups(string layer, int filters, int groups)
    {
        if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), filters, $"{layer}: filters must be positive.");
        if (groups <= 0) throw new ArgumentOutOfRangeException(nameof(groups), groups, $"{layer}: groups must be positive.");
        if (filters % groups != 0)
            throw new ArgumentException($"{layer}: filters ({filters}) must be divisible by groups ({groups}).", nameof(groups));
        return (filters, groups);
    }

    /// <summary>Keras' data_format: "channels_last" (NHWC) or "channels_first" (NCHW), lower case.</summary>
    public static string DataFormat(string layer, string dataFormat) => dataFormat?.ToLowerInvariant() switch
    {
        "channels_last" => "channels_last",
        "channels_first" => "channels_first",
        _ => throw new ArgumentException($"{layer}: dataFormat must be \"channels_last\" or \"channels_first\", got \"{dataFormat}\".", nameof(dataFormat)),
    };

    /// <summary>The window entries of a convolution or pooling config, in Keras' names.</summary>
    public static void WindowConfig(JsonObject c, string sizeKey, int[] size, int[] strides, string padding, string dataFormat)
    {
        c[sizeKey] = Json(size);
        c["strides"] = Json(strides);
        c["padding"] = padding;
        c["data_format"] = dataFormat;
    }

    public static JsonArray Json(int[] values) => new(values.Select(v => (JsonNode?)v).ToArray());

    /// <summary>
    /// Keras' compute_conv_output_shape on the spatial axes of <paramref name="input"/> (from
    /// <paramref name="firstAxis"/>) into <paramref name="output"/>: ceil(n / stride) for "same" and "causal",
    /// ceil((n - (k - 1) * dilation) / stride) for "valid"; an unknown length stays unknown. False where a
    /// "valid" window does not fit a length (the run on zeros says so).
    /// </summary>
    public static bool SlideWindows(int?[] input, int?[] output, int firstAxis, int[] window, int[] strides, int[]? dilation, string padding)
    {
        for (int i = 0; i < window.Length; i++)
        {
            if (input[firstAxis + i] is not int length) { output[firstAxis + i] = null; continue; }
            int kept = padding == "valid" ? length - (window[i] - 1) * (dilation?[i] ?? 1) : length;
            if (kept < 1) return false;
            output[firstAxis + i] = (kept + strides[i] - 1) / strides[i];
        }
        return true;
    }
}

using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What ZeroPadding2D and Cropping2D share beyond <see cref="SpatialSides"/>: the amounts given
    /// as Keras takes them (one int for all four sides, (height, width) for both sides of each axis,
    /// or ((top, bottom), (left, right))) and read back in that tuple form.
    /// </summary>
    public abstract class Sides2D : SpatialSides
    {
        private protected Sides2D(string layer, string argument, ((int, int), (int, int)) sides, bool pads, string dataFormat, string? name)
            : base(layer, argument, [sides.Item1, sides.Item2], pads, dataFormat, name) { }

        private protected ((int Top, int Bottom), (int Left, int Right)) Sides => (Amounts[0], Amounts[1]);

        /// <summary>Reads a config entry: [[t, b], [l, r]], [h, w] or one int.</summary>
        internal static ((int, int), (int, int)) FromJson(JsonNode? node, string key)
        {
            var sides = FromJson(node, key, 2);
            return (sides[0], sides[1]);
        }
    }
}

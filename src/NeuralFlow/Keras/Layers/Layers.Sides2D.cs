using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// What ZeroPadding2D and Cropping2D share: an amount for each side of NHWC images,
    /// ((top, bottom), (left, right)), given as Keras takes it (one int for all four sides,
    /// (height, width) for both sides of each axis, or the four amounts) and written to a config
    /// as Keras does, [[top, bottom], [left, right]].
    /// </summary>
    public abstract class Sides2D : Layer
    {
        private readonly string _configKey;

        private protected Sides2D(string layer, string argument, ((int, int), (int, int)) sides, string? name) : base(name)
        {
            var ((t, b), (l, r)) = sides;
            if (t < 0 || b < 0 || l < 0 || r < 0)
                throw new ArgumentException($"{layer}: {argument} must not be negative, got (({t}, {b}), ({l}, {r})).", argument);
            _configKey = argument;
            Sides = sides;
        }

        private protected ((int Top, int Bottom), (int Left, int Right)) Sides { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            var ((t, b), (l, r)) = Sides;
            c[_configKey] = new JsonArray(new JsonArray(t, b), new JsonArray(l, r));
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape) => CheckInput(inputShape);

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            CheckInput(x.Shape);
            return Apply(x);
        }

        /// <summary>Throws unless the layer applies to inputs of <paramref name="shape"/>.</summary>
        private protected virtual void CheckInput(Shape shape) => Images.Check(Name, GetType().Name, shape);

        /// <summary>The layer's computation on a checked input.</summary>
        private protected abstract Tensor Apply(Tensor x);

        /// <summary>Reads a config entry: [[t, b], [l, r]], [h, w] or one int.</summary>
        internal static ((int, int), (int, int)) FromJson(JsonNode? node, string key)
        {
            int Int(JsonNode? n) => n?.GetValue<int>() ?? throw new FormatException($"'{key}' holds a null");
            if (node is JsonValue one) return ((Int(one), Int(one)), (Int(one), Int(one)));
            if (node is JsonArray { Count: 2 } pair)
            {
                if (pair[0] is JsonArray { Count: 2 } h && pair[1] is JsonArray { Count: 2 } w)
                    return ((Int(h[0]), Int(h[1])), (Int(w[0]), Int(w[1])));
                if (pair[0] is JsonValue height && pair[1] is JsonValue width)
                    return ((Int(height), Int(height)), (Int(width), Int(width)));
            }
            throw new FormatException($"'{key}' must be an int, [height, width] or [[top, bottom], [left, right]], got {node?.ToJsonString() ?? "nothing"}");
        }
    }
}

/// <summary>The NHWC input check of the image layers without weights.</summary>
internal static class Images
{
    public static void Check(string name, string layer, Shape shape)
    {
        if (shape.Rank != 4)
            throw new ArgumentException($"{name}: {layer} needs NHWC inputs [N, H, W, C], got shape {shape}.");
    }
}

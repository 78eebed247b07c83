namespace NeuralFlow.Keras;

internal sealed partial class FunctionalGraph
{
    private Layer[]? _kerasOrder;

    /// <summary>
    /// The layers in Keras' order for this graph (<c>model.layers</c>, keras/src/ops/function.py
    /// map_graph): by depth, the farthest from the outputs first, and within a depth by when a
    /// depth-first walk from the outputs first reached the layer. Keras names and orders a
    /// model's saved weights by it (Keras 3's <c>layers/dense_1</c> groups count layers of a class
    /// in this order; Keras 2's <c>layer_names</c> list them in it), so loading a Keras file pairs
    /// layers in this order, not in <see cref="Layers"/>' order of first call. A layer called at
    /// several depths takes the deepest; an input no output uses comes last.
    /// </summary>
    public IReadOnlyList<Layer> KerasOrder => _kerasOrder ??= KerasOperationOrder.Where(l => l is not Operation).ToArray();

    private Layer[]? _kerasOperationOrder;

    /// <summary>
    /// The layers and operations in Keras' order (<c>model.operations</c>, map_graph's), which
    /// config.json lists; <see cref="KerasOrder"/> is it without the operations.
    /// </summary>
    public IReadOnlyList<Layer> KerasOperationOrder => _kerasOperationOrder ??= ComputeKerasOrder();

    private Layer[] ComputeKerasOrder()
    {
        var firstSeen = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        var finished = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<Node>();
        foreach (var output in Outputs) Walk(output);

        var nodeDepth = new Dictionary<Node, int>(ReferenceEqualityComparer.Instance);
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int i = postOrder.Count - 1; i >= 0; i--)
        {
            var node = postOrder[i];
            int depth = Math.Max(nodeDepth.GetValueOrDefault(node), layerDepth.GetValueOrDefault(node.Layer));
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            if (node.Layer is Keras.Layers.InputLayer) continue;
            foreach (var parent in node.Inputs.Select(t => t.Node))
                nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(parent));
        }
        foreach (var input in Inputs)
            if (layerDepth.TryAdd(input.Layer, 0)) firstSeen[input.Layer] = -1;
        return layerDepth.OrderByDescending(p => p.Value).ThenBy(p => firstSeen[p.Key]).Select(p => p.Key).ToArray();

        // Keras' _build_map: a layer's index is taken when the walk first reaches it, a call joins
        // the post-order after the calls that make its inputs.
        void Walk(KerasTensor t)
        {
            var node = t.Node;
            if (finished.Contains(node)) return;
            firstSeen.TryAdd(node.Layer, firstSeen.Count);
            if (node.Layer is not Keras.Layers.InputLayer)
                foreach (var input in node.Inputs) Walk(input);
            finished.Add(node);
            postOrder.Add(node);
        }
    }
}

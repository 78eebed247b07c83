namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// Warps each image so that its four <paramref name="startPoints"/> land on <paramref name="endPoints"/>
        /// (<c>keras.ops.image.perspective_transform</c>): points [4, 2] or [N, 4, 2] as (x, y) pixel
        /// coordinates; the homography taking each output pixel (an end point) back to its input point (a
        /// start point) is solved from the eight point equations (<see cref="Solve"/>) and read by
        /// <see cref="AffineTransform"/> with "constant" fill <paramref name="fillValue"/>, as Keras reads it
        /// through map_coordinates. Gradients reach the images and, through the solve, the points.
        /// </summary>
        /// <exception cref="ArgumentException">The points' shapes, the interpolation or the layout are wrong, or the points are degenerate (three on a line).</exception>
        public static Tensor PerspectiveTransform(Tensor images, Tensor startPoints, Tensor endPoints, string interpolation = "bilinear",
                                                  double fillValue = 0, string dataFormat = "channels_last")
        {
            const string op = "Image.PerspectiveTransform";
            ArgumentNullException.ThrowIfNull(startPoints);
            ArgumentNullException.ThrowIfNull(endPoints);
            var x = Batch(op, images, dataFormat, out bool single, out bool channelsFirst);
            int n = x.Shape[0];
            foreach (var (points, name) in new[] { (startPoints, nameof(startPoints)), (endPoints, nameof(endPoints)) })
                if (!(points.Rank is 2 or 3 && points.Shape[points.Rank - 2] == 4 && points.Shape[points.Rank - 1] == 2 && (points.Rank == 2 || points.Shape[0] is 1 || points.Shape[0] == n)))
                    throw new ArgumentException($"{op}: {name} must have shape [4, 2] or [{n}, 4, 2] (four (x, y) corners per image), got {points.Shape}.", name);
            if (startPoints.Shape != endPoints.Shape)
                throw new ArgumentException($"{op}: startPoints and endPoints must have the same shape, got {startPoints.Shape} and {endPoints.Shape}.", nameof(endPoints));
            var y = AffineTransform(x, Homography(startPoints, endPoints), interpolation, "constant", fillValue);
            return Restore(y, single, channelsFirst);
        }

        // Rows [a0..a7] ([M, 8]) of the homographies mapping end points to start points, in float64:
        // each point gives a0 ex + a1 ey + a2 - sx (a6 ex + a7 ey) = sx and the same for sy.
        private static Tensor Homography(Tensor startPoints, Tensor endPoints)
        {
            Tensor Batched(Tensor p) => Cast(p.Rank == 2 ? ExpandDims(p, 0) : p, DType.Float64);
            Tensor start = Batched(startPoints), end = Batched(endPoints);
            Tensor Coordinate(Tensor p, int k) => Squeeze(Slice(p, [0, 0, k], [-1, -1, 1]), 2);
            Tensor ex = Coordinate(end, 0), ey = Coordinate(end, 1), sx = Coordinate(start, 0), sy = Coordinate(start, 1);
            Tensor zero = ZerosLike(ex), one = OnesLike(ex);
            var xRows = Stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], 2);
            var yRows = Stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], 2);
            int m = ex.Shape[0];
            var a = Reshape(Stack([xRows, yRows], 2), [m, 8, 8]);
            var b = Reshape(Stack([sx, sy], 2), [m, 8]);
            return Solve(a, b);
        }
    }
}

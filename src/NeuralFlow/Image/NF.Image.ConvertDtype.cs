namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// <paramref name="image"/> in <paramref name="dtype"/> with its values rescaled to that dtype's range
        /// (<c>tf.image.convert_image_dtype</c>): integers span [0, MAX] (uint8 0..255) and floats [0, 1]. Integer to
        /// float multiplies by 1 / MAX; float to integer multiplies by MAX + 0.5 and truncates (with
        /// <paramref name="saturate"/>, clipped to the integer range first; NeuralFlow's casts saturate anyway); integer to
        /// integer shifts by the ratio of the ranges; float to float is a cast.
        /// </summary>
        /// <exception cref="ArgumentException">A dtype that is not an image dtype (uint8, int32, int64, float16, float32, float64).</exception>
        public static Tensor ConvertImageDtype(Tensor image, DType dtype, bool saturate = false)
        {
            ArgumentNullException.ThrowIfNull(image);
            CheckImageDtype(image.DType, nameof(image));
            CheckImageDtype(dtype, nameof(dtype));
            if (image.DType == dtype) return image;
            bool fromFloat = image.DType.IsFloating(), toFloat = dtype.IsFloating();
            if (fromFloat && toFloat) return Cast(image, dtype);
            if (toFloat) return Cast(image, dtype) * (1.0 / IntegerMax(image.DType));
            if (fromFloat)
            {
                var scaled = image * (IntegerMax(dtype) + 0.5);
                return Cast(saturate ? Clip(scaled, IntegerMin(dtype), IntegerMax(dtype)) : scaled, dtype);
            }
            // Both integers: the ranges are 2^k - 1, so their ratio is an exact power of two.
            double ratio = (IntegerMax(image.DType) + 1) / (IntegerMax(dtype) + 1);
            if (ratio > 1)
            {
                var shifted = FloorDiv(image, Cast(Constant(ratio), image.DType));
                return Cast(saturate ? Clip(shifted, IntegerMin(dtype), IntegerMax(dtype)) : shifted, dtype);
            }
            return Cast(image, dtype) * Cast(Constant(1 / ratio), dtype);
        }

        // tf.image's adjust_* on integer images: computed in float32 on [0, 1] and converted back, saturated; float16
        // computed in float32 and cast back; float32 and float64 as they are.
        private static Tensor InImageFloat(Tensor images, Func<Tensor, Tensor> adjust) => images.DType switch
        {
            DType.Float32 or DType.Float64 => adjust(images),
            DType.Float16 => Cast(adjust(Cast(images, DType.Float32)), DType.Float16),
            _ => ConvertImageDtype(adjust(ConvertImageDtype(images, DType.Float32)), images.DType, saturate: true),
        };

        private static void CheckImageDtype(DType dtype, string name)
        {
            if (dtype is not (DType.UInt8 or DType.Int32 or DType.Int64 or DType.Float16 or DType.Float32 or DType.Float64))
                throw new ArgumentException($"Image.ConvertImageDtype: {name} must be uint8, int32, int64, float16, float32 or float64 (an image dtype), not {dtype}.", name);
        }

        private static double IntegerMax(DType dtype) => dtype switch
        {
            DType.UInt8 => byte.MaxValue,
            DType.Int32 => int.MaxValue,
            _ => long.MaxValue,
        };

        private static double IntegerMin(DType dtype) => dtype switch
        {
            DType.UInt8 => 0,
            DType.Int32 => int.MinValue,
            _ => long.MinValue,
        };
    }
}

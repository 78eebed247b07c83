namespace NeuralFlow;

public static partial class NF
{
    public static partial class Image
    {
        /// <summary>
        /// Mirrors left to right with probability 1/2 (<c>tf.image.random_flip_left_right</c>): one
        /// image [H, W, C] by one coin, a batch [N, H, W, C] by one coin per image. TF's draws: a scalar
        /// uniform below 0.5 flips one image, a per-image uniform that rounds to 1 (above 0.5) flips a
        /// batch's image; <paramref name="seed"/> is the op seed. The coin picks between the mirrored and
        /// the plain image with a select rather than a host branch, so a replayed NF.Function draws new
        /// coins each call, and gradients reach <paramref name="images"/>.
        /// </summary>
        /// <exception cref="ArgumentException">images is not [H, W, C] or [N, H, W, C].</exception>
        public static Tensor RandomFlipLeftRight(Tensor images, int? seed = null)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages("Image.RandomFlipLeftRight", images);
            return RandomlyFlipped(images, FlipLeftRight(images), seed);
        }

        /// <summary>
        /// Mirrors upside down with probability 1/2 (<c>tf.image.random_flip_up_down</c>), by the same
        /// coins as <see cref="RandomFlipLeftRight"/>.
        /// </summary>
        /// <exception cref="ArgumentException">images is not [H, W, C] or [N, H, W, C].</exception>
        public static Tensor RandomFlipUpDown(Tensor images, int? seed = null)
        {
            ArgumentNullException.ThrowIfNull(images);
            CheckImages("Image.RandomFlipUpDown", images);
            return RandomlyFlipped(images, FlipUpDown(images), seed);
        }

        private static Tensor RandomlyFlipped(Tensor images, Tensor flipped, int? seed)
        {
            // The coins live where the images do, whatever backend is current.
            using var _ = UseBackend(images.Backend);
            if (images.Rank == 3)
                return Where(Random.Uniform(NeuralFlow.Shape.Scalar, seed: seed) < 0.5f, flipped, images);
            var coins = Random.Uniform(new NeuralFlow.Shape(images.Shape[0], 1, 1, 1), seed: seed) > 0.5f;
            return Where(coins, flipped, images);
        }
    }
}

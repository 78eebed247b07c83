namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// A layer that augments images together with their labels (Keras 3 passes <c>{"images": x, "labels": y}</c>
    /// to its image preprocessing layers): <see cref="MixUp"/> and <see cref="CutMix"/> mix the labels with the
    /// weights that mix the images, the other augmentation layers return the labels unchanged, and
    /// <see cref="Pipeline"/> threads both through its layers. It fits a labelled pipeline directly:
    /// <c>dataset.Batch(32).Map((x, y) =&gt; mixUp.CallWithLabels(x, y, training: true))</c>.
    /// </summary>
    public interface ILabelledAugmentation
    {
        /// <summary>
        /// The augmented images and labels: images NHWC [N, H, W, C] (or one image [H, W, C]), labels with one
        /// row per image ([N, ...], or one label for one image). <paramref name="training"/> false returns the
        /// inference output and the labels as they are.
        /// </summary>
        (Tensor Images, Tensor Labels) CallWithLabels(Tensor images, Tensor labels, bool training);
    }

    public abstract partial class RandomImageLayer
    {
        /// <inheritdoc/>
        /// <exception cref="ArgumentException">The images are not rank 3 or 4, or the labels do not have one row per image.</exception>
        public (Tensor Images, Tensor Labels) CallWithLabels(Tensor images, Tensor labels, bool training)
        {
            ArgumentNullException.ThrowIfNull(images);
            ArgumentNullException.ThrowIfNull(labels);
            string op = $"{Name} ({GetType().Name})";
            NF.Image.CheckImages(op, ImageDataFormat.ToChannelsLast(op, images, DataFormat));
            bool single = images.Rank == 3;
            if (!single && (labels.Rank < 1 || labels.Shape[0] != images.Shape[0]))
                throw new ArgumentException($"{op}: labels must have one row per image, shape [{images.Shape[0]}, ...], got {labels.Shape}.", nameof(labels));
            if (!training) return (Call(images, training: false), labels);
            using (TrainingMode(true))
            {
                EnsureBuilt(images.Shape);
                var x = NF.Image.AsFloat(ImageDataFormat.ToChannelsLast(op, images, DataFormat));
                var (y, l) = AugmentLabelled(single ? NF.ExpandDims(x, 0) : x, single ? NF.ExpandDims(labels, 0) : labels);
                OutputShape = images.Shape;
                return (ImageDataFormat.FromChannelsLast(single ? NF.Squeeze(y, 0) : y, DataFormat), single ? NF.Squeeze(l, 0) : l);
            }
        }

        /// <summary>The training output of a float batch [N, H, W, C] and its labels [N, ...]: the labels unchanged but for the mixing layers.</summary>
        private protected virtual (Tensor Images, Tensor Labels) AugmentLabelled(Tensor images, Tensor labels) => (Augment(images), labels);
    }
}

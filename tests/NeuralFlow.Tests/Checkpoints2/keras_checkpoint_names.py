"""Expected ModelCheckpoint file names and Fit(stepsPerEpoch) batch counts for the tests beside this file.

Written from Keras 3's documented rules (keras/src/callbacks/model_checkpoint.py, _should_save_on_batch and
_get_file_path; keras/src/trainers/epoch_iterator.py, _enumerate_iterator), not Keras itself, which is not
installed here. Run: python3 keras_checkpoint_names.py
"""
import math


def batch_saves(batches_per_epoch, epochs, save_freq, pattern):
    """Paths a batch-level ModelCheckpoint writes: batches counted across epochs, {epoch} and {batch} 1-based."""
    seen, last, names = 0, None, []
    for epoch in range(epochs):
        for batch in range(batches_per_epoch):
            seen += batch + 1 if last is None or batch <= last else batch - last
            last = batch
            if seen >= save_freq:
                seen = 0
                names.append(pattern.format(epoch=epoch + 1, batch=batch + 1))
    return names


def steps_per_epoch_batches(num_batches, steps_per_epoch, epochs):
    """Batches each epoch runs, and which batch of its pass each is, for array data (EpochIterator)."""
    steps_seen, out = 0, []
    for _ in range(epochs):
        ran = []
        for _step in range(steps_per_epoch):
            if steps_seen >= num_batches:
                break  # Keras warns "Your input ran out of data"
            ran.append(steps_seen)
            steps_seen += 1
        if steps_seen >= num_batches:
            steps_seen = 0  # a new iterator (pass) for the next epoch
        out.append(ran)
    return out


# 20 examples in batches of 4: 5 batches per epoch; 3 epochs; save_freq 3.
print(batch_saves(5, 3, 3, "ckpt-e{epoch}-b{batch:02d}.nfmodel"))
# 10 examples in batches of 4: 3 batches per pass.
print("spe 2:", steps_per_epoch_batches(3, 2, 4))
print("spe 3:", steps_per_epoch_batches(3, 3, 3))
print("spe 5:", steps_per_epoch_batches(3, 5, 2))

"""Reference values for TutorialSimpleAudio*Tests (TF's simple_audio tutorial on a synthetic folder).

Run with /usr/bin/python3 (numpy, torch 1.13, the standard `wave` module). Writes the same
deterministic int16 clips the C# tests write (integer formulas, so both sides agree bit for bit),
reads them back with `wave`, splits them as keras.utils.audio_dataset_from_directory(seed=0,
validation_split=0.2, subset='both') does (dataset_utils.index_directory: classes sorted, files
sorted, one np.random.RandomState(seed).shuffle of paths and one of labels; the last
int(0.2 * n) files validate, unshuffled), and computes tf.signal.stft(frame_length=255,
frame_step=128) both by hand (frames of 255, periodic Hann of 255 at the frame's start, rfft of
256) and with torch.stft, Resizing(32, 32) (bilinear, half-pixel) with torch, and the
Normalization layer's adapted mean and variance with numpy.
"""
import io
import os
import tempfile
import wave

import numpy as np
import torch

LABELS = ["down", "go", "no", "yes"]
PER_CLASS = 10


def clip_length(i):
    if i == 5:
        return 17000                      # longer than a second: cut to 16000
    return 9000 + 700 * i if i % 3 == 0 else 16000   # shorter ones: zero-padded


def sample(c, i, t):
    if c == 0:                            # "down": a triangle wave
        p = 40 + 4 * i
        ph = t % p
        tri = ph if ph < p // 2 else p - ph
        return tri * 24000 // p - 6000
    if c == 1:                            # "go": a square-wave chirp
        ph = (t * (t + 100 * i) // 8192) % 64
        return 9000 if ph < 32 else -9000
    if c == 2:                            # "no": noise from an LCG, handled separately
        raise AssertionError
    return 20000 if t % (100 + 10 * i) < 5 else -500   # "yes": a pulse train


def clip(c, i):
    n = clip_length(i)
    if c == 2:
        out, x = [], 1 + i
        for _ in range(n):
            x = (1103515245 * x + 12345) % (1 << 31)
            out.append((x >> 16) % 16001 - 8000)
        return np.array(out, dtype=np.int16)
    return np.array([sample(c, i, t) for t in range(n)], dtype=np.int16)


def write_folder(root):
    for c, label in enumerate(LABELS):
        os.makedirs(os.path.join(root, label))
        for i in range(PER_CLASS):
            with wave.open(os.path.join(root, label, f"{i:02d}_nohash_0.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(16000)
                w.writeframes(clip(c, i).tobytes())


def read(path, desired=16000):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    audio = (pcm.astype(np.float32) / 32768.0)[:desired]
    return np.pad(audio, (0, desired - len(audio))), len(pcm)


def tf_stft_abs(x):
    """tf.signal.stft(x, 255, 128): frames of 255, periodic Hann of 255, rfft of 256, no centering."""
    n = np.arange(255)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / 255)
    frames = 1 + (len(x) - 255) // 128
    framed = np.stack([x[f * 128:f * 128 + 255] for f in range(frames)]).astype(np.float64) * window
    return np.abs(np.fft.rfft(framed, n=256, axis=-1))


def torch_stft_abs(x):
    # torch centers a window shorter than n_fft: (256 - 255) // 2 = 0 zeros before it, so here the
    # window starts each frame as TF's does, and the frame's 256th sample meets the window's zero.
    window = torch.hann_window(255, periodic=True, dtype=torch.float64)
    spec = torch.stft(torch.tensor(x, dtype=torch.float64), n_fft=256, hop_length=128, win_length=255,
                      window=window, center=False, return_complex=True)
    return spec.abs().T.numpy()


def main():
    root = os.path.join(tempfile.mkdtemp(), "mini_speech_commands")
    write_folder(root)
    # index_directory: class folders in order, files sorted, then one shuffle of each list.
    paths = [os.path.join(label, f"{i:02d}_nohash_0.wav") for label in LABELS for i in range(PER_CLASS)]
    labels = np.array([c for c in range(len(LABELS)) for _ in range(PER_CLASS)], dtype=np.int32)
    np.random.RandomState(0).shuffle(paths)
    np.random.RandomState(0).shuffle(labels)
    num_val = int(0.2 * len(paths))
    train, val = paths[:-num_val], paths[-num_val:]
    print("train count", len(train), "val count", len(val))
    print("val files (batches of 4: the first is test_ds, the second val_ds):")
    print(", ".join(f'"{p}"' for p in val))
    print("val labels:", ", ".join(str(v) for v in labels[-num_val:]))

    print("val clips: frames in file, sum of the 16000 decoded samples, sample 8999:")
    decoded = []
    for p in val:
        audio, frames = read(os.path.join(root, p))
        decoded.append(audio)
        print(f"  {p}: {frames}, {audio.astype(np.float64).sum():.9g}, {audio[8999]:.9g}")

    print("spectrogram of each test clip (tf.signal.stft 255/128, abs): sum, [10, 5], [60, 40], [123, 128]")
    specs = []
    for p, audio in zip(val[:4], decoded[:4]):
        mine, theirs = tf_stft_abs(audio), torch_stft_abs(audio)
        assert mine.shape == (124, 129)
        assert np.allclose(mine, theirs, rtol=1e-9, atol=1e-9), np.abs(mine - theirs).max()
        specs.append(mine)
        print(f"  {p}: {mine.sum():.9g}, {mine[10, 5]:.9g}, {mine[60, 40]:.9g}, {mine[123, 128]:.9g}")

    print("Resizing(32, 32) of the first test spectrogram: sum, [0, 0], [7, 19], [31, 31]")
    resized = torch.nn.functional.interpolate(torch.tensor(specs[0])[None, None], size=(32, 32), mode="bilinear",
                                              align_corners=False, antialias=False)[0, 0].numpy()
    print(f"  {resized.sum():.9g}, {resized[0, 0]:.9g}, {resized[7, 19]:.9g}, {resized[31, 31]:.9g}")

    train_specs = np.stack([tf_stft_abs(read(os.path.join(root, p))[0]) for p in train])
    cut, frames = read(os.path.join(root, "yes", "05_nohash_0.wav"))
    print(f"yes/05 has {frames} frames, cut to 16000: sum {cut.astype(np.float64).sum():.9g}")
    print(f"Normalization adapted on the training spectrograms: mean {train_specs.mean():.9g}, variance {train_specs.var():.9g}")


def small_stft():
    """tf.signal.stft of 20 samples, frame_length 6, frame_step 4, pad_end=True: fft_length 8 (the
    enclosing power of two), ceil(20 / 4) = 5 frames over the signal zero-padded to 22, the Hann
    window of 6 at each frame's start. Written out by hand as TF's spectral_ops does it."""
    x = np.sin(np.arange(20) * 0.7)
    padded = np.pad(x, (0, 2))
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(6) / 6)
    framed = np.stack([padded[f * 4:f * 4 + 6] for f in range(5)]) * window
    spec = np.fft.rfft(framed, n=8, axis=-1)
    print("small stft (5 frames x 5 bins) real:", ", ".join(f"{v:.9g}" for v in spec.real.ravel()))
    print("small stft imag:", ", ".join(f"{v:.9g}" for v in spec.imag.ravel()))


if __name__ == "__main__":
    main()
    small_stft()

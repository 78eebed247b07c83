# Reference values for ImageDtypeTests (run with /usr/bin/python3): tf.image.convert_image_dtype and adjust_* on uint8
# images as TF defines them (cast * float32(1/255); back: * 255.5, clipped, truncated), in NumPy float32.
import numpy as np
x = np.array([0, 1, 100, 200, 254, 255], dtype=np.uint8)
f = x.astype(np.float32) * np.float32(1.0 / 255)
def back(v): return np.clip(v * np.float32(255.5), 0, 255).astype(np.uint8)
print('brightness +0.1', back(f + np.float32(0.1)).tolist())
print('brightness -0.5', back(f + np.float32(-0.5)).tolist())
print('gamma 0.5', back(np.power(f, np.float32(0.5)) * np.float32(1.0)).tolist())
print('to float', f.tolist())
print('float to uint8', back(np.array([0, 0.5, 0.999, 1.0, 1.5, -0.2], dtype=np.float32)).tolist())

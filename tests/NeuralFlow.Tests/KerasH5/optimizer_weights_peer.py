"""Rewrites the optimizer_weights of a legacy .h5 NeuralFlow wrote (tf.keras 2.15's order and names:
iteration:0, then Adam/m/dense/kernel:0 ... as each optimizer's build makes them) into the order and
names another Keras writes (legacy_h5_format.save_optimizer_weights_to_hdf5_group), with h5py:
  legacy  tf.keras' OptimizerV2 (TF <= 2.10): Adam/iter:0, then one run per slot name
          (Adam/dense/kernel/m:0 for every weight, then the v's), Adadelta's and Ftrl's per weight;
  keras3  Keras 3's variable paths: adam/iteration, adam/learning_rate (float32), the slots in the
          same order as adam/dense_kernel_m, and Nadam's u_product last.
The file is rewritten as h5py writes a new one (libver 'earliest', as Keras' own files: groups of
any size in symbol tables), the model's attributes and weights copied over.
Usage: optimizer_weights_peer.py FILE legacy|keras3 LEARNING_RATE [U_PRODUCT]. Prints the new names as JSON."""
import json, os, sys
import h5py, numpy as np

path, flavor, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
with h5py.File(path, 'r') as source, h5py.File(path + '.new', 'w') as f:
    for key, value in source.attrs.items():
        f.attrs[key] = value
    source.copy(source['model_weights'], f, 'model_weights')
    group = source['optimizer_weights']
    names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs['weight_names']]
    values = [group[n][()] for n in names]
    iteration = values[0]
    slots = []  # (optimizer, slot name, weight name, value)
    for name, value in zip(names[1:], values[1:]):
        optimizer, slot, weight = name[:-2].split('/', 2)
        slots.append((optimizer, slot, weight, value))
    optimizer = slots[0][0] if slots else 'Adam'
    if flavor == 'legacy':
        if optimizer in ('Adadelta', 'Ftrl'):
            order = slots
        else:
            kinds = list(dict.fromkeys(s[1] for s in slots))
            order = [s for kind in kinds for s in slots if s[1] == kind]
        out = [(f'{optimizer}/iter:0', iteration)] + [(f'{optimizer}/{w}/{k}:0', v) for (_, k, w, v) in order]
    else:
        prefix = optimizer.lower()
        out = [(f'{prefix}/iteration', iteration), (f'{prefix}/learning_rate', np.float32(rate))]
        out += [(f'{prefix}/{w.replace("/", "_")}_{k}', v) for (_, k, w, v) in slots]
        if optimizer == 'Nadam':
            out.append((f'{prefix}/u_product', np.float32(float(sys.argv[4]))))
    group = f.create_group('optimizer_weights')
    group.attrs['weight_names'] = [n.encode('utf8') for n, _ in out]
    for name, value in out:
        group.create_dataset(name, data=value)
os.replace(path + '.new', path)
print(json.dumps([n for n, _ in out]))

# Reference for OptimizerNamesTests: Keras 3's default optimizer names (keras/src/utils/naming.py: auto_name
# snake-cases the class name, then numbers repeats per process) and the slot names and shapes of each
# optimizer's build() (keras/src/optimizers/*.py) for a Dense(2) on 3 inputs: kernel (3, 2), bias (2,).
# Run with /usr/bin/python3; no Keras needed (the rules are re-stated here, not imported).
import re
from collections import defaultdict

def snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()

uids = defaultdict(int)
def auto_name(cls):
    base = snake(cls)
    name = base if uids[base] == 0 else f"{base}_{uids[base]}"
    uids[base] += 1
    return name

for cls in ["SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "Nadam", "Ftrl", "Lion", "Lamb",
            "Adafactor", "Muon", "ScheduleFreeAdamW", "LossScaleOptimizer"]:
    print(cls, snake(cls))
print([auto_name("Adam") for _ in range(3)])

# add_variable_from_reference: f"{path.replace('/', '_')}_{slot}" under name_scope(optimizer name).
def ref(opt, path, slot): return f"{opt}/{path.replace('/', '_')}_{slot}"
kernel, bias = ("dense/kernel", (3, 2)), ("dense/bias", (2,))
# Adafactor: r, c from add_variable(name=var.name) (the short name; shapes shape[:-1] and shape[:-2]+shape[-1:]),
# placeholders of shape () below rank 2 (also named var.name), then v = add_variable_from_reference(var, "velocity").
for path, shape in (kernel, bias):
    short = path.split("/")[-1]
    r = shape[:-1] if len(shape) >= 2 else ()
    c = shape[:-2] + shape[-1:] if len(shape) >= 2 else ()
    print("adafactor", [(f"adafactor/{short}", r), (f"adafactor/{short}", c), (ref("adafactor", path, "velocity"), shape)])
# Muon: momentum for every variable; velocity too for those AdamW steps (rank != 2: the bias).
print("muon", [ref("muon", kernel[0], "momentum")], [ref("muon", bias[0], "momentum"), ref("muon", bias[0], "velocity")])
print("ema", ref("adam", kernel[0], "average"))

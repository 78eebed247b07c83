"""Reference order for DataTextLineReadsTests.cs: tf.data.TextLineDataset(files, num_parallel_reads=n).

Run with /usr/bin/python3 (plain Python; TensorFlow is not installed here). TextLineDatasetV2 with
num_parallel_reads=n > 1 is ParallelInterleaveDataset(filenames, read_one_file, cycle_length=n,
block_length=1, sloppy=False) (tensorflow/python/data/ops/readers.py, _create_dataset_reader), whose
deterministic order is tf.data's interleave order (InterleaveDatasetOp::Iterator::GetNextInternal):
the cycle's slots are visited in turn; an empty slot is filled with the next file when its turn comes
(and then read at once); a file that ends frees its slot and the turn passes on.
"""


def interleave(files, cycle_length, block_length=1):
    files = list(files)
    slots = [None] * cycle_length
    out, index, next_file, open_count, in_block = [], 0, 0, 0, 0
    while next_file < len(files) or open_count > 0:
        if slots[index] is not None:
            try:
                out.append(next(slots[index]))
                in_block += 1
                if in_block == block_length:
                    in_block, index = 0, (index + 1) % cycle_length
                continue
            except StopIteration:
                slots[index] = None
                open_count -= 1
                in_block, index = 0, (index + 1) % cycle_length
        elif next_file < len(files):
            slots[index] = iter(files[next_file])
            next_file += 1
            open_count += 1
        else:
            in_block, index = 0, (index + 1) % cycle_length
    return out


A = ["a1", "a2", "a3", "a4"]
B = ["b1"]
C = ["c1", "c2", "c3"]
D = ["d1", "d2"]

if __name__ == "__main__":
    print("cycle 2:", interleave([A, B, C, D], 2))
    print("cycle 3:", interleave([A, B, C, D], 3))
    print("cycle 1:", interleave([A, B, C, D], 1))
    print("cycle 8:", interleave([A, B, C, D], 8))

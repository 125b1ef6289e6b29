"""safetensors and .npy I/O with numpy only (the `safetensors` module is not in Debian 12).
safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__},
then the raw tensors."""
import json
import os
import struct

import numpy as np
import torch

DTYPES = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64, 'I32': np.int32, 'U8': np.uint8}


def read_safetensors(path):
    """name -> numpy array (in header order), and the metadata dict."""
    with open(path, 'rb') as handle:
        data = handle.read()
    if len(data) < 8:
        raise ValueError(f'{path}: too short for a safetensors file ({len(data)} bytes)')
    (size,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + size])
    base = 8 + size
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        if entry['dtype'] not in DTYPES:
            raise ValueError(f'{path}: {name} has dtype {entry["dtype"]}, which this reader does not handle')
        start, end = entry['data_offsets']
        tensors[name] = np.frombuffer(data[base + start:base + end], dtype=DTYPES[entry['dtype']]).reshape(entry['shape']).copy()
    return tensors, header.get('__metadata__', {})


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors (num_batches_tracked too, as ulseg does) atomically."""
    header, chunks, offset = {}, [], 0
    for name, value in tensors.items():
        array = np.ascontiguousarray(value.detach().cpu().numpy() if torch.is_tensor(value) else value, dtype=np.float32)
        raw = array.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {key: str(value) for key, value in metadata.items()}
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    temporary = f'{path}.tmp{os.getpid()}'
    with open(temporary, 'wb') as handle:
        handle.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))
    os.replace(temporary, path)


def load_state(model, tensors):
    """Loads a name -> array map into `model` (every key must match by name and shape)."""
    state = model.state_dict()
    missing = [name for name in state if name not in tensors]
    unexpected = [name for name in tensors if name not in state and not name.startswith('optimizer.')]
    if missing or unexpected:
        raise ValueError(f'state_dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}')
    converted = {}
    for name, value in state.items():
        array = np.asarray(tensors[name])
        if tuple(array.shape) != tuple(value.shape):
            raise ValueError(f'{name}: shape {array.shape}, the model wants {tuple(value.shape)}')
        converted[name] = torch.from_numpy(array.astype(np.float32)).to(value.dtype)
    model.load_state_dict(converted)


def write_npy(path, array):
    temporary = f'{path}.tmp{os.getpid()}.npy'
    np.save(temporary, array)
    os.replace(temporary, path)

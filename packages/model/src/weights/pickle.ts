/**
 * A restricted unpickler for PyTorch state_dicts. It implements the opcodes `torch.save` emits (protocol 2, plus
 * the protocol 3–5 framing and string opcodes) and resolves only an allow-list of globals into inert JavaScript
 * values. Any other global — `os.system`, `builtins.eval`, anything — is refused before anything runs: this reader
 * never executes code from the file.
 */

export class PickleSecurityError extends Error {
  override name = 'PickleSecurityError';
}

/** A global the allow-list resolved: a marker the reducer recognises, not a function. */
export interface PickleGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

export interface PersistentLoad {
  (id: unknown): unknown;
}

export interface PickleOptions {
  /** Allowed `module.name` globals. */
  allowedGlobals: ReadonlySet<string>;
  /** Applies an allowed global to its arguments (REDUCE / NEWOBJ). */
  reduce: (callable: PickleGlobal, args: unknown[]) => unknown;
  /** BUILD: sets state on an object made by reduce; return false to refuse. */
  build?: (target: unknown, state: unknown) => void;
  persistentLoad: PersistentLoad;
  source: string;
}

const MARK = Symbol('mark');

export function unpickle(bytes: Uint8Array, options: PickleOptions): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let position = 0;
  const fail = (message: string): never => {
    throw new Error(`${options.source}: ${message} (at byte ${position})`);
  };
  const need = (count: number): void => {
    if (position + count > bytes.length) fail('truncated pickle');
  };
  const u8 = (): number => (need(1), bytes[position++]!);
  const u16 = (): number => (need(2), (position += 2), view.getUint16(position - 2, true));
  const u32 = (): number => (need(4), (position += 4), view.getUint32(position - 4, true));
  const i32 = (): number => (need(4), (position += 4), view.getInt32(position - 4, true));
  const u64 = (): number => (need(8), (position += 8), Number(view.getBigUint64(position - 8, true)));
  const text = (length: number): string => (need(length), (position += length), decoder.decode(bytes.subarray(position - length, position)));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) fail('unterminated line');
    const value = new TextDecoder('latin1').decode(bytes.subarray(position, end));
    position = end + 1;
    return value;
  };
  const pop = (): unknown => (stack.length === 0 ? fail('stack underflow') : stack.pop());
  const popMark = (): unknown[] => {
    const index = stack.lastIndexOf(MARK);
    if (index < 0) fail('MARK missing');
    const items = stack.splice(index);
    items.shift();
    return items;
  };
  const resolveGlobal = (module: string, name: string): PickleGlobal => {
    const qualified = `${module}.${name}`;
    if (!options.allowedGlobals.has(qualified)) {
      if (/^torch\.\w+Storage$/.test(qualified)) {
        throw new Error(`${options.source}: holds tensors of type ${qualified}, which ulseg does not read (a model's weights are float tensors)`);
      }
      throw new PickleSecurityError(
        `${options.source}: refusing to load global '${qualified}': not a plain PyTorch state_dict, which needs only ` +
          `${[...options.allowedGlobals].join(', ')}; the file was read as data and it was not run.`,
      );
    }
    return { kind: 'global', module, name };
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2) fail('odd number of dict items');
    for (let index = 0; index < items.length; index += 2) {
      const key = items[index];
      const value = items[index + 1];
      if (target instanceof Map) target.set(key, value);
      else fail('SETITEM on a non-dict');
    }
  };

  for (;;) {
    const opcode = u8();
    switch (opcode) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: { // LONG1
        const length = u8();
        need(length);
        let value = 0n;
        for (let index = length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[position + index]!);
        if (length > 0 && bytes[position + length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
        position += length;
        stack.push(Number(value));
        break;
      }
      case 0x47: need(8); stack.push(view.getFloat64(position, false)); position += 8; break; // BINFLOAT
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64())); break; // BINUNICODE8
      case 0x55: stack.push(text(u8())); break; // SHORT_BINSTRING
      case 0x54: stack.push(text(u32())); break; // BINSTRING
      case 0x43: { const length = u8(); need(length); stack.push(bytes.slice(position, (position += length))); break; } // SHORT_BINBYTES
      case 0x42: { const length = u32(); need(length); stack.push(bytes.slice(position, (position += length))); break; } // BINBYTES
      case 0x71: memo.set(u8(), stack.at(-1)); break; // BINPUT
      case 0x72: memo.set(u32(), stack.at(-1)); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack.at(-1)); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = opcode === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} missing`);
        stack.push(memo.get(key));
        break;
      }
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const value = pop(); (stack.at(-1) as unknown[]).push(value); break; } // APPEND
      case 0x65: { const items = popMark(); (stack.at(-1) as unknown[]).push(...items); break; } // APPENDS
      case 0x73: { const value = pop(); const key = pop(); setItems(stack.at(-1), [key, value]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(stack.at(-1), items); break; } // SETITEMS
      case 0x63: { const module = line(); const name = line(); stack.push(resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); stack.push(resolveGlobal(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x52: case 0x81: { // REDUCE, NEWOBJ
        const args = pop();
        const callable = pop() as PickleGlobal;
        if (callable?.kind !== 'global' || !Array.isArray(args)) fail('REDUCE of something that is not an allowed global');
        stack.push(options.reduce(callable, args as unknown[]));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = stack.at(-1);
        if (!options.build) fail('BUILD is not allowed here');
        options.build!(target, state);
        break;
      }
      case 0x51: stack.push(options.persistentLoad(pop())); break; // BINPERSID
      default:
        throw new PickleSecurityError(
          `${options.source}: unsupported pickle opcode 0x${opcode.toString(16)} at byte ${position - 1}; ` +
            'a plain torch.save(state_dict) file does not use it.',
        );
    }
  }
}

/**
 * Reading the key-value header of a GGUF file (the weights of a model pulled from a registry),
 * as far as the first bytes the fake keeps reach: Ollama takes `context_length`,
 * `embedding_length` and the capabilities (`pooling_type` means an embedding model) from it.
 *
 * @module
 */

/** A header value: a number, a string, a bool, or an array of them. */
export type GgufValue = number | bigint | string | boolean | GgufValue[];

const DECODER = new TextDecoder();

/**
 * The key-values of a GGUF header (v2 or v3), read until the bytes run out.
 *
 * @param bytes The file's first bytes.
 * @returns The keys read; empty when the bytes are not GGUF.
 */
export function readGgufHeader(bytes: Uint8Array): Map<string, GgufValue> {
  const out = new Map<string, GgufValue>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24 || DECODER.decode(bytes.subarray(0, 4)) !== "GGUF") return out;
  let at = 4;
  const u32 = () => {
    const value = view.getUint32(at, true);
    at += 4;
    return value;
  };
  const u64 = () => {
    const value = Number(view.getBigUint64(at, true));
    at += 8;
    return value;
  };
  const string = () => {
    const length = u64();
    if (at + length > bytes.length) throw new RangeError("past the kept bytes");
    const value = DECODER.decode(bytes.subarray(at, at + length));
    at += length;
    return value;
  };
  const value = (type: number): GgufValue => {
    switch (type) {
      case 0:
        return view.getUint8(at++);
      case 1:
        return view.getInt8(at++);
      case 2:
        return (at += 2, view.getUint16(at - 2, true));
      case 3:
        return (at += 2, view.getInt16(at - 2, true));
      case 4:
        return u32();
      case 5:
        return (at += 4, view.getInt32(at - 4, true));
      case 6:
        return (at += 4, view.getFloat32(at - 4, true));
      case 7:
        return view.getUint8(at++) !== 0;
      case 8:
        return string();
      case 9: {
        const itemType = u32();
        const count = u64();
        if (count > bytes.length - at) throw new RangeError("past the kept bytes");
        return Array.from({ length: count }, () => value(itemType));
      }
      case 10:
        return (at += 8, view.getBigUint64(at - 8, true));
      case 11:
        return (at += 8, view.getBigInt64(at - 8, true));
      case 12:
        return (at += 8, view.getFloat64(at - 8, true));
      default:
        throw new RangeError(`unknown GGUF value type ${type}`);
    }
  };
  try {
    const version = u32();
    if (version < 2) return out;
    u64(); // tensors
    const count = u64();
    for (let i = 0; i < count; i++) {
      const key = string();
      out.set(key, value(u32()));
    }
  } catch {
    // the kept bytes end inside the header: keep what was read
  }
  return out;
}

/**
 * A key of the model's architecture (`<arch>.<name>`) as a number, or 0.
 *
 * @param header The header's key-values.
 * @param name E.g. `context_length`.
 * @returns The value, or 0 when absent or not a number.
 */
export function architectureNumber(header: ReadonlyMap<string, GgufValue>, name: string): number {
  const arch = header.get("general.architecture");
  const value = header.get(`${typeof arch === "string" ? arch : ""}.${name}`);
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : 0;
}

/**
 * Whether the header has a key of the model's architecture (`<arch>.<name>`).
 *
 * @param header The header's key-values.
 * @param name E.g. `pooling_type`.
 * @returns `true` when present.
 */
export function hasArchitectureKey(header: ReadonlyMap<string, GgufValue>, name: string): boolean {
  const arch = header.get("general.architecture");
  return header.has(`${typeof arch === "string" ? arch : ""}.${name}`);
}

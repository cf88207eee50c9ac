/**
 * Reading values the serializer does not trust: a getter may throw, a constructor may lie, binary data
 * must never be read byte by byte (§9).
 */

/** A summary standing in for binary data (images, audio, buffers); `bytes` null when unreadable. */
export function binarySummary(type: string, bytes: number | null, mediaType?: string): Record<string, unknown> {
  return mediaType ? { type: 'binary', kind: type, mediaType, bytes } : { type: 'binary', kind: type, bytes };
}

/** %TypedArray%: `instanceof` also recognises a Proxy over a Buffer, which `ArrayBuffer.isView` does not. */
const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayBufferView;

/**
 * The summary of binary data (Buffer, typed arrays, DataView, (Shared)ArrayBuffer, Blob), from its
 * size alone: no byte is read (a 20 MB Buffer costs nothing). `undefined` for anything else. May throw
 * (a revoked Proxy): the serializer's walk catches.
 */
export function binaryForm(obj: object): Record<string, unknown> | undefined {
  if (ArrayBuffer.isView(obj) || obj instanceof TypedArray || obj instanceof DataView) {
    return binarySummary(kindOf(obj, 'ArrayBufferView'), sizeOf(obj, 'byteLength'));
  }
  if (obj instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && obj instanceof SharedArrayBuffer)) {
    return binarySummary(kindOf(obj, 'ArrayBuffer'), sizeOf(obj, 'byteLength'));
  }
  if (typeof Blob !== 'undefined' && obj instanceof Blob) {
    const mediaType = safeGet(obj, 'type');
    return binarySummary('Blob', sizeOf(obj, 'size'), typeof mediaType === 'string' ? mediaType : undefined);
  }
  return undefined;
}

/** The constructor's name, read without trusting the object. */
export function kindOf(obj: object, fallback: string): string {
  const ctor = safeGet(obj, 'constructor');
  const name = typeof ctor === 'function' ? safeGet(ctor, 'name') : undefined;
  return typeof name === 'string' && name ? name.slice(0, 64) : fallback;
}

function sizeOf(obj: object, key: string): number | null {
  const size = safeGet(obj, key);
  return typeof size === 'number' ? size : null;
}

/** A property read that never throws: a throwing getter reads as `'[getter threw]'`. */
export function safeGet(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch {
    return '[getter threw]';
  }
}

import fc from 'fast-check';

/** A Proxy over `{ a: 1 }`, already revoked: every operation on it throws. */
export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  return proxy;
}

/** A Proxy every one of whose traps throws. */
export function throwingProxy(): object {
  const fail = () => {
    throw new Error('trap exploded');
  };
  return new Proxy(
    {},
    {
      get: fail,
      has: fail,
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
      getPrototypeOf: fail,
      defineProperty: fail,
      deleteProperty: fail,
      set: fail,
      isExtensible: fail,
      preventExtensions: fail,
      setPrototypeOf: fail,
    },
  );
}

/** Values that have broken instrumentation before, each made fresh by its token. */
export const hostiles: Record<string, () => unknown> = {
  '#revoked': revokedProxy,
  '#throwing': throwingProxy,
  '#proxied-buffer': () => new Proxy(Buffer.alloc(1 << 16), {}),
  '#proxied-array': () => new Proxy([1, 2, 3], {}),
  '#proxied-map': () => new Proxy(new Map([[1, 2]]), {}),
  '#proxied-date': () => new Proxy(new Date(0), {}),
  '#sparse': () => new Array(1e8),
  '#buffer': () => Buffer.alloc(1 << 16),
  '#symbol': () => Symbol('s'),
  '#throwing-to-string': () => ({
    toString() {
      throw new Error('toString exploded');
    },
  }),
  '#null-prototype-id': () => Object.assign(Object.create(null), { id: 'u1' }),
  '#long-string': () => 'x'.repeat(100_000),
};

/**
 * Any value, hostile tokens among its leaves. fast-check inspects (and prints) what it generates,
 * which a revoked Proxy forbids: generate this blueprint, then `materialize` it inside the property.
 */
export const blueprint = fc.anything({
  values: [fc.constantFrom(...Object.keys(hostiles)), fc.string(), fc.integer(), fc.double(), fc.bigInt()],
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** `blueprint` with every hostile token replaced by a fresh hostile value. */
export function materialize(blueprint: unknown): unknown {
  if (typeof blueprint === 'string') return Object.hasOwn(hostiles, blueprint) ? hostiles[blueprint]!() : blueprint;
  if (Array.isArray(blueprint)) return blueprint.map(materialize);
  if (blueprint instanceof Map) return new Map([...blueprint].map(([k, v]) => [materialize(k), materialize(v)]));
  if (blueprint instanceof Set) return new Set([...blueprint].map(materialize));
  if (blueprint === null || typeof blueprint !== 'object') return blueprint;
  const out = Object.create(Object.getPrototypeOf(blueprint)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(blueprint)) {
    Object.defineProperty(out, k, { value: materialize(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

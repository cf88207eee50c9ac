import { isRecord } from '../../core/integration.js';

/** Whether `child` metadata cannot have been inherited from `parent`: a key of both with another value. */
export function conflicting(parent: unknown, child: unknown): boolean {
  if (!isRecord(parent) || !isRecord(child)) return false;
  return Object.keys(parent).some((key) => key in child && !sameValue(parent[key], child[key]));
}

/** LangChain passes metadata values down as they are; a copy (same JSON) counts as the same value. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

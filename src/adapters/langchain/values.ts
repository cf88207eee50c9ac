import { isRecord } from '../../core/integration.js';
import { toGenAiMessage, toGenAiMessages } from './messages.js';

/**
 * Chain inputs and outputs as plain data, read without LangChain's `Serializable.toJSON` (#14): a
 * message (`AIMessage`, …) becomes its GenAI message (`{ role, parts }`, as on generation spans), a
 * prompt value its text (`StringPromptValue`) or messages (`ChatPromptValue`). Also inside an array
 * and one level into a plain object (a LangGraph state's `messages`). `toJSON` wrote the constructor
 * form (`{"lc":1,"type":"constructor","id":[…],"kwargs":{…}}`) with every key snake-cased, at
 * ~15 µs an invoke, a third of the handler's own cost; the generation span already carries the
 * usage and response metadata it added. Anything else is returned as is, for `serialize`.
 */
export function chainValue(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const direct = lcValue(value);
  if (direct !== undefined) return direct;
  if (Array.isArray(value)) return convertedArray(value) ?? value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS) return value;
  for (const key of keys) {
    const item = value[key];
    const converted = isRecord(item)
      ? (lcValue(item) ?? (Array.isArray(item) ? convertedArray(item) : undefined))
      : undefined;
    if (converted === undefined) continue;
    copy ??= Object.assign({}, value);
    copy[key] = converted;
  }
  return copy ?? value;
}

/** Keys or items looked at, at most: chain values are small records, not data dumps. */
const MAX_KEYS = 64;

/** The array with its messages and prompt values converted, or `undefined` when it holds none. */
function convertedArray(items: unknown[]): unknown[] | undefined {
  if (items.length > MAX_KEYS * 16) return undefined;
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const converted = isRecord(item) ? lcValue(item) : undefined;
    if (converted === undefined) continue;
    copy ??= items.slice();
    copy[i] = converted;
  }
  return copy;
}

/** A LangChain message or prompt value as plain data; `undefined` for anything else. */
function lcValue(value: Record<string, unknown>): unknown {
  const namespace = value.lc_namespace;
  if (!Array.isArray(namespace) || namespace[0] !== 'langchain_core') return undefined;
  if (namespace[1] === 'messages' && 'content' in value) return toGenAiMessage(value);
  if (namespace[1] === 'prompt_values') {
    if (typeof value.value === 'string') return value.value;
    if (Array.isArray(value.messages)) return toGenAiMessages(value.messages);
  }
  return undefined;
}

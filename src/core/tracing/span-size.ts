import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from './sdk-types.js';

/**
 * What a span costs on the wire, near enough to bound the export queue by bytes (#14): the ids,
 * times, kind and status of an OTLP span (about 60 bytes), its name, and per attribute its key and
 * value (a string's length, 9 bytes for a number or a boolean), events and links alike. String
 * lengths are UTF-16 code units: exact for ASCII, an underestimate by up to 3× for other scripts.
 * Cheap by design: one pass over the attributes, no encoding.
 */
export function estimatedSpanBytes(span: ReadableSpan): number {
  let bytes = 64 + (typeof span.name === 'string' ? span.name.length : 0) + attributesBytes(span.attributes);
  const events = span.events;
  if (events) {
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      bytes += 24 + (event?.name?.length ?? 0) + attributesBytes(event?.attributes);
    }
  }
  const links = span.links;
  if (links) for (let i = 0; i < links.length; i++) bytes += 40 + attributesBytes(links[i]?.attributes);
  return bytes;
}

function attributesBytes(attributes: Attributes | undefined): number {
  let bytes = 0;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += key.length + 4;
    if (typeof value === 'string') bytes += value.length;
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        bytes += typeof item === 'string' ? item.length + 2 : 9;
      }
    } else bytes += 9;
  }
  return bytes;
}
